/**
 * Page-level BFF functions for /checkout: render the form with a fresh snapshot (token, items, total), and turn a
 * submit into an order, a redirect, or the form again with what needs fixing.
 */
import { data, redirect } from "@remix-run/cloudflare";
import type { PaymentMethod } from "../../aws/src/contract";
import type { BffContext } from "../../worker/bff-context";
import { cartCookieHeader, EMPTY_CART, type PricedCart, priceCart, readCart } from "../../worker/cart.server";
import {
  type CheckoutErrors,
  type CheckoutValues,
  encodeItems,
  newCheckoutToken,
  placeOrder,
} from "../../worker/checkout.server";
import { getCatalog, purgeContent } from "../../worker/content.server";
import { readForm } from "../../worker/form-body";
import { readRememberedOrders, rememberOrderHeader } from "../../worker/order-access.server";
import { isCrossSitePost } from "../../worker/request-guard.server";
import { closedResponse, orUnavailable } from "./storefront.server";

/** The hidden fields of one rendering of the form. */
export interface CheckoutSnapshotFields {
  checkoutToken: string;
  items: string;
  expectedTotal: number;
}

export interface CheckoutPageData {
  cart: PricedCart;
  /** Null when there is nothing orderable (empty cart, or sold-out lines to remove first). */
  snapshot: CheckoutSnapshotFields | null;
  /** The newest order this browser placed, offered when the cart is empty (e.g. after Back from ECPay). */
  recentOrderId: string | null;
}

export async function loadCheckoutPage(bff: BffContext, request: Request): Promise<CheckoutPageData> {
  const [cart, catalog, remembered] = await Promise.all([
    readCart(bff.env, request),
    orUnavailable(getCatalog(bff)),
    readRememberedOrders(bff.env, request),
  ]);
  const priced = priceCart(cart, catalog);
  return {
    cart: priced,
    snapshot: priced.orderable
      ? { checkoutToken: newCheckoutToken(), items: encodeItems(priced.orderItems), expectedTotal: priced.total }
      : null,
    recentOrderId: remembered[0]?.id ?? null,
  };
}

/** What the page shows after a submit that did not leave it. */
export type CheckoutActionData =
  | {
      kind: "handoff";
      orderId: string;
      paymentMethod: PaymentMethod;
      total: number;
      action: string;
      fields: Record<string, string>;
    }
  | {
      kind: "retry";
      /** Shown above the form (and announced). */
      message: string;
      errors: CheckoutErrors;
      values: CheckoutValues;
      /** The hidden fields for the next submit; a new token only when the next submit is a new order. */
      snapshot: CheckoutSnapshotFields | null;
      /** With a changed price: the total the next submit confirms. */
      newTotal?: number;
      /** Where to fix things instead (sold-out items, an outdated page). */
      backToCart?: boolean;
    };

export async function submitCheckout(bff: BffContext, request: Request) {
  if (isCrossSitePost(request, bff.env)) throw data(null, { status: 403 });
  const submitted = Object.fromEntries(await readForm(request));
  const outcome = await placeOrder(bff, submitted);
  const submittedSnapshot = snapshotFields(submitted);

  switch (outcome.kind) {
    case "placed": {
      const { order, payment } = outcome;
      const headers = new Headers();
      // The order is placed: the cart is done with, and this browser remembers the order for the order page.
      headers.append("Set-Cookie", await cartCookieHeader(bff.env, EMPTY_CART));
      headers.append(
        "Set-Cookie",
        await rememberOrderHeader(bff.env, request, { id: order.id, phone: order.customer.phone }),
      );
      if (!payment) return redirect(`/orders/${order.id}`, { status: 303, headers });
      return data<CheckoutActionData>(
        {
          kind: "handoff",
          orderId: order.id,
          paymentMethod: order.paymentMethod,
          total: order.total,
          action: payment.action,
          fields: payment.fields,
        },
        { headers },
      );
    }
    case "closed":
      // The API is the authority on writes; let the edge's copy of site.json catch up at once.
      await purgeContent(bff, "site.json");
      throw closedResponse(outcome.message);
    case "invalid":
      return retry(
        { message: outcome.message, errors: outcome.errors, values: outcome.values, snapshot: submittedSnapshot },
        422,
      );
    case "price_changed":
      await purgeContent(bff, "catalog.json");
      return retry(
        {
          message: outcome.message,
          errors: {},
          values: outcome.values,
          // Confirming the new total is a new request body, hence a new token and key.
          snapshot: submittedSnapshot && {
            checkoutToken: newCheckoutToken(),
            items: submittedSnapshot.items,
            expectedTotal: outcome.currentTotal,
          },
          newTotal: outcome.currentTotal,
        },
        409,
      );
    case "items_unavailable":
      await purgeContent(bff, "catalog.json");
      return retry(
        { message: outcome.message, errors: {}, values: outcome.values, snapshot: null, backToCart: true },
        409,
      );
    case "already_submitted":
      return retry(
        {
          message: outcome.message,
          errors: {},
          values: outcome.values,
          snapshot: submittedSnapshot && { ...submittedSnapshot, checkoutToken: newCheckoutToken() },
        },
        409,
      );
    case "stale_form":
      return retry({ message: outcome.message, errors: {}, values: {}, snapshot: null, backToCart: true }, 409);
    case "failed":
      // Same token: if the order did reach the API (a timeout), pressing the button again returns that order.
      return retry({ message: outcome.message, errors: {}, values: outcome.values, snapshot: submittedSnapshot }, 503);
  }
}

function retry(body: Omit<Extract<CheckoutActionData, { kind: "retry" }>, "kind">, status: number) {
  return data<CheckoutActionData>({ kind: "retry", ...body }, { status });
}

function snapshotFields(submitted: Record<string, unknown>): CheckoutSnapshotFields | null {
  const { checkoutToken, items, expectedTotal } = submitted;
  if (typeof checkoutToken !== "string" || typeof items !== "string" || typeof expectedTotal !== "string") return null;
  const total = Number(expectedTotal);
  if (!Number.isInteger(total)) return null;
  return { checkoutToken, items, expectedTotal: total };
}
