import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { json, scriptedTransport } from "../test/helpers";
import { clearAccessKeyCache, verifyAccessJwt } from "./access-jwt";

const TEAM = "https://shop-team.cloudflareaccess.com";
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const settings = { teamOrigin: TEAM, aud: AUD };
const NOW = Date.UTC(2026, 10, 27, 2, 0, 0);
const nowSeconds = NOW / 1000;

let signingKey: CryptoKeyPair;
let otherKey: CryptoKeyPair;
let certs: { keys: JsonWebKey[] };

async function generate(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const encode = (value: unknown) => b64url(new TextEncoder().encode(JSON.stringify(value)));

async function token(
  claims: Record<string, unknown> = {},
  options: { key?: CryptoKey; kid?: string; alg?: string; header?: Record<string, unknown> } = {},
): Promise<string> {
  const header = encode({ alg: options.alg ?? "RS256", kid: options.kid ?? "key-1", typ: "JWT", ...options.header });
  const payload = encode({
    aud: [AUD],
    iss: TEAM,
    email: "owner@example.tw",
    iat: nowSeconds - 60,
    nbf: nowSeconds - 60,
    exp: nowSeconds + 3600,
    ...claims,
  });
  const signature = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    options.key ?? signingKey.privateKey,
    new TextEncoder().encode(`${header}.${payload}`),
  );
  return `${header}.${payload}.${b64url(new Uint8Array(signature))}`;
}

beforeAll(async () => {
  signingKey = await generate();
  otherKey = await generate();
  const publicJwk = (await crypto.subtle.exportKey("jwk", signingKey.publicKey)) as JsonWebKey;
  const otherJwk = (await crypto.subtle.exportKey("jwk", otherKey.publicKey)) as JsonWebKey;
  // The shape Access publishes at /cdn-cgi/access/certs.
  certs = {
    keys: [
      { kid: "key-0", kty: "RSA", alg: "RS256", use: "sig", e: otherJwk.e, n: otherJwk.n } as JsonWebKey,
      { kid: "key-1", kty: "RSA", alg: "RS256", use: "sig", e: publicJwk.e, n: publicJwk.n } as JsonWebKey,
    ],
  };
});
beforeEach(() => clearAccessKeyCache());

function certsEndpoint() {
  return scriptedTransport(() => json({ ...certs, public_cert: {}, public_certs: [] }));
}

describe("Cloudflare Access JWT", () => {
  it("accepts a good token, fetching the team's keys from its certs endpoint once", async () => {
    const transport = certsEndpoint();
    const deps = { fetch: transport.fetch, now: () => NOW };
    expect(await verifyAccessJwt(await token(), settings, deps)).toEqual({ ok: true, email: "owner@example.tw" });
    expect(await verifyAccessJwt(await token({ aud: AUD }), settings, deps)).toMatchObject({ ok: true });
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]!.url.toString()).toBe(`${TEAM}/cdn-cgi/access/certs`);
  });

  it("refuses a wrong audience", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    expect(await verifyAccessJwt(await token({ aud: ["another-app"] }), settings, deps)).toEqual({
      ok: false,
      reason: "wrong audience",
    });
  });

  it("refuses a wrong issuer", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    const result = await verifyAccessJwt(await token({ iss: "https://evil.cloudflareaccess.com" }), settings, deps);
    expect(result).toEqual({ ok: false, reason: "wrong issuer" });
  });

  it("refuses an expired token and one not valid yet (beyond a minute of skew)", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    expect(await verifyAccessJwt(await token({ exp: nowSeconds - 120 }), settings, deps)).toEqual({
      ok: false,
      reason: "expired",
    });
    expect(await verifyAccessJwt(await token({ exp: undefined }), settings, deps)).toEqual({
      ok: false,
      reason: "expired",
    });
    expect(await verifyAccessJwt(await token({ exp: nowSeconds - 30 }), settings, deps)).toMatchObject({ ok: true });
    expect(await verifyAccessJwt(await token({ nbf: nowSeconds + 600 }), settings, deps)).toEqual({
      ok: false,
      reason: "not valid yet",
    });
  });

  it("refuses a bad signature: another key under the same kid, or altered claims", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    expect(await verifyAccessJwt(await token({}, { key: otherKey.privateKey }), settings, deps)).toEqual({
      ok: false,
      reason: "bad signature",
    });
    const good = await token();
    const [header, , signature] = good.split(".");
    const forged = `${header}.${encode({ aud: [AUD], iss: TEAM, exp: nowSeconds + 3600, email: "attacker@example.com" })}.${signature}`;
    expect(await verifyAccessJwt(forged, settings, deps)).toEqual({ ok: false, reason: "bad signature" });
  });

  it("refuses tokens that are missing, malformed, not RS256 or name an unknown key", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    expect(await verifyAccessJwt(null, settings, deps)).toMatchObject({ ok: false });
    expect(await verifyAccessJwt("not.a.jwt!", settings, deps)).toEqual({ ok: false, reason: "malformed token" });
    expect(await verifyAccessJwt("abc", settings, deps)).toEqual({ ok: false, reason: "malformed token" });
    const none = `${encode({ alg: "none", kid: "key-1" })}.${encode({ aud: [AUD], iss: TEAM, exp: nowSeconds + 60 })}.`;
    expect(await verifyAccessJwt(none, settings, deps)).toEqual({ ok: false, reason: "unexpected alg none" });
    expect(await verifyAccessJwt(await token({}, { alg: "HS256" }), settings, deps)).toMatchObject({ ok: false });
    expect(await verifyAccessJwt(await token({}, { kid: "key-9" }), settings, deps)).toEqual({
      ok: false,
      reason: "unknown signing key",
    });
  });

  // What the JOSE specs require of a verifier; the hand-written verifier jose replaced (#17) accepted all three.
  it("refuses a token whose crit header names an extension it does not understand (RFC 7515, 4.1.11)", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    const critical = await token({}, { header: { crit: ["exp-v2"], "exp-v2": nowSeconds + 60 } });
    expect(await verifyAccessJwt(critical, settings, deps)).toMatchObject({ ok: false });
  });

  it("refuses nbf and iat that are not NumericDates instead of skipping them (RFC 7519, 4.1.5-4.1.6)", async () => {
    const deps = { fetch: certsEndpoint().fetch, now: () => NOW };
    expect(await verifyAccessJwt(await token({ nbf: "2099-01-01" }), settings, deps)).toMatchObject({ ok: false });
    expect(await verifyAccessJwt(await token({ iat: "yesterday" }), settings, deps)).toMatchObject({ ok: false });
  });

  it("never verifies with a key published for encryption (use: enc, RFC 7517, 4.2)", async () => {
    const encryptionKeys = scriptedTransport(() => json({ keys: certs.keys.map((key) => ({ ...key, use: "enc" })) }));
    expect(await verifyAccessJwt(await token(), settings, { fetch: encryptionKeys.fetch, now: () => NOW })).toEqual({
      ok: false,
      reason: "unknown signing key",
    });
  });

  it("picks up a rotated key by refetching the certs, and fails closed when they cannot be fetched", async () => {
    let served: JsonWebKey[] = [certs.keys[0]!];
    const transport = scriptedTransport(() => json({ keys: served }));
    // jose times its key cache and refetch cooldown with Date.now(): the test moves that clock too.
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    try {
      const deps = { fetch: transport.fetch, now: () => Date.now() };
      expect(await verifyAccessJwt(await token(), settings, deps)).toMatchObject({
        ok: false,
        reason: "unknown signing key",
      });
      served = certs.keys;
      // Within 30 s an unknown kid does not refetch (a forged kid must not hammer the endpoint)...
      vi.setSystemTime(NOW + 29_000);
      expect(await verifyAccessJwt(await token(), settings, deps)).toMatchObject({ ok: false });
      vi.setSystemTime(NOW + 31_000);
      // ...after that it does, and the new key works.
      expect(await verifyAccessJwt(await token(), settings, deps)).toMatchObject({ ok: true });
      expect(transport.calls).toHaveLength(2);
      // The keys are kept an hour, then fetched again.
      vi.setSystemTime(NOW + 31_000 + 60 * 60 * 1000);
      expect(await verifyAccessJwt(await token(), settings, deps)).toMatchObject({ ok: true });
      expect(transport.calls).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }

    clearAccessKeyCache();
    const quiet = console.error;
    console.error = () => {};
    try {
      const down = scriptedTransport(new Response("oops", { status: 500 }));
      expect(await verifyAccessJwt(await token(), settings, { fetch: down.fetch, now: () => NOW })).toEqual({
        ok: false,
        reason: "Access signing keys unavailable",
      });
    } finally {
      console.error = quiet;
    }
  });
});
