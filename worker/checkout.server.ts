/**
 * Checkout: the order form, its idempotency key, and what the order API's answer means for the page.
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
import { z } from "zod";
import {
  type CreateOrderRequest,
  type CreateOrderResponse,
  type Order,
  PAYMENT_METHODS,
  type PaymentRedirect,
  productIdSchema,
  taiwanMobile,
} from "../aws/src/contract";
import type { BffContext } from "./bff-context";
import { type CartItem, MAX_CART_LINES, MAX_QUANTITY } from "./cart.server";
import { type ApiFailure, createOrder } from "./order-api.server";

// ---------------------------------------------------------------------------------------------
// The form

export const CHECKOUT_FIELDS = ["name", "phone", "email", "postalCode", "address", "paymentMethod", "note"] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];
export type CheckoutValues = Partial<Record<CheckoutField, string>>;
export type CheckoutErrors = Partial<Record<CheckoutField, string>>;

const text = (label: string, max: number) =>
  z
    .string({ error: `請填寫${label}` })
    .trim()
    .min(1, `請填寫${label}`)
    .max(max, `${label}最多 ${max} 個字`);

/** What the shopper types. Messages are shown next to each field as they are. */
export const checkoutFormSchema = z.object({
  name: text("收件人姓名", 50),
  phone: z.string({ error: "請填寫手機號碼" }).trim().min(1, "請填寫手機號碼").pipe(taiwanMobile),
  email: z
    .string({ error: "請填寫 Email" })
    .trim()
    .min(1, "請填寫 Email")
    .max(254, "Email 最多 254 個字")
    .pipe(z.email("Email 格式不正確，例如 name@example.com")),
  postalCode: z
    .string({ error: "請填寫郵遞區號" })
    .trim()
    .regex(/^\d{3}(\d{2,3})?$/, "請填寫 3 碼或 5、6 碼的郵遞區號"),
  address: text("收件地址", 190).refine(
    (value) => value.length >= 5,
    "請填寫完整地址，例如：臺北市中正區重慶南路一段 122 號",
  ),
  paymentMethod: z.enum(PAYMENT_METHODS, { error: "請選擇付款方式" }),
  note: z.string().trim().max(500, "備註最多 500 個字").optional(),
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
  expectedTotal: z.coerce.number().int().min(0).max(10_000_000),
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
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) return null;
    seen.add(id!);
    items.push({ productId: id!, quantity });
  }
  return items.length <= MAX_CART_LINES ? items : null;
}

/** A fresh token for each rendering of the checkout form: 128 random bits, base64url (22 characters). */
export function newCheckoutToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** HMAC-SHA256(SESSION_SECRET, token · items · total), base64url, 43 characters (the API takes 16–64). */
export async function idempotencyKeyFor(secret: string, snapshot: CheckoutSnapshot): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const message = `checkout-key-v1\n${snapshot.checkoutToken}\n${encodeItems(snapshot.items)}\n${snapshot.expectedTotal}`;
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message));
  return base64url(new Uint8Array(mac));
}

export function buildOrderRequest(
  form: CheckoutForm,
  snapshot: CheckoutSnapshot,
  idempotencyKey: string,
): CreateOrderRequest {
  return {
    idempotencyKey,
    items: snapshot.items,
    customer: {
      name: form.name,
      phone: form.phone,
      email: form.email,
      address: `${form.postalCode} ${form.address}`,
    },
    paymentMethod: form.paymentMethod,
    expectedTotal: snapshot.expectedTotal,
    ...(form.note ? { note: form.note } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Placing the order

export type CheckoutOutcome =
  /** Created (or the same order again, for a repeated submit). */
  | { kind: "placed"; order: Order; payment: PaymentRedirect | null }
  /** Fix the marked fields; nothing was sent, or the API rejected the values. */
  | { kind: "invalid"; errors: CheckoutErrors; values: CheckoutValues; message: string }
  /** The catalog's total differs from what the page showed: show the new total and ask again. */
  | { kind: "price_changed"; currentTotal: number; values: CheckoutValues; message: string }
  /** Some products sold out or vanished since the page was shown. */
  | { kind: "items_unavailable"; productIds: string[]; values: CheckoutValues; message: string }
  /** The form no longer matches anything orderable (tampered, or from an old page): start again from the cart. */
  | { kind: "stale_form"; message: string }
  | { kind: "closed"; message: string }
  /** This exact form already placed an order with other details (a back-button edit). */
  | { kind: "already_submitted"; values: CheckoutValues; message: string }
  | { kind: "failed"; values: CheckoutValues; message: string };

/** From the submitted form's fields, keyed as the form names them. */
export async function placeOrder(bff: BffContext, submitted: Record<string, unknown>): Promise<CheckoutOutcome> {
  const values = pickValues(submitted);
  const snapshot = snapshotSchema.safeParse(submitted);
  if (!snapshot.success) return { kind: "stale_form", message: "結帳頁面已經過期，請回到購物車重新結帳。" };

  const form = checkoutFormSchema.safeParse(submitted);
  if (!form.success) {
    const errors: CheckoutErrors = {};
    for (const issue of form.error.issues) {
      const field = issue.path[0] as CheckoutField;
      errors[field] ??= issue.message;
    }
    return { kind: "invalid", errors, values, message: "有些資料需要修正，請檢查標示的欄位。" };
  }

  const key = await idempotencyKeyFor(bff.env.SESSION_SECRET, snapshot.data);
  const result = await createOrder(bff, buildOrderRequest(form.data, snapshot.data, key));
  if (result.ok) return placed(bff, result.data);
  return fromFailure(result, values);
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

const API_FIELD_TO_FORM: Record<string, CheckoutField> = {
  "customer.name": "name",
  "customer.phone": "phone",
  "customer.email": "email",
  "customer.address": "address",
  paymentMethod: "paymentMethod",
  note: "note",
};

function fromFailure(failure: ApiFailure, values: CheckoutValues): CheckoutOutcome {
  switch (failure.kind) {
    case "price_changed":
      if (failure.currentTotal === undefined) break;
      return {
        kind: "price_changed",
        currentTotal: failure.currentTotal,
        values,
        message: "商品價格已經更新，請確認新的總金額後再送出一次。",
      };
    case "site_closed":
      return { kind: "closed", message: failure.message };
    case "validation": {
      const errors: CheckoutErrors = {};
      for (const [path, message] of Object.entries(failure.fields ?? {})) {
        const field = API_FIELD_TO_FORM[path];
        if (field) errors[field] ??= message;
      }
      if (Object.keys(errors).length > 0) {
        return { kind: "invalid", errors, values, message: "有些資料需要修正，請檢查標示的欄位。" };
      }
      // Only the items were refused: the form is out of step with the catalog.
      return { kind: "stale_form", message: "結帳頁面已經過期，請回到購物車重新結帳。" };
    }
    case "conflict":
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

function pickValues(submitted: Record<string, unknown>): CheckoutValues {
  const values: CheckoutValues = {};
  for (const field of CHECKOUT_FIELDS) {
    const value = submitted[field];
    if (typeof value === "string") values[field] = value.slice(0, 1000);
  }
  return values;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
