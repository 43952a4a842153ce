/**
 * ECPay Logistics (綠界物流整合 API): the CVS store map, /Express/Create, the status notifications to ServerReplyURL,
 * QueryLogisticsTradeInfo and the print pages. Form posts signed with an **MD5** CheckMacValue (the AIO algorithm
 * with MD5: `checkMacValue(…, LOGISTICS_MAC)`), accepted on these messages only. Framework-free, like ./index.ts.
 *
 * Protocol reference: ../shared/ecpay-logistics-invoice.md, Part A (section numbers below refer to it).
 */
import * as z from "zod"; // namespace import keeps the Lambda bundles small (see contract/index.ts)
import {
  EcpayError,
  type EcpayKeys,
  type FetchLike,
  LOGISTICS_MAC,
  checkMacValue,
  formatTaipeiDateTime,
  parseFormBody,
  verifyCheckMacValue,
} from ".";

export const LOGISTICS_GATEWAYS = {
  staging: "https://logistics-stage.ecpay.com.tw",
  production: "https://logistics.ecpay.com.tw",
} as const;

/** Paths exactly as ECPay lists them (A2). */
export const LOGISTICS_PATHS = {
  map: "/Express/map",
  create: "/Express/Create",
  query: "/Helper/QueryLogisticsTradeInfo/V5",
  printB2C: "/helper/printTradeDocument",
  printUNIMARTC2C: "/Express/PrintUniMartC2COrderInfo",
  printFAMIC2C: "/Express/PrintFAMIC2COrderInfo",
  printHILIFEC2C: "/Express/PrintHILIFEC2COrderInfo",
  printOKMARTC2C: "/Express/PrintOKMARTC2COrderInfo",
} as const;

/** ECPay's public staging logistics merchants (A1). Not the AIO keys. */
export const LOGISTICS_STAGE_MERCHANTS = {
  B2C: { merchantId: "2000132", hashKey: "5294y06JbISpM5x9", hashIV: "v77hoKGq4kWxNNIS" },
  C2C: { merchantId: "2000933", hashKey: "XBERn1YOvpM9nfZc", hashIV: "h1ONHk4P4yqbl5LK" },
} as const;

export const CVS_SUBTYPES_B2C = ["FAMI", "UNIMART", "UNIMARTFREEZE", "HILIFE"] as const;
export const CVS_SUBTYPES_C2C = ["FAMIC2C", "UNIMARTC2C", "HILIFEC2C", "OKMARTC2C"] as const;
export const isC2C = (subType: string) => subType.endsWith("C2C");

const URL_MAX = 200;
/** GoodsName: at most 50 characters, none of these (official SDK regex). */
const GOODS_NAME_FORBIDDEN = /[\^'`!@#%&*+\\"<>|_[\]]/g;

function checkUrl(field: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${field} is not an absolute URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RangeError(`${field} must be http(s)`);
  if (url.length > URL_MAX) throw new RangeError(`${field} is longer than ${URL_MAX} characters`);
  return url;
}

function sign(fields: Record<string, string>, keys: EcpayKeys): Record<string, string> {
  return { ...fields, CheckMacValue: checkMacValue(fields, keys, LOGISTICS_MAC) };
}

/** A redirect the shop's pages turn into an auto-submitted form (the browser posts it; never in an iframe). */
export interface BrowserForm {
  action: string;
  fields: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Store map (A4)

export interface MapInput {
  gatewayBaseUrl: string;
  merchantId: string;
  keys: EcpayKeys;
  subType: string;
  /** Y when the shopper will pay at the store (only stores that collect are shown). */
  collection: boolean;
  /** Where the shopper's browser posts the chosen store (the storefront, not the status URL). */
  replyUrl: string;
  /** Echoed back (≤ 20 characters): the shop's key for the checkout that asked. */
  extraData: string;
  mobile?: boolean;
}

export function buildMapForm(input: MapInput): BrowserForm {
  if (!/^[0-9A-Za-z_-]{1,20}$/.test(input.extraData)) throw new RangeError("extraData must be 1–20 URL-safe characters");
  const fields: Record<string, string> = {
    MerchantID: input.merchantId,
    LogisticsType: "CVS",
    LogisticsSubType: input.subType,
    IsCollection: input.collection ? "Y" : "N",
    ServerReplyURL: checkUrl("ServerReplyURL", input.replyUrl),
    ExtraData: input.extraData,
    Device: input.mobile && input.subType.startsWith("UNIMART") ? "1" : "0",
  };
  // SDK_PHP signs the map request with MD5; ECPay accepts it with or without (A4).
  return { action: `${base(input.gatewayBaseUrl)}${LOGISTICS_PATHS.map}`, fields: sign(fields, input.keys) };
}

/** The nine fields the map posts back through the shopper's browser. Unsigned: untrusted, like any form input. */
export const MAP_REPLY_FIELDS = [
  "MerchantID",
  "MerchantTradeNo",
  "LogisticsSubType",
  "CVSStoreID",
  "CVSStoreName",
  "CVSAddress",
  "CVSTelephone",
  "CVSOutSide",
  "ExtraData",
] as const;

// ---------------------------------------------------------------------------------------------
// Create (A5)

export interface CreateInput {
  merchantId: string;
  keys: EcpayKeys;
  merchantTradeNo: string;
  tradeDate: Date;
  subType: string;
  /** Declared value, integer TWD 1–20,000. */
  goodsAmount: number;
  /** Collected from the shopper at the store (pay on pickup); equals goodsAmount. */
  collect: boolean;
  goodsName: string;
  senderName: string;
  senderCellPhone: string;
  receiverName: string;
  receiverCellPhone: string;
  receiverEmail?: string;
  receiverStoreId: string;
  serverReplyUrl: string;
  tradeDesc?: string;
}

/** What ECPay accepts in GoodsName: its forbidden characters dropped, at most 50 characters. */
export function goodsNameOf(names: readonly string[]): string {
  const cleaned = names.map((n) => n.replace(GOODS_NAME_FORBIDDEN, "").replace(/\s+/g, " ").trim()).filter(Boolean);
  const first = cleaned[0] ?? "商品";
  const text = cleaned.length > 1 ? `${first} 等 ${cleaned.length} 項` : first;
  return Array.from(text).slice(0, 50).join("");
}

export function buildCreateFields(input: CreateInput): Record<string, string> {
  if (!/^[0-9A-Za-z]{1,20}$/.test(input.merchantTradeNo)) throw new RangeError("merchantTradeNo must be 1–20 letters or digits");
  if (!Number.isSafeInteger(input.goodsAmount) || input.goodsAmount < 1 || input.goodsAmount > 20_000) {
    throw new RangeError(`goodsAmount must be an integer 1–20000, got ${input.goodsAmount}`);
  }
  if (!/^[0-9A-Za-z]{1,10}$/.test(input.receiverStoreId)) throw new RangeError("receiverStoreId must be 1–10 letters or digits");
  const fields: Record<string, string> = {
    MerchantID: input.merchantId,
    MerchantTradeNo: input.merchantTradeNo,
    MerchantTradeDate: formatTaipeiDateTime(input.tradeDate),
    LogisticsType: "CVS",
    LogisticsSubType: input.subType,
    GoodsAmount: String(input.goodsAmount),
    IsCollection: input.collect ? "Y" : "N",
    GoodsName: goodsNameOf([input.goodsName]),
    SenderName: input.senderName,
    SenderCellPhone: input.senderCellPhone,
    ReceiverName: input.receiverName,
    ReceiverCellPhone: input.receiverCellPhone,
    ReceiverStoreID: input.receiverStoreId,
    ServerReplyURL: checkUrl("ServerReplyURL", input.serverReplyUrl),
  };
  // UNIMARTC2C needs CollectionAmount equal to GoodsAmount; the others take it too.
  if (input.collect) fields.CollectionAmount = String(input.goodsAmount);
  // The Node SDK requires a (land-line style) ReceiverPhone for Hi-Life; the cell number fits its pattern.
  if (input.subType.startsWith("HILIFE")) fields.ReceiverPhone = input.receiverCellPhone;
  if (input.receiverEmail) fields.ReceiverEmail = input.receiverEmail.slice(0, 50);
  if (input.tradeDesc) fields.TradeDesc = Array.from(input.tradeDesc).slice(0, 200).join("");
  return sign(fields, input.keys);
}

export type CreateResult =
  | { ok: true; fields: Record<string, string>; allPayLogisticsId: string; cvsPaymentNo: string; cvsValidationNo: string; rtnCode: string; rtnMsg: string }
  | { ok: false; message: string };

/**
 * Parses Create's answer: `1|` + an alphabetically sorted, **not percent-encoded** `k=v&…` list whose RtnCode is the
 * logistics status (300), or `0|message`. Split on the first `|`, then `&`, then the first `=`; never form-decode
 * (raw spaces and `+`); then verify the MAC over every field (A5).
 */
export function parseCreateResponse(body: string, keys: EcpayKeys): CreateResult {
  const text = body.replace(/\r?\n$/, "");
  const bar = text.indexOf("|");
  if (bar < 0) throw new EcpayError("malformed", `Create reply has no status: ${JSON.stringify(text.slice(0, 200))}`);
  const flag = text.slice(0, bar);
  const rest = text.slice(bar + 1);
  if (flag !== "1") return { ok: false, message: rest || "ECPay refused the shipment" };
  const fields = parseRawPairs(rest);
  if (!verifyCheckMacValue(fields, keys, LOGISTICS_MAC)) throw new EcpayError("bad-mac", "Create reply has a wrong or missing CheckMacValue");
  const id = fields.AllPayLogisticsID ?? "";
  if (!/^\d{1,20}$/.test(id)) throw new EcpayError("malformed", "Create reply has no AllPayLogisticsID");
  return {
    ok: true,
    fields,
    allPayLogisticsId: id,
    cvsPaymentNo: fields.CVSPaymentNo ?? "",
    cvsValidationNo: fields.CVSValidationNo ?? "",
    rtnCode: fields.RtnCode ?? "",
    rtnMsg: fields.RtnMsg ?? "",
  };
}

/** `k=v&…` with raw values, as Create and the query answer (a value may hold spaces, `+`, `(`, Chinese). */
export function parseRawPairs(text: string): Record<string, string> {
  const entries = text
    .split("&")
    .filter((part) => part !== "")
    .map((part): [string, string] => {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new EcpayError("malformed", `not key=value: ${JSON.stringify(part.slice(0, 100))}`);
      return [part.slice(0, eq), part.slice(eq + 1)];
    });
  return Object.fromEntries(entries);
}

/** The same answer written the way ECPay writes it (the sandbox uses this): sorted keys, raw values. */
export function formatRawPairs(fields: Record<string, string>): string {
  return Object.keys(fields)
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
    .map((k) => `${k}=${fields[k]}`)
    .join("&");
}

// ---------------------------------------------------------------------------------------------
// Status notifications (A6)

const ecpayDateTime = z.string().regex(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/, "expected yyyy/MM/dd HH:mm:ss");

/** A status change posted to ServerReplyURL (server to server). Answer exactly `1|OK`. */
export const logisticsStatusSchema = z.object({
  MerchantID: z.string().min(1),
  MerchantTradeNo: z.string().regex(/^[0-9A-Za-z]{1,20}$/),
  RtnCode: z.string().regex(/^\d{1,8}$/, "expected a status code"),
  RtnMsg: z.string().max(200),
  AllPayLogisticsID: z.string().regex(/^\d{1,20}$/),
  LogisticsType: z.string().optional(),
  LogisticsSubType: z.string().optional(),
  GoodsAmount: z.string().regex(/^\d{1,6}$/).transform(Number),
  UpdateStatusDate: ecpayDateTime,
  ReceiverName: z.string().optional(),
  ReceiverPhone: z.string().optional(),
  ReceiverCellPhone: z.string().optional(),
  ReceiverEmail: z.string().optional(),
  ReceiverAddress: z.string().optional(),
  CVSPaymentNo: z.string().optional(),
  CVSValidationNo: z.string().optional(),
  BookingNote: z.string().optional(),
  CheckMacValue: z.string(),
});
export type LogisticsStatus = z.output<typeof logisticsStatusSchema>;

export type VerifyLogisticsResult =
  | { ok: true; data: LogisticsStatus }
  | { ok: false; reason: "bad-mac" | "wrong-merchant" | "malformed"; message: string };

/** The MD5 MAC over every received field first, then the merchant, then the shape (as `verifyCallback` for payments). */
export function verifyLogisticsStatus(body: string, config: { merchantId: string; keys: EcpayKeys }): VerifyLogisticsResult {
  const fields = parseFormBody(body);
  if (!verifyCheckMacValue(fields, config.keys, LOGISTICS_MAC)) {
    return { ok: false, reason: "bad-mac", message: "CheckMacValue does not match (logistics messages are signed with MD5)" };
  }
  if (fields.MerchantID !== config.merchantId) {
    return { ok: false, reason: "wrong-merchant", message: `MerchantID ${JSON.stringify(fields.MerchantID)} is not ours` };
  }
  const parsed = logisticsStatusSchema.safeParse(fields);
  if (!parsed.success) return { ok: false, reason: "malformed", message: z.prettifyError(parsed.error) };
  return { ok: true, data: parsed.data };
}

/** The dedupe key of a notification: ECPay re-sends and reorders them (A6). */
export function statusEventKey(n: { AllPayLogisticsID: string; RtnCode: string; UpdateStatusDate: string }): string {
  return `${n.AllPayLogisticsID}_${n.RtnCode}_${n.UpdateStatusDate.replace(/\D/g, "")}`;
}

// ---------------------------------------------------------------------------------------------
// Query (A7)

export interface LogisticsQueryResult {
  /** LogisticsStatus (the latest status code). */
  status: string;
  allPayLogisticsId: string;
  merchantTradeNo: string;
  goodsAmount: number;
  raw: Record<string, string>;
}

export async function queryLogistics(opts: {
  gatewayBaseUrl: string;
  merchantId: string;
  keys: EcpayKeys;
  /** By ECPay's id, or by the shop's MerchantTradeNo (V5 takes either). */
  allPayLogisticsId?: string;
  merchantTradeNo?: string;
  fetchImpl?: FetchLike;
  now?: Date;
  timeoutMs?: number;
}): Promise<LogisticsQueryResult | null> {
  const { fetchImpl = fetch, now = new Date(), timeoutMs = 8_000 } = opts;
  const params: Record<string, string> = {
    MerchantID: opts.merchantId,
    ...(opts.allPayLogisticsId ? { AllPayLogisticsID: opts.allPayLogisticsId } : { MerchantTradeNo: opts.merchantTradeNo ?? "" }),
    TimeStamp: String(Math.floor(now.getTime() / 1000)),
  };
  const body = await postForm(`${base(opts.gatewayBaseUrl)}${LOGISTICS_PATHS.query}`, sign(params, opts.keys), fetchImpl, timeoutMs, "QueryLogisticsTradeInfo");
  const raw = parseRawPairs(body.replace(/\r?\n$/, ""));
  if (!verifyCheckMacValue(raw, opts.keys, LOGISTICS_MAC)) throw new EcpayError("bad-mac", "QueryLogisticsTradeInfo reply has a wrong or missing CheckMacValue");
  if (!raw.AllPayLogisticsID) return null;
  return {
    status: raw.LogisticsStatus ?? "",
    allPayLogisticsId: raw.AllPayLogisticsID,
    merchantTradeNo: raw.MerchantTradeNo ?? "",
    goodsAmount: Number(raw.GoodsAmount ?? 0),
    raw,
  };
}

/** Server-to-server form post with a deadline; ECPay errors become EcpayError. */
export async function postForm(url: string, fields: Record<string, string>, fetchImpl: FetchLike, timeoutMs: number, what: string): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      signal: controller.signal,
    });
    if (!res.ok) throw new EcpayError("http", `${what} answered HTTP ${res.status}`, res.status);
    return await res.text();
  } catch (err) {
    if (err instanceof EcpayError) throw err;
    if (controller.signal.aborted) throw new EcpayError("timeout", `${what} timed out after ${timeoutMs} ms`, undefined, { cause: err });
    throw new EcpayError("network", `${what} request failed: ${String(err)}`, undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Print (A7): a browser form that opens ECPay's label (B2C) or the chain's slip (C2C)

export interface PrintShipment {
  allPayLogisticsId: string;
  cvsPaymentNo: string;
  cvsValidationNo: string;
}

/** One form prints several shipments of one subtype (comma-separated, equal counts). */
export function buildPrintForm(opts: {
  gatewayBaseUrl: string;
  merchantId: string;
  keys: EcpayKeys;
  subType: string;
  shipments: readonly PrintShipment[];
}): BrowserForm {
  if (opts.shipments.length === 0) throw new RangeError("nothing to print");
  const join = (pick: (s: PrintShipment) => string) => opts.shipments.map(pick).join(",");
  const fields: Record<string, string> = { MerchantID: opts.merchantId, AllPayLogisticsID: join((s) => s.allPayLogisticsId) };
  let path: string = LOGISTICS_PATHS.printB2C;
  if (isC2C(opts.subType)) {
    path = LOGISTICS_PATHS[`print${opts.subType}` as keyof typeof LOGISTICS_PATHS];
    if (!path) throw new RangeError(`no print page for ${opts.subType}`);
    fields.CVSPaymentNo = join((s) => s.cvsPaymentNo);
    // 7-ELEVEN's slip also needs the validation number; the other chains take the payment number alone.
    if (opts.subType === "UNIMARTC2C") fields.CVSValidationNo = join((s) => s.cvsValidationNo);
  }
  return { action: `${base(opts.gatewayBaseUrl)}${path}`, fields: sign(fields, opts.keys) };
}

function base(url: string): string {
  return url.replace(/\/+$/, "");
}
