/**
 * The admin's front door as loaders and actions use it (auth.server.ts): configuration, Cloudflare
 * Access, the origin check, the session and the login throttle, in the order a request meets them.
 */
import { env as workerEnv } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { clearAccessKeyCache } from "../../../worker/admin/access-jwt";
import { startAdminSession } from "../../../worker/admin/session.server";
import type { BffContext } from "../../../worker/context";
import { countAttempt } from "../../../worker/rate-limit.server";
import { answer, interleavedD1, json, scriptedTransport, testEnv } from "../../../worker/test/helpers";
import { parseForm } from "../forms.server";
import {
  ACCESS_MISSING_NOTICE,
  adminGate,
  LOGIN_ALL_RULE,
  LOGIN_RULE,
  loadAdminLayout,
  loadLoginPage,
  logIn,
  loginSchema,
  requireOwner,
  submitLogout,
} from "./auth.server";

// `npx tsx scripts/hash-password.ts 'correct horse battery staple'`
const HASH = "pbkdf2-sha256$100000$45JdsthTSWdJxubikSOKzw==$4kcu/BsI7EdVyZgOMBh7zS37vBT6mA0zOJ8Nhhgr5y4=";
const PASSWORD = "correct horse battery staple";
const SITE = "https://shop.example.tw";
const db = (workerEnv as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;

function bff(overrides: Record<string, unknown> = {}, extra: Partial<BffContext> = {}): BffContext {
  return {
    env: testEnv({ SITE_URL: SITE, ADMIN_PASSWORD_HASH: HASH, RATE_LIMIT_DB: db, ...overrides }),
    ctx: { waitUntil: () => {} },
    ...extra,
  };
}

function get(path: string, headers: Record<string, string> = {}) {
  return new Request(`${SITE}${path}`, { headers });
}
function post(path: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  return new Request(`${SITE}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body),
  });
}
const sameOrigin = { Origin: SITE, "Sec-Fetch-Site": "same-origin" };

async function thrown(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

async function cookieFor(context: BffContext): Promise<string> {
  return (await startAdminSession(context.env)).split(";")[0]!;
}

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  // The all-clients login counter is one row for the whole file: each test starts it from zero.
  await db
    .prepare("DELETE FROM rate_limits WHERE name = ?1")
    .bind(LOGIN_ALL_RULE.name)
    .run()
    .catch(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("requireOwner", () => {
  it("answers 503 on every admin request when the password hash is missing or malformed", async () => {
    for (const hash of [undefined, "", "pbkdf2-sha256$100000$short$short"]) {
      const context = bff({ APP_ENV: "production", ADMIN_PASSWORD_HASH: hash });
      for (const request of [get("/admin"), post("/admin/site", { open: "closed" }, sameOrigin)]) {
        const response = await thrown(requireOwner(request, context));
        expect(response.status).toBe(503);
        expect(response.headers.get("Cache-Control")).toBe("no-store");
        expect(((await response.json()) as { message: string }).message).toContain("ADMIN_PASSWORD_HASH");
      }
      expect((await thrown(adminGate(get("/admin/login"), context))).status).toBe(503);
    }
  });

  it("redirects a page request without a session to the login page, keeping where it was going", async () => {
    const response = await thrown(requireOwner(get("/admin/orders?status=paid"), bff()));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/login?next=%2Fadmin%2Forders%3Fstatus%3Dpaid");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });

  it("answers 401 to an action or a resource without a session, and 403 to a cross-site action first", async () => {
    const context = bff();
    expect((await thrown(requireOwner(post("/admin/site", {}, sameOrigin), context))).status).toBe(401);
    expect((await thrown(requireOwner(get("/admin/orders/export.csv"), context, { resource: true }))).status).toBe(401);
    const cookie = await cookieFor(context);
    const crossSite = post(
      "/admin/site",
      {},
      { Cookie: cookie, Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    );
    expect((await thrown(requireOwner(crossSite, context))).status).toBe(403);
    const silent = post("/admin/site", {}, { Cookie: cookie });
    expect((await thrown(requireOwner(silent, context))).status).toBe(403);
    const owner = await requireOwner(post("/admin/site", {}, { ...sameOrigin, Cookie: cookie }), context);
    expect(owner.headers.get("Cache-Control")).toBe("no-store");
  });

  it("sends an expired session to the login page saying so, and clears its cookie", async () => {
    const start = Date.UTC(2026, 10, 27, 1, 0, 0);
    const context = bff({}, { now: () => start });
    const cookie = (await startAdminSession(context.env, start)).split(";")[0]!;
    const later = bff({}, { now: () => start + 31 * 60_000 });
    later.env = context.env;
    const response = await thrown(requireOwner(get("/admin", { Cookie: cookie }), later));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("expired=1");
    expect(response.headers.get("Set-Cookie")).toMatch(/^__Host-shop_admin=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
  });
});

describe("logout", () => {
  it("ends the session on the server: the cookie from before logout, and a copy of it, no longer open /admin", async () => {
    const context = bff();
    const cookie = await cookieFor(context);
    const stolen = cookie;
    await requireOwner(get("/admin", { Cookie: cookie }), context);
    const out = await answer(submitLogout(context, post("/admin/logout", {}, { ...sameOrigin, Cookie: cookie })));
    expect(out.status).toBe(302);
    expect(out.headers.get("Location")).toBe("/admin/login");
    expect(out.headers.get("Set-Cookie")).toMatch(/^__Host-shop_admin=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
    for (const replayed of [cookie, stolen]) {
      const page = await thrown(requireOwner(get("/admin", { Cookie: replayed }), context));
      expect(page.status).toBe(302);
      expect(page.headers.get("Location")).toMatch(/^\/admin\/login\?/);
      const action = await thrown(requireOwner(post("/admin/site", {}, { ...sameOrigin, Cookie: replayed }), context));
      expect(action.status).toBe(401);
    }
  });
});

describe("production without Cloudflare Access", () => {
  it("says on every admin page, the login page included, that only the password protects the admin", async () => {
    const production = bff({ APP_ENV: "production" });
    const cookie = await cookieFor(production);
    const layout = await answer<{ accessNotice: string | null }>(
      loadAdminLayout(production, get("/admin", { Cookie: cookie })),
    );
    expect(layout.data.accessNotice).toBe(ACCESS_MISSING_NOTICE);
    const login = await answer<{ accessNotice: string | null }>(loadLoginPage(production, get("/admin/login")));
    expect(login.data.accessNotice).toBe(ACCESS_MISSING_NOTICE);
    // Not in local or preview.
    for (const context of [bff(), bff({ APP_ENV: "preview" })]) {
      const page = await answer<{ accessNotice: string | null }>(
        loadAdminLayout(context, get("/admin", { Cookie: await cookieFor(context) })),
      );
      expect(page.status).toBe(200);
      expect(page.data.accessNotice).toBeNull();
    }
  });
});

describe("requireOwner behind Cloudflare Access", () => {
  const TEAM = "https://shop-team.cloudflareaccess.com";
  const AUD = "c".repeat(64);
  let keys: CryptoKeyPair;
  let certs: Response;

  beforeAll(async () => {
    keys = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", keys.publicKey)) as JsonWebKey;
    certs = json({ keys: [{ kid: "k1", kty: "RSA", alg: "RS256", n: jwk.n, e: jwk.e }] });
  });
  beforeEach(() => clearAccessKeyCache());

  const b64url = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  async function jwt(aud = AUD): Promise<string> {
    const enc = (v: unknown) => b64url(new TextEncoder().encode(JSON.stringify(v)));
    const input = `${enc({ alg: "RS256", kid: "k1" })}.${enc({ aud: [aud], iss: TEAM, exp: Math.floor(Date.now() / 1000) + 600 })}`;
    const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new TextEncoder().encode(input));
    return `${input}.${b64url(new Uint8Array(signature))}`;
  }

  it("refuses every admin request, the login page included, without a valid Access token", async () => {
    const context = bff(
      { CF_ACCESS_TEAM_DOMAIN: "shop-team.cloudflareaccess.com", CF_ACCESS_AUD: AUD },
      { fetch: scriptedTransport(certs).fetch },
    );
    const cookie = await cookieFor(context);
    expect((await thrown(adminGate(get("/admin/login"), context))).status).toBe(403);
    expect((await thrown(requireOwner(get("/admin", { Cookie: cookie }), context))).status).toBe(403);
    const wrongApp = get("/admin", { Cookie: cookie, "Cf-Access-Jwt-Assertion": await jwt("d".repeat(64)) });
    expect((await thrown(requireOwner(wrongApp, context))).status).toBe(403);

    const good = get("/admin", { Cookie: cookie, "Cf-Access-Jwt-Assertion": await jwt() });
    expect((await requireOwner(good, context)).sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Access alone is not enough: the owner's password session is still needed.
    const noSession = get("/admin", { "Cf-Access-Jwt-Assertion": await jwt() });
    expect((await thrown(requireOwner(noSession, context))).status).toBe(302);
  });
});

describe("logIn", () => {
  async function attempt(context: BffContext, password: string, ip: string) {
    const request = post(
      "/admin/login",
      { password, next: "/admin/orders" },
      { ...sameOrigin, "CF-Connecting-IP": ip },
    );
    const gate = await adminGate(request, context);
    const form = parseForm(loginSchema, await request.clone().formData());
    try {
      const result = await logIn(request, context, gate, form);
      return { status: result.init?.status ?? 200, headers: new Headers(result.init?.headers), data: result.data };
    } catch (error) {
      if (!(error instanceof Response)) throw error;
      return { status: error.status, headers: error.headers, data: undefined };
    }
  }

  it("logs in with the right password: a new session cookie and a redirect to where the owner was going", async () => {
    const result = await attempt(bff(), PASSWORD, `ip-${crypto.randomUUID()}`);
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/admin/orders");
    expect(result.headers.get("Set-Cookie")).toMatch(
      /^__Host-shop_admin=.+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("refuses wrong passwords with 401, and the sixth attempt in 15 minutes with 429, the right password too", async () => {
    const context = bff();
    const ip = `ip-${crypto.randomUUID()}`;
    for (let i = 0; i < LOGIN_RULE.limit; i++) {
      const result = await attempt(context, `wrong-${i}`, ip);
      expect(result.status).toBe(401);
      expect(result.data?.errors.password).toBe("密碼不正確，請再試一次。");
      expect(JSON.stringify(result.data)).not.toContain(`wrong-${i}`);
    }
    const throttled = await attempt(context, PASSWORD, ip);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("Retry-After"))).toBeGreaterThan(890);
    expect(throttled.data?.formError).toMatch(/請 1[45] 分鐘後再試/);
    expect((await attempt(context, PASSWORD, `ip-${crypto.randomUUID()}`)).status).toBe(302);
  });

  it("counts before it checks: of 20 wrong logins sent at once, at most 5 passwords are verified, however D1 interleaves them", async () => {
    // Every D1 call of the burst is held until all 20 logins have made theirs (as many isolates and a remote D1 can
    // interleave them): a throttle that peeks, checks and then counts lets all 20 reach the password.
    const context = bff({ RATE_LIMIT_DB: interleavedD1(db, 20) });
    const ip = `ip-${crypto.randomUUID()}`;
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(context, `wrong-${i}`, ip)));
    const verified = derive.mock.calls.filter(([algorithm]) => (algorithm as { name: string }).name === "PBKDF2");
    expect(verified.length).toBeLessThanOrEqual(LOGIN_RULE.limit);
    expect(results.filter((r) => r.status === 401)).toHaveLength(verified.length);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20 - verified.length);
  });

  it("counts the addresses of one IPv6 /64 as one client: seven wrong logins from seven of them end in 429", async () => {
    const context = bff();
    const hextet = () => Math.floor(Math.random() * 0xffff).toString(16);
    const prefix = `2001:db8:${hextet()}:${hextet()}`;
    const statuses: number[] = [];
    for (let host = 1; host <= 7; host++)
      statuses.push((await attempt(context, `wrong-${host}`, `${prefix}::${host}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another /64 is another client.
    expect((await attempt(context, "wrong", `2001:db8:${hextet()}:${hextet()}::1`)).status).toBe(401);
  });

  it("refuses everyone, the right password too, once all clients together made 100 attempts in 15 minutes", async () => {
    const context = bff();
    for (let i = 0; i < LOGIN_ALL_RULE.limit; i++) await countAttempt(context, [{ rule: LOGIN_ALL_RULE, key: "all" }]);
    const refused = await attempt(context, PASSWORD, `ip-${crypto.randomUUID()}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(890);
  });

  it("never redirects outside the admin after login", async () => {
    for (const next of ["https://evil.example/", "//evil.example/admin", "/\\evil.example", "/cart", "/admin/logout"]) {
      const request = post(
        "/admin/login",
        { password: PASSWORD, next },
        { ...sameOrigin, "CF-Connecting-IP": `ip-${crypto.randomUUID()}` },
      );
      const context = bff();
      const gate = await adminGate(request, context);
      const response = await thrown(logIn(request, context, gate, parseForm(loginSchema, await request.formData())));
      expect(response.headers.get("Location"), next).toBe("/admin");
    }
  });
});
