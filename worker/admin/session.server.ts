/**
 * The owner's session: a random id in a signed cookie, and a record of it in D1 (`admin_sessions`), which is what
 * counts. Every admin request reads the record, and the session ends, for every copy of the cookie at once, when:
 *   - the owner logs out: logout deletes every record, so no cookie from before it opens /admin again;
 *   - it has been idle for 30 minutes (the record's `seen_at`, moved forward at most once a minute);
 *   - it is 12 hours old, however active the owner is (`created_at`);
 *   - ADMIN_PASSWORD_HASH changes: each record holds a keyed fingerprint of the hash it was opened under.
 * Every login starts a fresh session with a new id, so a cookie planted before login is never promoted. The table
 * keeps a SHA-256 digest of each id, not the id: whoever can read the database cannot forge a cookie from it.
 *
 * Cookie attributes (ADR 0007): HttpOnly, SameSite=Lax, Path=/, and `__Host-` + Secure when SITE_URL is https or
 * a loopback host (Chromium stores and sends them over http://127.0.0.1; checked), neither elsewhere.
 */
import { type Cookie, createCookie } from "@remix-run/cloudflare";
import { cookiePolicy } from "../cookies.server";
import { ensureTable } from "../d1.server";
import type { Env } from "../env";
import { base64url, hmacSha256 } from "../signing";

export const IDLE_TIMEOUT_SECONDS = 30 * 60;
export const ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60;
/** The idle clock is pushed forward at most once a minute, so most requests only read. */
const TOUCH_AFTER_SECONDS = 60;

const ADMIN_COOKIE_BASE_NAME = "shop_admin";

type SessionEnv = Pick<Env, "SITE_URL" | "SESSION_SECRET" | "ADMIN_PASSWORD_HASH" | "RATE_LIMIT_DB">;

export type SessionEnd = "idle" | "absolute" | "password_changed" | "ended";

type SessionCheck =
  | { status: "active"; sessionId: string }
  | { status: "anonymous" }
  | { status: "expired"; reason: SessionEnd; setCookie: string };

const SCHEMA = `CREATE TABLE IF NOT EXISTS admin_sessions (
  id_digest TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  password TEXT NOT NULL
)`;

/** The shop's cookie policy (cookies.server.ts): `__Host-` and Secure wherever browsers keep them. */
export function adminCookieName(env: Pick<Env, "SITE_URL">): string {
  return `${cookiePolicy(env).prefix}${ADMIN_COOKIE_BASE_NAME}`;
}

const cookies = new WeakMap<SessionEnv, Cookie>();

function cookieFor(env: SessionEnv): Cookie {
  let cookie = cookies.get(env);
  if (!cookie) {
    cookie = createCookie(adminCookieName(env), {
      httpOnly: true,
      secure: cookiePolicy(env).secure,
      sameSite: "lax",
      path: "/",
      maxAge: ABSOLUTE_TIMEOUT_SECONDS,
      // Remix signs only the cookie's value; a secret of its own keeps any other cookie signed with
      // SESSION_SECRET (the shopper's) from ever verifying as an admin session.
      secrets: [`${env.SESSION_SECRET}|owner-admin-session`],
    });
    cookies.set(env, cookie);
  }
  return cookie;
}

const nowSeconds = (now: number) => Math.floor(now / 1000);

/** Opens a new session (new id, new record) and returns its Set-Cookie value. */
export async function startAdminSession(env: SessionEnv, now = Date.now()): Promise<string> {
  const db = env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  const at = nowSeconds(now);
  const sessionId = randomId();
  await db.batch([
    // Sessions nobody can use any more are dead weight: swept at each login.
    db
      .prepare("DELETE FROM admin_sessions WHERE created_at <= ?1 OR seen_at <= ?2")
      .bind(at - ABSOLUTE_TIMEOUT_SECONDS, at - IDLE_TIMEOUT_SECONDS),
    db
      .prepare("INSERT INTO admin_sessions (id_digest, created_at, seen_at, password) VALUES (?1, ?2, ?2, ?3)")
      .bind(await digest(sessionId), at, await passwordFingerprint(env)),
  ]);
  return cookieFor(env).serialize(sessionId, { maxAge: ABSOLUTE_TIMEOUT_SECONDS });
}

/** Reads and checks the session on a request, against its record; touches the idle clock when due. */
export async function checkAdminSession(env: SessionEnv, request: Request, now = Date.now()): Promise<SessionCheck> {
  const sessionId = await readSessionId(env, request);
  // A missing, tampered or foreign cookie is no session at all.
  if (!sessionId) return { status: "anonymous" };
  const db = env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  const id = await digest(sessionId);
  const record = await db
    .prepare("SELECT created_at, seen_at, password FROM admin_sessions WHERE id_digest = ?1")
    .bind(id)
    .first<{ created_at: number; seen_at: number; password: string }>();
  const at = nowSeconds(now);
  const end = async (reason: SessionEnd): Promise<SessionCheck> => {
    if (record) await db.prepare("DELETE FROM admin_sessions WHERE id_digest = ?1").bind(id).run();
    return { status: "expired", reason, setCookie: await clearCookie(env) };
  };
  if (!record) return end("ended");
  if (at - record.created_at >= ABSOLUTE_TIMEOUT_SECONDS || record.created_at > at + 60) return end("absolute");
  if (at - record.seen_at >= IDLE_TIMEOUT_SECONDS) return end("idle");
  if (record.password !== (await passwordFingerprint(env))) return end("password_changed");
  if (at - record.seen_at >= TOUCH_AFTER_SECONDS) {
    await db.prepare("UPDATE admin_sessions SET seen_at = ?2 WHERE id_digest = ?1").bind(id, at).run();
  }
  return { status: "active", sessionId };
}

/** Logout: ends every session of the owner (all records), and returns the Set-Cookie value that clears this one. */
export async function endAdminSessions(env: SessionEnv): Promise<string> {
  const db = env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  await db.prepare("DELETE FROM admin_sessions").run();
  return clearCookie(env);
}

function clearCookie(env: SessionEnv): Promise<string> {
  return cookieFor(env).serialize("", { maxAge: 0 });
}

/**
 * The session id from the signed cookie, or null. Remix's unsign throws (atob) when a forged cookie's signature is
 * not valid base64; that must read as no session, not as a 500 on every admin page.
 */
async function readSessionId(env: SessionEnv, request: Request): Promise<string | null> {
  try {
    const value: unknown = await cookieFor(env).parse(request.headers.get("Cookie"));
    return typeof value === "string" && /^[A-Za-z0-9_-]{24}$/.test(value) ? value : null;
  } catch {
    return null;
  }
}

function randomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(18)));
}

async function digest(sessionId: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sessionId))));
}

const fingerprints = new WeakMap<SessionEnv, Promise<string>>();

/** HMAC of the password hash under SESSION_SECRET: changes whenever the hash does, and reveals nothing about it. */
function passwordFingerprint(env: SessionEnv): Promise<string> {
  let pending = fingerprints.get(env);
  if (!pending) {
    pending = (async () => {
      const mac = await hmacSha256(env.SESSION_SECRET, `admin-password:${env.ADMIN_PASSWORD_HASH ?? ""}`);
      return base64url(mac.slice(0, 12));
    })();
    fingerprints.set(env, pending);
  }
  return pending;
}
