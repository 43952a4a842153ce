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
 * Who caused a transition: the shopper (placing it), the owner in the admin, ECPay through a callback, the system
 * (the owner's reconcile button, pay again asking ECPay first), or the scheduled reconciler.
 */
export const ACTORS = ["shopper", "owner", "ecpay", "system", "reconciler"] as const;
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

// ---------------------------------------------------------------------------------------------
// Shipping fees (set by the owner; stored in `site.json`, see docs/decisions/0017-fees-and-stock.md)

/**
 * How an order reaches the shopper. Fee rules are kept per method, so a new method (convenience-store pickup) adds
 * a key here and a rule in the settings without touching the others.
 */
export const DELIVERY_METHODS = ["home"] as const;
export const deliveryMethodSchema = z.enum(DELIVERY_METHODS);
export type DeliveryMethod = z.infer<typeof deliveryMethodSchema>;

/** Upper bounds that keep a typo (an extra zero or three) from reaching a shopper's checkout. */
export const FEE_LIMITS = { fee: 5_000, freeShippingThreshold: 1_000_000, codSurcharge: 1_000 } as const;

/** One delivery method's fee rule; every part is optional (absent = no fee / never free / no surcharge). */
export const deliveryFeeRuleSchema = z.object({
  /** Flat fee per order, TWD. */
  fee: z
    .number({ error: "運費須為整數（元）" })
    .int("運費須為整數（元）")
    .min(0, "運費不可為負數")
    .max(FEE_LIMITS.fee, `運費最多 NT$${FEE_LIMITS.fee}`)
    .optional(),
  /** Items subtotal (TWD) from which this delivery is free. */
  freeShippingThreshold: z
    .number({ error: "免運門檻須為整數（元）" })
    .int("免運門檻須為整數（元）")
    .min(1, "免運門檻至少 NT$1")
    .max(FEE_LIMITS.freeShippingThreshold, `免運門檻最多 NT$${FEE_LIMITS.freeShippingThreshold}`)
    .optional(),
  /** Added to pay-on-arrival orders (the carrier's cash-collection charge); free shipping does not waive it. */
  codSurcharge: z
    .number({ error: "貨到付款手續費須為整數（元）" })
    .int("貨到付款手續費須為整數（元）")
    .min(0, "貨到付款手續費不可為負數")
    .max(FEE_LIMITS.codSurcharge, `貨到付款手續費最多 NT$${FEE_LIMITS.codSurcharge}`)
    .optional(),
});
export type DeliveryFeeRule = z.infer<typeof deliveryFeeRuleSchema>;

/** Fee rules by delivery method; a method without a rule ships free. */
export const shippingSettingsSchema = z.object({ home: deliveryFeeRuleSchema.optional() });
export type ShippingSettings = z.infer<typeof shippingSettingsSchema>;

export const siteStatusSchema = z.object({
  open: z.boolean(),
  closedMessage: z.string().trim().max(500).optional(),
  announcement: z.string().trim().max(500).optional(),
  /** Shipping fees; absent means free delivery and no surcharge. */
  shipping: shippingSettingsSchema.optional(),
  updatedAt: z.string().datetime().optional(),
});
export type SiteStatus = z.infer<typeof siteStatusSchema>;

/**
 * What a bucket without the object means, for the Lambdas and the edge alike: a new environment starts empty, so a
 * missing catalog is an empty one and a missing site status a closed shop (never open by accident).
 */
export const MISSING_CATALOG: Catalog = { products: [] };
export const MISSING_SITE_STATUS: SiteStatus = { open: false, closedMessage: "商店準備中，敬請期待。" };

// ---------------------------------------------------------------------------------------------
// Stock (counts live in DynamoDB, not in the catalog; see docs/decisions/0017-fees-and-stock.md)

/** The most a count may be set to: far beyond a small shop, far inside DynamoDB's numbers. */
export const MAX_STOCK = 1_000_000;

export const stockCountSchema = z
  .number({ error: "庫存須為整數" })
  .int("庫存須為整數")
  .min(0, "庫存不可為負數")
  .max(MAX_STOCK, `庫存最多 ${MAX_STOCK}`);

/** Units left to sell, by product id; a product that is not listed is not tracked (never sells out by count). */
export const stockLevelsSchema = z.record(productIdSchema, z.number().int().min(0));
export type StockLevels = z.infer<typeof stockLevelsSchema>;

export const stockResponseSchema = z.object({ stock: stockLevelsSchema });

// ---------------------------------------------------------------------------------------------
// POST /order

/**
 * An address Amazon SES will send to: ASCII only (SES wants internationalised domains in Punycode), a local part of at
 * most 64 characters and a domain of at most 253 with labels of at most 63 (RFC 5321), no control characters.
 */
export const emailAddressSchema = z
  .string()
  .trim()
  .max(254, "Email 最多 254 個字元")
  .email("Email 格式不正確")
  .refine((s) => s.indexOf("@") <= 64, "Email @ 前面最多 64 個字元")
  .refine((s) => s.slice(s.indexOf("@") + 1).split(".").every((label) => label.length <= 63), "Email 網域格式不正確");

export const customerSchema = z.object({
  name: z.string().trim().min(1, "請填寫姓名").max(50),
  phone: taiwanMobile,
  email: emailAddressSchema,
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
  /** Home delivery when absent (the only method today). */
  deliveryMethod: deliveryMethodSchema.optional(),
  /**
   * The total the shopper saw, fees included; when it no longer matches the catalog and the fee settings the API
   * answers 409 price_changed so they can review.
   */
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

/** A charge on the order besides the goods: the delivery fee, the pay-on-arrival surcharge. Its own line, in words. */
export const FEE_KINDS = ["shipping", "cod_surcharge"] as const;
export const feeLineSchema = z.object({
  kind: z.enum(FEE_KINDS),
  /** As printed on the order and in ECPay's item list, e.g. 運費. */
  name: z.string(),
  amount: twd,
});
export type FeeLine = z.infer<typeof feeLineSchema>;

/** Carriers the owner ships with; `other` has no tracking page we can link to. */
export const CARRIERS = ["tcat", "hct", "post", "other"] as const;
export const carrierSchema = z.enum(CARRIERS, { error: "請選擇物流業者" });
export type Carrier = z.infer<typeof carrierSchema>;

/** Letters, digits and dashes (what carriers print), at most 40: no control characters, nothing to inject. */
export const trackingNumberSchema = z
  .string({ error: "請填寫物流單號" })
  .trim()
  .min(1, "請填寫物流單號")
  .max(40, "物流單號最多 40 個字元")
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, "物流單號只能有英文字母、數字與連字號");

export const shipmentInputSchema = z.object({ carrier: carrierSchema, trackingNumber: trackingNumberSchema });

export const shipmentSchema = shipmentInputSchema.extend({ shippedAt: z.string().datetime() });
export type Shipment = z.infer<typeof shipmentSchema>;

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
  /** Sum of the lines (absent on orders placed before fees existed: then it equals total). */
  subtotal: twd.optional(),
  /** Delivery fee and surcharges, each its own line; absent or empty means none. */
  fees: z.array(feeLineSchema).optional(),
  /** What the shopper pays: subtotal plus fees. This is ECPay's TotalAmount. */
  total: twd,
  paymentMethod: paymentMethodSchema,
  /** Absent on orders placed before delivery methods existed (they were all home delivery). */
  deliveryMethod: deliveryMethodSchema.optional(),
  customer: customerSchema,
  note: z.string().optional(),
  payment: paymentRecordSchema.optional(),
  /** Carrier and tracking number, once the owner has shipped it. */
  shipment: shipmentSchema.optional(),
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
  /** Carrier and tracking number; only with `to: "shipped"`. */
  shipment: shipmentInputSchema.optional(),
});

/** The owner's stock count for a product: `null` = not tracked. */
export const adminStockEntrySchema = z.object({
  productId: productIdSchema,
  stock: stockCountSchema.nullable(),
});

/** GET: the count of every product in the catalog (null = not tracked). */
export const adminStockResponseSchema = z.object({ stock: z.array(adminStockEntrySchema) });

/**
 * PUT: set the count, only if it still is `expected` (what the owner's page showed; null = was not tracked). Sales,
 * cancellations and another tab all move the count, so an edit based on an old figure is refused (409) with the
 * current one instead of overwriting it.
 */
export const adminPutStockRequestSchema = z.object({
  stock: stockCountSchema.nullable(),
  expected: z.number().int().min(0).nullable(),
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
    /** For price_changed: the total the catalog and the fee settings give now. */
    currentTotal: twd.optional(),
    /** For a stock conflict (409 conflict on POST /order): units left of each product that could not be reserved. */
    remaining: z.record(z.string(), z.number().int().min(0)).optional(),
    /** For a conflict on PUT /admin/stock/{id}: the count as it is now (null = not tracked). */
    currentStock: z.number().int().min(0).nullable().optional(),
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
  getStock: { method: "GET", path: "/stock" },
  adminGetStock: { method: "GET", path: "/admin/stock" },
  adminPutStock: { method: "PUT", path: "/admin/stock/{id}" },
} as const;
