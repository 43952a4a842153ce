/**
 * A local stand-in for ECPay's staging AIO gateway (dev and tests only; production code never
 * imports this). It speaks the same wire protocol as payment-stage.ecpay.com.tw and does all MAC
 * work with the production module, so a bug there shows up here too.
 *
 * Behaviour and deliberate differences from the real gateway: ./README.md
 */
import { randomInt } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import {
  ECPAY_ACK,
  ECPAY_CHECKOUT_PATH,
  ECPAY_QUERY_PATH,
  checkMacValue,
  formatTaipeiDate,
  formatTaipeiDateTime,
  PAYMENT_MAC,
  parseFormBody,
  parseTaipeiDateTime,
  verifyCheckMacValue,
} from "../../src/ecpay";
import { createEinvoiceStandIn, type EinvoiceOptions, type EinvoiceStandIn } from "./einvoice";
import { createLogisticsStandIn, type LogisticsOptions, type LogisticsStandIn } from "./logistics";
import { HttpError, parseJson, postForm, readBody, sendHtml, sendJson, sendText } from "./http";
import { TEST_CARD, atmPage, autoPostPage, creditPage, errorPage, indexPage, resultPage } from "./pages";

export interface SandboxMerchant {
  merchantId: string;
  hashKey: string;
  hashIV: string;
}

export interface EcpaySandboxOptions {
  /** Default 3002; 0 picks a free port. */
  port?: number;
  host?: string;
  merchants: SandboxMerchant[];
  /** Waits between ReturnURL/PaymentInfoURL re-deliveries; deliveries = 1 + length. */
  retryDelaysMs?: number[];
  /** Used when the checkout posts no ExpireDate (ECPay's default is 3). */
  atmExpireDays?: number;
  /** How long a callback receiver may take before the attempt counts as failed (ECPay: about 10 s). */
  callbackTimeoutMs?: number;
  /** Start with every ReturnURL/PaymentInfoURL dropped (as `POST /__sandbox/config {"suppressCallbacks":true}`). */
  suppressCallbacks?: boolean;
  log?: (msg: string) => void;
  /** ECPay Logistics on the same server (./logistics.ts): its merchants, retry rule, clock. */
  logistics?: Omit<LogisticsOptions, "log">;
  /** ECPay's B2C e-invoice API on the same server (./einvoice.ts). */
  einvoice?: Omit<EinvoiceOptions, "log">;
}

export type SandboxTradeStatus = "awaiting-payment" | "paid" | "abandoned";

export interface SandboxTrade {
  merchantId: string;
  merchantTradeNo: string;
  tradeNo: string;
  storeId: string;
  choosePayment: "Credit" | "ATM";
  totalAmount: number;
  itemName: string;
  tradeDesc: string;
  /** As posted by the shop. */
  merchantTradeDate: string;
  /** When the sandbox accepted the checkout (Taipei), ECPay's TradeDate. */
  tradeDate: string;
  returnUrl: string;
  orderResultUrl?: string;
  clientBackUrl?: string;
  paymentInfoUrl?: string;
  clientRedirectUrl?: string;
  customFields: [string, string, string, string];
  status: SandboxTradeStatus;
  paymentType: string;
  paymentTypeChargeFee: number;
  /** Empty until paid. */
  paymentDate: string;
  simulatePaid: 0 | 1;
  failedCardAttempts: number;
  atm?: { bankCode: string; bankName: string; vAccount: string; expireDate: string };
}

export interface DeliveryRecord {
  kind: "ReturnURL" | "PaymentInfoURL";
  url: string;
  merchantTradeNo: string;
  /** 1 for the first delivery, 2… for re-deliveries. */
  attempt: number;
  /** ISO time the attempt finished. */
  at: string;
  fields: Record<string, string>;
  /** HTTP status, or null when the request failed or timed out. */
  status: number | null;
  /** Response body, or null when there was none. */
  body: string | null;
  error?: string;
  /** True only for HTTP 200 with the exact body `1|OK`. */
  acknowledged: boolean;
}

export interface EcpaySandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  trades(): SandboxTrade[];
  deliveries(): DeliveryRecord[];
  /** QueryTradeInfo requests received so far. */
  queryCount(): number;
  /** The logistics stand-in (store map, Create, status notifications, query, print). */
  logistics: LogisticsStandIn;
  /** The e-invoice stand-in (Issue, Invalid, Allowance, GetIssue, the invoice list). */
  einvoice: EinvoiceStandIn;
}

interface SandboxConfig {
  suppressCallbacks: boolean;
  retryDelaysMs: number[];
  /** QueryTradeInfo down: "unavailable" answers HTTP 503, "rate-limited" HTTP 403 (ECPay's "too fast"). */
  queryOutage: "none" | "unavailable" | "rate-limited";
}

/** Codes the real gateway is known to use; SANDBOX_* codes are this sandbox's own labels. */
const ERR = {
  badMac: { code: "10200073", message: "CheckMacValue Error" },
  /** The ECPay-API-Skill guide calls 10200047 both "duplicate" and "not found": unverified either way. */
  duplicate: { code: "10200047", message: "訂單編號重複 (MerchantTradeNo already used; unverified code)" },
  notFound: "10200047",
  neverPaid: "10200095",
} as const;

const REQUIRED_CHECKOUT_FIELDS = [
  "MerchantID",
  "MerchantTradeNo",
  "MerchantTradeDate",
  "PaymentType",
  "TotalAmount",
  "TradeDesc",
  "ItemName",
  "ReturnURL",
  "ChoosePayment",
  "EncryptType",
  "CheckMacValue",
] as const;

const ATM_BANK = { code: "812", name: "台新銀行", paymentType: "ATM_TAISHIN" } as const;
const QUERY_TIMESTAMP_WINDOW_S = 180;


const configPatchSchema = z
  .object({
    suppressCallbacks: z.boolean().optional(),
    retryDelaysMs: z.array(z.number().int().min(0).max(24 * 3600 * 1000)).max(10).optional(),
    queryOutage: z.enum(["none", "unavailable", "rate-limited"]).optional(),
  })
  .strict();

export async function startEcpaySandbox(opts: EcpaySandboxOptions): Promise<EcpaySandbox> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const callbackTimeoutMs = opts.callbackTimeoutMs ?? 10_000;
  const defaultAtmDays = opts.atmExpireDays ?? 3;
  const merchants = new Map(opts.merchants.map((m) => [m.merchantId, m]));
  const config: SandboxConfig = {
    suppressCallbacks: opts.suppressCallbacks ?? false,
    retryDelaysMs: [...(opts.retryDelaysMs ?? [5_000, 15_000, 30_000, 60_000])],
    queryOutage: "none",
  };

  const logistics = createLogisticsStandIn({ ...opts.logistics, log });
  const einvoice = createEinvoiceStandIn({ ...opts.einvoice, log });
  const trades = new Map<string, SandboxTrade>();
  /** QueryTradeInfo requests received (answered or refused). */
  let queries = 0;
  const tradesByTradeNo = new Map<string, SandboxTrade>();
  const deliveries: DeliveryRecord[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  const shutdown = new AbortController();
  let tradeSeq = randomInt(100_000, 500_000);

  const tradeKey = (merchantId: string, merchantTradeNo: string) => `${merchantId}\u0000${merchantTradeNo}`;
  const keysOf = (trade: SandboxTrade) => {
    const m = merchants.get(trade.merchantId);
    if (!m) throw new Error(`merchant ${trade.merchantId} vanished`);
    return m;
  };

  // ---------------------------------------------------------------------------------------
  // Signed messages the gateway sends

  function sign(trade: SandboxTrade, fields: Record<string, string>): Record<string, string> {
    return { ...fields, CheckMacValue: checkMacValue(fields, keysOf(trade)) };
  }

  function customFields(trade: SandboxTrade) {
    const [c1, c2, c3, c4] = trade.customFields;
    return { CustomField1: c1, CustomField2: c2, CustomField3: c3, CustomField4: c4 };
  }

  function paymentResultFields(trade: SandboxTrade, rtnMsg: string): Record<string, string> {
    return sign(trade, {
      MerchantID: trade.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: trade.storeId,
      RtnCode: "1",
      RtnMsg: rtnMsg,
      TradeNo: trade.tradeNo,
      TradeAmt: String(trade.totalAmount),
      PaymentDate: trade.paymentDate,
      PaymentType: trade.paymentType,
      PaymentTypeChargeFee: String(trade.paymentTypeChargeFee),
      TradeDate: trade.tradeDate,
      SimulatePaid: String(trade.simulatePaid),
      ...customFields(trade),
    });
  }

  function paymentInfoFields(trade: SandboxTrade): Record<string, string> {
    const atm = trade.atm;
    if (!atm) throw new Error("payment info for a trade without a virtual account");
    return sign(trade, {
      MerchantID: trade.merchantId,
      MerchantTradeNo: trade.merchantTradeNo,
      StoreID: trade.storeId,
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: trade.tradeNo,
      TradeAmt: String(trade.totalAmount),
      PaymentType: trade.paymentType,
      TradeDate: trade.tradeDate,
      BankCode: atm.bankCode,
      vAccount: atm.vAccount,
      ExpireDate: atm.expireDate,
      ...customFields(trade),
    });
  }

  function queryReplyFields(merchant: SandboxMerchant, merchantTradeNo: string, trade: SandboxTrade | undefined) {
    const fields: Record<string, string> = trade
      ? {
          CustomField1: trade.customFields[0],
          CustomField2: trade.customFields[1],
          CustomField3: trade.customFields[2],
          CustomField4: trade.customFields[3],
          HandlingCharge: "0",
          ItemName: trade.itemName,
          MerchantID: trade.merchantId,
          MerchantTradeNo: trade.merchantTradeNo,
          PaymentDate: trade.paymentDate,
          PaymentType: trade.paymentType,
          PaymentTypeChargeFee: String(trade.paymentTypeChargeFee),
          StoreID: trade.storeId,
          TradeAmt: String(trade.totalAmount),
          TradeDate: trade.tradeDate,
          TradeNo: trade.tradeNo,
          TradeStatus: trade.status === "paid" ? "1" : trade.status === "abandoned" ? ERR.neverPaid : "0",
        }
      : {
          ...Object.fromEntries(
            ["CustomField1", "CustomField2", "CustomField3", "CustomField4", "HandlingCharge", "ItemName"].map((k) => [k, ""]),
          ),
          MerchantID: merchant.merchantId,
          MerchantTradeNo: merchantTradeNo,
          PaymentDate: "",
          PaymentType: "",
          PaymentTypeChargeFee: "",
          StoreID: "",
          TradeAmt: "",
          TradeDate: "",
          TradeNo: "",
          TradeStatus: ERR.notFound,
        };
    return { ...fields, CheckMacValue: checkMacValue(fields, merchant) };
  }

  // ---------------------------------------------------------------------------------------
  // Server-to-server notifications with ECPay's retry rule

  async function deliver(
    kind: DeliveryRecord["kind"],
    trade: SandboxTrade,
    url: string,
    fieldsFor: (attempt: number) => Record<string, string>,
    attempt = 1,
  ): Promise<DeliveryRecord | undefined> {
    if (config.suppressCallbacks || shutdown.signal.aborted) {
      log(`${kind} for ${trade.merchantTradeNo} suppressed`);
      return undefined;
    }
    const fields = fieldsFor(attempt);
    const record: DeliveryRecord = {
      kind,
      url,
      merchantTradeNo: trade.merchantTradeNo,
      attempt,
      at: "",
      fields,
      status: null,
      body: null,
      acknowledged: false,
    };
    try {
      const res = await postForm(url, new URLSearchParams(fields).toString(), callbackTimeoutMs, shutdown.signal);
      record.status = res.status;
      record.body = res.body;
      record.acknowledged = res.status === 200 && res.body === ECPAY_ACK;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    record.at = new Date().toISOString();
    deliveries.push(record);
    log(
      `${kind} #${attempt} ${trade.merchantTradeNo} → ${url}: ${record.status ?? record.error} ${JSON.stringify(record.body?.slice(0, 80) ?? "")}`,
    );

    const delay = config.retryDelaysMs[attempt - 1];
    if (!record.acknowledged && delay !== undefined && !shutdown.signal.aborted) {
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        void deliver(kind, trade, url, fieldsFor, attempt + 1);
      }, delay);
      retryTimers.add(timer);
    }
    return record;
  }

  /** Marks the trade paid and sends ReturnURL; the first attempt is awaited so the browser step follows it. */
  async function pay(trade: SandboxTrade, simulatePaid: 0 | 1): Promise<DeliveryRecord | undefined> {
    trade.status = "paid";
    trade.simulatePaid = simulatePaid;
    trade.paymentDate = formatTaipeiDateTime(new Date());
    trade.paymentTypeChargeFee = trade.choosePayment === "Credit" ? Math.round(trade.totalAmount * 0.0275) : 10;
    log(`paid ${trade.merchantTradeNo} ${trade.paymentType} NT$${trade.totalAmount}${simulatePaid ? " (simulated)" : ""}`);
    return deliver("ReturnURL", trade, trade.returnUrl, (attempt) => paymentResultFields(trade, attempt === 1 ? "交易成功" : "paid"));
  }

  // ---------------------------------------------------------------------------------------
  // Checkout

  function newTradeNo(now: Date): string {
    tradeSeq = (tradeSeq + 1) % 1_000_000;
    return `${formatTaipeiDateTime(now).replace(/\D/g, "")}${String(tradeSeq).padStart(6, "0")}`;
  }

  function newVirtualAccount(): string {
    const used = new Set([...trades.values()].map((t) => t.atm?.vAccount));
    for (;;) {
      const account = `9103${Array.from({ length: 10 }, () => randomInt(10)).join("")}`;
      if (!used.has(account)) return account;
    }
  }

  /** Mirrors the gateway's checks; returns an error page message or the trade to create. */
  function validateCheckout(f: Record<string, string>): { code: string; message: string } | { merchant: SandboxMerchant } {
    const merchant = f.MerchantID ? merchants.get(f.MerchantID) : undefined;
    if (!merchant) return { code: "SANDBOX_MERCHANT", message: `查無此特店 (Unknown MerchantID ${JSON.stringify(f.MerchantID ?? "")})` };
    // Only an SHA256 MAC is valid with EncryptType=1.
    if (!verifyCheckMacValue(f, merchant, PAYMENT_MAC)) return ERR.badMac;
    const missing = REQUIRED_CHECKOUT_FIELDS.filter((k) => !f[k]);
    if (missing.length > 0) return { code: "SANDBOX_PARAM", message: `缺少必要參數 (Missing ${missing.join(", ")})` };

    const problems: string[] = [];
    const urlOk = (k: string) => {
      const v = f[k];
      if (v === undefined || v === "") return;
      if (v.length > 200 || !/^https?:\/\/[^\s]+$/.test(v)) problems.push(`${k} must be an absolute http(s) URL ≤ 200 characters`);
    };
    if (f.PaymentType !== "aio") problems.push("PaymentType must be aio");
    if (f.EncryptType !== "1") problems.push("EncryptType must be 1");
    if (!/^[0-9A-Za-z]{1,20}$/.test(f.MerchantTradeNo ?? "")) problems.push("MerchantTradeNo must be 1–20 letters/digits");
    if (!/^[1-9]\d*$/.test(f.TotalAmount ?? "")) problems.push("TotalAmount must be an integer ≥ 1");
    if (!isEcpayDateTime(f.MerchantTradeDate ?? "")) problems.push("MerchantTradeDate must be yyyy/MM/dd HH:mm:ss");
    if (f.ChoosePayment !== "Credit" && f.ChoosePayment !== "ATM") {
      problems.push(`ChoosePayment ${f.ChoosePayment} is not simulated here (Credit and ATM only)`);
    }
    for (const k of ["ReturnURL", "OrderResultURL", "ClientBackURL", "PaymentInfoURL", "ClientRedirectURL"]) urlOk(k);
    if (f.OrderResultURL && f.OrderResultURL === f.ReturnURL) problems.push("ReturnURL and OrderResultURL must differ");
    if (f.ExpireDate !== undefined && !(/^\d+$/.test(f.ExpireDate) && +f.ExpireDate >= 1 && +f.ExpireDate <= 60)) {
      problems.push("ExpireDate must be 1–60 days");
    }
    if (Array.from(f.TradeDesc ?? "").length > 200) problems.push("TradeDesc is longer than 200 characters");
    for (const k of ["CustomField1", "CustomField2", "CustomField3", "CustomField4"]) {
      if (Array.from(f[k] ?? "").length > 50) problems.push(`${k} is longer than 50 characters`);
    }
    if (problems.length > 0) return { code: "SANDBOX_PARAM", message: `參數錯誤 (${problems.join("; ")})` };
    if (trades.has(tradeKey(merchant.merchantId, f.MerchantTradeNo ?? ""))) return ERR.duplicate;
    return { merchant };
  }

  async function handleCheckout(req: IncomingMessage, res: ServerResponse) {
    const f = parseFormBody(await readBody(req, "application/x-www-form-urlencoded"));
    const verdict = validateCheckout(f);
    if ("code" in verdict) {
      log(`checkout rejected ${f.MerchantTradeNo ?? "?"}: ${verdict.code} ${verdict.message}`);
      return sendHtml(res, 400, errorPage(verdict.code, verdict.message), { "x-ecpay-sandbox-error": verdict.code });
    }
    const now = new Date();
    const atm = f.ChoosePayment === "ATM";
    const optional = (k: string) => (f[k] ? f[k] : undefined);
    const trade: SandboxTrade = {
      merchantId: verdict.merchant.merchantId,
      merchantTradeNo: f.MerchantTradeNo as string,
      tradeNo: newTradeNo(now),
      storeId: f.StoreID ?? "",
      choosePayment: atm ? "ATM" : "Credit",
      totalAmount: Number(f.TotalAmount),
      // The gateway keeps the first 400 characters, as ECPay documents.
      itemName: Array.from(f.ItemName as string).slice(0, 400).join(""),
      tradeDesc: f.TradeDesc as string,
      merchantTradeDate: f.MerchantTradeDate as string,
      tradeDate: formatTaipeiDateTime(now),
      returnUrl: f.ReturnURL as string,
      orderResultUrl: optional("OrderResultURL"),
      clientBackUrl: optional("ClientBackURL"),
      paymentInfoUrl: optional("PaymentInfoURL"),
      clientRedirectUrl: optional("ClientRedirectURL"),
      customFields: [f.CustomField1 ?? "", f.CustomField2 ?? "", f.CustomField3 ?? "", f.CustomField4 ?? ""],
      status: "awaiting-payment",
      paymentType: atm ? ATM_BANK.paymentType : "Credit_CreditCard",
      paymentTypeChargeFee: 0,
      paymentDate: "",
      simulatePaid: 0,
      failedCardAttempts: 0,
    };
    if (atm) {
      const days = f.ExpireDate ? Number(f.ExpireDate) : defaultAtmDays;
      trade.atm = {
        bankCode: ATM_BANK.code,
        bankName: ATM_BANK.name,
        vAccount: newVirtualAccount(),
        expireDate: formatTaipeiDate(new Date(now.getTime() + days * 86_400_000)),
      };
    }
    // Registered before any await so a concurrent post with the same number is refused.
    trades.set(tradeKey(trade.merchantId, trade.merchantTradeNo), trade);
    tradesByTradeNo.set(trade.tradeNo, trade);
    log(`checkout ${trade.merchantTradeNo} (${trade.tradeNo}) ${trade.choosePayment} NT$${trade.totalAmount}`);

    if (!atm) return sendHtml(res, 200, creditPage(trade));
    if (trade.paymentInfoUrl) await deliver("PaymentInfoURL", trade, trade.paymentInfoUrl, () => paymentInfoFields(trade));
    return sendHtml(res, 200, renderAtmPage(trade));
  }

  function renderAtmPage(trade: SandboxTrade) {
    const redirect = trade.clientRedirectUrl ? { url: trade.clientRedirectUrl, fields: paymentInfoFields(trade) } : undefined;
    return atmPage(trade, redirect);
  }

  // ---------------------------------------------------------------------------------------
  // Shopper actions on the payment page

  function tradeForPage(tradeNo: string): SandboxTrade {
    const trade = tradesByTradeNo.get(tradeNo);
    if (!trade) throw new HttpError(404, `查無交易 (Unknown TradeNo ${tradeNo})`);
    return trade;
  }

  /** Page shown after payment: OrderResultURL gets the signed result via the browser, else a link back. */
  function afterPayment(res: ServerResponse, trade: SandboxTrade) {
    if (trade.choosePayment === "Credit" && trade.orderResultUrl) {
      return sendHtml(res, 200, autoPostPage(trade.orderResultUrl, paymentResultFields(trade, "Succeeded")));
    }
    return sendHtml(res, 200, resultPage(trade, `交易成功 (Paid ${trade.paymentDate})`));
  }

  async function handleCard(req: IncomingMessage, res: ServerResponse, tradeNo: string) {
    const form = parseFormBody(await readBody(req, "application/x-www-form-urlencoded"));
    const trade = tradeForPage(tradeNo);
    if (trade.choosePayment !== "Credit") throw new HttpError(400, "此交易不是信用卡付款 (Not a credit card trade)");
    if (trade.status === "paid") return afterPayment(res, trade);
    if (trade.status === "abandoned") throw new HttpError(400, "交易已失效 (Trade abandoned)");

    const failure = cardFailure(form.cardNumber ?? "", form.expiry ?? "", form.cvv ?? "");
    if (failure) {
      // Real ECPay notifies ReturnURL only on success for credit cards; the shopper may retry.
      trade.failedCardAttempts++;
      log(`card declined for ${trade.merchantTradeNo}: ${failure}`);
      return sendHtml(res, 200, creditPage(trade, `授權失敗 (Authorization failed): ${failure}`));
    }
    await pay(trade, 0);
    return afterPayment(res, trade);
  }

  async function handleSimulate(req: IncomingMessage, res: ServerResponse, tradeNo: string) {
    await readBody(req);
    const trade = tradeForPage(tradeNo);
    if (trade.choosePayment !== "ATM") throw new HttpError(400, "只有 ATM 交易可以模擬付款 (Only ATM trades can be simulated)");
    if (trade.status === "awaiting-payment") await pay(trade, 1);
    if (trade.status !== "paid") throw new HttpError(400, "交易已失效 (Trade abandoned)");
    return sendHtml(res, 200, resultPage(trade, `已模擬付款 (Simulated payment, SimulatePaid=1) ${trade.paymentDate}`));
  }

  function handlePaymentPage(res: ServerResponse, tradeNo: string) {
    const trade = tradeForPage(tradeNo);
    if (trade.choosePayment === "ATM") return sendHtml(res, 200, renderAtmPage(trade));
    if (trade.status === "paid") return sendHtml(res, 200, resultPage(trade, `交易成功 (Paid ${trade.paymentDate})`));
    return sendHtml(res, 200, creditPage(trade));
  }

  // ---------------------------------------------------------------------------------------
  // QueryTradeInfo

  async function handleQuery(req: IncomingMessage, res: ServerResponse) {
    const f = parseFormBody(await readBody(req, "application/x-www-form-urlencoded"));
    queries += 1;
    if (config.queryOutage === "unavailable") return sendText(res, 503, "Service Unavailable");
    if (config.queryOutage === "rate-limited") return sendText(res, 403, "Forbidden");
    const merchant = f.MerchantID ? merchants.get(f.MerchantID) : undefined;
    if (!merchant) return sendText(res, 400, "SANDBOX_MERCHANT|Unknown MerchantID");
    if (!verifyCheckMacValue(f, merchant, PAYMENT_MAC)) return sendText(res, 400, `${ERR.badMac.code}|${ERR.badMac.message}`);
    const ts = Number(f.TimeStamp);
    if (!/^\d+$/.test(f.TimeStamp ?? "") || Math.abs(Date.now() / 1000 - ts) > QUERY_TIMESTAMP_WINDOW_S) {
      return sendText(res, 400, "SANDBOX_TIMESTAMP|TimeStamp is missing or more than 3 minutes off");
    }
    const no = f.MerchantTradeNo ?? "";
    const reply = queryReplyFields(merchant, no, trades.get(tradeKey(merchant.merchantId, no)));
    // Values are deliberately not percent-encoded: that is how ECPay answers.
    return sendText(
      res,
      200,
      Object.entries(reply)
        .map(([k, v]) => `${k}=${v}`)
        .join("&"),
    );
  }

  // ---------------------------------------------------------------------------------------
  // /__sandbox automation hooks

  function findTradeForHook(merchantTradeNo: string, merchantId: string | null): SandboxTrade {
    const matches = [...trades.values()].filter(
      (t) => t.merchantTradeNo === merchantTradeNo && (merchantId === null || t.merchantId === merchantId),
    );
    if (matches.length === 0) throw new HttpError(404, `unknown MerchantTradeNo ${merchantTradeNo}`);
    if (matches.length > 1) throw new HttpError(409, `${merchantTradeNo} exists for several merchants; add ?merchantId=`);
    return matches[0] as SandboxTrade;
  }

  async function handleHook(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname;
    if (req.method === "GET" && path === "/__sandbox/trades") return sendJson(res, 200, [...trades.values()]);
    if (req.method === "GET" && path === "/__sandbox/deliveries") return sendJson(res, 200, deliveries);
    if (req.method === "GET" && path === "/__sandbox/stats") return sendJson(res, 200, { queries });
    if (path === "/__sandbox/config") {
      if (req.method === "POST") {
        const parsed = configPatchSchema.safeParse(parseJson(await readBody(req, "application/json")));
        if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error));
        if (parsed.data.suppressCallbacks !== undefined) config.suppressCallbacks = parsed.data.suppressCallbacks;
        if (parsed.data.retryDelaysMs !== undefined) config.retryDelaysMs = parsed.data.retryDelaysMs;
        if (parsed.data.queryOutage !== undefined) config.queryOutage = parsed.data.queryOutage;
        log(`config ${JSON.stringify(config)}`);
      } else if (req.method !== "GET") {
        throw new HttpError(405, "GET or POST");
      }
      return sendJson(res, 200, config);
    }
    if (req.method === "POST" && path === "/__sandbox/reset") {
      await readBody(req);
      clearRetries();
      logistics.reset();
      einvoice.reset();
      trades.clear();
      tradesByTradeNo.clear();
      deliveries.length = 0;
      queries = 0;
      return sendJson(res, 200, { ok: true });
    }
    const m = /^\/__sandbox\/trades\/([^/]+)\/(pay|abandon)$/.exec(path);
    if (req.method === "POST" && m) {
      await readBody(req);
      const trade = findTradeForHook(decodeURIComponent(m[1] as string), url.searchParams.get("merchantId"));
      if (trade.status !== "awaiting-payment") throw new HttpError(409, `trade is already ${trade.status}`);
      if (m[2] === "abandon") {
        trade.status = "abandoned";
        return sendJson(res, 200, { trade });
      }
      const delivery = await pay(trade, trade.choosePayment === "ATM" ? 1 : 0);
      return sendJson(res, 200, { trade, delivery: delivery ?? null });
    }
    throw new HttpError(404, `no sandbox hook ${req.method} ${path}`);
  }

  // ---------------------------------------------------------------------------------------
  // Routing

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (await logistics.handle(req, res, url)) return;
    if (await einvoice.handle(req, res, url)) return;
    if (path.startsWith("/__sandbox/")) return handleHook(req, res, url);
    if (path === ECPAY_CHECKOUT_PATH) {
      if (method !== "POST") throw new HttpError(405, "請以 POST 表單送出 (POST the checkout form)");
      return handleCheckout(req, res);
    }
    if (path === ECPAY_QUERY_PATH) {
      if (method !== "POST") throw new HttpError(405, "POST only");
      return handleQuery(req, res);
    }
    const page = /^\/Payment\/(\d+)(?:\/(credit|simulate))?$/.exec(path);
    if (page) {
      const [, tradeNo = "", action] = page;
      if (!action && method === "GET") return handlePaymentPage(res, tradeNo);
      if (action === "credit" && method === "POST") return handleCard(req, res, tradeNo);
      if (action === "simulate" && method === "POST") return handleSimulate(req, res, tradeNo);
      throw new HttpError(405, "Method not allowed");
    }
    if (path === "/" && method === "GET") return sendHtml(res, 200, indexPage(baseUrl, [...merchants.keys()]));
    throw new HttpError(404, `Not found: ${path}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500) log(`error ${req.method} ${req.url}: ${err instanceof Error ? err.stack : message}`);
      if (res.headersSent) return res.end();
      if (req.url?.startsWith("/__sandbox/") || req.url === ECPAY_QUERY_PATH) return sendText(res, status, message);
      // ECPay Logistics answers its server calls in plain text (`0|message`).
      if (/^\/(express|helper)\//i.test(req.url ?? "") && !/map|print/i.test(req.url ?? "")) return sendText(res, status, `0|${message}`);
      return sendHtml(res, status, errorPage(`HTTP ${status}`, message));
    });
  });

  function clearRetries() {
    for (const t of retryTimers) clearTimeout(t);
    retryTimers.clear();
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 3002, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log(`ECPay sandbox listening on ${baseUrl} (merchants ${[...merchants.keys()].join(", ")})`);

  return {
    url: baseUrl,
    port,
    trades: () => structuredClone([...trades.values()]),
    queryCount: () => queries,
    logistics,
    einvoice,
    deliveries: () => structuredClone(deliveries),
    close: async () => {
      shutdown.abort();
      logistics.close();
      clearRetries();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Card rule of ECPay's stage: only the test card with CVV 222 and an expiry not yet past. */
function cardFailure(cardNumber: string, expiry: string, cvv: string): string | undefined {
  if (cardNumber.replace(/[\s-]/g, "") !== TEST_CARD.number) return "卡號錯誤 (only the test card is accepted)";
  if (cvv.trim() !== TEST_CARD.cvv) return "安全碼錯誤 (wrong CVV)";
  const m = /^\s*(\d{1,2})\s*\/?\s*(\d{2})\s*$/.exec(expiry);
  const month = Number(m?.[1]);
  if (!m || month < 1 || month > 12) return "有效期限格式錯誤 (expiry must be MM/YY)";
  const [nowYear, nowMonth] = formatTaipeiDate(new Date()).split("/").map(Number) as [number, number];
  const year = 2000 + Number(m[2]);
  if (year < nowYear || (year === nowYear && month < nowMonth)) return "卡片已過期 (card expired)";
  return undefined;
}

function isEcpayDateTime(s: string): boolean {
  if (!/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(s)) return false;
  try {
    parseTaipeiDateTime(s);
    return true;
  } catch {
    return false;
  }
}

