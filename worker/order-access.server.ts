/**
 * How a shopper reaches an order: the orders this browser placed or looked up are remembered (id + phone) in a
 * signed cookie, so the order page (and the return from ECPay) needs no retyping; otherwise the order id and the
 * phone number are asked for, and repeated misses from one client are throttled.
 *
 * Whatever the page shows comes from the order API; the cookie only supplies the phone number for the lookup.
 */
import { z } from "zod";
import { type Order, orderIdSchema, taiwanMobile } from "../aws/src/contract";
import type { BffContext } from "./bff-context";
import { readCookie, shopCookie } from "./cookies.server";
import type { Env } from "./env";
import { getOrder } from "./order-api.server";
import { clientKeyFor, hitRateLimit, peekRateLimit, type RateLimitRule } from "./rate-limit.server";

/** Orders remembered per browser, newest first. */
export const MAX_REMEMBERED_ORDERS = 5;
const ORDERS_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Ten wrong guesses per client in 15 minutes, then lookups wait for the window to end. */
export const LOOKUP_MISS_RULE: RateLimitRule = { name: "order-lookup-miss", limit: 10, windowSeconds: 15 * 60 };

export interface OrderRef {
  id: string;
  phone: string;
}

const rememberedSchema = z.object({
  v: z.literal(1),
  o: z.array(z.tuple([z.string().regex(/^\d{6}-\d{5}$/), z.string().regex(/^09\d{8}$/)])).max(MAX_REMEMBERED_ORDERS),
});

type CookieEnv = Pick<Env, "SITE_URL" | "SESSION_SECRET">;
const ordersCookie = (env: CookieEnv) => shopCookie(env, "orders", { maxAge: ORDERS_MAX_AGE_SECONDS });

export async function readRememberedOrders(env: CookieEnv, request: Request): Promise<OrderRef[]> {
  const parsed = rememberedSchema.safeParse(await readCookie(ordersCookie(env), request));
  return parsed.success ? parsed.data.o.map(([id, phone]) => ({ id, phone })) : [];
}

export async function rememberedOrder(env: CookieEnv, request: Request, id: string): Promise<OrderRef | undefined> {
  return (await readRememberedOrders(env, request)).find((ref) => ref.id === id);
}

/** Set-Cookie that puts `ref` first among the remembered orders. */
export async function rememberOrderHeader(env: CookieEnv, request: Request, ref: OrderRef): Promise<string> {
  const others = (await readRememberedOrders(env, request)).filter((o) => o.id !== ref.id);
  const refs = [ref, ...others].slice(0, MAX_REMEMBERED_ORDERS);
  return ordersCookie(env).serialize({ v: 1, o: refs.map((o) => [o.id, o.phone]) });
}

/** Set-Cookie without `id` (an order the API no longer finds with that phone). */
export async function forgetOrderHeader(env: CookieEnv, request: Request, id: string): Promise<string> {
  const refs = (await readRememberedOrders(env, request)).filter((o) => o.id !== id);
  const cookie = ordersCookie(env);
  if (refs.length === 0) return cookie.serialize("", { maxAge: 0 });
  return cookie.serialize({ v: 1, o: refs.map((o) => [o.id, o.phone]) });
}

// ---------------------------------------------------------------------------------------------
// Lookup by id + phone

export const lookupFormSchema = z.object({
  id: z.string({ error: "請填寫訂單編號" }).trim().min(1, "請填寫訂單編號").pipe(orderIdSchema),
  phone: z.string({ error: "請填寫手機號碼" }).trim().min(1, "請填寫手機號碼").pipe(taiwanMobile),
});
export type LookupField = "id" | "phone";

export type LookupOutcome =
  | { kind: "found"; order: Order; ref: OrderRef }
  | { kind: "invalid"; errors: Partial<Record<LookupField, string>> }
  /** Deliberately the same for a wrong id and a wrong phone. */
  | { kind: "not_found"; message: string }
  | { kind: "throttled"; retryAfterSeconds: number; message: string }
  | { kind: "failed"; message: string };

export const NOT_FOUND_MESSAGE = "查無符合的訂單，請確認訂單編號與手機號碼是否正確。";

/**
 * Looks an order up for a shopper who typed id and phone. A client that already missed LOOKUP_MISS_RULE.limit
 * times in the window is refused before the API is asked, so the answer cannot be used to keep guessing.
 */
export async function lookupOrder(bff: BffContext, request: Request, input: unknown): Promise<LookupOutcome> {
  const parsed = lookupFormSchema.safeParse(input);
  if (!parsed.success) {
    const errors: Partial<Record<LookupField, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as LookupField;
      errors[field] ??= issue.message;
    }
    return { kind: "invalid", errors };
  }
  const client = clientKeyFor(request);
  const { id, phone } = parsed.data;

  try {
    const gate = await peekRateLimit(bff, LOOKUP_MISS_RULE, client);
    if (!gate.allowed) return throttled(gate.retryAfterSeconds);
  } catch (error) {
    // Without the counter the lookup would be an unthrottled oracle; better to ask the shopper to come back.
    console.error(JSON.stringify({ at: "order-lookup", problem: "rate_limit_unavailable", detail: String(error) }));
    return { kind: "failed", message: "訂單查詢暫時無法使用，請稍後再試。" };
  }

  const result = await getOrder(bff, id, phone);
  if (result.ok) return { kind: "found", order: result.data.order, ref: { id, phone } };
  if (result.kind !== "not_found") return { kind: "failed", message: result.message };

  try {
    await hitRateLimit(bff, LOOKUP_MISS_RULE, client);
  } catch (error) {
    console.error(JSON.stringify({ at: "order-lookup", problem: "rate_limit_unavailable", detail: String(error) }));
  }
  return { kind: "not_found", message: NOT_FOUND_MESSAGE };
}

/** The order this browser remembers, fetched fresh from the API (no throttle: the cookie is signed by us). */
export async function getRememberedOrder(
  bff: BffContext,
  ref: OrderRef,
): Promise<{ kind: "found"; order: Order } | { kind: "not_found" } | { kind: "failed"; message: string }> {
  const result = await getOrder(bff, ref.id, ref.phone);
  if (result.ok) return { kind: "found", order: result.data.order };
  if (result.kind === "not_found") return { kind: "not_found" };
  return { kind: "failed", message: result.message };
}

function throttled(retryAfterSeconds: number): LookupOutcome {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return {
    kind: "throttled",
    retryAfterSeconds,
    message: `查詢失敗次數過多，為保護訂購人資料，請 ${minutes} 分鐘後再試。`,
  };
}
