/**
 * Checkout: the order form, its idempotency key, what the order API's answer means, and /checkout's answers (render
 * the form with a fresh snapshot; turn a submit into an order, a redirect, or the form again with what to fix).
 *
 * The key (ADR 0008). The checkout page is rendered with a random token and a snapshot of what is being ordered
 * (the cart's items and the total shown), both in hidden fields. The idempotency key is an HMAC over token, items
 * and total, so
 *   - a double-click, a retried request or a back-button resubmit posts the same form → the same key and body → the
 *     API returns the same order;
 *   - confirming a changed total is a different form (new token, new total) → a new key;
 *   - nobody can make the BFF reuse a key for a different cart or total.
 * The items come from the form, not the cart cookie: the shopper orders what the page showed them, and a
 * resubmit still works after the cart was emptied by the first submit.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import {
  type CreateOrderRequest,
  type CreateOrderResponse,
  DELIVERY_METHODS,
  type DeliveryMethod,
  type InvoiceRequest,
  type PickupStore,
  fieldErrorsOf,
  MAX_LINE_QUANTITY,
  type Order,
  PAYMENT_METHODS,
  type PaymentMethod,
  type PaymentRedirect,
  productIdSchema,
  taiwanMobile,
} from "../../aws/src/contract";
import type { ApiFailure } from "../../worker/api-client.server";
import { getCatalog, purgeContent } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import {
  type CartItem,
  cartCookieHeader,
  EMPTY_CART,
  MAX_CART_LINES,
  readCart,
  readRememberedOrders,
} from "../../worker/cookies.server";
import { createOrder } from "../../worker/order-api.server";
import { storefrontOrigin } from "../../worker/origin";
import { purgeStock } from "../../worker/stock.server";
import { closedResponse, originRefusedMessage, orUnavailable } from "./answers.server";
import { type PricedCart, type PricingContext, priceCart, pricingContext } from "./cart.server";
import { INVOICE_CARRIERS } from "../../aws/src/domain/invoice";
import { chainsFor } from "../../aws/src/domain/pickup";
import { feesFor } from "../../aws/src/domain/pricing";
import { getSiteStatus } from "../../worker/content.server";
import { base64url, hmacSha256 } from "../../worker/signing";
import { CHECKOUT_FIELDS, type CheckoutField } from "./checkout-fields";
import { assertSameSite, blank, FORM_LIMITS, formErrors, pickStrings, readForm } from "./forms.server";
import { type PickupReturn, pickupReturn, readStoreTicket } from "./pickup.server";
import type { Handoff } from "./order-view";
import { rememberOrderHeader } from "./orders.server";

// ---------------------------------------------------------------------------------------------
// The form

export type CheckoutValues = Partial<Record<CheckoutField, string>>;
export type CheckoutErrors = Partial<Record<CheckoutField, string>>;

const text = (label: string, max: number) =>
  z
    .string({ error: `請填寫${label}` })
    .trim()
    .min(1, `請填寫${label}`)
    .max(max, `${label}最多 ${max} 個字`);

/** What the shopper types. Messages are shown next to each field as they are. */
export const checkoutFormSchema = z
  .object({
    name: text("收件人姓名", 50),
    phone: z.string({ error: "請填寫手機號碼" }).trim().min(1, "請填寫手機號碼").pipe(taiwanMobile),
    email: z
      .string({ error: "請填寫 Email" })
      .trim()
      .min(1, "請填寫 Email")
      .max(254, "Email 最多 254 個字")
      .pipe(z.email("Email 格式不正確，例如 name@example.com")),
    postalCode: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .regex(/^\d{3}(\d{2,3})?$/, "請填寫 3 碼或 5、6 碼的郵遞區號")
        .optional(),
    ),
    address: z.preprocess(
      blank,
      text("收件地址", 190)
        .refine((value) => value.length >= 5, "請填寫完整地址，例如：臺北市中正區重慶南路一段 122 號")
        .optional(),
    ),
    paymentMethod: z.enum(PAYMENT_METHODS, { error: "請選擇付款方式" }),
    note: z.string().trim().max(500, "備註最多 500 個字").optional(),
    deliveryMethod: z.preprocess(blank, z.enum(DELIVERY_METHODS).default("home")),
    storeTicket: z.preprocess(blank, z.string().max(2000).optional()),
    invoiceCarrier: z.preprocess(blank, z.enum(INVOICE_CARRIERS).default("member")),
    invoiceCode: z.preprocess(blank, z.string().trim().max(60).optional()),
    companyName: z.preprocess(blank, z.string().trim().max(60).optional()),
  })
  .superRefine((form, ctx) => {
    // Home delivery needs the address; store pickup needs the store (checked against its ticket when placing).
    if (form.deliveryMethod === "home") {
      if (!form.postalCode) ctx.addIssue({ code: "custom", path: ["postalCode"], message: "請填寫郵遞區號" });
      if (!form.address) ctx.addIssue({ code: "custom", path: ["address"], message: "請填寫收件地址" });
    } else if (!form.storeTicket) {
      ctx.addIssue({ code: "custom", path: ["storeTicket"], message: "請選擇取貨門市" });
    }
  });
export type CheckoutForm = z.infer<typeof checkoutFormSchema>;

/** The hidden fields: the snapshot the key is bound to. */
const snapshotSchema = z.object({
  checkoutToken: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  items: z.string().transform((value, ctx) => {
    const items = decodeItems(value);
    if (!items) {
      ctx.addIssue({ code: "custom", message: "items" });
      return z.NEVER;
    }
    return items;
  }),
  expectedTotal: z.string().transform((value, ctx) => {
    const totals = decodeTotals(value);
    if (!totals) {
      ctx.addIssue({ code: "custom", message: "expectedTotal" });
      return z.NEVER;
    }
    return totals;
  }),
});
export type CheckoutSnapshot = z.infer<typeof snapshotSchema>;

/** `dongding-oolong:2,pineapple-cake:1`; product ids never contain `:` or `,`. */
export function encodeItems(items: readonly CartItem[]): string {
  return items.map((item) => `${item.productId}:${item.quantity}`).join(",");
}

export function decodeItems(value: string): CartItem[] | null {
  if (!value) return null;
  const items: CartItem[] = [];
  const seen = new Set<string>();
  for (const part of value.split(",")) {
    const [id, qty, extra] = part.split(":");
    const quantity = Number(qty);
    if (extra !== undefined || !productIdSchema.safeParse(id).success || seen.has(id!)) return null;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) return null;
    seen.add(id!);
    items.push({ productId: id!, quantity });
  }
  return items.length <= MAX_CART_LINES ? items : null;
}

/**
 * What the page showed the shopper would pay, for each payment method and (when the shop offers store pickup) each
 * delivery: the pay-on-arrival surcharge and the delivery fee differ. Keys: `credit` (home delivery) and `cvs-credit`
 * (store pickup), and so on for every payment method.
 */
export type TotalKey = PaymentMethod | `cvs-${PaymentMethod}`;
export type Totals = Record<PaymentMethod, number> & Partial<Record<`cvs-${PaymentMethod}`, number>>;
const TOTAL_KEYS: readonly TotalKey[] = [...PAYMENT_METHODS, ...PAYMENT_METHODS.map((m) => `cvs-${m}` as const)];

export function totalKey(delivery: DeliveryMethod | undefined, paymentMethod: PaymentMethod): TotalKey {
  return delivery === "cvs" ? `cvs-${paymentMethod}` : paymentMethod;
}

/** The total for the shopper's choice (a page from before store pickup has only the home-delivery ones). */
export function totalFor(totals: Totals, delivery: DeliveryMethod | undefined, paymentMethod: PaymentMethod): number {
  return totals[totalKey(delivery, paymentMethod)] ?? totals[paymentMethod];
}

/**
 * The totals as one hidden field: `1280` when every choice pays the same, else `credit:1280,atm:1280,cod:1310` (and
 * `cvs-credit:…` when store pickup is offered). The order API checks the chosen one (`expectedTotal`), so a fee changed
 * since the page was shown is a price change the shopper confirms.
 */
export function encodeTotals(totals: Totals): string {
  const present = TOTAL_KEYS.filter((key) => totals[key] !== undefined);
  const amounts = present.map((key) => totals[key]);
  if (amounts.every((amount) => amount === amounts[0])) return String(amounts[0]);
  return present.map((key) => `${key}:${totals[key]}`).join(",");
}

export function decodeTotals(value: string): Totals | null {
  const amount = (text: string | undefined) =>
    text !== undefined && /^\d{1,8}$/.test(text) && Number(text) <= MAX_TOTAL ? Number(text) : null;
  if (!value.includes(":")) {
    const single = amount(value.trim());
    return single === null ? null : (Object.fromEntries(PAYMENT_METHODS.map((m) => [m, single])) as Totals);
  }
  const totals: Partial<Record<TotalKey, number>> = {};
  for (const part of value.split(",")) {
    const [key, text, extra] = part.split(":");
    const parsed = amount(text);
    if (extra !== undefined || parsed === null || !(TOTAL_KEYS as readonly string[]).includes(key!)) return null;
    if (totals[key as TotalKey] !== undefined) return null;
    totals[key as TotalKey] = parsed;
  }
  return PAYMENT_METHODS.every((method) => totals[method] !== undefined) ? (totals as Totals) : null;
}

const MAX_TOTAL = 10_000_000;

/** A fresh token for each rendering of the checkout form: 128 random bits, base64url (22 characters). */
export function newCheckoutToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** HMAC-SHA256(SESSION_SECRET, token · items · total), base64url, 43 characters (the API takes 16–64). */
export async function idempotencyKeyFor(secret: string, snapshot: CheckoutSnapshot): Promise<string> {
  const message = `checkout-key-v1\n${snapshot.checkoutToken}\n${encodeItems(snapshot.items)}\n${encodeTotals(snapshot.expectedTotal)}`;
  return base64url(await hmacSha256(secret, message));
}

export function buildOrderRequest(
  form: CheckoutForm,
  snapshot: CheckoutSnapshot,
  idempotencyKey: string,
  /** The storefront origin the shopper is on, when it is not SITE_URL (a branch preview). */
  origin?: string,
  pickupStore?: PickupStore,
): CreateOrderRequest {
  const home = form.deliveryMethod === "home";
  return {
    idempotencyKey,
    items: snapshot.items,
    customer: {
      name: form.name,
      phone: form.phone,
      email: form.email,
      ...(home ? { address: `${form.postalCode} ${form.address}` } : {}),
    },
    paymentMethod: form.paymentMethod,
    ...(home ? {} : { deliveryMethod: "cvs" as const, ...(pickupStore ? { pickupStore } : {}) }),
    invoice: invoiceRequestOf(form),
    expectedTotal: totalFor(snapshot.expectedTotal, form.deliveryMethod, form.paymentMethod),
    ...(form.note ? { note: form.note } : {}),
    ...(origin ? { origin } : {}),
  };
}

/** The invoice choice as the API takes it; the API checks the formats (and answers with the checkout's words). */
function invoiceRequestOf(form: CheckoutForm): InvoiceRequest {
  const code = form.invoiceCode ?? "";
  switch (form.invoiceCarrier) {
    case "mobile":
      return { carrier: "mobile", barcode: code };
    case "certificate":
      return { carrier: "certificate", number: code };
    case "donation":
      return { carrier: "donation", loveCode: code };
    case "company":
      return { carrier: "company", taxId: code, companyName: form.companyName ?? "" };
    default:
      return { carrier: "member" };
  }
}

// ---------------------------------------------------------------------------------------------
// Placing the order

type CheckoutOutcome =
  /** Created (or the same order again, for a repeated submit). */
  | { kind: "placed"; order: Order; payment: PaymentRedirect | null }
  /** Fix the marked fields; nothing was sent, or the API rejected the values. */
  | { kind: "invalid"; errors: CheckoutErrors; values: CheckoutValues; message: string }
  /** The catalog's total differs from what the page showed: show the new total and ask again. */
  | {
      kind: "price_changed";
      currentTotal: number;
      paymentMethod: PaymentMethod;
      deliveryMethod?: DeliveryMethod;
      values: CheckoutValues;
      message: string;
    }
  /** Not enough left of some products (the order API's count): its message names each and what is left. */
  | { kind: "sold_out"; message: string; values: CheckoutValues; productIds: string[] }
  /** Some products sold out or vanished since the page was shown. */
  | { kind: "items_unavailable"; productIds: string[]; values: CheckoutValues; message: string }
  /** The form no longer matches anything orderable (tampered, or from an old page): start again from the cart. */
  | { kind: "stale_form"; message: string }
  | { kind: "closed"; message: string }
  /** This exact form already placed an order with other details (a back-button edit). */
  | { kind: "already_submitted"; values: CheckoutValues; message: string }
  | { kind: "failed"; values: CheckoutValues; message: string }
  /** The API does not take orders from this deployment's address (not on its AllowedOrigins); nothing was stored. */
  | { kind: "origin_refused"; values: CheckoutValues; message: string };

/** From the submitted form's fields, keyed as the form names them. */
export async function placeOrder(
  bff: BffContext,
  submitted: Record<string, unknown>,
  origin?: string,
): Promise<CheckoutOutcome> {
  const values: CheckoutValues = pickStrings(submitted, CHECKOUT_FIELDS);
  const snapshot = snapshotSchema.safeParse(submitted);
  if (!snapshot.success) return { kind: "stale_form", message: "結帳頁面已經過期，請回到購物車重新結帳。" };

  const form = checkoutFormSchema.safeParse(submitted);
  if (!form.success) {
    const errors: CheckoutErrors = formErrors(fieldErrorsOf(form.error));
    return { kind: "invalid", errors, values, message: "有些資料需要修正，請檢查標示的欄位。" };
  }

  let store: PickupStore | undefined;
  if (form.data.deliveryMethod === "cvs") {
    store = (await readStoreTicket(bff.env.SESSION_SECRET, form.data.storeTicket ?? "")) ?? undefined;
    if (!store) {
      return {
        kind: "invalid",
        errors: { storeTicket: "請重新選擇取貨門市" },
        values,
        message: "有些資料需要修正，請檢查標示的欄位。",
      };
    }
  }
  const key = await idempotencyKeyFor(bff.env.SESSION_SECRET, snapshot.data);
  const result = await createOrder(bff, buildOrderRequest(form.data, snapshot.data, key, origin, store));
  if (result.ok) return placed(bff, result.data);
  return fromFailure(
    result,
    values,
    { paymentMethod: form.data.paymentMethod, deliveryMethod: form.data.deliveryMethod },
    origin,
  );
}

function placed(bff: BffContext, { order, payment }: CreateOrderResponse): CheckoutOutcome {
  if (payment && new URL(payment.action).origin !== bff.env.ECPAY_GATEWAY_ORIGIN) {
    // The CSP's form-action would block the hand-off anyway; send the shopper to the order page instead.
    console.error(
      JSON.stringify({
        at: "checkout",
        problem: "gateway_origin_mismatch",
        order: order.id,
        action: new URL(payment.action).origin,
      }),
    );
    return { kind: "placed", order, payment: null };
  }
  return { kind: "placed", order, payment };
}

/** The order API's fields that the form has (`customer.phone` is `phone`); the postal code travels in the address. */
const API_FIELDS: readonly CheckoutField[] = ["name", "phone", "email", "address", "paymentMethod", "note"];

/** The API's paths for the store and the invoice, as the form's fields. */
function checkoutFieldsOf(fields: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!fields) return fields;
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const name = path.startsWith("pickupStore")
      ? "storeTicket"
      : path === "invoice.companyName"
        ? "companyName"
        : path.startsWith("invoice")
          ? "invoiceCode"
          : path === "deliveryMethod"
            ? "deliveryMethod"
            : path;
    out[name] ??= message;
  }
  return out;
}

function fromFailure(
  failure: ApiFailure,
  values: CheckoutValues,
  choice: { paymentMethod: PaymentMethod; deliveryMethod?: DeliveryMethod },
  origin?: string,
): CheckoutOutcome {
  if (failure.kind === "validation" && failure.fields?.origin) {
    return { kind: "origin_refused", values, message: originRefusedMessage("checkout", origin) };
  }
  switch (failure.kind) {
    case "price_changed":
      if (failure.currentTotal === undefined) break;
      return {
        kind: "price_changed",
        currentTotal: failure.currentTotal,
        ...choice,
        values,
        message: "商品價格或運費已經更新，請確認新的總金額後再送出一次。",
      };
    case "site_closed":
      return { kind: "closed", message: failure.message };
    case "validation": {
      const errors: CheckoutErrors = formErrors(checkoutFieldsOf(failure.fields), [
        ...API_FIELDS,
        "storeTicket",
        "invoiceCode",
        "companyName",
        "deliveryMethod",
      ]);
      if (Object.keys(errors).length > 0) {
        return { kind: "invalid", errors, values, message: "有些資料需要修正，請檢查標示的欄位。" };
      }
      // Only the items were refused: the form is out of step with the catalog.
      return { kind: "stale_form", message: "結帳頁面已經過期，請回到購物車重新結帳。" };
    }
    case "conflict":
      if (failure.code === "sold_out") {
        const productIds = Object.keys(failure.fields ?? {})
          .filter((path) => path.startsWith("items."))
          .map((path) => path.slice("items.".length));
        return {
          kind: "sold_out",
          values,
          productIds,
          message: `${failure.message}。請回到購物車調整數量後再結帳。`,
        };
      }
      if (failure.code === "product_unavailable") {
        const productIds = Object.keys(failure.fields ?? {})
          .filter((path) => path.startsWith("items."))
          .map((path) => path.slice("items.".length));
        return {
          kind: "items_unavailable",
          productIds,
          values,
          message: "有商品剛剛售完或已下架，請回到購物車調整後再結帳。",
        };
      }
      if (failure.code === "idempotency_mismatch") {
        return {
          kind: "already_submitted",
          values,
          message: "這份結帳表單已經送出過訂單，無法再修改。如需再訂購，請確認下方資料後重新送出，將成立一筆新訂單。",
        };
      }
      break;
    default:
      break;
  }
  return { kind: "failed", values, message: failure.message };
}

// ---------------------------------------------------------------------------------------------
// The page

/** The hidden fields of one rendering of the form. */
interface CheckoutSnapshotFields {
  checkoutToken: string;
  items: string;
  /** `encodeTotals` of `totals`: the hidden field. */
  expectedTotal: string;
  /** What each payment method pays, as the page shows it. */
  totals: Totals;
}

function snapshotOf(checkoutToken: string, items: string, totals: Totals): CheckoutSnapshotFields {
  return { checkoutToken, items, expectedTotal: encodeTotals(totals), totals };
}

/** The totals of a cart for each payment method (and store pickup, when offered), as the order API prices them. */
export function totalsOf(cart: PricedCart, context: PricingContext, withPickup: boolean): Totals {
  const totals: Partial<Record<TotalKey, number>> = {};
  for (const paymentMethod of PAYMENT_METHODS) {
    totals[paymentMethod] = cart.charges.byMethod[paymentMethod].total;
    if (withPickup) {
      const fees = feesFor(cart.subtotal, { paymentMethod, deliveryMethod: "cvs", shipping: context.shipping });
      totals[`cvs-${paymentMethod}`] = cart.subtotal + fees.reduce((sum, fee) => sum + fee.amount, 0);
    }
  }
  return totals as Totals;
}

export interface CheckoutPageData {
  cart: PricedCart;
  /** Null when there is nothing orderable (empty cart, or sold-out lines to remove first). */
  snapshot: CheckoutSnapshotFields | null;
  /** The newest order this browser placed, offered when the cart is empty (e.g. after Back from ECPay). */
  recentOrderId: string | null;
  /** Store pickup: the chains offered (none: home delivery only), and what came back from the store map. */
  pickupChains: string[];
  pickup: PickupReturn | null;
  /** Whether the shop issues e-invoices (the carrier choice is shown). */
  einvoice: boolean;
}

export async function loadCheckoutPage(bff: BffContext, request: Request): Promise<CheckoutPageData> {
  const [cart, catalog, context, remembered, site, pickup] = await Promise.all([
    readCart(bff.env, request),
    orUnavailable(getCatalog(bff)),
    pricingContext(bff),
    readRememberedOrders(bff.env, request),
    orUnavailable(getSiteStatus(bff)),
    pickupReturn(bff, request),
  ]);
  const priced = priceCart(cart, catalog, context);
  const totals = totalsOf(priced, context, Boolean(site.pickup));
  // Back from the store map: the same snapshot as before (the same token and key), if it still matches the cart.
  const kept = pickup?.values;
  const keptSnapshot =
    kept?.checkoutToken && kept.items === encodeItems(priced.orderItems) && kept.expectedTotal === encodeTotals(totals)
      ? snapshotOf(kept.checkoutToken, kept.items, totals)
      : null;
  return {
    cart: priced,
    snapshot: priced.orderable
      ? (keptSnapshot ?? snapshotOf(newCheckoutToken(), encodeItems(priced.orderItems), totals))
      : null,
    recentOrderId: remembered[0]?.id ?? null,
    pickupChains: site.pickup ? chainsFor(site.pickup.account) : [],
    pickup,
    einvoice: site.einvoice === true,
  };
}

/** What the page shows after a submit that did not leave it. */
export type CheckoutActionData =
  | ({ kind: "handoff" } & Handoff)
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
  assertSameSite(request);
  const submitted = Object.fromEntries(await readForm(request, FORM_LIMITS.shop));
  const outcome = await placeOrder(bff, submitted, storefrontOrigin(request, bff.env.SITE_URL));
  const submittedSnapshot = snapshotFields(submitted);

  switch (outcome.kind) {
    case "placed": {
      const { order, payment } = outcome;
      const headers = new Headers();
      // The units it took show on this data centre's pages at once.
      await purgeStock(
        bff,
        order.lines.map((line) => line.productId),
      );
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
    case "price_changed": {
      // A price or a fee changed: the edge's copies are behind; price the same items again from fresh ones.
      await Promise.all([purgeContent(bff, "catalog.json"), purgeContent(bff, "site.json")]);
      const totals = submittedSnapshot && (await repriced(bff, submittedSnapshot, outcome));
      return retry(
        {
          message: outcome.message,
          errors: {},
          values: outcome.values,
          // Confirming the new total is a new request body, hence a new token and key.
          snapshot: submittedSnapshot && totals && snapshotOf(newCheckoutToken(), submittedSnapshot.items, totals),
          newTotal: outcome.currentTotal,
        },
        409,
      );
    }
    case "sold_out":
      await purgeStock(bff, outcome.productIds);
      return retry(
        { message: outcome.message, errors: {}, values: outcome.values, snapshot: null, backToCart: true },
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
    case "origin_refused":
      return retry({ message: outcome.message, errors: {}, values: outcome.values, snapshot: submittedSnapshot }, 400);
  }
}

function retry(body: Omit<Extract<CheckoutActionData, { kind: "retry" }>, "kind">, status: number) {
  return data<CheckoutActionData>({ kind: "retry", ...body }, { status });
}

function snapshotFields(submitted: Record<string, unknown>): CheckoutSnapshotFields | null {
  const { checkoutToken, items, expectedTotal } = submitted;
  if (typeof checkoutToken !== "string" || typeof items !== "string" || typeof expectedTotal !== "string") return null;
  const totals = decodeTotals(expectedTotal);
  return totals && snapshotOf(checkoutToken, items, totals);
}

/**
 * Every method's total for the submitted items after a price change, from fresh copies of the catalog and the fees;
 * the API's figure for the method the shopper chose wins should the two still differ.
 */
async function repriced(
  bff: BffContext,
  submitted: CheckoutSnapshotFields,
  {
    paymentMethod,
    deliveryMethod,
    currentTotal,
  }: { paymentMethod: PaymentMethod; deliveryMethod?: DeliveryMethod; currentTotal: number },
): Promise<Totals> {
  const items = decodeItems(submitted.items);
  const chosen = totalKey(deliveryMethod, paymentMethod);
  const withPickup = submitted.totals["cvs-credit"] !== undefined || deliveryMethod === "cvs";
  // Without fresh copies: the change the API reports, applied to every choice alike.
  const delta = currentTotal - totalFor(submitted.totals, deliveryMethod, paymentMethod);
  let totals = Object.fromEntries(
    Object.entries(submitted.totals).map(([key, amount]) => [key, Math.max(0, amount + delta)]),
  ) as Totals;
  if (items) {
    try {
      const [catalog, context] = await Promise.all([getCatalog(bff), pricingContext(bff)]);
      const priced = priceCart({ items }, catalog, context);
      if (priced.orderable && priced.orderItems.length === items.length) totals = totalsOf(priced, context, withPickup);
    } catch {
      // Content unavailable: keep the page's totals for the other choices.
    }
  }
  return { ...totals, [chosen]: currentTotal };
}
