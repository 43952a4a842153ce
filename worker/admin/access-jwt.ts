/**
 * Cloudflare Access in front of /admin: when CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are set, every admin request
 * must carry a valid `Cf-Access-Jwt-Assertion`. Access signs it with RS256; the public keys are published (JWK)
 * at `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs` and rotated, so they are cached per isolate for
 * an hour and fetched again when a token names a key we do not know. Checked: signature, alg, kid, iss, aud,
 * exp and nbf (with a minute of clock skew).
 */
import type { FetchLike } from "../aws.server";
import type { AccessSettings } from "./config";

export const ACCESS_JWT_HEADER = "Cf-Access-Jwt-Assertion";
const KEYS_TTL_MS = 60 * 60 * 1000;
/** Unknown kids trigger a refetch, but not more often than this (a forged kid must not hammer the endpoint). */
const REFETCH_MIN_INTERVAL_MS = 30 * 1000;
const CLOCK_SKEW_SECONDS = 60;
const CERTS_TIMEOUT_MS = 5_000;

type AccessCheck = { ok: true; email: string | null } | { ok: false; reason: string };

interface AccessDeps {
  fetch?: FetchLike;
  now?: () => number;
}

interface KeySet {
  keys: Map<string, CryptoKey>;
  fetchedAt: number;
}

const keySets = new Map<string, KeySet>();
const pendingFetches = new Map<string, Promise<KeySet>>();

/** Tests start each case with an empty key cache. */
export function clearAccessKeyCache(): void {
  keySets.clear();
  pendingFetches.clear();
}

export async function verifyAccessJwt(
  token: string | null,
  settings: AccessSettings,
  deps: AccessDeps = {},
): Promise<AccessCheck> {
  if (!token) return { ok: false, reason: "no Cf-Access-Jwt-Assertion header" };
  const now = (deps.now ?? Date.now)();
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed token" };
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader);
  const payload = decodeJson(encodedPayload);
  const signature = base64UrlBytes(encodedSignature);
  if (!header || !payload || !signature) return { ok: false, reason: "malformed token" };
  if (header.alg !== "RS256") return { ok: false, reason: `unexpected alg ${String(header.alg)}` };
  if (typeof header.kid !== "string") return { ok: false, reason: "token names no key" };

  let key: CryptoKey | undefined;
  try {
    key = await keyFor(settings.teamOrigin, header.kid, now, deps.fetch);
  } catch (error) {
    console.error(JSON.stringify({ at: "admin-access", problem: "certs_unavailable", detail: String(error) }));
    return { ok: false, reason: "Access signing keys unavailable" };
  }
  if (!key) return { ok: false, reason: "unknown signing key" };
  const valid = await crypto.subtle.verify(
    "RSASSA-PKCS1-v1_5",
    key,
    signature,
    new TextEncoder().encode(`${encodedHeader}.${encodedPayload}`),
  );
  if (!valid) return { ok: false, reason: "bad signature" };

  if (payload.iss !== settings.teamOrigin) return { ok: false, reason: "wrong issuer" };
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(settings.aud)) return { ok: false, reason: "wrong audience" };
  const nowSeconds = now / 1000;
  if (typeof payload.exp !== "number" || payload.exp + CLOCK_SKEW_SECONDS <= nowSeconds) {
    return { ok: false, reason: "expired" };
  }
  if (typeof payload.nbf === "number" && payload.nbf - CLOCK_SKEW_SECONDS > nowSeconds) {
    return { ok: false, reason: "not valid yet" };
  }
  return { ok: true, email: typeof payload.email === "string" ? payload.email : null };
}

async function keyFor(
  teamOrigin: string,
  kid: string,
  now: number,
  transport: FetchLike | undefined,
): Promise<CryptoKey | undefined> {
  const cached = keySets.get(teamOrigin);
  if (cached && now - cached.fetchedAt < KEYS_TTL_MS) {
    const key = cached.keys.get(kid);
    if (key || now - cached.fetchedAt < REFETCH_MIN_INTERVAL_MS) return key;
  }
  let pending = pendingFetches.get(teamOrigin);
  if (!pending) {
    pending = fetchKeys(teamOrigin, now, transport).finally(() => pendingFetches.delete(teamOrigin));
    pendingFetches.set(teamOrigin, pending);
  }
  const fresh = await pending;
  keySets.set(teamOrigin, fresh);
  return fresh.keys.get(kid);
}

async function fetchKeys(teamOrigin: string, now: number, transport: FetchLike | undefined): Promise<KeySet> {
  const request = new Request(`${teamOrigin}/cdn-cgi/access/certs`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(CERTS_TIMEOUT_MS),
  });
  const response = await (transport ?? ((r: Request) => fetch(r)))(request);
  if (!response.ok) throw new Error(`certs endpoint answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  const keys = new Map<string, CryptoKey>();
  for (const jwk of Array.isArray(body.keys) ? body.keys : []) {
    const candidate = jwk as JsonWebKey & { kid?: unknown };
    if (candidate.kty !== "RSA" || typeof candidate.kid !== "string") continue;
    if (candidate.alg !== undefined && candidate.alg !== "RS256") continue;
    try {
      keys.set(
        candidate.kid,
        await crypto.subtle.importKey(
          "jwk",
          { kty: "RSA", n: candidate.n, e: candidate.e, alg: "RS256", ext: true },
          { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
          false,
          ["verify"],
        ),
      );
    } catch {
      // One unusable key must not take the others down.
    }
  }
  return { keys, fetchedAt: now };
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  const bytes = base64UrlBytes(segment);
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlBytes(segment: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (segment.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
