/**
 * ECPay B2C e-invoice (`/B2CInvoice/*`): JSON envelopes whose `Data` is AES-128-CBC encrypted URL-encoded JSON, no
 * MAC. Issue, void (Invalid), allowance and GetIssue, plus the shop's mapping from an order to Issue's fields.
 * Framework-free; `node:crypto` only.
 *
 * Protocol reference: ../shared/ecpay-logistics-invoice.md, Part B (section numbers below refer to it).
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { EcpayError, type EcpayKeys, type FetchLike } from ".";
import { formatTaipei } from "../domain/taipei-time";

export const EINVOICE_GATEWAYS = {
  staging: "https://einvoice-stage.ecpay.com.tw",
  production: "https://einvoice.ecpay.com.tw",
} as const;
export const EINVOICE_BASE_PATH = "/B2CInvoice";

/** ECPay's public staging e-invoice merchant (B1): the logistics merchant's id, with keys of its own. */
export const EINVOICE_STAGE_MERCHANT = { merchantId: "2000132", hashKey: "ejCk326UnaZWKisg", hashIV: "q9jcZX8Ib9LM8wYk" } as const;

// ---------------------------------------------------------------------------------------------
// The envelope's Data (B2)

/**
 * PHP's `urlencode`, which ECPay's SDK applies before encrypting: `A-Z a-z 0-9 - _ .` kept, space as `+`, everything
 * else `%XX` in upper case (`! * ' ( ) ~` included). A mobile barcode's `+` so travels as `%2B`.
 */
export function phpUrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, "+")
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Form decoding: `+` is a space, `%xx` in either case (ECPay's replies and other clients vary). */
export function formUrlDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, " "));
}

function aesKey(keys: EcpayKeys): { key: Buffer; iv: Buffer } {
  const key = Buffer.from(keys.hashKey, "utf8");
  const iv = Buffer.from(keys.hashIV, "utf8");
  if (key.length !== 16 || iv.length !== 16) throw new RangeError("e-invoice HashKey and HashIV must be 16 bytes each");
  return { key, iv };
}

/** `Data` from plaintext that is already URL-encoded (the vectors give it so). */
export function encryptEncoded(encoded: string, keys: EcpayKeys): string {
  const { key, iv } = aesKey(keys);
  const cipher = createCipheriv("aes-128-cbc", key, iv);
  return Buffer.concat([cipher.update(encoded, "utf8"), cipher.final()]).toString("base64");
}

export function encryptData(data: unknown, keys: EcpayKeys): string {
  return encryptEncoded(phpUrlEncode(JSON.stringify(data)), keys);
}

/** The reverse; throws EcpayError("malformed") for anything that is not our keys' AES over URL-encoded JSON. */
export function decryptData(data: string, keys: EcpayKeys): unknown {
  const { key, iv } = aesKey(keys);
  let plain: string;
  try {
    const decipher = createDecipheriv("aes-128-cbc", key, iv);
    plain = Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new EcpayError("bad-mac", "e-invoice Data does not decrypt with our keys", undefined, { cause: error });
  }
  try {
    return JSON.parse(formUrlDecode(plain));
  } catch (error) {
    throw new EcpayError("malformed", "e-invoice Data is not URL-encoded JSON", undefined, { cause: error });
  }
}

export interface Envelope {
  PlatformID: string;
  MerchantID: string;
  RqHeader: { Timestamp: number; Revision?: string };
  Data: string;
}

export function buildEnvelope(merchantId: string, data: Record<string, unknown>, keys: EcpayKeys, now = new Date()): Envelope {
  return {
    PlatformID: "",
    MerchantID: merchantId,
    RqHeader: { Timestamp: Math.floor(now.getTime() / 1000), Revision: "3.0.0" },
    // MerchantID travels in the envelope and again inside Data (B1).
    Data: encryptData({ MerchantID: merchantId, ...data }, keys),
  };
}

/** A reply's decrypted Data: `RtnCode` 1 is success (an integer in JSON). */
export interface EinvoiceReply {
  RtnCode: number;
  RtnMsg: string;
  [field: string]: unknown;
}

/**
 * One call: POST the envelope, check the envelope's `TransCode` (1 = the envelope and crypto were fine), decrypt
 * `Data`, and return it; checking its `RtnCode` is the caller's (B1: both levels must be checked).
 */
export async function callEinvoice(opts: {
  gatewayBaseUrl: string;
  api: "Issue" | "Invalid" | "Allowance" | "AllowanceInvalid" | "GetIssue" | "CheckBarcode" | "CheckLoveCode";
  merchantId: string;
  keys: EcpayKeys;
  data: Record<string, unknown>;
  fetchImpl?: FetchLike;
  now?: Date;
  timeoutMs?: number;
}): Promise<EinvoiceReply> {
  const { fetchImpl = fetch, timeoutMs = 8_000 } = opts;
  const url = `${opts.gatewayBaseUrl.replace(/\/+$/, "")}${EINVOICE_BASE_PATH}/${opts.api}`;
  const envelope = buildEnvelope(opts.merchantId, opts.data, opts.keys, opts.now);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let text: string;
  try {
    const res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(envelope),
      signal: controller.signal,
    });
    if (!res.ok) throw new EcpayError("http", `e-invoice ${opts.api} answered HTTP ${res.status}`, res.status);
    text = await res.text();
  } catch (err) {
    if (err instanceof EcpayError) throw err;
    if (controller.signal.aborted) throw new EcpayError("timeout", `e-invoice ${opts.api} timed out after ${timeoutMs} ms`, undefined, { cause: err });
    throw new EcpayError("network", `e-invoice ${opts.api} request failed: ${String(err)}`, undefined, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  let reply: { TransCode?: unknown; TransMsg?: unknown; Data?: unknown; MerchantID?: unknown };
  try {
    reply = JSON.parse(text);
  } catch {
    throw new EcpayError("malformed", `e-invoice ${opts.api} reply is not JSON`);
  }
  if (reply.TransCode !== 1) {
    throw new EcpayError("malformed", `e-invoice ${opts.api} envelope refused: TransCode ${String(reply.TransCode)} ${String(reply.TransMsg ?? "")}`);
  }
  if (typeof reply.Data !== "string" || reply.Data === "") throw new EcpayError("malformed", `e-invoice ${opts.api} reply has no Data`);
  const data = decryptData(reply.Data, opts.keys) as Partial<EinvoiceReply>;
  if (typeof data.RtnCode !== "number" || !Number.isInteger(data.RtnCode)) {
    throw new EcpayError("malformed", `e-invoice ${opts.api} reply has no integer RtnCode`);
  }
  return { ...data, RtnCode: data.RtnCode, RtnMsg: String(data.RtnMsg ?? "") };
}

// ---------------------------------------------------------------------------------------------
// Issue (B3): the shop's order as Issue's Data

export type CarrierChoice =
  | { type: "member" }
  | { type: "mobile"; barcode: string }
  | { type: "certificate"; number: string }
  | { type: "donation"; loveCode: string }
  | { type: "company"; taxId: string; companyName: string; address: string };

export interface IssueItem {
  name: string;
  count: number;
  word: string;
  price: number;
}

export interface IssueInput {
  relateNumber: string;
  customer: { name: string; phone: string; email: string };
  carrier: CarrierChoice;
  items: readonly IssueItem[];
  /** Tax included (vat = 1), the amount ECPay charged. */
  salesAmount: number;
  remark?: string;
}

const ITEM_WORD_MAX = 6;

function clip(s: string, max: number): string {
  return Array.from(s.replace(/[\p{Cc}|]/gu, " ").trim()).slice(0, max).join("");
}

/**
 * Issue's Data for a taxable sale with prices including tax (TaxType 1, vat 1, InvType 07). The carrier decides the
 * combination (B3, ECPay's ?p=49892 where it contradicts the legacy spec): member carrier → CarrierType 1, no number,
 * Print 0; mobile barcode → 3; certificate → 2; donation → Donation 1 with the love code, no carrier, Print 0;
 * company → the tax ID with a printed invoice (Print 1, name and address; valid under every version of the rules).
 */
export function buildIssueData(input: IssueInput): Record<string, unknown> {
  if (!/^[0-9A-Za-z]{1,50}$/.test(input.relateNumber)) throw new RangeError("relateNumber must be 1–50 letters or digits");
  if (input.items.length === 0) throw new RangeError("an invoice needs at least one item");
  const items = input.items.map((item, i) => {
    if (!Number.isSafeInteger(item.price) || !Number.isSafeInteger(item.count) || item.count < 1) {
      throw new RangeError(`item ${i + 1}: integer price and count ≥ 1`);
    }
    return {
      ItemSeq: i + 1,
      ItemName: clip(item.name, 100) || "商品",
      ItemCount: item.count,
      ItemWord: clip(item.word, ITEM_WORD_MAX) || "件",
      ItemPrice: item.price,
      ItemTaxType: "1",
      ItemAmount: item.price * item.count,
    };
  });
  const sum = items.reduce((total, item) => total + item.ItemAmount, 0);
  if (sum !== input.salesAmount) throw new RangeError(`items add up to ${sum}, not the sales amount ${input.salesAmount}`);

  const c = input.carrier;
  const company = c.type === "company";
  return {
    RelateNumber: input.relateNumber,
    CustomerID: "",
    CustomerIdentifier: company ? c.taxId : "",
    CustomerName: clip(company ? c.companyName : input.customer.name, 60),
    CustomerAddr: company ? clip(c.address, 100) : "",
    CustomerPhone: input.customer.phone,
    CustomerEmail: input.customer.email,
    ClearanceMark: "",
    Print: company ? "1" : "0",
    Donation: c.type === "donation" ? "1" : "0",
    LoveCode: c.type === "donation" ? c.loveCode : "",
    CarrierType: c.type === "member" ? "1" : c.type === "certificate" ? "2" : c.type === "mobile" ? "3" : "",
    CarrierNum: c.type === "mobile" ? c.barcode : c.type === "certificate" ? c.number : "",
    TaxType: "1",
    SalesAmount: input.salesAmount,
    InvoiceRemark: clip(input.remark ?? "", 200),
    InvType: "07",
    vat: "1",
    Items: items,
  };
}

export interface IssuedInvoice {
  invoiceNo: string;
  /** `yyyy-MM-dd HH:mm:ss`, Taipei (ECPay may write `+` for the space). */
  invoiceDate: string;
  randomNumber: string;
}

/** The issued invoice in Issue's (or GetIssue's) reply. */
export function issuedInvoiceOf(reply: EinvoiceReply): IssuedInvoice {
  const invoiceNo = String(reply.InvoiceNo ?? reply.IIS_Number ?? "");
  const invoiceDate = String(reply.InvoiceDate ?? reply.IIS_Create_Date ?? "").replace("+", " ");
  const randomNumber = String(reply.RandomNumber ?? reply.IIS_Random_Number ?? "");
  if (!/^[A-Z]{2}\d{8}$/.test(invoiceNo)) throw new EcpayError("malformed", "e-invoice reply has no invoice number");
  if (!/^\d{4}[-/]\d{2}[-/]\d{2}( \d{2}:\d{2}(:\d{2})?)?$/.test(invoiceDate)) throw new EcpayError("malformed", "e-invoice reply has no invoice date");
  return { invoiceNo, invoiceDate, randomNumber };
}

/** An invoice date as ECPay writes it, read as Taipei time. */
export function parseInvoiceDate(s: string): Date {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.replace("+", " "));
  if (!m) throw new RangeError(`not an invoice date: ${JSON.stringify(s)}`);
  const [y, mo, d, h = "0", mi = "0", sec = "0"] = m.slice(1);
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - 8 * 3600_000);
}

/** Invalid's Data: the invoice number, its date (`yyyy-MM-dd`, as SDK_PHP sends it) and why. */
export function buildInvalidData(invoice: { invoiceNo: string; invoiceDate: string }, reason: string): Record<string, unknown> {
  return {
    InvoiceNo: invoice.invoiceNo,
    InvoiceDate: formatTaipei(parseInvoiceDate(invoice.invoiceDate), "yyyy-MM-dd"),
    Reason: clip(reason, 20) || "訂單取消",
  };
}

/** Allowance's Data: the whole amount back, the buyer told by email (AllowanceNotify E). */
export function buildAllowanceData(opts: {
  invoice: { invoiceNo: string; invoiceDate: string };
  customerName: string;
  email: string;
  items: readonly IssueItem[];
  amount: number;
}): Record<string, unknown> {
  const items = opts.items.map((item, i) => ({
    ItemSeq: i + 1,
    ItemName: clip(item.name, 100) || "商品",
    ItemCount: item.count,
    ItemWord: clip(item.word, ITEM_WORD_MAX) || "件",
    ItemPrice: item.price,
    ItemTaxType: "1",
    ItemAmount: item.price * item.count,
  }));
  return {
    InvoiceNo: opts.invoice.invoiceNo,
    InvoiceDate: formatTaipei(parseInvoiceDate(opts.invoice.invoiceDate), "yyyy-MM-dd"),
    AllowanceNotify: "E",
    CustomerName: clip(opts.customerName, 60),
    NotifyMail: opts.email,
    NotifyPhone: "",
    AllowanceAmount: opts.amount,
    Items: items,
  };
}
