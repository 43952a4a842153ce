/**
 * The owner's session: a signed cookie (Remix createCookieSessionStorage) holding only a random session id and
 * timestamps. Timeouts are enforced here, on the server, from those timestamps; the cookie's own lifetime is
 * only a courtesy to the browser.
 *   - idle: 30 minutes without a request ends the session;
 *   - absolute: 12 hours after login the session ends however active it is;
 *   - a changed ADMIN_PASSWORD_HASH ends every session (the cookie carries a keyed fingerprint of the hash).
 * Every login starts a fresh session with a new id, so a cookie planted before login is never promoted.
 *
 * Cookie attributes (ADR 0007): HttpOnly, SameSite=Lax, Path=/, and `__Host-` + Secure when SITE_URL is https or
 * a loopback host (Chromium stores and sends them over http://127.0.0.1; checked), neither elsewhere.
 */
import { createCookieSessionStorage, type SessionStorage } from "@remix-run/cloudflare";
import { cookiePolicy } from "../cookies.server";
import type { Env } from "../env";

export const IDLE_TIMEOUT_SECONDS = 30 * 60;
export const ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60;
/** The idle clock is pushed forward at most once a minute, so most requests set no cookie. */
const TOUCH_AFTER_SECONDS = 60;

const ADMIN_COOKIE_BASE_NAME = "shop_admin";

type SessionEnv = Pick<Env, "SITE_URL" | "SESSION_SECRET" | "ADMIN_PASSWORD_HASH">;

interface SessionData {
  sid: string;
  /** Login time, epoch seconds. */
  iat: number;
  /** Last request, epoch seconds. */
  seen: number;
  /** Fingerprint of the password hash the session was opened under. */
  pwd: string;
}

type SessionCheck =
  | { status: "active"; sessionId: string; setCookie: string | null }
  | { status: "anonymous" }
  | { status: "expired"; reason: "idle" | "absolute" | "password_changed"; setCookie: string };

/** The shop's cookie policy (cookies.server.ts): `__Host-` and Secure wherever browsers keep them. */
export function adminCookieName(env: Pick<Env, "SITE_URL">): string {
  return `${cookiePolicy(env).prefix}${ADMIN_COOKIE_BASE_NAME}`;
}

const storages = new WeakMap<SessionEnv, SessionStorage<SessionData>>();

function storageFor(env: SessionEnv): SessionStorage<SessionData> {
  let storage = storages.get(env);
  if (!storage) {
    storage = createCookieSessionStorage<SessionData>({
      cookie: {
        name: adminCookieName(env),
        httpOnly: true,
        secure: cookiePolicy(env).secure,
        sameSite: "lax",
        path: "/",
        maxAge: ABSOLUTE_TIMEOUT_SECONDS,
        // Remix signs only the cookie's value; a secret of its own keeps any other cookie signed with
        // SESSION_SECRET (the shopper's) from ever verifying as an admin session.
        secrets: [`${env.SESSION_SECRET}|owner-admin-session`],
      },
    });
    storages.set(env, storage);
  }
  return storage;
}

const nowSeconds = (now: number) => Math.floor(now / 1000);

/** Opens a new session (new id) and returns its Set-Cookie value. */
export async function startAdminSession(env: SessionEnv, now = Date.now()): Promise<string> {
  const storage = storageFor(env);
  const session = await storage.getSession();
  const at = nowSeconds(now);
  session.set("sid", randomId());
  session.set("iat", at);
  session.set("seen", at);
  session.set("pwd", await passwordFingerprint(env));
  return storage.commitSession(session, { maxAge: ABSOLUTE_TIMEOUT_SECONDS });
}

/** Reads and checks the session on a request; touches the idle clock when due. */
export async function checkAdminSession(env: SessionEnv, request: Request, now = Date.now()): Promise<SessionCheck> {
  const storage = storageFor(env);
  const session = await readSession(storage, request);
  const sid = session.get("sid");
  const iat = session.get("iat");
  const seen = session.get("seen");
  const pwd = session.get("pwd");
  // A missing, tampered or foreign cookie reads as an empty session.
  if (typeof sid !== "string" || typeof iat !== "number" || typeof seen !== "number" || typeof pwd !== "string") {
    return { status: "anonymous" };
  }
  const at = nowSeconds(now);
  const expire = async (reason: "idle" | "absolute" | "password_changed") => ({
    status: "expired" as const,
    reason,
    setCookie: await storage.destroySession(session),
  });
  if (at - iat >= ABSOLUTE_TIMEOUT_SECONDS || iat > at + 60) return expire("absolute");
  if (at - seen >= IDLE_TIMEOUT_SECONDS) return expire("idle");
  if (pwd !== (await passwordFingerprint(env))) return expire("password_changed");

  let setCookie: string | null = null;
  if (at - seen >= TOUCH_AFTER_SECONDS) {
    session.set("seen", at);
    setCookie = await storage.commitSession(session, { maxAge: Math.max(1, iat + ABSOLUTE_TIMEOUT_SECONDS - at) });
  }
  return { status: "active", sessionId: sid, setCookie };
}

/** The Set-Cookie value that removes the session cookie (logout). */
export async function endAdminSession(env: SessionEnv, request: Request): Promise<string> {
  const storage = storageFor(env);
  return storage.destroySession(await readSession(storage, request));
}

/**
 * Remix's unsign throws (atob) when a forged cookie's signature is not valid base64; that must read as no session,
 * not as a 500 on every admin page.
 */
async function readSession(storage: SessionStorage<SessionData>, request: Request) {
  try {
    return await storage.getSession(request.headers.get("Cookie"));
  } catch {
    return storage.getSession();
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

const fingerprints = new WeakMap<SessionEnv, Promise<string>>();

/**
 * HMAC of the password hash under SESSION_SECRET: changes whenever the hash does, and reveals nothing about it
 * (the cookie is signed, not encrypted).
 */
function passwordFingerprint(env: SessionEnv): Promise<string> {
  let pending = fingerprints.get(env);
  if (!pending) {
    pending = (async () => {
      const encoder = new TextEncoder();
      const key = await crypto.subtle.importKey(
        "raw",
        encoder.encode(env.SESSION_SECRET),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = await crypto.subtle.sign(
        "HMAC",
        key,
        encoder.encode(`admin-password:${env.ADMIN_PASSWORD_HASH ?? ""}`),
      );
      return btoa(String.fromCharCode(...new Uint8Array(mac).slice(0, 12)));
    })();
    fingerprints.set(env, pending);
  }
  return pending;
}
