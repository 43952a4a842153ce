/**
 * The owner's password, checked against ADMIN_PASSWORD_HASH with WebCrypto PBKDF2-SHA256. The hash is made by
 * `scripts/hash-password.ts`: `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
 */

/** What scripts/hash-password.ts uses, and the most the Workers runtime's PBKDF2 accepts. */
export const PBKDF2_ITERATIONS = 100_000;
const MIN_SALT_BYTES = 16;
const HASH_BYTES = 32;

export interface PasswordHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
}

type ParsedPasswordHash = { ok: true; value: PasswordHash } | { ok: false; problem: string };

/** Parses the secret; the problem names what is wrong without echoing any of the value. */
export function parsePasswordHash(raw: string | undefined): ParsedPasswordHash {
  if (raw === undefined || raw.trim() === "") return { ok: false, problem: "ADMIN_PASSWORD_HASH is not set" };
  const parts = raw.trim().split("$");
  if (parts.length !== 4 || parts[0] !== "pbkdf2-sha256") {
    return { ok: false, problem: "ADMIN_PASSWORD_HASH is not pbkdf2-sha256$<iterations>$<salt>$<hash>" };
  }
  const iterations = Number(parts[1]);
  // The runtime refuses more than 100,000 iterations; fewer would be a weaker hash than the script makes.
  if (!Number.isInteger(iterations) || iterations !== PBKDF2_ITERATIONS) {
    return { ok: false, problem: `ADMIN_PASSWORD_HASH must use ${PBKDF2_ITERATIONS} iterations` };
  }
  const salt = fromBase64(parts[2] ?? "");
  const hash = fromBase64(parts[3] ?? "");
  if (!salt || salt.length < MIN_SALT_BYTES) {
    return { ok: false, problem: `ADMIN_PASSWORD_HASH needs a base64 salt of at least ${MIN_SALT_BYTES} bytes` };
  }
  if (!hash || hash.length !== HASH_BYTES) {
    return { ok: false, problem: `ADMIN_PASSWORD_HASH needs a base64 hash of ${HASH_BYTES} bytes` };
  }
  return { ok: true, value: { iterations, salt, hash } };
}

async function derivePasswordHash(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** Always runs the full derivation and compares in constant time, so timing says nothing about the password. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const derived = await derivePasswordHash(password, stored.salt, stored.iterations);
  return timingSafeEqual(derived, stored.hash);
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function fromBase64(value: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  try {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
