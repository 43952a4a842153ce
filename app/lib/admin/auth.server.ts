/**
 * The admin's front door. Every admin loader and action starts with `requireOwner` (the login page with
 * `adminGate`), which in order:
 *   1. answers 503 when the admin has no usable ADMIN_PASSWORD_HASH (the shop itself keeps working);
 *   2. with Cloudflare Access configured, answers 403 without a valid Access JWT;
 *   3. for mutations (anything but GET/HEAD), answers 403 to cross-site requests (Origin / Sec-Fetch-Site);
 *   4. checks the session: pages redirect to /admin/login, actions and resources answer 401.
 * Every answer it makes, and every response built with `ownerData`, carries `Cache-Control: no-store`.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import { ACCESS_JWT_HEADER, verifyAccessJwt } from "../../../worker/admin/access-jwt";
import { adminConfig } from "../../../worker/admin/config";
import { verifyPassword } from "../../../worker/admin/password";
import { checkAdminSession, endAdminSessions, startAdminSession } from "../../../worker/admin/session.server";
import type { BffContext } from "../../../worker/context";
import { checkOrigin, crossSiteRefusal, isMutation } from "../../../worker/origin";
import { clientKeyFor } from "../../../worker/client-network";
import { type Counter, countAttempt, type RateLimitRule, resetRateLimit } from "../../../worker/rate-limit.server";
import type { FormFailure, FormSuccess } from "../forms";
import { FORM_LIMITS, parseForm, readForm } from "../forms.server";
import { privateHeaders } from "../private-headers";

/** Password checks per client network (an IPv4 address, an IPv6 /64) in 15 minutes. */
export const LOGIN_RULE: RateLimitRule = { name: "admin-login", limit: 5, windowSeconds: 900 };
/**
 * Password checks from all clients together in 15 minutes: bounds a guesser who has many networks (9,600 a day at
 * most, docs/security.md), at the price that such a guesser can keep the form answering 429; Cloudflare Access
 * keeps them from reaching it at all.
 */
export const LOGIN_ALL_RULE: RateLimitRule = { name: "admin-login-all", limit: 100, windowSeconds: 900 };

/** Headers for any admin response. */
const adminHeaders = (extra?: HeadersInit): Headers => privateHeaders("owner", extra);

/** What a refused request gets: JSON `{ message }` (the admin error boundary shows it), never cached. */
interface RefusalData {
  message: string;
  /** Where to go next, e.g. the login page after a 401. */
  loginHref?: string;
}

function refuse(status: number, body: RefusalData, headers: Headers = adminHeaders()): Response {
  return Response.json(body, { status, headers });
}

const now = (bff: BffContext) => (bff.now ?? Date.now)();

const ADMIN_DISABLED_MESSAGE =
  "後台尚未設定管理密碼（ADMIN_PASSWORD_HASH），暫停使用；商店前台照常營業。請用 scripts/hash-password.ts 產生密碼雜湊並設為密鑰後再試。";

type AdminGate = Extract<ReturnType<typeof adminConfig>, { ok: true }>;

/** Steps 1–3 above; the login page stops here. */
export async function adminGate(request: Request, bff: BffContext): Promise<AdminGate> {
  const config = adminConfig(bff.env);
  if (!config.ok) {
    throw refuse(503, { message: ADMIN_DISABLED_MESSAGE }, adminHeaders({ "Retry-After": "300" }));
  }
  if (config.access) {
    const access = await verifyAccessJwt(request.headers.get(ACCESS_JWT_HEADER), config.access, {
      fetch: bff.fetch,
      now: bff.now,
    });
    if (!access.ok) {
      console.warn(JSON.stringify({ at: "admin", problem: "access_refused", reason: access.reason }));
      throw refuse(403, { message: "需要先通過 Cloudflare Access 驗證才能使用後台。" });
    }
  }
  const origin = checkOrigin(request, "owner");
  if (!origin.ok) throw crossSiteRefusal(origin, adminHeaders());
  return config;
}

export interface Owner {
  sessionId: string;
  /** The admin's private headers (no-store, noindex). */
  headers: Headers;
}

interface RequireOwnerOptions {
  /** Resource routes (CSV download) answer 401 instead of redirecting to the login page. */
  resource?: boolean;
}

export async function requireOwner(
  request: Request,
  bff: BffContext,
  options: RequireOwnerOptions = {},
): Promise<Owner> {
  await adminGate(request, bff);
  const session = await checkAdminSession(bff.env, request, now(bff));
  if (session.status === "active") return { sessionId: session.sessionId, headers: adminHeaders() };
  const headers = adminHeaders();
  if (session.status === "expired") headers.append("Set-Cookie", session.setCookie);
  const url = new URL(request.url);
  const loginHref = `/admin/login?${new URLSearchParams({
    next: url.pathname + url.search,
    ...(session.status === "expired" ? { expired: "1" } : {}),
  })}`;
  if (isMutation(request) || options.resource) {
    const message = session.status === "expired" ? "登入已逾時，請重新登入後再操作一次。" : "請先登入後台。";
    throw refuse(401, { message, loginHref }, headers);
  }
  throw redirect(loginHref, { headers });
}

/** A loader's or action's answer with the owner's headers (no-store, noindex) and any of its own. */
function ownerData<T>(owner: Owner, value: T, init: { status?: number; headers?: HeadersInit } = {}) {
  const headers = new Headers(owner.headers);
  for (const [name, headerValue] of new Headers(init.headers)) headers.set(name, headerValue);
  return data(value, { status: init.status, headers });
}

/** A redirect after a successful action (post/redirect/get), carrying the owner's headers. */
export function ownerRedirect(owner: Owner, to: string) {
  return redirect(to, { headers: owner.headers });
}

// ---------------------------------------------------------------------------------------------
// The admin's route shape: every admin loader and action is one of these two around one page function.

/** A page: the guard, then `load`, answered with the owner's headers. */
export async function ownerPage<T>(bff: BffContext, request: Request, load: (owner: Owner) => Promise<T> | T) {
  const owner = await requireOwner(request, bff);
  return ownerData(owner, await load(owner));
}

/**
 * A form post: the guard, the form read (at most `maxBytes`: FORM_LIMITS.admin unless the form carries a photo; a
 * bigger body is readForm's 413 with its reason) and parsed against `schema` (a failure answers 400 with the field
 * errors and what was typed), then `run`, answered with the owner's headers: 409 when it returns a failure (`ok:
 * false`: the change could not be made as asked), 200 otherwise. `run` may throw `ownerRedirect(owner, …)` to leave the page
 * after a success (post/redirect/get).
 */
export async function ownerAction<S extends z.ZodType, T extends { ok: boolean }>(
  bff: BffContext,
  request: Request,
  schema: S,
  run: (form: FormSuccess<z.output<S>>, formData: FormData, owner: Owner) => Promise<T>,
  { maxBytes = FORM_LIMITS.admin }: { maxBytes?: number } = {},
) {
  const owner = await requireOwner(request, bff);
  const formData = await readForm(request, maxBytes);
  const form = parseForm(schema, formData);
  if (!form.ok) return ownerData<FormFailure>(owner, form, { status: 400 });
  const result = await run(form, formData, owner);
  return ownerData(owner, result, { status: result.ok ? 200 : 409 });
}

/**
 * A post the page's own script makes (fetch or XMLHttpRequest) to a resource route: the guard (401 with JSON, never
 * a redirect), the form read (at most `maxBytes`; a bigger body is readForm's 413 with its reason, JSON too), then
 * `run`, answered as JSON with the owner's headers: 409 when it returns a failure, 200 otherwise.
 */
export async function ownerResourceAction<T extends { ok: boolean }>(
  bff: BffContext,
  request: Request,
  run: (formData: FormData, owner: Owner) => Promise<T>,
  { maxBytes = FORM_LIMITS.admin }: { maxBytes?: number } = {},
): Promise<Response> {
  const owner = await requireOwner(request, bff, { resource: true });
  const result = await run(await readForm(request, maxBytes), owner);
  return Response.json(result, { status: result.ok ? 200 : 409, headers: owner.headers });
}

/**
 * Production without Cloudflare Access: the admin works, but only the password (and its throttle) stands in front of
 * it. Every admin page says so until CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are set (README, Configuration).
 */
export const ACCESS_MISSING_NOTICE =
  "後台目前只有密碼保護，尚未設定 Cloudflare Access。請盡快設定 CF_ACCESS_TEAM_DOMAIN 與 CF_ACCESS_AUD，讓只有店主的帳號能打開後台。";

function accessNotice(bff: BffContext): string | null {
  const config = adminConfig(bff.env);
  return bff.env.APP_ENV === "production" && config.ok && !config.access ? ACCESS_MISSING_NOTICE : null;
}

/** The layout around every admin page but the login: the guard, and the production notice while Access is missing. */
export function loadAdminLayout(bff: BffContext, request: Request) {
  return ownerPage(bff, request, () => ({ signedIn: true, accessNotice: accessNotice(bff) }));
}

// ---------------------------------------------------------------------------------------------
// Login and logout

/** Only paths inside the admin; anything else (another site, `//host`) falls back to the dashboard. */
function safeNext(next: unknown): string {
  if (typeof next !== "string") return "/admin";
  if (!/^\/admin(?:[/?#]|$)/.test(next) || next.startsWith("//") || next.includes("\\")) return "/admin";
  if (next.startsWith("/admin/login") || next.startsWith("/admin/logout")) return "/admin";
  return next;
}

export const loginSchema = z.object({
  password: z.string({ error: "請輸入密碼。" }).min(1, "請輸入密碼。").max(256, "密碼太長。"),
  next: z.string().max(2000).optional(),
});

interface LoginPageData {
  next: string;
  expired: boolean;
  accessNotice: string | null;
}

export async function loadLoginPage(bff: BffContext, request: Request) {
  await adminGate(request, bff);
  const url = new URL(request.url);
  const next = safeNext(url.searchParams.get("next"));
  const session = await checkAdminSession(bff.env, request, now(bff));
  if (session.status === "active") throw redirect(next, { headers: adminHeaders() });
  const headers = adminHeaders();
  if (session.status === "expired") headers.append("Set-Cookie", session.setCookie);
  return data<LoginPageData>(
    { next, expired: url.searchParams.get("expired") === "1", accessNotice: accessNotice(bff) },
    { headers },
  );
}

type LoginFailure = FormFailure & { retryAfterSeconds?: number };

/**
 * Checks the password behind the brute-force throttles of ADR 0006, counting first: every attempt is counted (one
 * atomic D1 upsert per counter, in one batch) before the password is looked at, and only an attempt within both
 * limits has its password checked. A client network past 5 attempts in 15 minutes, or everyone together past 100,
 * gets 429 without a check (the right password included) until the window has passed; a success resets the client's
 * count.
 */
export async function logIn(
  request: Request,
  bff: BffContext,
  config: AdminGate,
  form: FormSuccess<z.output<typeof loginSchema>> | FormFailure,
) {
  const client: Counter = { rule: LOGIN_RULE, key: clientKeyFor(request) };
  const counted = await countAttempt(bff, [client, { rule: LOGIN_ALL_RULE, key: "all" }]);
  if (!counted.allowed) {
    console.warn(JSON.stringify({ at: "admin", problem: "login_throttled" }));
    return tooManyAttempts(form.values, counted.retryAfterSeconds);
  }
  if (!form.ok) return data<LoginFailure>(form, { status: 400, headers: adminHeaders() });

  if (!(await verifyPassword(form.data.password, config.password))) {
    console.warn(JSON.stringify({ at: "admin", problem: "login_failed" }));
    return data<LoginFailure>(
      { ok: false, values: form.values, errors: { password: "密碼不正確，請再試一次。" } },
      { status: 401, headers: adminHeaders() },
    );
  }
  await resetRateLimit(bff, client);
  const headers = adminHeaders({ "Set-Cookie": await startAdminSession(bff.env, now(bff)) });
  throw redirect(safeNext(form.data.next), { headers });
}

function tooManyAttempts(values: FormFailure["values"], retryAfterSeconds: number) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return data<LoginFailure>(
    {
      ok: false,
      values,
      errors: {},
      formError: `登入失敗次數過多，請 ${minutes} 分鐘後再試。`,
      retryAfterSeconds,
    },
    { status: 429, headers: adminHeaders({ "Retry-After": String(retryAfterSeconds) }) },
  );
}

/** The login form: the guard without a session (steps 1–3), the form, then the password. */
export async function submitLogin(bff: BffContext, request: Request) {
  const gate = await adminGate(request, bff);
  return logIn(request, bff, gate, parseForm(loginSchema, await readForm(request, FORM_LIMITS.shop)));
}

/** Logout is an action (POST); a GET just goes back to the admin. */
export async function logoutPage(bff: BffContext, request: Request) {
  const owner = await requireOwner(request, bff, { resource: true });
  return ownerRedirect(owner, "/admin");
}

/** Logout ends every session of the owner (ADR 0007): a cookie from before it, or a copy of one, opens nothing. */
export async function submitLogout(bff: BffContext, request: Request): Promise<Response> {
  const owner = await requireOwner(request, bff);
  const headers = new Headers(owner.headers);
  headers.append("Set-Cookie", await endAdminSessions(bff.env));
  return redirect("/admin/login", { headers });
}
