/**
 * HMAC-SHA256 and base64url with Web Crypto: the one implementation behind the values the storefront signs or
 * derives (checkout idempotency keys, store-pickup tickets, admin session ids and the password fingerprint).
 */

/** base64url without padding (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** HMAC-SHA256 of `message` (UTF-8) under `secret` (UTF-8): 32 bytes. */
export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}
