import { env as workerEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../env";
import { testEnv } from "../test/helpers";
import { tamperSignedCookie } from "../test/tamper";
import {
  ABSOLUTE_TIMEOUT_SECONDS,
  adminCookieName,
  checkAdminSession,
  endAdminSessions,
  IDLE_TIMEOUT_SECONDS,
  startAdminSession,
} from "./session.server";

const db = (workerEnv as { RATE_LIMIT_DB: Env["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;
const env = testEnv({ RATE_LIMIT_DB: db });
const T0 = Date.UTC(2026, 10, 27, 1, 0, 0);
const MINUTE = 60_000;

/** What the browser sends back after a Set-Cookie. */
function requestWith(setCookie: string): Request {
  return new Request("http://127.0.0.1:8788/admin", { headers: { Cookie: setCookie.split(";")[0]! } });
}

describe("admin session", () => {
  it("sets a signed __Host- cookie that is HttpOnly, Secure, SameSite=Lax on loopback and https", async () => {
    const setCookie = await startAdminSession(env, T0);
    expect(setCookie).toMatch(/^__Host-shop_admin=/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(adminCookieName(testEnv({ SITE_URL: "https://shop.example.tw" }))).toBe("__Host-shop_admin");
    // Plain http on a LAN address: browsers would drop a Secure cookie, so neither prefix nor Secure.
    const lan = testEnv({ SITE_URL: "http://192.168.1.20:8788", RATE_LIMIT_DB: db });
    expect(adminCookieName(lan)).toBe("shop_admin");
    expect(await startAdminSession(lan, T0)).not.toMatch(/Secure/);
  });

  it("gives every login a new session id, and keeps only a digest of it in D1", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const check = await checkAdminSession(env, requestWith(await startAdminSession(env, T0)), T0);
      expect(check.status).toBe("active");
      if (check.status === "active") ids.add(check.sessionId);
    }
    expect(ids.size).toBe(5);
    const d1 = (workerEnv as unknown as { RATE_LIMIT_DB: D1Database }).RATE_LIMIT_DB;
    const stored = await d1.prepare("SELECT id_digest FROM admin_sessions").all<{ id_digest: string }>();
    const digests = new Set(stored.results.map((row) => row.id_digest));
    for (const id of ids) expect(digests.has(id)).toBe(false);
  });

  it("ends after 30 idle minutes, and keeps going while used (the idle clock lives in D1, not in the cookie)", async () => {
    const cookie = await startAdminSession(env, T0);
    expect((await checkAdminSession(env, requestWith(cookie), T0 + 29 * MINUTE)).status).toBe("active");
    // Still the same cookie: the visit at 29 minutes moved the record's clock, so 30 minutes after login is fine.
    expect((await checkAdminSession(env, requestWith(cookie), T0 + 30 * MINUTE)).status).toBe("active");
    expect((await checkAdminSession(env, requestWith(cookie), T0 + 59 * MINUTE)).status).toBe("active");
    const idle = await checkAdminSession(env, requestWith(cookie), T0 + 59 * MINUTE + IDLE_TIMEOUT_SECONDS * 1000);
    expect(idle).toMatchObject({ status: "expired", reason: "idle" });
    // The expired answer clears the cookie, and the session stays ended.
    if (idle.status === "expired") expect(idle.setCookie).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(await checkAdminSession(env, requestWith(cookie), T0 + 90 * MINUTE)).toMatchObject({ status: "expired" });

    // Used every 20 minutes, the session goes on; within a minute of the last touch nothing is written.
    const busy = await startAdminSession(env, T0);
    for (let minutes = 20; minutes <= 120; minutes += 20) {
      expect((await checkAdminSession(env, requestWith(busy), T0 + minutes * MINUTE)).status, `${minutes} min`).toBe(
        "active",
      );
    }
  });

  it("ends 12 hours after login however active the owner is", async () => {
    const cookie = await startAdminSession(env, T0);
    for (let at = T0 + 20 * MINUTE; at < T0 + ABSOLUTE_TIMEOUT_SECONDS * 1000; at += 20 * MINUTE) {
      expect((await checkAdminSession(env, requestWith(cookie), at)).status).toBe("active");
    }
    const late = await checkAdminSession(env, requestWith(cookie), T0 + ABSOLUTE_TIMEOUT_SECONDS * 1000);
    expect(late).toMatchObject({ status: "expired", reason: "absolute" });
  });

  it("ends every earlier session when the password hash changes", async () => {
    const first = await startAdminSession(env, T0);
    const second = await startAdminSession(env, T0);
    const rotated = testEnv({
      RATE_LIMIT_DB: db,
      ADMIN_PASSWORD_HASH: "pbkdf2-sha256$100000$b3RoZXItc2FsdC0xMjM0NQ==$x",
    });
    for (const cookie of [first, second]) {
      expect(await checkAdminSession(rotated, requestWith(cookie), T0)).toMatchObject({
        status: "expired",
        reason: "password_changed",
      });
    }
    // A login under the new hash works.
    expect((await checkAdminSession(rotated, requestWith(await startAdminSession(rotated, T0)), T0)).status).toBe(
      "active",
    );
  });

  it("logout ends every session at once: the cookie from before it, and any copy of it or of another, open nothing", async () => {
    const owner = env;
    const laptop = await startAdminSession(owner, T0);
    const phone = await startAdminSession(owner, T0);
    const stolenCopy = laptop;
    expect((await checkAdminSession(owner, requestWith(stolenCopy), T0)).status).toBe("active");
    const cleared = await endAdminSessions(owner);
    expect(cleared).toMatch(/^__Host-shop_admin=;/);
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    for (const cookie of [laptop, phone, stolenCopy]) {
      expect(await checkAdminSession(owner, requestWith(cookie), T0 + MINUTE)).toMatchObject({
        status: "expired",
        reason: "ended",
      });
    }
  });

  it("ignores missing, tampered and foreign cookies", async () => {
    const plain = new Request("http://127.0.0.1:8788/admin");
    expect((await checkAdminSession(env, plain, T0)).status).toBe("anonymous");

    const cookie = (await startAdminSession(env, T0)).split(";")[0]!;
    const [name, value] = cookie.split("=") as [string, string];
    for (const tampered of [tamperSignedCookie(cookie, "payload"), tamperSignedCookie(cookie, "signature")]) {
      const check = await checkAdminSession(env, new Request("http://x/", { headers: { Cookie: tampered } }), T0);
      expect(check.status, tampered).toBe("anonymous");
    }

    // A signature that is not even base64 (Remix's unsign would throw on it) reads as no session too.
    for (const forged of [`${name}=${value}%25%25%25`, `${name}=${value.replace(/\.[^.]*$/, ".!!!")}`, `${name}=a.b`]) {
      const forgedCheck = await checkAdminSession(env, new Request("http://x/", { headers: { Cookie: forged } }), T0);
      expect(forgedCheck.status).toBe("anonymous");
    }

    const otherSecret = testEnv({ RATE_LIMIT_DB: db, SESSION_SECRET: "another-secret-of-at-least-32-characters" });
    expect((await checkAdminSession(otherSecret, requestWith(cookie), T0)).status).toBe("anonymous");
  });
});
