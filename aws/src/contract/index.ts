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
  CVS_CHAINS,
  LOGISTICS_ACCOUNT_TYPES,
  SHIPMENT_STAGES,
  receiverNameProblem,
} from "../domain/pickup";
import {
  COMPANY_NAME_MAX,
  INVOICE_ADDRESS_MAX,
  citizenCertificateProblem,
  loveCodeProblem,
  mobileBarcodeProblem,
  normaliseCarrierNumber,
  taxIdProblem,
} from "../domain/invoice";
import {
  FEE_LIMITS,
  IMAGE_KEY_PATTERN,
  MAX_LINE_QUANTITY,
  MAX_STOCK,
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

/** An order id as the API takes it (ORDER_ID_PATTERN, after trimming white space). */
export const orderIdSchema = z.string().trim().regex(ORDER_ID_PATTERN, "訂單編號格式為 YYMMDD-NNNN-NNNN");

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
 * How an order reaches the shopper: home delivery, or pickup at a convenience store chosen on ECPay's store map
 * (ADR 0027). Fee rules are kept per method.
 */
export const DELIVERY_METHODS = ["home", "cvs"] as const;
export const deliveryMethodSchema = z.enum(DELIVERY_METHODS);
export type DeliveryMethod = z.infer<typeof deliveryMethodSchema>;


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
export const shippingSettingsSchema = z.object({ home: deliveryFeeRuleSchema.optional(), cvs: deliveryFeeRuleSchema.optional() });

/**
 * Convenience-store pickup through ECPay Logistics (ADR 0027): offered when set. `account` is the kind of logistics
 * contract the shop signed with ECPay (B2C or C2C; the keys in SSM are that account's), `sender` is who the parcels
 * come from (printed on the slip; ECPay's name rule: 2–5 CJK characters or 4–10 Latin letters).
 */
export const pickupSettingsSchema = z.object({
  account: z.enum(LOGISTICS_ACCOUNT_TYPES),
  sender: z.object({
    name: z.string().trim().refine((s) => receiverNameProblem(s) === null, "寄件人名稱須為 2–5 個中文字或 4–10 個英文字母"),
    cellPhone: z.string().regex(TAIWAN_MOBILE_PATTERN, "寄件人手機須為 09 開頭的 10 位數字"),
  }),
});
export type PickupSettings = z.infer<typeof pickupSettingsSchema>;
export type ShippingSettings = z.infer<typeof shippingSettingsSchema>;

export const siteStatusSchema = z.object({
  open: z.boolean(),
  closedMessage: z.string().trim().max(500).optional(),
  announcement: z.string().trim().max(500).optional(),
  /** Shipping fees; absent means free delivery and no surcharge. */
  shipping: shippingSettingsSchema.optional(),
  /** Convenience-store pickup; absent or null (switched off) means home delivery only. */
  pickup: pickupSettingsSchema.nullable().optional(),
  /** Issue B2C e-invoices through ECPay for paid orders (a small shop may be exempt: absent or false = none). */
  einvoice: z.boolean().optional(),
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
  /** Where home delivery goes; store pickup needs none (required for home delivery, see createOrderRequestSchema). */
  address: z.string().trim().min(5, "請填寫完整地址（含郵遞區號）").max(200).optional(),
});
export type Customer = z.infer<typeof customerSchema>;

// ---------------------------------------------------------------------------------------------
// Store pickup and e-invoices (ADR 0027)

/** Text from ECPay's map as the shopper's browser posted it: printable, no markup characters, bounded. */
const storeText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[<>]/.test(s) && ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
      message: "contains characters a store name or address never has",
    });

/**
 * The store the shopper picked on ECPay's map. The map's reply is posted by the browser without a signature, so this
 * is untrusted input: checked for shape here, keyed to the checkout by the storefront, never used for a price, and
 * re-checked by ECPay when the shipment is created.
 */
export const pickupStoreSchema = z.object({
  chain: z.enum(CVS_CHAINS),
  id: z.string().regex(/^[0-9A-Za-z]{1,10}$/, "store id: letters and digits"),
  name: storeText(60),
  address: storeText(120),
  /** On an outlying island (CVSOutSide = 1). */
  outlying: z.boolean().optional(),
});
export type PickupStore = z.infer<typeof pickupStoreSchema>;

const carrierNumber = (carrier: "mobile" | "certificate" | "donation" | "company", problem: (s: string) => string | null) =>
  z
    .string({ error: "請填寫載具或捐贈碼" })
    .overwrite((s) => normaliseCarrierNumber(carrier, s))
    .superRefine((s, ctx) => {
      const message = problem(s);
      if (message) ctx.addIssue({ code: "custom", message });
    });

/** Where the shopper wants the e-invoice: formats checked here (the tax ID by its checksum), with the checkout's words. */
export const invoiceRequestSchema = z.discriminatedUnion("carrier", [
  z.object({ carrier: z.literal("member") }),
  z.object({ carrier: z.literal("mobile"), barcode: carrierNumber("mobile", mobileBarcodeProblem) }),
  z.object({ carrier: z.literal("certificate"), number: carrierNumber("certificate", citizenCertificateProblem) }),
  z.object({ carrier: z.literal("donation"), loveCode: carrierNumber("donation", loveCodeProblem) }),
  z.object({
    carrier: z.literal("company"),
    taxId: carrierNumber("company", taxIdProblem),
    companyName: z.string({ error: "請填寫公司名稱" }).trim().min(1, "請填寫公司名稱").max(COMPANY_NAME_MAX, `公司名稱最多 ${COMPANY_NAME_MAX} 個字`),
    /** Where the printed invoice goes; the delivery address when absent (store pickup has none: then required). */
    address: z.string().trim().min(5, "請填寫發票寄送地址").max(INVOICE_ADDRESS_MAX, `地址最多 ${INVOICE_ADDRESS_MAX} 個字`).optional(),
  }),
]);
export type InvoiceRequest = z.infer<typeof invoiceRequestSchema>;

export const INVOICE_STATUSES = ["pending", "issued", "void", "allowance", "not_issued", "failed"] as const;

/** The order's e-invoice as ECPay issued it (and voided or allowed it); absent when none was asked for. */
export const invoiceRecordSchema = z.object({
  status: z.enum(INVOICE_STATUSES),
  /** When the order was paid and the invoice asked for. */
  requestedAt: z.string().datetime().optional(),
  number: z.string().optional(),
  /** `yyyy-MM-dd HH:mm:ss`, Taipei, as ECPay gave it. */
  date: z.string().optional(),
  randomNumber: z.string().optional(),
  voidedAt: z.string().datetime().optional(),
  allowanceNo: z.string().optional(),
  allowanceDate: z.string().optional(),
  /** Why the last attempt failed (the worker retries; `failed` means ECPay refused and the owner must act). */
  lastError: z.string().optional(),
});
export type InvoiceRecord = z.infer<typeof invoiceRecordSchema>;

/** The ECPay logistics order of a store-pickup order, and how far the parcel got. */
export const logisticsRecordSchema = z.object({
  /** The shop's number for this logistics order at ECPay (a new one after a refused attempt). */
  merchantTradeNo: z.string(),
  subType: z.string(),
  /** Pay on pickup: ECPay collects the goods amount at the store. */
  collect: z.boolean(),
  goodsAmount: twd,
  /** requested: sent to ECPay, answer not recorded yet; created: ECPay has it; failed: ECPay refused it. */
  state: z.enum(["requested", "created", "failed"]),
  requestedAt: z.string().datetime(),
  allPayLogisticsId: z.string().optional(),
  cvsPaymentNo: z.string().optional(),
  cvsValidationNo: z.string().optional(),
  /** ECPay's refusal, for the owner. */
  error: z.string().optional(),
  stage: z.enum(SHIPMENT_STAGES).optional(),
  statusCode: z.string().optional(),
  statusMessage: z.string().optional(),
  /** When ECPay says the parcel arrived at the store, and the last day to pick it up (Taipei, yyyy-MM-dd). */
  arrivedAt: z.string().datetime().optional(),
  pickupBy: z.string().optional(),
  /** Something that needs the owner (store closed, lost…). */
  problem: z.enum(["store_closed", "lost", "expired", "cancelled"]).optional(),
  /** Every status ECPay reported, oldest first (each once). */
  events: z.array(z.object({ code: z.string(), message: z.string(), at: z.string().datetime() })).optional(),
});
export type LogisticsRecord = z.infer<typeof logisticsRecordSchema>;

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
  /** Home delivery when absent. */
  deliveryMethod: deliveryMethodSchema.optional(),
  /** The store picked on ECPay's map; required with `deliveryMethod: "cvs"`, refused otherwise. */
  pickupStore: pickupStoreSchema.optional(),
  /** Where the e-invoice goes; the member carrier when absent (and nothing when the shop issues no e-invoices). */
  invoice: invoiceRequestSchema.optional(),
  /**
   * The total the shopper saw, fees included; when it no longer matches the catalog and the fee settings the API
   * answers 409 price_changed so they can review.
   */
  expectedTotal: twd.optional(),
  note: z.string().trim().max(500).optional(),
  origin: storefrontOriginSchema.optional(),
})
  .superRefine((request, ctx) => {
    const cvs = request.deliveryMethod === "cvs";
    if (!cvs && !request.customer.address) {
      ctx.addIssue({ code: "custom", path: ["customer", "address"], message: "請填寫完整地址（含郵遞區號）" });
    }
    if (cvs && !request.pickupStore) ctx.addIssue({ code: "custom", path: ["pickupStore"], message: "請選擇取貨門市" });
    if (!cvs && request.pickupStore) ctx.addIssue({ code: "custom", path: ["pickupStore"], message: "only with store pickup" });
    if (cvs) {
      const problem = receiverNameProblem(request.customer.name);
      if (problem) ctx.addIssue({ code: "custom", path: ["customer", "name"], message: problem });
    }
    if (request.invoice?.carrier === "company" && !request.invoice.address && !request.customer.address) {
      ctx.addIssue({ code: "custom", path: ["invoice", "address"], message: "請填寫發票寄送地址" });
    }
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

/**
 * Carriers the owner ships with: home delivery companies, and the convenience-store chains (a store-pickup shipment
 * made through ECPay, or one the owner made by hand); `other` has no tracking page we can link to.
 */
export const CARRIERS = ["tcat", "hct", "post", ...CVS_CHAINS, "other"] as const;
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
  /** Store pickup: the store, and the ECPay logistics order with the parcel's progress. */
  pickupStore: pickupStoreSchema.optional(),
  logistics: logisticsRecordSchema.optional(),
  /** What the shopper asked for their e-invoice, and the invoice once asked of ECPay. */
  invoiceRequest: invoiceRequestSchema.optional(),
  invoice: invoiceRecordSchema.optional(),
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
  "sold_out",
  "invalid_transition",
  "site_closed",
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
    /** For sold_out (409 on POST /order): units left of each product that could not be reserved. */
    remaining: z.record(z.string(), z.number().int().min(0)).optional(),
    /** For a conflict on PUT /admin/stock/{id}: the count as it is now (null = not tracked). */
    currentStock: z.number().int().min(0).nullable().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Store pickup: the map hand-off (storefront), shipments and their slips (owner)

/** Ask for the store map of a chain; the shopper's browser posts the answer to `<origin>/checkout/store`. */
export const cvsMapRequestSchema = z.object({
  chain: z.enum(CVS_CHAINS),
  /** Pay on pickup: the map shows only stores that collect. */
  payOnPickup: z.boolean(),
  /** Echoed back by the map: the storefront's key for this checkout. */
  token: z.string().regex(/^[A-Za-z0-9_-]{8,20}$/, "token: 8–20 URL-safe characters"),
  mobile: z.boolean().optional(),
  origin: storefrontOriginSchema.optional(),
});
export const cvsMapResponseSchema = paymentRedirectSchema;

/** Create the logistics orders of these store-pickup orders (one is a single shipment). */
export const adminShipmentsRequestSchema = z.object({
  ids: z
    .array(orderIdSchema)
    .min(1, "choose at least one order")
    .max(20, "at most 20 orders at once")
    .refine((ids) => new Set(ids).size === ids.length, "each order once"),
});
export const shipmentResultSchema = z.discriminatedUnion("ok", [
  z.object({ id: z.string(), ok: z.literal(true), order: orderSchema }),
  z.object({ id: z.string(), ok: z.literal(false), code: z.enum(ERROR_CODES), message: z.string() }),
]);
export const adminShipmentsResponseSchema = z.object({ results: z.array(shipmentResultSchema) });
/** The owner's "check now" of a store-pickup shipment whose notifications stalled (ECPay's query, applied once). */
export const adminCheckShipmentResponseSchema = z.object({
  order: orderSchema,
  /** ECPay's current LogisticsStatus code for the shipment. */
  statusCode: z.string(),
  /** Whether it moved the order (a status already known changes nothing). */
  changed: z.boolean(),
});
/** One form that prints these orders' slips (or B2C labels) at ECPay; they must be of one chain. */
export const adminPrintShipmentsResponseSchema = paymentRedirectSchema;

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
  adminCreateUpload: { method: "POST", path: "/admin/uploads" },
  adminGetUpload: { method: "GET", path: "/admin/uploads/{id}" },
  adminGetSite: { method: "GET", path: "/admin/site" },
  adminPutSite: { method: "PUT", path: "/admin/site" },
  getStock: { method: "GET", path: "/stock" },
  adminGetStock: { method: "GET", path: "/admin/stock" },
  adminPutStock: { method: "PUT", path: "/admin/stock/{id}" },
  cvsMap: { method: "POST", path: "/cvs/map" },
  ecpayLogistics: { method: "POST", path: "/ecpay/logistics" },
  adminCreateShipments: { method: "POST", path: "/admin/shipments" },
  adminPrintShipments: { method: "POST", path: "/admin/shipments/print" },
  adminCheckShipment: { method: "POST", path: "/admin/orders/{id}/shipment/check" },
} as const;
