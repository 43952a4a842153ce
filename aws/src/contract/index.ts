/**
 * The order API contract: one zod module imported by the Lambdas (to parse what arrives) and by the
 * edge BFF (to build requests and to parse what comes back). Change a shape here and both sides move together.
 *
 * Money is integer New Taiwan Dollars everywhere; there are no decimals in this shop.
 */
// A namespace import, not `import { z }`: esbuild cannot tree-shake the re-exported `z` binding and would bundle
// every zod locale (~260 KB) into each Lambda. See docs/performance.md.
import * as z from "zod";
import { pendingImageSchema, productImageSchema } from "./images";
import {
  IMAGE_KEY_PATTERN,
  IMAGE_TYPES,
  MAX_LINE_QUANTITY,
  ORDER_ID_PATTERN,
  ORDER_STATUSES,
  PAYMENT_METHODS,
  TAIWAN_MOBILE_PATTERN,
} from "./values";

export * from "./images";
export * from "./photo-upload";
export * from "./photos";
export * from "./values";

// ---------------------------------------------------------------------------------------------
// Shared atoms

/** Integer TWD. Upper bound keeps totals far inside safe-integer range and ECPay's Int field. */
export const twd = z.number().int().min(0).max(10_000_000);

/** Taiwan mobile number as shoppers type it: 09 followed by 8 digits (dashes and spaces are stripped first). */
export const taiwanMobile = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(TAIWAN_MOBILE_PATTERN, "請輸入 09 開頭的 10 位手機號碼"));

/** Order ids are `YYMMDD-NNNNN`: the Taipei date the order was placed and five digits, easy to read over the phone. */
export const orderIdSchema = z.string().trim().regex(ORDER_ID_PATTERN, "訂單編號格式為 YYMMDD-NNNNN");

/**
 * The storefront origin the shopper is on (`https://feature-x.taiwan-shop.pages.dev`): ECPay sends them back there.
 * Optional (default: the API's StorefrontUrl); the API accepts only origins on its allowlist (400 otherwise).
 */
export const storefrontOriginSchema = z
  .string()
  // ECPay's URL fields hold 200 characters; the order page path adds about 35.
  .max(150)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "origin: scheme://host[:port], nothing after it");

export const productIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, "product id: lowercase letters, digits and dashes, at most 48 characters");

export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/**
 * Who caused a transition: the shopper (placing it), the owner in the admin, ECPay through a callback, or the system
 * (the owner's reconcile button, pay again asking ECPay first, the scheduled reconciler).
 */
export const ACTORS = ["shopper", "owner", "ecpay", "system"] as const;
export const actorSchema = z.enum(ACTORS);
export type Actor = z.infer<typeof actorSchema>;

// ---------------------------------------------------------------------------------------------
// Catalog and site status (S3 objects `catalog.json` and `site.json`)

export const productSchema = z.object({
  id: productIdSchema,
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(2000).default(""),
  unitPrice: twd.min(1),
  /**
   * A photo stored as uploaded before variants existed (`images/<hash>.<ext>`, content-addressed); the images
   * migration replaces it with `image`. Pages still show it until then.
   */
  imageKey: z.string().regex(IMAGE_KEY_PATTERN).optional(),
  /** The processed photo: WebP variants for `srcset` and a JPEG for link previews (contract/photos.ts). */
  image: productImageSchema.optional(),
  /** A new photo still being processed, or refused after the product was saved; see `pendingImageSchema`. */
  imageUpload: pendingImageSchema.optional(),
  available: z.boolean(),
  sortOrder: z.number().int().min(0).max(100_000),
});
export type Product = z.infer<typeof productSchema>;

export const catalogSchema = z
  .object({
    products: z.array(productSchema).max(500),
    updatedAt: z.string().datetime().optional(),
  })
  .refine((c) => new Set(c.products.map((p) => p.id)).size === c.products.length, {
    message: "product ids must be unique",
    path: ["products"],
  });
export type Catalog = z.infer<typeof catalogSchema>;

export const siteStatusSchema = z.object({
  open: z.boolean(),
  closedMessage: z.string().trim().max(500).optional(),
  announcement: z.string().trim().max(500).optional(),
  updatedAt: z.string().datetime().optional(),
});
export type SiteStatus = z.infer<typeof siteStatusSchema>;

// ---------------------------------------------------------------------------------------------
// POST /order

export const customerSchema = z.object({
  name: z.string().trim().min(1, "請填寫姓名").max(50),
  phone: taiwanMobile,
  email: z.string().trim().max(254).email("Email 格式不正確"),
  address: z.string().trim().min(5, "請填寫完整地址（含郵遞區號）").max(200),
});
export type Customer = z.infer<typeof customerSchema>;

export const orderItemInputSchema = z.object({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY),
});

export const createOrderRequestSchema = z.object({
  /** Chosen by the caller once per checkout; a retry with the same key returns the same order. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "idempotencyKey: 16–64 URL-safe characters"),
  items: z
    .array(orderItemInputSchema)
    .min(1, "購物車是空的")
    .max(50)
    .refine((items) => new Set(items.map((i) => i.productId)).size === items.length, "each product may appear once"),
  customer: customerSchema,
  paymentMethod: paymentMethodSchema,
  /** The total the shopper saw; when it no longer matches the catalog the API answers 409 so they can review. */
  expectedTotal: twd.optional(),
  note: z.string().trim().max(500).optional(),
  origin: storefrontOriginSchema.optional(),
});
export type CreateOrderRequest = z.infer<typeof createOrderRequestSchema>;

export const orderLineSchema = z.object({
  productId: productIdSchema,
  name: z.string(),
  unitPrice: twd,
  quantity: z.number().int().min(1),
  lineTotal: twd,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const historyEntrySchema = z.object({
  at: z.string().datetime(),
  from: orderStatusSchema.nullable(),
  to: orderStatusSchema,
  by: actorSchema,
  note: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** What ECPay told us about the payment; absent until a callback or a reconcile arrives. */
export const paymentRecordSchema = z.object({
  /** The number of the current checkout attempt at ECPay. */
  merchantTradeNo: z.string(),
  /** When the current number was issued (its MerchantTradeDate); absent for the first attempt (= createdAt). */
  issuedAt: z.string().datetime().optional(),
  /** Earlier attempts' numbers: a late notification for one of them is still this order's payment. */
  attempts: z.array(z.string()).optional(),
  tradeNo: z.string().optional(),
  paymentType: z.string().optional(),
  paymentDate: z.string().optional(),
  simulated: z.boolean().optional(),
  /** ATM transfer details from PaymentInfoURL. */
  atm: z
    .object({
      bankCode: z.string(),
      account: z.string(),
      /** Deadline as ECPay sends it (`yyyy/MM/dd`, Taipei). */
      expireDate: z.string(),
    })
    .optional(),
});
export type PaymentRecord = z.infer<typeof paymentRecordSchema>;

/** The order as the shopper may see it (their own data only). */
export const orderSchema = z.object({
  id: orderIdSchema,
  status: orderStatusSchema,
  createdAt: z.string().datetime(),
  lines: z.array(orderLineSchema),
  total: twd,
  paymentMethod: paymentMethodSchema,
  customer: customerSchema,
  note: z.string().optional(),
  payment: paymentRecordSchema.optional(),
  /** The storefront origin the order was placed from, when it was not the default one (ECPay returns the shopper there). */
  origin: z.string().optional(),
  history: z.array(historyEntrySchema),
});
export type Order = z.infer<typeof orderSchema>;

/** How to send the shopper to ECPay: POST every field to `action` from the browser. */
export const paymentRedirectSchema = z.object({
  action: z.string().url(),
  fields: z.record(z.string(), z.string()),
});
export type PaymentRedirect = z.infer<typeof paymentRedirectSchema>;

export const createOrderResponseSchema = z.object({
  order: orderSchema,
  payment: paymentRedirectSchema.nullable(),
});
export type CreateOrderResponse = z.infer<typeof createOrderResponseSchema>;

// ---------------------------------------------------------------------------------------------
// GET /order

export const getOrderQuerySchema = z.object({
  id: orderIdSchema,
  phone: taiwanMobile,
});

export const getOrderResponseSchema = z.object({ order: orderSchema });
export type GetOrderResponse = z.infer<typeof getOrderResponseSchema>;

// ---------------------------------------------------------------------------------------------
// POST /order/payment: pay again after leaving ECPay without paying

/** At most this many checkout attempts per order (each one burns a MerchantTradeNo at ECPay). */
export const MAX_PAYMENT_ATTEMPTS = 20;

export const retryPaymentRequestSchema = getOrderQuerySchema.extend({ origin: storefrontOriginSchema.optional() });

/** `payment` is null when there is nothing left to pay (ECPay says the last attempt was paid after all). */
export const retryPaymentResponseSchema = createOrderResponseSchema;

// ---------------------------------------------------------------------------------------------
// Admin

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date: YYYY-MM-DD");

export const adminListOrdersQuerySchema = z.object({
  status: orderStatusSchema.optional(),
  /** Inclusive Taipei calendar dates; default the last 90 days. */
  from: isoDate.optional(),
  to: isoDate.optional(),
  phone: taiwanMobile.optional(),
  paymentMethod: paymentMethodSchema.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AdminListOrdersQuery = z.infer<typeof adminListOrdersQuerySchema>;

export const adminListOrdersResponseSchema = z.object({
  orders: z.array(orderSchema),
  nextCursor: z.string().nullable(),
});

export const adminOrderResponseSchema = z.object({ order: orderSchema });

export const adminTransitionRequestSchema = z.object({
  to: orderStatusSchema,
  note: z.string().trim().max(500).optional(),
});

export const adminReconcileResponseSchema = z.object({
  order: orderSchema,
  /** What ECPay's QueryTradeInfo said, in words the owner can read. */
  outcome: z.string(),
});

/**
 * The version of a content object (catalog.json, site.json) a change is based on: its S3 ETag as read, or null
 * for "it does not exist yet". Writes are conditional on it, so an edit based on an old copy is refused (409)
 * instead of silently undoing someone else's change.
 */
export const contentRevisionSchema = z
  .string()
  // An S3 ETag as S3 writes it (quoted hex, `-N` for multipart): it travels in an If-Match header, so nothing else.
  .regex(/^"[0-9A-Za-z-]{1,100}"$/, "revision: an ETag as read from GET")
  .nullable();

/** GET answers the catalog and its revision; PUT sends the whole new list with the revision it was made from. */
export const adminProductsSchema = z.object({
  products: z.array(productSchema).max(500),
  revision: contentRevisionSchema,
});

/** The 2 MB base64 upload the admin used before presigned uploads; removed once the admin form posts to S3. */
export const adminImageRequestSchema = z.object({
  contentType: z.enum(IMAGE_TYPES),
  /** Base64 of the image bytes; MAX_IMAGE_BYTES decoded at most. */
  dataBase64: z.string().min(1).max(2_800_000),
});
export const adminImageResponseSchema = z.object({ imageKey: z.string() });

export const adminSiteSchema = siteStatusSchema.extend({ revision: contentRevisionSchema });

// ---------------------------------------------------------------------------------------------
// Ping and errors

export const pingResponseSchema = z.object({ ok: z.literal(true), env: z.string(), version: z.string() });

export const ERROR_CODES = [
  "bad_request",
  "not_found",
  "conflict",
  "price_changed",
  "idempotency_mismatch",
  "product_unavailable",
  "invalid_transition",
  "site_closed",
  "payload_too_large",
  "unsupported_media_type",
  "upstream_error",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** Field-level problems from validation, keyed by dotted path. */
    fields: z.record(z.string(), z.string()).optional(),
    /** For price_changed: the total the catalog gives now. */
    currentTotal: twd.optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/**
 * zod issues as an error's `fields`: `{ "customer.phone": "message" }`, the first message for each dotted path
 * (`_` for the value as a whole). The Lambdas answer with it; the edge's forms and API clients read it.
 */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join(".") || "_";
    fields[path] ??= issue.message;
  }
  return fields;
}

/** Route table shared by the BFF client and the tests; the SAM template declares the same paths. */
export const ROUTES = {
  ping: { method: "GET", path: "/" },
  createOrder: { method: "POST", path: "/order" },
  getOrder: { method: "GET", path: "/order" },
  retryPayment: { method: "POST", path: "/order/payment" },
  ecpayReturn: { method: "POST", path: "/ecpay" },
  ecpayPaymentInfo: { method: "POST", path: "/ecpay/payment-info" },
  adminListOrders: { method: "GET", path: "/admin/orders" },
  adminGetOrder: { method: "GET", path: "/admin/orders/{id}" },
  adminTransition: { method: "POST", path: "/admin/orders/{id}/transition" },
  adminReconcile: { method: "POST", path: "/admin/orders/{id}/reconcile" },
  adminGetProducts: { method: "GET", path: "/admin/products" },
  adminPutProducts: { method: "PUT", path: "/admin/products" },
  adminPostImage: { method: "POST", path: "/admin/images" },
  adminCreateUpload: { method: "POST", path: "/admin/uploads" },
  adminGetUpload: { method: "GET", path: "/admin/uploads/{id}" },
  adminGetSite: { method: "GET", path: "/admin/site" },
  adminPutSite: { method: "PUT", path: "/admin/site" },
} as const;
