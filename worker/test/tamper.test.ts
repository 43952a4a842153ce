import { describe, expect, it } from "vitest";
import { flipMiddleBase64, tamperSignedCookie } from "./tamper";

const decode = (b64: string) => atob(b64.replace(/-/g, "+").replace(/_/g, "/"));

describe("test tampering", () => {
  it("always changes the decoded bytes, whatever the last character is", () => {
    // Every 2- to 40-byte value, in standard and URL-safe base64, with and without padding.
    for (let length = 2; length <= 40; length++) {
      for (let seed = 0; seed < 64; seed++) {
        const bytes = String.fromCharCode(...Array.from({ length }, (_, i) => (seed * 37 + i * 101) % 256));
        const padded = btoa(bytes);
        for (const text of [padded, padded.replace(/=+$/, ""), padded.replace(/\+/g, "-").replace(/\//g, "_")]) {
          const flipped = flipMiddleBase64(text);
          expect(flipped).toHaveLength(text.length);
          expect(decode(flipped.padEnd(padded.length, "="))).not.toBe(bytes);
        }
      }
    }
  });

  it("alters the payload or the signature of a percent-encoded signed cookie, and nothing else", () => {
    const pair = `__Host-shop_admin=${encodeURIComponent("eyJ1IjoxfQ==.q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80")}`;
    const [payload, signature] = decodeURIComponent(pair.split("=").slice(1).join("=")).split(".");
    const bad = (part: "payload" | "signature") =>
      decodeURIComponent(tamperSignedCookie(pair, part).split("=").slice(1).join("=")).split(".");
    expect(bad("payload")[0]).not.toBe(payload);
    expect(bad("payload")[1]).toBe(signature);
    expect(bad("signature")[0]).toBe(payload);
    expect(bad("signature")[1]).not.toBe(signature);
    expect(tamperSignedCookie(pair, "payload").startsWith("__Host-shop_admin=")).toBe(true);
  });
});
