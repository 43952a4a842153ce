/**
 * Tampering for tests of signed values. A signed cookie is `payload.signature`, both base64. The last character of
 * a base64 string can carry bits that decoding drops, so "flip the last character" sometimes changes nothing and a
 * test built on it fails at random. These helpers change a character in the middle, flipping the high bit of its
 * 6-bit value: every decoder sees different bytes. Pure string code, so Node (e2e) and workerd tests share it.
 */
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same base64 text with the character in its middle replaced by one whose decoded bits differ. */
export function flipMiddleBase64(text: string): string {
  const body = text.replace(/=+$/, "");
  if (body.length < 3) throw new Error(`too short to tamper: ${JSON.stringify(text)}`);
  const at = Math.floor(body.length / 2);
  const alphabet = /[-_]/.test(body) ? BASE64URL : BASE64;
  const index = alphabet.indexOf(body[at]!);
  if (index < 0) throw new Error(`not base64 at ${at}: ${JSON.stringify(text)}`);
  return `${body.slice(0, at)}${alphabet[index ^ 32]}${body.slice(at + 1)}${text.slice(body.length)}`;
}

/**
 * A `name=value` cookie pair (as in a Cookie header) whose signed value has its payload or its signature altered in
 * a way that changes the decoded bytes. The value may be percent-encoded, as Remix writes it.
 */
export function tamperSignedCookie(pair: string, part: "payload" | "signature"): string {
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq);
  const value = decodeURIComponent(pair.slice(eq + 1));
  const dot = value.lastIndexOf(".");
  if (eq < 1 || dot < 1) throw new Error(`not a signed cookie: ${pair}`);
  const [payload, signature] = [value.slice(0, dot), value.slice(dot + 1)];
  const tampered =
    part === "payload" ? `${flipMiddleBase64(payload)}.${signature}` : `${payload}.${flipMiddleBase64(signature)}`;
  return `${name}=${encodeURIComponent(tampered)}`;
}
