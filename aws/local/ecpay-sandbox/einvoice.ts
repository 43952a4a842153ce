/**
 * A local stand-in for ECPay's B2C e-invoice staging host (einvoice-stage.ecpay.com.tw/B2CInvoice/*), mounted on the
 * ECPay sandbox's server: JSON envelopes whose Data is AES-128-CBC over URL-encoded JSON (the production module's
 * crypto, aws/src/ecpay/einvoice.ts), Issue with ECPay's field rules and invoice numbers per two-month period,
 * Invalid within the legal window, Allowance and AllowanceInvalid with the remaining amount, GetIssue,
 * CheckBarcode/CheckLoveCode, a page listing issued invoices, and an outage switch. ./README.md lists the differences.
 */
import { createDecipheriv, randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EINVOICE_STAGE_MERCHANT, encryptData, parseInvoiceDate } from "../../src/ecpay/einvoice";
import {
  CITIZEN_CERTIFICATE_PATTERN,
  LOVE_CODE_PATTERN,
  MOBILE_BARCODE_PATTERN,
  isValidTaxId,
  voidDeadline,
} from "../../src/domain/invoice";
import { formatTaipei, taipeiDate } from "../../src/domain/taipei-time";
import { HttpError, readBody, sendHtml, sendJson } from "./http";
import { escapeHtml, layout } from "./pages";

export interface EinvoiceMerchant {
  merchantId: string;
  hashKey: string;
  hashIV: string;
}

export interface SandboxInvoice {
  merchantId: string;
  relateNumber: string;
  invoiceNo: string;
  /** yyyy-MM-dd HH:mm:ss, Taipei. */
  invoiceDate: string;
  issuedAt: string;
  randomNumber: string;
  salesAmount: number;
  customerIdentifier: string;
  customerName: string;
  carrierType: string;
  carrierNum: string;
  donation: string;
  loveCode: string;
  print: string;
  items: unknown[];
  invalid: boolean;
  invalidReason?: string;
  allowances: { no: string; amount: number; date: string; invalid: boolean }[];
  remaining: number;
}

export interface EinvoiceOptions {
  merchants?: EinvoiceMerchant[];
  /** The clock (the void deadline and the 10-minute Timestamp window); tests move it. */
  now?: () => Date;
  log?: (msg: string) => void;
}

const TIMESTAMP_WINDOW_S = 600;
/** Love codes the Ministry of Finance "knows" here (CheckLoveCode answers IsExist N for any other). */
const KNOWN_LOVE_CODES = new Set(["168001", "919", "8585", "51811"]);
const APIS = [
  "Issue",
  "Invalid",
  "Allowance",
  "AllowanceInvalid",
  "GetIssue",
  "CheckBarcode",
  "CheckLoveCode",
] as const;
type Api = (typeof APIS)[number];

export function createEinvoiceStandIn(opts: EinvoiceOptions = {}) {
  const log = opts.log ?? (() => {});
  const merchants = new Map((opts.merchants ?? [EINVOICE_STAGE_MERCHANT]).map((m) => [m.merchantId, m]));
  /**
   * `backdateMs` dates the invoices issued from now on that far back (an invoice issued months ago, for a test of
   * what happens after the void window), without moving the clock every other check uses.
   */
  const config: { outage: "none" | "down" | "refuse"; offsetMs: number; backdateMs: number; unknownCodes: boolean } = {
    outage: "none",
    offsetMs: 0,
    backdateMs: 0,
    unknownCodes: false,
  };
  const now = () => new Date((opts.now ?? (() => new Date()))().getTime() + config.offsetMs);
  const invoices = new Map<string, SandboxInvoice>();
  const byRelate = new Map<string, SandboxInvoice>();
  /** Next number per two-month period ("2026-11" → letters and counter). */
  const tracks = new Map<string, { letters: string; next: number }>();
  let calls = 0;

  function nextInvoiceNo(at: Date): string {
    const { year, month } = taipeiDate(at);
    const period = `${year}-${Math.ceil(month / 2)}`;
    let track = tracks.get(period);
    if (!track) {
      const a = String.fromCharCode(65 + ((year * 6 + Math.ceil(month / 2)) % 26));
      track = { letters: `${a}${String.fromCharCode(65 + randomInt(26))}`, next: randomInt(10_000_000, 20_000_000) };
      tracks.set(period, track);
    }
    track.next += 1;
    return `${track.letters}${String(track.next).padStart(8, "0")}`;
  }

  /** Decrypts Data the tolerant way: either hex case, `+` or `%20` for spaces, any key order. */
  function decrypt(data: string, m: EinvoiceMerchant): Record<string, unknown> | null {
    try {
      const decipher = createDecipheriv("aes-128-cbc", Buffer.from(m.hashKey), Buffer.from(m.hashIV));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
      const value = JSON.parse(decodeURIComponent(plain.replace(/\+/g, " ")));
      return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

  function issue(d: Record<string, unknown>, m: EinvoiceMerchant): Record<string, unknown> {
    const p: string[] = [];
    const relate = str(d.RelateNumber);
    if (!/^[0-9A-Za-z]{1,50}$/.test(relate)) p.push("RelateNumber 須為 1–50 碼英數字");
    const identifier = str(d.CustomerIdentifier);
    if (identifier && !isValidTaxId(identifier)) p.push("CustomerIdentifier 統一編號格式錯誤");
    const print = str(d.Print);
    const donation = str(d.Donation);
    const loveCode = str(d.LoveCode);
    const carrierType = str(d.CarrierType);
    const carrierNum = str(d.CarrierNum);
    const name = str(d.CustomerName);
    const addr = str(d.CustomerAddr);
    if (!["0", "1"].includes(print)) p.push("Print 須為 0 或 1");
    if (!["0", "1"].includes(donation)) p.push("Donation 須為 0 或 1");
    if (!["", "1", "2", "3"].includes(carrierType)) p.push("CarrierType 錯誤");
    if (Array.from(name).length > 60 || Array.from(addr).length > 100)
      p.push("CustomerName 最多 60 字、CustomerAddr 最多 100 字");
    if (!str(d.CustomerPhone) && !str(d.CustomerEmail)) p.push("CustomerPhone 與 CustomerEmail 至少填一項");
    if (print === "1" && (!name || !addr)) p.push("列印發票須填 CustomerName 與 CustomerAddr");
    if (donation === "1") {
      if (!LOVE_CODE_PATTERN.test(loveCode)) p.push("LoveCode 須為 3–7 碼數字");
      if (print === "1" || identifier || carrierType) p.push("捐贈發票不可列印、不可有統一編號或載具");
    } else if (loveCode) p.push("非捐贈發票不可填 LoveCode");
    if ((carrierType === "" || carrierType === "1") && carrierNum)
      p.push("CarrierType 空白或 1 時 CarrierNum 須為空白");
    if (carrierType === "2" && !CITIZEN_CERTIFICATE_PATTERN.test(carrierNum)) p.push("自然人憑證載具格式錯誤");
    if (carrierType === "3" && !MOBILE_BARCODE_PATTERN.test(carrierNum)) p.push("手機條碼載具格式錯誤");
    if ((carrierType === "1" || carrierType === "2") && print !== "0") p.push("載具 1、2 不可列印");
    if (!identifier && print === "0" && donation !== "1" && !carrierType) p.push("不列印的發票須有載具或捐贈");
    if (identifier && donation === "1") p.push("有統一編號不可捐贈");
    if (identifier && carrierType === "" && print !== "1") p.push("有統一編號且無載具須列印");
    if (str(d.TaxType) !== "1" && str(d.TaxType) !== "2" && str(d.TaxType) !== "3") p.push("TaxType 只模擬 1、2、3");
    const sales = d.SalesAmount;
    if (typeof sales !== "number" || !Number.isInteger(sales) || sales <= 0) p.push("SalesAmount 須為正整數");
    const items = Array.isArray(d.Items) ? (d.Items as Record<string, unknown>[]) : [];
    if (items.length === 0 || items.length > 999) p.push("Items 須有 1–999 項");
    let sum = 0;
    for (const [i, item] of items.entries()) {
      const amount = Number(item.ItemAmount);
      const price = Number(item.ItemPrice);
      const count = Number(item.ItemCount);
      if (!str(item.ItemName) || Array.from(str(item.ItemName)).length > 500) p.push(`Items[${i}].ItemName 錯誤`);
      if (!str(item.ItemWord) || Array.from(str(item.ItemWord)).length > 6) p.push(`Items[${i}].ItemWord 錯誤`);
      if (
        !Number.isFinite(amount) ||
        !Number.isFinite(price) ||
        !Number.isFinite(count) ||
        Math.abs(price * count - amount) > 1
      )
        p.push(`Items[${i}] 金額與單價×數量不符`);
      sum += Number.isFinite(amount) ? amount : 0;
    }
    if (typeof sales === "number" && Math.round(sum) !== sales)
      p.push(`Items 合計 ${Math.round(sum)} 與 SalesAmount ${sales} 不符`);
    const key = `${m.merchantId}\u0000${relate}`;
    if (p.length === 0 && byRelate.has(key)) p.push("RelateNumber 重複 (already issued)");
    if (p.length > 0) return { RtnCode: 1200001, RtnMsg: p.join("; ") };

    const at = new Date(now().getTime() - config.backdateMs);
    const invoice: SandboxInvoice = {
      merchantId: m.merchantId,
      relateNumber: relate,
      invoiceNo: nextInvoiceNo(at),
      invoiceDate: formatTaipei(at, "yyyy-MM-dd HH:mm:ss"),
      issuedAt: at.toISOString(),
      randomNumber: String(randomInt(10_000)).padStart(4, "0"),
      salesAmount: sales as number,
      customerIdentifier: identifier,
      customerName: name,
      carrierType,
      carrierNum,
      donation,
      loveCode,
      print,
      items,
      invalid: false,
      allowances: [],
      remaining: sales as number,
    };
    invoices.set(invoice.invoiceNo, invoice);
    byRelate.set(key, invoice);
    log(`e-invoice ${invoice.invoiceNo} issued for ${relate} NT$${invoice.salesAmount}`);
    return {
      RtnCode: 1,
      RtnMsg: "開立發票成功",
      InvoiceNo: invoice.invoiceNo,
      InvoiceDate: invoice.invoiceDate,
      RandomNumber: invoice.randomNumber,
    };
  }

  function findInvoice(d: Record<string, unknown>, m: EinvoiceMerchant): SandboxInvoice | string {
    const inv = invoices.get(str(d.InvoiceNo));
    if (!inv || inv.merchantId !== m.merchantId) return "查無發票 (no such invoice)";
    const date = str(d.InvoiceDate);
    try {
      if (formatTaipei(parseInvoiceDate(date), "yyyy-MM-dd") !== inv.invoiceDate.slice(0, 10))
        return "InvoiceDate 與發票不符";
    } catch {
      return "InvoiceDate 格式錯誤";
    }
    return inv;
  }

  function invalid(d: Record<string, unknown>, m: EinvoiceMerchant): Record<string, unknown> {
    const inv = findInvoice(d, m);
    if (typeof inv === "string") return { RtnCode: 1600003, RtnMsg: inv };
    const reason = str(d.Reason);
    if (!reason || Array.from(reason).length > 20) return { RtnCode: 1600001, RtnMsg: "Reason 為必填（最多 20 字）" };
    if (inv.invalid) return { RtnCode: 1600004, RtnMsg: "發票已作廢" };
    if (inv.allowances.some((a) => !a.invalid)) return { RtnCode: 1600005, RtnMsg: "發票有折讓，請先作廢折讓" };
    if (now().getTime() > voidDeadline(new Date(inv.issuedAt)).getTime())
      return { RtnCode: 1600006, RtnMsg: "已超過作廢期限，請改開折讓" };
    inv.invalid = true;
    inv.invalidReason = reason;
    log(`e-invoice ${inv.invoiceNo} voided: ${reason}`);
    return { RtnCode: 1, RtnMsg: "作廢發票成功", InvoiceNo: inv.invoiceNo };
  }

  function allowance(d: Record<string, unknown>, m: EinvoiceMerchant): Record<string, unknown> {
    const inv = findInvoice(d, m);
    if (typeof inv === "string") return { RtnCode: 1700003, RtnMsg: inv };
    if (inv.invalid) return { RtnCode: 1700004, RtnMsg: "發票已作廢，不可折讓" };
    const amount = d.AllowanceAmount;
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0)
      return { RtnCode: 1700001, RtnMsg: "AllowanceAmount 須為正整數" };
    if (amount > inv.remaining) return { RtnCode: 1700002, RtnMsg: `折讓金額超過剩餘可折讓金額 ${inv.remaining}` };
    const notify = str(d.AllowanceNotify);
    if (!["S", "E", "A", "N"].includes(notify))
      return { RtnCode: 1700001, RtnMsg: "AllowanceNotify 須為 S、E、A 或 N" };
    if ((notify === "E" || notify === "A") && !str(d.NotifyMail))
      return { RtnCode: 1700001, RtnMsg: "NotifyMail 為必填" };
    const items = Array.isArray(d.Items) ? (d.Items as Record<string, unknown>[]) : [];
    if (Math.round(items.reduce((s, i) => s + Number(i.ItemAmount), 0)) !== amount)
      return { RtnCode: 1700001, RtnMsg: "Items 合計與 AllowanceAmount 不符" };
    const no = `${formatTaipei(now(), "yyyyMMdd")}${String(randomInt(100_000_000)).padStart(8, "0")}`;
    inv.remaining -= amount;
    inv.allowances.push({ no, amount, date: formatTaipei(now(), "yyyy-MM-dd HH:mm:ss"), invalid: false });
    return {
      RtnCode: 1,
      RtnMsg: "折讓成功",
      IA_Allow_No: no,
      IA_Invoice_No: inv.invoiceNo,
      IA_Date: formatTaipei(now(), "yyyy-MM-dd HH:mm:ss"),
      IA_Remain_Allowance_Amt: inv.remaining,
    };
  }

  function allowanceInvalid(d: Record<string, unknown>, m: EinvoiceMerchant): Record<string, unknown> {
    const inv = invoices.get(str(d.InvoiceNo));
    const a = inv?.merchantId === m.merchantId ? inv.allowances.find((x) => x.no === str(d.AllowanceNo)) : undefined;
    if (!inv || !a) return { RtnCode: 1800003, RtnMsg: "查無折讓" };
    if (a.invalid) return { RtnCode: 1800004, RtnMsg: "折讓已作廢" };
    a.invalid = true;
    inv.remaining += a.amount;
    return { RtnCode: 1, RtnMsg: "作廢折讓成功" };
  }

  function getIssue(d: Record<string, unknown>, m: EinvoiceMerchant): Record<string, unknown> {
    const inv = d.RelateNumber
      ? byRelate.get(`${m.merchantId}\u0000${str(d.RelateNumber)}`)
      : invoices.get(str(d.InvoiceNo));
    if (!inv || inv.merchantId !== m.merchantId) return { RtnCode: 1300003, RtnMsg: "查無發票" };
    return {
      RtnCode: 1,
      RtnMsg: "查詢成功",
      IIS_Mer_ID: inv.merchantId,
      IIS_Number: inv.invoiceNo,
      IIS_Relate_Number: inv.relateNumber,
      IIS_Create_Date: inv.invoiceDate,
      IIS_Random_Number: inv.randomNumber,
      IIS_Sales_Amount: inv.salesAmount,
      IIS_Invalid_Status: inv.invalid ? "1" : "0",
      IIS_Remain_Allowance_Amt: inv.remaining,
      IIS_Carrier_Type: inv.carrierType,
      IIS_Carrier_Num: inv.carrierNum,
      IIS_Love_Code: inv.loveCode,
      IIS_Identifier: inv.customerIdentifier || "0000000000",
    };
  }

  function check(api: "CheckBarcode" | "CheckLoveCode", d: Record<string, unknown>): Record<string, unknown> {
    if (config.unknownCodes)
      return { RtnCode: 9000001, RtnMsg: "財政部大平台連線異常 (Ministry of Finance unavailable)" };
    if (api === "CheckBarcode") {
      const code = str(d.BarCode);
      return { RtnCode: 1, RtnMsg: "執行成功", IsExist: MOBILE_BARCODE_PATTERN.test(code) ? "Y" : "N" };
    }
    const code = str(d.LoveCode);
    return {
      RtnCode: 1,
      RtnMsg: "執行成功",
      IsExist: LOVE_CODE_PATTERN.test(code) && KNOWN_LOVE_CODES.has(code) ? "Y" : "N",
    };
  }

  function reply(
    res: ServerResponse,
    merchantId: string,
    m: EinvoiceMerchant | undefined,
    transCode: number,
    transMsg: string,
    data?: Record<string, unknown>,
  ) {
    sendJson(res, 200, {
      PlatformID: "",
      MerchantID: merchantId,
      RpHeader: { Timestamp: Math.floor(now().getTime() / 1000) },
      TransCode: transCode,
      TransMsg: transMsg,
      Data: data && m ? encryptData(data, m) : "",
    });
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, api: Api) {
    calls += 1;
    const raw = await readBody(req, "application/json");
    if (config.outage === "down") {
      res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    let envelope: { MerchantID?: unknown; RqHeader?: { Timestamp?: unknown }; Data?: unknown };
    try {
      envelope = JSON.parse(raw);
    } catch {
      return reply(res, "", undefined, 9000000, "Request is not JSON");
    }
    const merchantId = str(envelope.MerchantID);
    const m = merchants.get(merchantId);
    if (!m) return reply(res, merchantId, undefined, 9000001, "MerchantID 錯誤");
    const ts = envelope.RqHeader?.Timestamp;
    if (typeof ts !== "number" || Math.abs(now().getTime() / 1000 - ts) > TIMESTAMP_WINDOW_S) {
      return reply(res, merchantId, undefined, 9000002, "Timestamp 逾時 (more than 10 minutes off)");
    }
    const data = typeof envelope.Data === "string" ? decrypt(envelope.Data, m) : null;
    if (!data) return reply(res, merchantId, undefined, 9000003, "Data 解密失敗 (cannot decrypt Data)");
    if (str(data.MerchantID) !== merchantId)
      return reply(res, merchantId, undefined, 9000004, "Data.MerchantID 與 MerchantID 不符");
    if (config.outage === "refuse")
      return reply(res, merchantId, m, 1, "Success", { RtnCode: 9000099, RtnMsg: "系統維護中 (maintenance)" });
    const result =
      api === "Issue"
        ? issue(data, m)
        : api === "Invalid"
          ? invalid(data, m)
          : api === "Allowance"
            ? allowance(data, m)
            : api === "AllowanceInvalid"
              ? allowanceInvalid(data, m)
              : api === "GetIssue"
                ? getIssue(data, m)
                : check(api, data);
    log(`e-invoice ${api} → ${String(result.RtnCode)} ${String(result.RtnMsg)}`);
    return reply(res, merchantId, m, 1, "Success", result);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path === "/__sandbox/einvoice" && req.method === "GET") {
      sendJson(res, 200, [...invoices.values()]);
      return true;
    }
    if (path === "/__sandbox/einvoice/config" && req.method === "POST") {
      const body = JSON.parse((await readBody(req, "application/json")) || "{}") as Record<string, unknown>;
      if (body.outage === "none" || body.outage === "down" || body.outage === "refuse") config.outage = body.outage;
      if (typeof body.offsetMs === "number" && Number.isFinite(body.offsetMs)) config.offsetMs = body.offsetMs;
      if (typeof body.backdateMs === "number" && Number.isFinite(body.backdateMs) && body.backdateMs >= 0)
        config.backdateMs = body.backdateMs;
      if (typeof body.unknownCodes === "boolean") config.unknownCodes = body.unknownCodes;
      log(`e-invoice config ${JSON.stringify(config)}`);
      sendJson(res, 200, { ...config, calls });
      return true;
    }
    const m = /^\/B2CInvoice\/?([A-Za-z]*)$/.exec(path);
    if (!m) return false;
    const api = APIS.find((a) => a.toLowerCase() === (m[1] as string).toLowerCase());
    if (!m[1] && req.method === "GET") {
      sendHtml(res, 200, listPage([...invoices.values()]));
      return true;
    }
    if (!api) throw new HttpError(404, `Not found: ${path}`);
    if (req.method !== "POST") throw new HttpError(405, "POST only");
    await handleApi(req, res, api);
    return true;
  }

  return {
    handle,
    invoices: () => structuredClone([...invoices.values()]),
    calls: () => calls,
    reset() {
      invoices.clear();
      byRelate.clear();
      config.outage = "none";
      config.offsetMs = 0;
      config.backdateMs = 0;
      config.unknownCodes = false;
    },
  };
}

export type EinvoiceStandIn = ReturnType<typeof createEinvoiceStandIn>;

function listPage(list: SandboxInvoice[]): string {
  const rows = list
    .map(
      (
        i,
      ) => `<tr data-invoice="${escapeHtml(i.invoiceNo)}"><td>${escapeHtml(i.invoiceNo)}</td><td>${escapeHtml(i.invoiceDate)}</td><td>${escapeHtml(i.relateNumber)}</td>
<td>NT$${i.salesAmount}</td><td>${i.invalid ? "已作廢" : i.allowances.some((a) => !a.invalid) ? `已折讓（剩 NT$${i.remaining}）` : "已開立"}</td>
<td>${escapeHtml(i.customerIdentifier ? `統編 ${i.customerIdentifier}` : i.donation === "1" ? `捐贈 ${i.loveCode}` : `載具 ${i.carrierType} ${i.carrierNum}`)}</td></tr>`,
    )
    .join("\n");
  return layout(
    "已開立發票",
    `<h1>已開立發票 (Issued e-invoices)</h1>
<table><thead><tr><th>發票號碼</th><th>日期</th><th>RelateNumber</th><th>金額</th><th>狀態</th><th>載具</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}
