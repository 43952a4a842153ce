/**
 * Page-level BFF functions for the order pages: /orders (lookup), /orders/{id} (one order), and ECPay's return.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { type Order, orderIdSchema } from "../../aws/src/contract";
import type { BffContext } from "../../worker/bff-context";
import { readForm } from "../../worker/form-body";
import {
  forgetOrderHeader,
  getRememberedOrder,
  type LookupField,
  lookupOrder,
  rememberedOrder,
  rememberOrderHeader,
} from "../../worker/order-access.server";
import { retryPayment } from "../../worker/order-api.server";
import { isCrossSitePost } from "../../worker/request-guard.server";
import type { Handoff } from "../components/EcpayHandoff";
import { notFound } from "./storefront.server";

/** Order pages hold personal data: never stored by any cache, the browser's included. */
const PRIVATE = { "Cache-Control": "private, no-store" };

export type OrderPageData =
  | { kind: "order"; order: Order }
  /** This browser does not remember the order: ask for the phone number. */
  | { kind: "ask"; orderId: string; message: string | null };

export async function loadOrderPage(bff: BffContext, request: Request, rawId: string | undefined) {
  const id = parseOrderId(rawId);
  const ref = await rememberedOrder(bff.env, request, id);
  if (!ref) return data<OrderPageData>({ kind: "ask", orderId: id, message: null }, { headers: PRIVATE });

  const found = await getRememberedOrder(bff, ref);
  if (found.kind === "found") return data<OrderPageData>({ kind: "order", order: found.order }, { headers: PRIVATE });
  if (found.kind === "not_found") {
    return data<OrderPageData>(
      { kind: "ask", orderId: id, message: null },
      { headers: { ...PRIVATE, "Set-Cookie": await forgetOrderHeader(bff.env, request, id) } },
    );
  }
  throw data({ reason: "unavailable" as const }, { status: 503, headers: { ...PRIVATE, "Retry-After": "30" } });
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
  if (isCrossSitePost(request, bff.env)) throw data(null, { status: 403 });
  const id = parseOrderId(rawId);
  const ref = await rememberedOrder(bff.env, request, id);
  const backToOrder = () => redirect(`/orders/${id}`, { status: 303, headers: PRIVATE });
  if (!ref) return backToOrder();
  const result = await retryPayment(bff, ref.id, ref.phone);
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
      { headers: PRIVATE },
    );
  }
  if (result.kind === "not_found" || result.kind === "validation") return backToOrder();
  return data<PayAgainActionData>(
    { kind: "failed", orderId: id, message: result.message },
    { status: result.kind === "conflict" ? 409 : 503, headers: PRIVATE },
  );
}

/**
 * The pay-again URL is meant to be POSTed to, but its loader also runs right after that POST (Remix loads the
 * route it navigates to), so it must not redirect: it only names the order, for a link back to it.
 */
export function payAgainPage(rawId: string | undefined) {
  return data({ orderId: parseOrderId(rawId) }, { headers: PRIVATE });
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
  if (isCrossSitePost(request, bff.env)) throw data(null, { status: 403 });
  const form = Object.fromEntries(await readForm(request));
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
        headers: { ...PRIVATE, "Set-Cookie": await rememberOrderHeader(bff.env, request, outcome.ref) },
      });
    case "invalid":
      return data<LookupActionData>(
        { message: "請檢查標示的欄位。", errors: outcome.errors, values },
        { status: 422, headers: PRIVATE },
      );
    case "not_found":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 404, headers: PRIVATE },
      );
    case "throttled":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 429, headers: { ...PRIVATE, "Retry-After": String(outcome.retryAfterSeconds) } },
      );
    case "failed":
      return data<LookupActionData>(
        { message: outcome.message, errors: {}, values },
        { status: 503, headers: PRIVATE },
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
  return redirect(`/orders/${id}`, { status: 303, headers: PRIVATE });
}

function parseOrderId(rawId: string | undefined): string {
  const parsed = orderIdSchema.safeParse(rawId);
  if (!parsed.success) throw notFound();
  return parsed.data;
}
