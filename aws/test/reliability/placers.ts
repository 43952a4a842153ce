/**
 * How the reliability suite places orders: through the signed API (POST /order, what the BFF calls), and through
 * the BFF itself — the storefront's checkout form, posted as a browser without JavaScript posts it.
 *
 * The BFF derives the idempotency key from the rendered form (ADR 0008: an HMAC over the form's token, items and
 * total), so `bffOrderPlacer` maps each CreateOrderRequest to one shopper: a cart with the request's items, one
 * rendering of /checkout, and the request's customer details. Every `place` of the same request (same
 * idempotencyKey) posts that same form again — what a double click, a browser retry or the shopper pressing the
 * button again after an error does — so it must come back with the same order.
 */
import type { CreateOrderRequest } from "../../src/contract";
import { type CheckoutDetails, type CheckoutSnapshot, orderIdOf, Shopper } from "./shopper";
import { apiClient, type StackUrls } from "./support";

export interface PlacedOrder {
  status: number;
  /** The order id the caller was given, when the order was accepted. */
  orderId?: string;
  /** Error code or page message, when it was not. */
  reason?: string;
}

export interface OrderPlacer {
  name: string;
  place(request: CreateOrderRequest): Promise<PlacedOrder>;
}

/** POST /order signed as the storefront principal, exactly as worker/order-api.server.ts does. */
export function apiOrderPlacer(stack: Pick<StackUrls, "apiUrl" | "region">): OrderPlacer {
  const storefront = apiClient(stack, "storefront");
  return {
    name: "signed API (POST /order)",
    async place(request) {
      const answer = await storefront.post("/order", request);
      return answer.status === 201
        ? { status: answer.status, orderId: answer.body.order.id as string }
        : { status: answer.status, reason: answer.body?.error?.code ?? answer.text.slice(0, 200) };
    },
  };
}

interface PreparedForm {
  shopper: Shopper;
  snapshot: CheckoutSnapshot;
  details: CheckoutDetails;
}

/** The checkout form through the storefront at `storefrontUrl` (BFF → signed POST /order → Lambda → DynamoDB). */
export function bffOrderPlacer(storefrontUrl: string): OrderPlacer {
  const forms = new Map<string, Promise<PreparedForm>>();
  const prepare = async (request: CreateOrderRequest): Promise<PreparedForm> => {
    const shopper = new Shopper(storefrontUrl);
    for (const item of request.items) await shopper.addToCart(item.productId, item.quantity);
    const snapshot = await shopper.checkoutSnapshot();
    const address = request.customer.address ?? "";
    const [postalCode = "100", ...rest] = address.split(" ");
    const details: CheckoutDetails = {
      name: request.customer.name,
      phone: request.customer.phone,
      email: request.customer.email,
      postalCode: /^\d{3}(\d{2,3})?$/.test(postalCode) ? postalCode : "100",
      address: /^\d{3}(\d{2,3})?$/.test(postalCode) ? rest.join(" ") : address,
      paymentMethod: request.paymentMethod,
      ...(request.note ? { note: request.note } : {}),
    };
    return { shopper, snapshot, details };
  };
  return {
    name: "BFF (storefront checkout form)",
    async place(request) {
      let form = forms.get(request.idempotencyKey);
      if (!form) {
        form = prepare(request);
        forms.set(request.idempotencyKey, form);
        // A failed preparation (the storefront overloaded) is tried again on the next place().
        form.catch(() => forms.delete(request.idempotencyKey));
      }
      let prepared: PreparedForm;
      try {
        prepared = await form;
      } catch (error) {
        return { status: 503, reason: `preparing the form: ${String(error).slice(0, 160)}` };
      }
      let page: Awaited<ReturnType<Shopper["submitCheckout"]>>;
      try {
        page = await prepared.shopper.submitCheckout(prepared.snapshot, prepared.details);
      } catch (error) {
        return { status: 599, reason: `network: ${String(error).slice(0, 160)}` };
      }
      const orderId = orderIdOf(page);
      // 303 to the order page (pay on arrival) or 200 with the ECPay hand-off (card, ATM): the order exists.
      if ((page.status === 303 || page.status === 200) && orderId) return { status: 201, orderId };
      const message = /role="alert"[^>]*>\s*<p[^>]*>([^<]*)</.exec(page.text)?.[1];
      return { status: page.status, reason: message ?? page.text.slice(0, 160) };
    },
  };
}
