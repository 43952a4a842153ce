/**
 * How a shopper reaches an order, and the order pages' answers: /orders (lookup), /orders/{id} (one order), pay
 * again, and ECPay's return.
 *
 * The orders this browser placed or looked up are remembered (id + phone) in a signed cookie
 * (worker/cookies.server.ts), so the order page (and the return from ECPay) needs no retyping; otherwise the order
 * id and the phone number are asked for, and guesses are throttled per client network and per phone number (counted
 * before the order API is asked; docs/security.md). Whatever the page shows comes from the order API; the cookie only
 * supplies the phone number for the lookup.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import { fieldErrorsOf, normaliseOrderId, type Order, orderIdSchema, taiwanMobile } from "../../aws/src/contract";
import { clientKeyFor } from "../../worker/client-network";
import type { BffContext } from "../../worker/context";
import {
  MAX_REMEMBERED_ORDERS,
  type OrderRef,
  readRememberedOrders,
  rememberedOrdersHeader,
} from "../../worker/cookies.server";
import { getOrder, retryPayment } from "../../worker/order-api.server";
import { storefrontOrigin } from "../../worker/origin";
import {
  type Counter,
  type CountedWindow,
  countAttempt,
  type RateLimitRule,
  refundAttempt,
} from "../../worker/rate-limit.server";
import { notFound, originRefusedMessage } from "./answers.server";
import { assertSameSite, formErrors, FORM_LIMITS, readForm } from "./forms.server";
import type { Handoff } from "./order-view";
import { privateHeaders } from "./private-headers";

/** Ten guesses per client network (an IPv4 address, an IPv6 /64) in 15 minutes. */
export const LOOKUP_CLIENT_RULE: RateLimitRule = { name: "order-lookup-miss", limit: 10, windowSeconds: 15 * 60 };
/**
 * Ten guesses per phone number in 10 minutes, from anywhere: what bounds guessing one shopper's order ids however
 * many networks the guesser has (ADR 0004 has the arithmetic). The window is short because a stranger who knows the
 * number can keep its typed lookups refused that long; the shopper's own browser, which remembers its orders in a
 * signed cookie, is not affected.
 */
export const LOOKUP_PHONE_RULE: RateLimitRule = { name: "order-lookup-phone", limit: 10, windowSeconds: 10 * 60 };

// ---------------------------------------------------------------------------------------------
// Remembered orders

export async function rememberedOrder(
  env: BffContext["env"],
  request: Request,
  id: string,
): Promise<OrderRef | undefined> {
  return (await readRememberedOrders(env, request)).find((ref) => ref.id === id);
}

/** Set-Cookie that puts `ref` first among the remembered orders. */
export async function rememberOrderHeader(env: BffContext["env"], request: Request, ref: OrderRef): Promise<string> {
  const others = (await readRememberedOrders(env, request)).filter((o) => o.id !== ref.id);
  return rememberedOrdersHeader(env, [ref, ...others].slice(0, MAX_REMEMBERED_ORDERS));
}

/** Set-Cookie without `id` (an order the API no longer finds with that phone). */
export async function forgetOrderHeader(env: BffContext["env"], request: Request, id: string): Promise<string> {
  return rememberedOrdersHeader(
    env,
    (await readRememberedOrders(env, request)).filter((o) => o.id !== id),
  );
}

// ---------------------------------------------------------------------------------------------
// Lookup by id + phone

const lookupFormSchema = z.object({
  id: z
    .string({ error: "請填寫訂單編號" })
    .trim()
    .min(1, "請填寫訂單編號")
    .transform(normaliseOrderId)
    .pipe(orderIdSchema),
  phone: z.string({ error: "請填寫手機號碼" }).trim().min(1, "請填寫手機號碼").pipe(taiwanMobile),
});
type LookupField = "id" | "phone";

type LookupOutcome =
  | { kind: "found"; order: Order; ref: OrderRef }
  | { kind: "invalid"; errors: Partial<Record<LookupField, string>> }
  /** Deliberately the same for a wrong id and a wrong phone. */
  | { kind: "not_found"; message: string }
  | { kind: "throttled"; retryAfterSeconds: number; message: string }
  | { kind: "failed"; message: string };

export const NOT_FOUND_MESSAGE = "查無符合的訂單，請確認訂單編號與手機號碼是否正確。";

/**
 * Looks an order up for a shopper who typed id and phone. The attempt is counted first, for the client's network and
 * for the phone number, and the order API is asked only when both counts are within their limits, so a burst of
 * guesses gets at most `limit` answers. A found order (or the API failing) was no guess: its count is taken back
 * (a moment later, together with the isolate's other refunds).
 */
export async function lookupOrder(bff: BffContext, request: Request, input: unknown): Promise<LookupOutcome> {
  const parsed = lookupFormSchema.safeParse(input);
  if (!parsed.success) return { kind: "invalid", errors: formErrors(fieldErrorsOf(parsed.error)) };
  const { id, phone } = parsed.data;

  let counted: CountedWindow[];
  try {
    const counters: Counter[] = [
      { rule: LOOKUP_CLIENT_RULE, key: clientKeyFor(request) },
      { rule: LOOKUP_PHONE_RULE, key: await phoneDigest(bff.env, phone) },
    ];
    const attempt = await countAttempt(bff, counters);
    if (!attempt.allowed) return throttled(attempt.retryAfterSeconds);
    counted = attempt.counted;
  } catch (error) {
    // Without the counter the lookup would be an unthrottled oracle; better to ask the shopper to come back.
    console.error(JSON.stringify({ at: "order-lookup", problem: "rate_limit_unavailable", detail: String(error) }));
    return { kind: "failed", message: "訂單查詢暫時無法使用，請稍後再試。" };
  }

  const result = await getOrder(bff, id, phone);
  if (result.ok || result.kind !== "not_found") refundAttempt(bff, counted);
  if (result.ok) return { kind: "found", order: result.data.order, ref: { id, phone } };
  if (result.kind !== "not_found") return { kind: "failed", message: result.message };
  return { kind: "not_found", message: NOT_FOUND_MESSAGE };
}

const phoneKeys = new WeakMap<BffContext["env"], Promise<CryptoKey>>();

/** The phone number as the throttle stores it: an HMAC under SESSION_SECRET, so D1 never holds the number itself. */
async function phoneDigest(env: BffContext["env"], phone: string): Promise<string> {
  let key = phoneKeys.get(env);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(`${env.SESSION_SECRET}|lookup-phone`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    phoneKeys.set(env, key);
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(phone)));
  return btoa(String.fromCharCode(...mac.slice(0, 16)));
}

/** The order this browser remembers, fetched fresh from the API (no throttle: the cookie is signed by us). */
async function getRememberedOrder(
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

// ---------------------------------------------------------------------------------------------
// The pages

/** Order pages hold personal data: never stored by any cache, the browser's included. */
const PRIVATE = (extra?: HeadersInit) => privateHeaders("shopper", extra);

export type OrderPageData =
  | { kind: "order"; order: Order }
  /** This browser does not remember the order: ask for the phone number. */
  | { kind: "ask"; orderId: string; message: string | null };

export async function loadOrderPage(bff: BffContext, request: Request, rawId: string | undefined) {
  const id = parseOrderId(rawId);
  const ref = await rememberedOrder(bff.env, request, id);
  if (!ref) return data<OrderPageData>({ kind: "ask", orderId: id, message: null }, { headers: PRIVATE() });

  const found = await getRememberedOrder(bff, ref);
  if (found.kind === "found") return data<OrderPageData>({ kind: "order", order: found.order }, { headers: PRIVATE() });
  if (found.kind === "not_found") {
    return data<OrderPageData>(
      { kind: "ask", orderId: id, message: null },
      { headers: PRIVATE({ "Set-Cookie": await forgetOrderHeader(bff.env, request, id) }) },
    );
  }
  throw data({ reason: "unavailable" as const }, { status: 503, headers: PRIVATE({ "Retry-After": "30" }) });
}

export type PayAgainActionData =
  | { kind: "handoff"; handoff: Handoff }
  | { kind: "failed"; orderId: string; message: string };

/**
 * The order page's "pay again" button: a new ECPay checkout attempt for an order this browser remembers. When
 * there is nothing (left) to pay — paid meanwhile, pay on arrival, ATM account issued — the shopper is sent back
 * to the order page, which shows why.
 */
export async function payAgain(bff: BffContext, request: Request, rawId: string | undefined) {
  assertSameSite(request);
  const id = parseOrderId(rawId);
  const ref = await rememberedOrder(bff.env, request, id);
  const backToOrder = () => redirect(`/orders/${id}`, { status: 303, headers: PRIVATE() });
  if (!ref) return backToOrder();
  const result = await retryPayment(bff, ref.id, ref.phone, storefrontOrigin(request, bff.env.SITE_URL));
  if (result.ok) {
    const { order, payment } = result.data;
    if (!payment) return backToOrder();
    return data<PayAgainActionData>(
      {
        kind: "handoff",
        handoff: {
          orderId: order.id,
          paymentMethod: order.paymentMethod,
          total: order.total,
          action: payment.action,
          fields: payment.fields,
        },
      },
      { headers: PRIVATE() },
    );
  }
  if (result.kind === "validation" && result.fields?.origin) {
    const message = originRefusedMessage("pay_again", storefrontOrigin(request, bff.env.SITE_URL));
    return data<PayAgainActionData>({ kind: "failed", orderId: id, message }, { status: 400, headers: PRIVATE() });
  }
  if (result.kind === "not_found" || result.kind === "validation") return backToOrder();
  return data<PayAgainActionData>(
    { kind: "failed", orderId: id, message: result.message },
    { status: result.kind === "conflict" ? 409 : 503, headers: PRIVATE() },
  );
}

/**
 * The pay-again URL is meant to be POSTed to, but its loader also runs right after that POST (Remix loads the
 * route it navigates to), so it must not redirect: it only names the order, for a link back to it.
 */
export function payAgainPage(rawId: string | undefined) {
  return data({ orderId: parseOrderId(rawId) }, { headers: PRIVATE() });
}

export interface LookupActionData {
  message: string;
  errors: Partial<Record<LookupField, string>>;
  values: { id?: string; phone?: string };
}

/**
 * The lookup form (on /orders, and on /orders/{id} for a browser that does not remember the order). A match is
 * remembered in the cookie and redirected to its page; a miss says "not found" whichever part was wrong.
 */
export async function submitOrderLookup(bff: BffContext, request: Request, routeId?: string) {
  assertSameSite(request);
  const form = Object.fromEntries(await readForm(request, FORM_LIMITS.shop));
  const input = { id: routeId ?? form.id, phone: form.phone };
  const values = {
    ...(typeof input.id === "string" ? { id: input.id.slice(0, 40) } : {}),
    ...(typeof input.phone === "string" ? { phone: input.phone.slice(0, 40) } : {}),
  };
  const outcome = await lookupOrder(bff, request, input);
  switch (outcome.kind) {
    case "found":
      return redirect(`/orders/${outcome.order.id}`, {
        status: 303,
        headers: PRIVATE({ "Set-Cookie": await rememberOrderHeader(bff.env, request, outcome.ref) }),
      });
    case "invalid":
      return data<LookupActionData>(
        { message: "請檢查標示的欄位。", errors: outcome.errors, values },
        { status: 422, headers: PRIVATE() },
      );
    case "not_found":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 404, headers: PRIVATE() },
      );
    case "throttled":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 429, headers: PRIVATE({ "Retry-After": String(outcome.retryAfterSeconds) }) },
      );
    case "failed":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 503, headers: PRIVATE() },
      );
  }
}

/**
 * ECPay's OrderResultURL: the shopper's browser POSTs the payment result here from ECPay's page, cross-site, so the
 * SameSite=Lax cookie that remembers the order is not sent. Nothing posted is trusted or even read: a 303 turns it
 * into a GET of the order page, where the cookie is sent and the status comes from the order API.
 */
export function returnFromGateway(rawId: string | undefined): Response {
  const id = parseOrderId(rawId);
  return redirect(`/orders/${id}`, { status: 303, headers: PRIVATE() });
}

function parseOrderId(rawId: string | undefined): string {
  const parsed = orderIdSchema.safeParse(rawId);
  if (!parsed.success) throw notFound();
  return parsed.data;
}
