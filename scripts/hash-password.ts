/**
 * Makes the ADMIN_PASSWORD_HASH secret from a password: `npx tsx scripts/hash-password.ts 'the password'`.
 * Format `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`; 100,000 iterations is the most the Workers
 * runtime's PBKDF2 accepts.
 */
export const PBKDF2_ITERATIONS = 100_000;

export async function hashPassword(password: string, salt = crypto.getRandomValues(new Uint8Array(16))): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, key, 256);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const password = process.argv[2];
  if (!password) {
    console.error("usage: npx tsx scripts/hash-password.ts '<password>'");
    process.exit(2);
  }
  console.log(await hashPassword(password));
}
