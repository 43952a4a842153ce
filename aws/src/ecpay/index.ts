/**
 * ECPay AIO (All-In-One) payment protocol: CheckMacValue, checkout form fields, callback
 * verification and the QueryTradeInfo client. Framework-free so it runs unchanged in Lambda
 * (Node 22) and locally (Node 20); the only dependencies are `node:crypto`, zod and the contract's order id pattern.
 *
 * Protocol reference: /work/shared/ecpay.md (section numbers below refer to it).
 */
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import * as z from "zod"; // namespace import keeps the Lambda bundles small (see contract/index.ts)
import { ORDER_ID_PATTERN } from "../contract";
import { formatTaipei, parseTaipeiDateTime } from "../domain/taipei-time";

export interface EcpayKeys {
  hashKey: string;
  hashIV: string;
}

export const ECPAY_CHECKOUT_PATH = "/Cashier/AioCheckOut/V5";
export const ECPAY_QUERY_PATH = "/Cashier/QueryTradeInfo/V5";
export const ECPAY_GATEWAYS = {
  staging: "https://payment-stage.ecpay.com.tw",
  production: "https://payment.ecpay.com.tw",
} as const;

/** The exact body ECPay needs back from ReturnURL / PaymentInfoURL; anything else triggers re-delivery. */
export const ECPAY_ACK = "1|OK";
/** Reply for a notification we refuse; ECPay will re-deliver it later. Line breaks would corrupt the plain-text reply. */
export const ecpayNack = (message: string): string => `0|${message.replace(/[\r\n]+/g, " ")}`;

export type EcpayErrorCode = "http" | "timeout" | "network" | "bad-mac" | "malformed";

export class EcpayError extends Error {
  override readonly name = "EcpayError";
  constructor(
    readonly code: EcpayErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// CheckMacValue (§3)

/** Bytes that .NET `HttpUtility.UrlEncode` leaves literal; ECPay's MAC is defined over that encoder. */
const URL_ENCODE_TABLE: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const c = String.fromCharCode(byte);
  if (/^[A-Za-z0-9\-_.!*()]$/.test(c)) return c;
  if (byte === 0x20) return "+";
  return `%${byte.toString(16).padStart(2, "0")}`;
});

const utf8 = new TextEncoder();

/** .NET-style form encoding of the UTF-8 bytes of `s` (lowercase hex, space as `+`). */
export function ecpayUrlEncode(s: string): string {
  let out = "";
  for (const byte of utf8.encode(s)) out += URL_ENCODE_TABLE[byte];
  return out;
}

/** PHP's `strcasecmp`: ASCII-only case folding, then byte order. Locale-aware sorting is not what ECPay does. */
function compareKeysCaseInsensitive(a: string, b: string): number {
  const fold = (s: string) => utf8.encode(s.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  const x = fold(a);
  const y = fold(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function paramValue(key: string, value: string | number): string {
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) throw new TypeError(`ECPay parameter ${key} is not a finite number`);
  return String(value);
}

/**
 * The hash each ECPay protocol signs with: a per-protocol choice, never read from the message. All-in-one payments
 * (checkout, ReturnURL, PaymentInfoURL, QueryTradeInfo) use SHA256 (`EncryptType=1`); an MD5 MAC on a payment
 * message is refused, since accepting it would let the weaker hash stand in for the one ECPay uses. ECPay's
 * logistics protocol (store map, Create, status notifications, query, print; ./logistics.ts) signs with MD5 by its
 * spec, and only its routes accept MD5.
 */
export type MacAlgorithm = "sha256" | "md5";
export const PAYMENT_MAC: MacAlgorithm = "sha256";
export const LOGISTICS_MAC: MacAlgorithm = "md5";

/** CheckMacValue over every parameter except `CheckMacValue` itself; uppercase hex. */
export function checkMacValue(
  params: Record<string, string | number>,
  keys: EcpayKeys,
  method: MacAlgorithm = PAYMENT_MAC,
): string {
  const pairs = Object.keys(params)
    .filter((k) => k !== "CheckMacValue")
    .sort(compareKeysCaseInsensitive)
    .map((k) => `${k}=${paramValue(k, params[k] as string | number)}`);
  const framed = [`HashKey=${keys.hashKey}`, ...pairs, `HashIV=${keys.hashIV}`].join("&");
  const encoded = ecpayUrlEncode(framed).toLowerCase();
  return createHash(method).update(encoded, "utf8").digest("hex").toUpperCase();
}

/**
 * Verifies a received CheckMacValue over every other received field, unknown and empty ones
 * included (ECPay adds fields over time; dropping one would break the MAC or hide tampering).
 * The algorithm is the protocol's (`PAYMENT_MAC` for payments), not guessed from the MAC's length.
 */
export function verifyCheckMacValue(fields: Record<string, string>, keys: EcpayKeys, method: MacAlgorithm): boolean {
  const received = fields.CheckMacValue;
  const hexLength = method === "sha256" ? 64 : 32;
  if (typeof received !== "string" || received.length !== hexLength || !/^[0-9A-Fa-f]+$/.test(received)) return false;
  const expected = checkMacValue(fields, keys, method);
  return timingSafeEqual(Buffer.from(expected, "ascii"), Buffer.from(received.toUpperCase(), "ascii"));
}

// ---------------------------------------------------------------------------------------------
// ECPay's date formats, in Taipei time (aws/src/domain/taipei-time.ts does the arithmetic)

/** `yyyy/MM/dd HH:mm:ss` in Asia/Taipei, the format of MerchantTradeDate, TradeDate and PaymentDate. */
export function formatTaipeiDateTime(d: Date): string {
  return formatTaipei(d, "yyyy/MM/dd HH:mm:ss");
}

/** `yyyy/MM/dd` in Asia/Taipei, the format of the ATM ExpireDate. */
export function formatTaipeiDate(d: Date): string {
  return formatTaipei(d, "yyyy/MM/dd");
}

/** Parses `yyyy/MM/dd HH:mm:ss` or `yyyy/MM/dd` as Taipei local time; throws RangeError otherwise. */
export { parseTaipeiDateTime };

// ---------------------------------------------------------------------------------------------
// MerchantTradeNo: ECPay burns a number on the first post, even if the shopper abandons
// (§9), so every checkout attempt needs a fresh one that still maps back to the order.

/** L = local sandbox, S = staging, P = production: keeps environments sharing one ECPay merchant apart. */
export type EcpayEnvCode = "L" | "S" | "P";

/** The env letter, the order id's digits (14, or 11 for a legacy five-digit id), three random base36. */
const MERCHANT_TRADE_NO = /^[LSP](\d{14}|\d{11})[0-9A-Z]{3}$/;
const SUFFIX_SPACE = 36 ** 3;

/**
 * `<env><the order id without dashes><3 random base36>`: 18 alphanumerics (15 for a legacy id), within ECPay's 20.
 * The random suffix makes collisions between attempts of one order unlikely, not impossible: persist the number and
 * retry on conflict.
 */
export function newMerchantTradeNo(envCode: EcpayEnvCode, orderId: string): string {
  if (!/^[LSP]$/.test(envCode)) throw new RangeError(`Unknown environment code ${JSON.stringify(envCode)}`);
  if (!ORDER_ID_PATTERN.test(orderId)) throw new RangeError(`Not an order id: ${JSON.stringify(orderId)}`);
  const suffix = randomInt(SUFFIX_SPACE).toString(36).toUpperCase().padStart(3, "0");
  return `${envCode}${orderId.replaceAll("-", "")}${suffix}`;
}

/** The order id inside a number made by `newMerchantTradeNo`, or null. */
export function orderIdFromMerchantTradeNo(no: string): string | null {
  const digits = MERCHANT_TRADE_NO.exec(no)?.[1];
  if (!digits) return null;
  const serial = digits.slice(6);
  return `${digits.slice(0, 6)}-${serial.length === 5 ? serial : `${serial.slice(0, 4)}-${serial.slice(4)}`}`;
}

// ---------------------------------------------------------------------------------------------
// Checkout (§2)

export interface CheckoutItem {
  name: string;
  unitPrice: number;
  quantity: number;
}

export interface CheckoutInput {
  merchantId: string;
  keys: EcpayKeys;
  merchantTradeNo: string;
  tradeDate: Date;
  /** Integer TWD ≥ 1. Whether it equals the sum of the lines is the caller's rule, not ECPay's. */
  totalAmount: number;
  items: CheckoutItem[];
  tradeDesc: string;
  paymentMethod: "credit" | "atm";
  returnUrl: string;
  /** ATM only; left out for credit. */
  paymentInfoUrl?: string;
  orderResultUrl?: string;
  clientBackUrl?: string;
  customField1?: string;
  /** ATM only (days to pay, 1–60, ECPay's default is 3); left out for credit. */
  atmExpireDays?: number;
}

const ITEM_NAME_MAX = 400;
const TRADE_DESC_MAX = 200;
const CUSTOM_FIELD_MAX = 50;
const URL_MAX = 200;

/**
 * `#` separates item lines; `"`, `\`, `<`, `>`, `&` break HTML forms, the official SDKs' encoders
 * or the `&`-separated QueryTradeInfo reply; control characters and lone surrogates cannot
 * survive a browser form post byte-for-byte, so the MAC would no longer match.
 */
function sanitiseText(s: string): string {
  return s
    .replace(/\p{Cc}/gu, " ")
    .replace(/[#"\\<>&]|[\uD800-\uDFFF]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Truncates by code point so a surrogate pair (emoji, rare CJK) is never split. */
function truncateCodePoints(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : cps.slice(0, max).join("");
}

export function buildItemName(items: readonly CheckoutItem[]): string {
  if (items.length === 0) throw new RangeError("At least one item is required");
  const lines = items.map(({ name, unitPrice, quantity }) => {
    if (!Number.isSafeInteger(unitPrice)) throw new RangeError(`Item unit price must be an integer, got ${unitPrice}`);
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new RangeError(`Item quantity must be an integer ≥ 1, got ${quantity}`);
    const clean = sanitiseText(name) || "商品";
    return `${clean} ${unitPrice}元 x ${quantity}`;
  });
  return truncateCodePoints(lines.join("#"), ITEM_NAME_MAX);
}

function checkUrl(field: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${field} is not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RangeError(`${field} must be http(s)`);
  if (url.length > URL_MAX) throw new RangeError(`${field} is longer than ${URL_MAX} characters`);
  return url;
}

/** Every field to POST to `${gateway}${ECPAY_CHECKOUT_PATH}`, `CheckMacValue` included. */
export function buildCheckoutFields(input: CheckoutInput): Record<string, string> {
  if (!/^\d{7,10}$/.test(input.merchantId)) throw new RangeError("merchantId must be 7–10 digits");
  if (!/^[0-9A-Za-z]{1,20}$/.test(input.merchantTradeNo)) {
    throw new RangeError("merchantTradeNo must be 1–20 letters or digits");
  }
  if (!Number.isSafeInteger(input.totalAmount) || input.totalAmount < 1) {
    throw new RangeError(`totalAmount must be an integer ≥ 1, got ${input.totalAmount}`);
  }
  const tradeDesc = truncateCodePoints(sanitiseText(input.tradeDesc), TRADE_DESC_MAX);
  if (!tradeDesc) throw new RangeError("tradeDesc is empty");
  if (input.returnUrl === input.orderResultUrl) throw new RangeError("ReturnURL and OrderResultURL must differ");

  const atm = input.paymentMethod === "atm";
  const fields: Record<string, string> = {
    MerchantID: input.merchantId,
    MerchantTradeNo: input.merchantTradeNo,
    MerchantTradeDate: formatTaipeiDateTime(input.tradeDate),
    PaymentType: "aio",
    TotalAmount: String(input.totalAmount),
    TradeDesc: tradeDesc,
    ItemName: buildItemName(input.items),
    ReturnURL: checkUrl("ReturnURL", input.returnUrl),
    ChoosePayment: atm ? "ATM" : "Credit",
    EncryptType: "1",
  };
  if (input.orderResultUrl) fields.OrderResultURL = checkUrl("OrderResultURL", input.orderResultUrl);
  if (input.clientBackUrl) fields.ClientBackURL = checkUrl("ClientBackURL", input.clientBackUrl);
  if (atm && input.paymentInfoUrl) fields.PaymentInfoURL = checkUrl("PaymentInfoURL", input.paymentInfoUrl);
  if (atm && input.atmExpireDays !== undefined) {
    const days = input.atmExpireDays;
    if (!Number.isInteger(days) || days < 1 || days > 60) throw new RangeError("atmExpireDays must be 1–60");
    fields.ExpireDate = String(days);
  }
  if (input.customField1) {
    const v = input.customField1;
    if (Array.from(v).length > CUSTOM_FIELD_MAX || /[&\p{Cc}]/u.test(v)) {
      throw new RangeError(`customField1 must be at most ${CUSTOM_FIELD_MAX} characters without '&' or control characters`);
    }
    fields.CustomField1 = v;
  }
  fields.CheckMacValue = checkMacValue(fields, input.keys);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Callbacks (§6, §7)

/** application/x-www-form-urlencoded, UTF-8, `+` as space; a repeated key keeps its last value. */
export function parseFormBody(body: string): Record<string, string> {
  // Object.fromEntries defines own properties, so a `__proto__` field cannot touch the prototype.
  return Object.fromEntries(new URLSearchParams(body));
}

const intString = z
  .string()
  .regex(/^-?\d+$/, "expected an integer")
  .transform((s) => Number(s));
const decimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, "expected a number")
  .transform((s) => Number(s));
const ecpayDateTime = z.string().regex(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/, "expected yyyy/MM/dd HH:mm:ss");

const callbackCommon = {
  MerchantID: z.string().min(1),
  MerchantTradeNo: z.string().min(1),
  StoreID: z.string().optional(),
  RtnCode: intString,
  RtnMsg: z.string(),
  TradeNo: z.string(),
  TradeAmt: intString,
  PaymentType: z.string(),
  TradeDate: ecpayDateTime,
  CustomField1: z.string().optional(),
  CustomField2: z.string().optional(),
  CustomField3: z.string().optional(),
  CustomField4: z.string().optional(),
  CheckMacValue: z.string(),
};

/** ReturnURL (server) and OrderResultURL (browser) payment result. RtnCode 1 = paid. */
export const paymentResultSchema = z.object({
  ...callbackCommon,
  PaymentDate: z.string(),
  PaymentTypeChargeFee: decimalString.optional(),
  /** 1 = fired from the back office simulator: ECPay never settles it, so never ship. */
  SimulatePaid: z.enum(["0", "1"]).transform((s) => Number(s) as 0 | 1),
});
export type PaymentResult = z.output<typeof paymentResultSchema>;

/** PaymentInfoURL for ATM: RtnCode 2 = virtual account issued (not paid). */
export const paymentInfoSchema = z
  .object({
    ...callbackCommon,
    BankCode: z.string().default(""),
    vAccount: z.string().default(""),
    /** `yyyy/MM/dd`, Taipei. */
    ExpireDate: z.string().default(""),
  })
  .superRefine((v, ctx) => {
    if (v.RtnCode !== 2) return;
    if (!/^\d{3}$/.test(v.BankCode)) ctx.addIssue({ code: "custom", path: ["BankCode"], message: "expected 3 digits" });
    if (!/^\d{1,16}$/.test(v.vAccount)) ctx.addIssue({ code: "custom", path: ["vAccount"], message: "expected up to 16 digits" });
    if (!/^\d{4}\/\d{2}\/\d{2}( \d{2}:\d{2}:\d{2})?$/.test(v.ExpireDate)) {
      ctx.addIssue({ code: "custom", path: ["ExpireDate"], message: "expected yyyy/MM/dd" });
    }
  });
export type PaymentInfo = z.output<typeof paymentInfoSchema>;

export type VerifyCallbackResult<T> =
  | { ok: true; data: T }
  | { ok: false; reason: "bad-mac" | "wrong-merchant" | "malformed"; message: string };

/**
 * A payment notification (ReturnURL, PaymentInfoURL, OrderResultURL): the SHA256 MAC first over the raw fields
 * (nothing unauthenticated is interpreted), then the merchant, then the shape. Comparing TradeAmt with the order is
 * the caller's job.
 */
export function verifyCallback<S extends z.ZodType>(
  fields: Record<string, string>,
  config: { merchantId: string; keys: EcpayKeys },
  schema: S,
): VerifyCallbackResult<z.output<S>> {
  if (!verifyCheckMacValue(fields, config.keys, PAYMENT_MAC)) {
    return { ok: false, reason: "bad-mac", message: "CheckMacValue does not match (payments are signed with SHA256 only)" };
  }
  if (fields.MerchantID !== config.merchantId) {
    return { ok: false, reason: "wrong-merchant", message: `MerchantID ${JSON.stringify(fields.MerchantID)} is not ours` };
  }
  const parsed = schema.safeParse(fields);
  if (!parsed.success) return { ok: false, reason: "malformed", message: z.prettifyError(parsed.error) };
  return { ok: true, data: parsed.data };
}

// ---------------------------------------------------------------------------------------------
// QueryTradeInfo (§8)

/** The subset of `fetch` used here, so tests can pass a plain function. */
export type FetchLike = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface QueryTradeInfoResult {
  /** `0` unpaid, `1` paid, `10200095` never chose/finished a payment method; other codes are errors. */
  tradeStatus: string;
  /** 0 when ECPay sends it empty (unknown trade). */
  tradeAmt: number;
  tradeNo: string;
  paymentType: string;
  paymentDate: string;
  merchantTradeNo: string;
  raw: Record<string, string>;
}

/**
 * The reply is `key=value&…` with values NOT percent-encoded (`PaymentDate=2019/05/09 00:01:21`),
 * so form-decoding would turn a literal `+` into a space and break the MAC.
 */
export function parseQueryResponse(body: string): Record<string, string> {
  const entries = body
    .replace(/\r?\n$/, "")
    .split("&")
    .filter((part) => part !== "")
    .map((part): [string, string] => {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new EcpayError("malformed", `QueryTradeInfo reply is not key=value: ${JSON.stringify(body.slice(0, 200))}`);
      return [part.slice(0, eq), part.slice(eq + 1)];
    });
  return Object.fromEntries(entries);
}

export async function queryTradeInfo(opts: {
  gatewayBaseUrl: string;
  merchantId: string;
  keys: EcpayKeys;
  merchantTradeNo: string;
  fetchImpl?: FetchLike;
  now?: Date;
  timeoutMs?: number;
}): Promise<QueryTradeInfoResult> {
  const { merchantId, keys, merchantTradeNo, fetchImpl = fetch, now = new Date(), timeoutMs = 10_000 } = opts;
  const params: Record<string, string> = {
    MerchantID: merchantId,
    MerchantTradeNo: merchantTradeNo,
    TimeStamp: String(Math.floor(now.getTime() / 1000)),
  };
  params.CheckMacValue = checkMacValue(params, keys);
  const url = `${opts.gatewayBaseUrl.replace(/\/+$/, "")}${ECPAY_QUERY_PATH}`;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let body: string;
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
      signal: controller.signal,
    });
    if (!res.ok) throw new EcpayError("http", `QueryTradeInfo answered HTTP ${res.status}`, res.status);
    body = await res.text();
  } catch (err) {
    if (err instanceof EcpayError) throw err;
    if (controller.signal.aborted) throw new EcpayError("timeout", `QueryTradeInfo timed out after ${timeoutMs} ms`, undefined, { cause: err });
    throw new EcpayError("network", `QueryTradeInfo request failed: ${String(err)}`, undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }

  const raw = parseQueryResponse(body);
  if (!verifyCheckMacValue(raw, keys, PAYMENT_MAC)) throw new EcpayError("bad-mac", "QueryTradeInfo reply has a wrong or missing CheckMacValue");
  if ((raw.MerchantTradeNo ?? "") !== "" && raw.MerchantTradeNo !== merchantTradeNo) {
    throw new EcpayError("malformed", `QueryTradeInfo answered for ${raw.MerchantTradeNo}, asked for ${merchantTradeNo}`);
  }
  const tradeStatus = raw.TradeStatus;
  if (tradeStatus === undefined || tradeStatus === "") throw new EcpayError("malformed", "QueryTradeInfo reply has no TradeStatus");
  const amt = raw.TradeAmt ?? "";
  if (amt !== "" && !/^\d+$/.test(amt)) throw new EcpayError("malformed", `TradeAmt is not an integer: ${JSON.stringify(amt)}`);
  return {
    tradeStatus,
    tradeAmt: amt === "" ? 0 : Number(amt),
    tradeNo: raw.TradeNo ?? "",
    paymentType: raw.PaymentType ?? "",
    paymentDate: raw.PaymentDate ?? "",
    merchantTradeNo: raw.MerchantTradeNo ?? merchantTradeNo,
    raw,
  };
}
