/**
 * The shop's cookies: signed with SESSION_SECRET (Remix `createCookie`), HttpOnly, SameSite=Lax, Path=/, and
 * `__Host-` + Secure wherever the browser honours them (ADR 0008):
 *   - SITE_URL on https (preview, production), and
 *   - SITE_URL on a loopback host over plain http (`npm start`, the e2e tests): browsers count http://127.0.0.1 and
 *     http://localhost as secure contexts, so Chromium stores and sends `__Host-`/Secure cookies there (checked).
 * Only a plain-http SITE_URL on another host (a phone testing the dev server over the LAN) gets neither, because
 * a browser would silently drop them there; deployed environments never use plain http.
 */
import { type Cookie, type CookieOptions, createCookie } from "@remix-run/cloudflare";
import type { Env } from "./env";

export interface CookiePolicy {
  /** `__Host-` requires Secure, Path=/ and no Domain, and says so to the browser. */
  prefix: "__Host-" | "";
  secure: boolean;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function cookiePolicy(env: Pick<Env, "SITE_URL">): CookiePolicy {
  const url = new URL(env.SITE_URL);
  if (url.protocol === "https:" || LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost")) {
    return { prefix: "__Host-", secure: true };
  }
  return { prefix: "", secure: false };
}

type ShopCookieOptions = Omit<CookieOptions, "secrets" | "secure" | "httpOnly" | "sameSite" | "path" | "domain">;

/** A signed shop cookie named `<prefix><baseName>` with the attributes above; `maxAge` etc. per cookie. */
export function shopCookie(
  env: Pick<Env, "SITE_URL" | "SESSION_SECRET">,
  baseName: string,
  options: ShopCookieOptions,
) {
  const policy = cookiePolicy(env);
  return createCookie(`${policy.prefix}${baseName}`, {
    ...options,
    secrets: [env.SESSION_SECRET],
    secure: policy.secure,
    httpOnly: true,
    sameSite: "lax",
    path: "/",
  });
}

/** Reads a cookie's signed value; a missing, tampered or malformed cookie is `null`, never an error. */
export async function readCookie(cookie: Cookie, request: Request): Promise<unknown> {
  try {
    return await cookie.parse(request.headers.get("Cookie"));
  } catch {
    return null;
  }
}
