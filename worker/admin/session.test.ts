import { describe, expect, it } from "vitest";
import { testEnv } from "../test/helpers";
import { tamperSignedCookie } from "../test/tamper";
import {
  ABSOLUTE_TIMEOUT_SECONDS,
  adminCookieName,
  checkAdminSession,
  endAdminSession,
  IDLE_TIMEOUT_SECONDS,
  startAdminSession,
} from "./session.server";

const env = testEnv();
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
    const lan = testEnv({ SITE_URL: "http://192.168.1.20:8788" });
    expect(adminCookieName(lan)).toBe("shop_admin");
    expect(await startAdminSession(lan, T0)).not.toMatch(/Secure/);
  });

  it("gives every login a new session id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const check = await checkAdminSession(env, requestWith(await startAdminSession(env, T0)), T0);
      expect(check.status).toBe("active");
      if (check.status === "active") ids.add(check.sessionId);
    }
    expect(ids.size).toBe(5);
  });

  it("ends after 30 idle minutes, and keeps going while used", async () => {
    const cookie = await startAdminSession(env, T0);
    expect((await checkAdminSession(env, requestWith(cookie), T0 + 29 * MINUTE)).status).toBe("active");
    const idle = await checkAdminSession(env, requestWith(cookie), T0 + IDLE_TIMEOUT_SECONDS * 1000);
    expect(idle).toMatchObject({ status: "expired", reason: "idle" });
    // The expired answer clears the cookie.
    if (idle.status === "expired") expect(idle.setCookie).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);

    // Used every 20 minutes, the idle clock moves with it.
    let current = cookie;
    for (let minutes = 20; minutes <= 120; minutes += 20) {
      const check = await checkAdminSession(env, requestWith(current), T0 + minutes * MINUTE);
      expect(check.status, `after ${minutes} min`).toBe("active");
      if (check.status === "active" && check.setCookie) current = check.setCookie;
    }
    // Within a minute of the last touch nothing is rewritten.
    const quiet = await checkAdminSession(env, requestWith(current), T0 + 120 * MINUTE + 30_000);
    expect(quiet).toMatchObject({ status: "active", setCookie: null });
  });

  it("ends 12 hours after login however active the owner is", async () => {
    let current = await startAdminSession(env, T0);
    let at = T0;
    while (at < T0 + ABSOLUTE_TIMEOUT_SECONDS * 1000 - 20 * MINUTE) {
      at += 20 * MINUTE;
      const check = await checkAdminSession(env, requestWith(current), at);
      expect(check.status).toBe("active");
      if (check.status === "active" && check.setCookie) current = check.setCookie;
    }
    const late = await checkAdminSession(env, requestWith(current), T0 + ABSOLUTE_TIMEOUT_SECONDS * 1000);
    expect(late).toMatchObject({ status: "expired", reason: "absolute" });
  });

  it("ends every session when the password hash changes", async () => {
    const cookie = await startAdminSession(env, T0);
    const rotated = testEnv({ ADMIN_PASSWORD_HASH: "pbkdf2-sha256$100000$b3RoZXItc2FsdC0xMjM0NQ==$x" });
    expect(await checkAdminSession(rotated, requestWith(cookie), T0)).toMatchObject({
      status: "expired",
      reason: "password_changed",
    });
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
      expect(await endAdminSession(env, new Request("http://x/", { headers: { Cookie: forged } }))).toMatch(
        /^__Host-shop_admin=;/,
      );
    }

    const otherSecret = testEnv({ SESSION_SECRET: "another-secret-of-at-least-32-characters" });
    expect((await checkAdminSession(otherSecret, requestWith(cookie), T0)).status).toBe("anonymous");
  });

  it("logs out by clearing the cookie", async () => {
    const cookie = await startAdminSession(env, T0);
    const cleared = await endAdminSession(env, requestWith(cookie));
    expect(cleared).toMatch(/^__Host-shop_admin=;/);
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });
});
