/**
 * A local stand-in for ECPay Logistics' staging host (logistics-stage.ecpay.com.tw), mounted on the ECPay sandbox's
 * server: the CVS store map, /Express/Create, the status notifications to ServerReplyURL with ECPay's retry rule,
 * the query, the print pages and the 7-ELEVEN C2C cancel. Form posts signed with an MD5 CheckMacValue, done with the
 * production module (aws/src/ecpay), so a bug there shows up here too. ./README.md lists what differs from ECPay.
 */
import { randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ECPAY_ACK,
  LOGISTICS_MAC,
  checkMacValue,
  formatTaipeiDateTime,
  parseFormBody,
  parseTaipeiDateTime,
  verifyCheckMacValue,
} from "../../src/ecpay";
import { formatRawPairs, LOGISTICS_STAGE_MERCHANTS } from "../../src/ecpay/logistics";
import { HttpError, postForm, readBody, sendHtml, sendJson, sendText } from "./http";
import { escapeHtml, layout } from "./pages";

export interface LogisticsMerchant {
  merchantId: string;
  hashKey: string;
  hashIV: string;
  account: "B2C" | "C2C";
}

/** ECPay's public staging logistics merchants (B2C 2000132, C2C 2000933). */
export const LOGISTICS_SANDBOX_MERCHANTS: LogisticsMerchant[] = [
  { ...LOGISTICS_STAGE_MERCHANTS.B2C, account: "B2C" },
  { ...LOGISTICS_STAGE_MERCHANTS.C2C, account: "C2C" },
];

const SUBTYPES = {
  B2C: ["FAMI", "UNIMART", "UNIMARTFREEZE", "HILIFE"],
  C2C: ["FAMIC2C", "UNIMARTC2C", "HILIFEC2C", "OKMARTC2C"],
  HOME: ["TCAT", "POST"],
} as const;

type Chain = "UNIMART" | "FAMI" | "HILIFE" | "OKMART";
const chainOf = (subType: string): Chain | undefined =>
  subType.startsWith("UNIMART")
    ? "UNIMART"
    : subType.startsWith("FAMI")
      ? "FAMI"
      : subType.startsWith("HILIFE")
        ? "HILIFE"
        : subType.startsWith("OKMART")
          ? "OKMART"
          : undefined;

export interface SandboxStore {
  chain: Chain;
  id: string;
  name: string;
  address: string;
  phone: string;
  /** On an outlying island (CVSOutSide = 1). */
  outside: boolean;
}

/** ECPay's stage test stores (7-ELEVEN 131386 and 896539, FamilyMart 006598, OK 1328) and a few made-up ones. */
export const SANDBOX_STORES: SandboxStore[] = [
  {
    chain: "UNIMART",
    id: "131386",
    name: "建盛門市",
    address: "台北市南港區三重路19-2號",
    phone: "(02)26511523",
    outside: false,
  },
  {
    chain: "UNIMART",
    id: "896539",
    name: "測試登記門市",
    address: "台北市內湖區瑞光路399號",
    phone: "(02)27991234",
    outside: false,
  },
  {
    chain: "UNIMART",
    id: "991182",
    name: "馬公門市",
    address: "澎湖縣馬公市中正路1號",
    phone: "(06)9261234",
    outside: true,
  },
  {
    chain: "FAMI",
    id: "006598",
    name: "全家南港店",
    address: "台北市南港區南港路一段1號",
    phone: "(02)27831234",
    outside: false,
  },
  {
    chain: "FAMI",
    id: "013488",
    name: "全家板橋店",
    address: "新北市板橋區文化路一段2號",
    phone: "(02)29601234",
    outside: false,
  },
  {
    chain: "HILIFE",
    id: "4398",
    name: "萊爾富內湖店",
    address: "台北市內湖區成功路四段3號",
    phone: "(02)27901234",
    outside: false,
  },
  {
    chain: "OKMART",
    id: "1328",
    name: "OK中和店",
    address: "新北市中和區中山路二段4號",
    phone: "(02)22401234",
    outside: false,
  },
];

/** The codes a parcel goes through per subtype (ECPay's logistics_status.xlsx): to the pickup, or back. */
const TIMELINES: Record<string, { pickup: string[]; back: string[] }> = {
  UNIMART: { pickup: ["2030", "2063", "2067"], back: ["2074", "2076"] },
  UNIMARTFREEZE: { pickup: ["2030", "2063", "2067"], back: ["2074", "2076"] },
  UNIMARTC2C: { pickup: ["2068", "2030", "2073", "2067"], back: ["2074", "2070"] },
  FAMI: { pickup: ["310", "3024", "3018", "3022"], back: ["3020", "3023"] },
  FAMIC2C: { pickup: ["3032", "3024", "3018", "3022"], back: ["3020", "3023"] },
  HILIFE: { pickup: ["2001", "3024", "3018", "3022"], back: ["3020", "3023"] },
  HILIFEC2C: { pickup: ["3032", "3024", "3018", "3022"], back: ["3020", "3023"] },
  OKMARTC2C: { pickup: ["3032", "2030", "2073", "3022"], back: ["2074", "3023"] },
  TCAT: { pickup: ["310", "3001", "3003"], back: ["5008"] },
  POST: { pickup: ["320", "3313", "3308"], back: ["3310"] },
};

const MESSAGES: Record<string, string> = {
  "300": "訂單處理中(已收到訂單資料)",
  "310": "上傳電子訂單檔處理中",
  "320": "郵局已收件",
  "2001": "檔案傳送成功",
  "2030": "物流中心驗收成功",
  "2063": "門市配達",
  "2067": "消費者成功取件",
  "2068": "交貨便收件(A門市收到件寄件商品)",
  "2070": "已退回廠商",
  "2073": "商品配達買家取貨門市",
  "2074": "消費者七天未取件，退回中",
  "2076": "廠商成功取回退貨",
  "3001": "轉運中(即集貨)",
  "3003": "配完",
  "3018": "到店尚未取貨，簡訊通知取件",
  "3020": "貨件未取退回大物流中心",
  "3022": "買家已到店取貨",
  "3023": "賣家已取買家未取貨",
  "3024": "貨件已至物流中心",
  "3032": "賣家已到門市寄件",
  "3308": "投遞成功",
  "3310": "已退回寄件人",
  "3313": "運送中",
  "5008": "退貨配完",
  "9999": "訂單取消",
};

export interface SandboxShipment {
  merchantId: string;
  merchantTradeNo: string;
  allPayLogisticsId: string;
  logisticsType: "CVS" | "HOME";
  subType: string;
  goodsAmount: number;
  collectionAmount: number;
  goodsName: string;
  receiverName: string;
  receiverCellPhone: string;
  receiverPhone: string;
  receiverEmail: string;
  receiverStoreId: string;
  receiverAddress: string;
  serverReplyUrl: string;
  cvsPaymentNo: string;
  cvsValidationNo: string;
  bookingNote: string;
  tradeDate: string;
  /** The current status code and when it was set (Taipei, yyyy/MM/dd HH:mm:ss). */
  status: string;
  updateStatusDate: string;
  /** Position on the pickup or return timeline. */
  path: "pickup" | "back";
  step: number;
  history: { code: string; at: string }[];
}

export interface LogisticsDelivery {
  url: string;
  allPayLogisticsId: string;
  code: string;
  attempt: number;
  at: string;
  fields: Record<string, string>;
  status: number | null;
  body: string | null;
  error?: string;
  acknowledged: boolean;
}

export interface LogisticsOptions {
  merchants?: LogisticsMerchant[];
  /**
   * Waits between re-deliveries of a status notification. ECPay re-sends up to 3 times a day for 3 days; locally a
   * "day" is compressed (the default: 8 re-sends 20 s apart).
   */
  retryDelaysMs?: number[];
  callbackTimeoutMs?: number;
  log?: (msg: string) => void;
  /** The clock (tests move it for the query's TimeStamp window). */
  now?: () => Date;
}

const QUERY_WINDOW_S = 180;
const NAME_RULE = /^(?:[\u4e00-\u9fff\u3400-\u4dbf]{2,5}|[A-Za-z]{4,10})$/;
const CELL = /^09\d{8}$/;
const PHONE = /^[\d#()-]{1,20}$/;
const GOODS_NAME_FORBIDDEN = /[\^'`!@#%&*+\\"<>|_[\]]/;

export function createLogisticsStandIn(opts: LogisticsOptions = {}) {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? (() => new Date());
  const merchants = new Map((opts.merchants ?? LOGISTICS_SANDBOX_MERCHANTS).map((m) => [m.merchantId, m]));
  const config = {
    retryDelaysMs: [...(opts.retryDelaysMs ?? Array.from({ length: 8 }, () => 20_000))],
    suppressCallbacks: false,
    /** Create down: "unavailable" answers HTTP 503, "slow" answers after 12 s (past the shop's deadline). */
    createOutage: "none" as "none" | "unavailable" | "slow",
  };
  const shipments = new Map<string, SandboxShipment>();
  const byTradeNo = new Map<string, SandboxShipment>();
  const deliveries: LogisticsDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const shutdown = new AbortController();
  let seq = randomInt(100_000, 900_000);

  const merchantOf = (s: SandboxShipment) => {
    const m = merchants.get(s.merchantId);
    if (!m) throw new Error(`merchant ${s.merchantId} vanished`);
    return m;
  };
  const signed = (m: LogisticsMerchant, fields: Record<string, string>) => ({
    ...fields,
    CheckMacValue: checkMacValue(fields, m, LOGISTICS_MAC),
  });

  async function form(req: IncomingMessage): Promise<Record<string, string>> {
    return parseFormBody(await readBody(req, "application/x-www-form-urlencoded"));
  }

  /** The merchant and a verified MD5 MAC, or the `0|…` ECPay answers with. */
  function authenticate(f: Record<string, string>, macRequired = true): LogisticsMerchant | string {
    const merchant = f.MerchantID ? merchants.get(f.MerchantID) : undefined;
    if (!merchant) return `0|查無此廠商 (Unknown MerchantID ${JSON.stringify(f.MerchantID ?? "")})`;
    if ((macRequired || f.CheckMacValue !== undefined) && !verifyCheckMacValue(f, merchant, LOGISTICS_MAC))
      return "0|CheckMacValue Error";
    return merchant;
  }

  function subTypeProblem(merchant: LogisticsMerchant, type: string, subType: string): string | null {
    if (type === "CVS") {
      if (!(SUBTYPES[merchant.account] as readonly string[]).includes(subType)) {
        return `LogisticsSubType ${subType} 不適用於 ${merchant.account} 帳號 (not for this account)`;
      }
      return null;
    }
    if (type === "HOME" || type === "Home")
      return (SUBTYPES.HOME as readonly string[]).includes(subType) ? null : `LogisticsSubType ${subType} 不是宅配`;
    return `LogisticsType ${type} 錯誤`;
  }

  // -------------------------------------------------------------------------------------------
  // Store map

  async function handleMap(req: IncomingMessage, res: ServerResponse) {
    const f = await form(req);
    const merchant = authenticate(f, false);
    if (typeof merchant === "string") return sendHtml(res, 400, mapErrorPage(merchant));
    const problems: string[] = [];
    if (f.LogisticsType !== "CVS") problems.push("LogisticsType 須為 CVS");
    const subProblem = subTypeProblem(merchant, "CVS", f.LogisticsSubType ?? "");
    if (subProblem) problems.push(subProblem);
    if (f.IsCollection !== "Y" && f.IsCollection !== "N") problems.push("IsCollection 須為 Y 或 N");
    if (!/^https?:\/\/\S+$/.test(f.ServerReplyURL ?? "") || (f.ServerReplyURL ?? "").length > 200)
      problems.push("ServerReplyURL 錯誤");
    if (f.MerchantTradeNo && !/^[0-9A-Za-z]{1,20}$/.test(f.MerchantTradeNo)) problems.push("MerchantTradeNo 錯誤");
    if (Array.from(f.ExtraData ?? "").length > 20) problems.push("ExtraData 最多 20 字");
    if (problems.length > 0) return sendHtml(res, 400, mapErrorPage(`0|${problems.join("; ")}`));
    const chain = chainOf(f.LogisticsSubType ?? "") as Chain;
    const stores = SANDBOX_STORES.filter((s) => s.chain === chain);
    log(`map ${f.LogisticsSubType} for ${f.ExtraData ?? ""} → ${f.ServerReplyURL}`);
    return sendHtml(res, 200, mapPage(f, stores));
  }

  // -------------------------------------------------------------------------------------------
  // Create

  function createProblems(f: Record<string, string>, merchant: LogisticsMerchant): string[] {
    const p: string[] = [];
    const type = f.LogisticsType ?? "";
    const sub = f.LogisticsSubType ?? "";
    const cvs = type === "CVS";
    const sp = subTypeProblem(merchant, type, sub);
    if (sp) p.push(sp);
    if (!/^[0-9A-Za-z]{1,20}$/.test(f.MerchantTradeNo ?? "")) p.push("MerchantTradeNo 須為 1–20 碼英數字");
    try {
      if (!/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/.test(f.MerchantTradeDate ?? "")) throw new RangeError();
      parseTaipeiDateTime(f.MerchantTradeDate ?? "");
    } catch {
      p.push("MerchantTradeDate 格式須為 yyyy/MM/dd HH:mm:ss");
    }
    const amount = Number(f.GoodsAmount);
    if (!/^\d+$/.test(f.GoodsAmount ?? "") || amount < 1 || amount > 20_000)
      p.push("10500040 GoodsAmount 須為 1–20000");
    const collect = f.IsCollection ?? "N";
    if (collect !== "Y" && collect !== "N") p.push("IsCollection 須為 Y 或 N");
    if (collect === "Y") {
      if (!cvs) p.push("宅配不提供代收貨款 (IsCollection=Y is CVS only)");
      const c = Number(f.CollectionAmount);
      if (!/^\d+$/.test(f.CollectionAmount ?? "") || c < 1 || c > 20_000) p.push("CollectionAmount 須為 1–20000");
      if (sub === "UNIMARTC2C" && c !== amount) p.push("UNIMARTC2C 的 CollectionAmount 須等於 GoodsAmount");
    }
    const goodsName = f.GoodsName ?? "";
    if (Array.from(goodsName).length > 50 || GOODS_NAME_FORBIDDEN.test(goodsName))
      p.push("GoodsName 最多 50 字且不可含特殊符號");
    if (["UNIMARTC2C", "HILIFEC2C", "OKMARTC2C"].includes(sub) && goodsName === "") p.push("GoodsName 為必填");
    for (const k of ["SenderName", "ReceiverName"])
      if (!NAME_RULE.test(f[k] ?? "")) p.push(`${k} 須為 2–5 個中文字或 4–10 個英文字母`);
    for (const k of ["SenderCellPhone", "ReceiverCellPhone"])
      if (f[k] && !CELL.test(f[k] as string)) p.push(`${k} 須為 09 開頭 10 碼`);
    for (const k of ["SenderPhone", "ReceiverPhone"]) if (f[k] && !PHONE.test(f[k] as string)) p.push(`${k} 格式錯誤`);
    if ((f.ReceiverEmail ?? "").length > 50) p.push("ReceiverEmail 最多 50 字");
    if (!/^https?:\/\/\S+$/.test(f.ServerReplyURL ?? "") || (f.ServerReplyURL ?? "").length > 200)
      p.push("ServerReplyURL 錯誤");
    if (cvs) {
      if (!f.ReceiverCellPhone) p.push("ReceiverCellPhone 為必填");
      if (["UNIMARTC2C", "HILIFEC2C", "OKMARTC2C"].includes(sub) && !f.SenderCellPhone)
        p.push("SenderCellPhone 為必填");
      if (sub.startsWith("HILIFE") && !f.ReceiverPhone) p.push("ReceiverPhone 為必填 (Hi-Life)");
      const store = SANDBOX_STORES.find((s) => s.id === f.ReceiverStoreID && s.chain === chainOf(sub));
      if (!/^[0-9A-Za-z]{1,6}$/.test(f.ReceiverStoreID ?? "")) p.push("ReceiverStoreID 為必填（最多 6 碼）");
      else if (!store) p.push(`ReceiverStoreID ${f.ReceiverStoreID} 查無此門市`);
      if (f.ReturnStoreID && sub !== "UNIMARTC2C") p.push("ReturnStoreID 只適用於 UNIMARTC2C");
    } else if (type) {
      for (const k of ["SenderZipCode", "ReceiverZipCode"])
        if (!/^\d{3,5}$/.test(f[k] ?? "")) p.push(`${k} 須為 3–5 碼數字`);
      for (const k of ["SenderAddress", "ReceiverAddress"]) {
        const n = Array.from(f[k] ?? "").length;
        if (n < 6 || n > 60) p.push(`${k} 須為 6–60 字`);
      }
      if (!f.SenderPhone && !f.SenderCellPhone) p.push("寄件人電話至少一支");
      if (!f.ReceiverPhone && !f.ReceiverCellPhone) p.push("收件人電話至少一支");
      if (sub === "POST" && !/^\d{1,2}(\.\d{1,3})?$/.test(f.GoodsWeight ?? ""))
        p.push("GoodsWeight 為必填（kg，最多 3 位小數）");
    }
    if (p.length === 0 && byTradeNo.has(`${merchant.merchantId}\u0000${f.MerchantTradeNo}`))
      p.push("MerchantTradeNo 重複 (already used)");
    return p;
  }

  function newLogisticsId(): string {
    seq = (seq + 1) % 10_000_000;
    return String(1_000_000 + seq);
  }

  function createReply(s: SandboxShipment): Record<string, string> {
    return signed(merchantOf(s), {
      AllPayLogisticsID: s.allPayLogisticsId,
      BookingNote: s.bookingNote,
      CVSPaymentNo: s.cvsPaymentNo,
      CVSValidationNo: s.cvsValidationNo,
      GoodsAmount: String(s.goodsAmount),
      LogisticsSubType: s.subType,
      LogisticsType: s.logisticsType,
      MerchantID: s.merchantId,
      MerchantTradeNo: s.merchantTradeNo,
      ReceiverAddress: s.receiverAddress,
      ReceiverCellPhone: s.receiverCellPhone,
      ReceiverEmail: s.receiverEmail,
      ReceiverName: s.receiverName,
      ReceiverPhone: s.receiverPhone,
      RtnCode: s.status,
      RtnMsg: MESSAGES[s.status] ?? "",
      UpdateStatusDate: s.updateStatusDate,
    });
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse) {
    const f = await form(req);
    if (config.createOutage === "unavailable") return sendText(res, 503, "Service Unavailable");
    if (config.createOutage === "slow") await new Promise((resolve) => setTimeout(resolve, 12_000));
    const merchant = authenticate(f);
    if (typeof merchant === "string") return sendText(res, 200, merchant);
    const problems = createProblems(f, merchant);
    if (problems.length > 0) {
      log(`Create refused ${f.MerchantTradeNo ?? "?"}: ${problems.join("; ")}`);
      return sendText(res, 200, `0|${problems.join("; ")}`);
    }
    const at = formatTaipeiDateTime(now());
    const sub = f.LogisticsSubType as string;
    const c2c = sub.endsWith("C2C");
    const s: SandboxShipment = {
      merchantId: merchant.merchantId,
      merchantTradeNo: f.MerchantTradeNo as string,
      allPayLogisticsId: newLogisticsId(),
      logisticsType: f.LogisticsType === "CVS" ? "CVS" : "HOME",
      subType: sub,
      goodsAmount: Number(f.GoodsAmount),
      collectionAmount: f.IsCollection === "Y" ? Number(f.CollectionAmount) : 0,
      goodsName: f.GoodsName ?? "",
      receiverName: f.ReceiverName ?? "",
      receiverCellPhone: f.ReceiverCellPhone ?? "",
      receiverPhone: f.ReceiverPhone ?? "",
      receiverEmail: f.ReceiverEmail ?? "",
      receiverStoreId: f.ReceiverStoreID ?? "",
      receiverAddress: f.ReceiverAddress ?? "",
      serverReplyUrl: f.ServerReplyURL as string,
      // C2C: the slip's numbers (7-ELEVEN's payment number has a letter, and a 4-digit validation number).
      cvsPaymentNo: c2c
        ? sub === "UNIMARTC2C"
          ? `G${randomInt(10_000_000).toString().padStart(7, "0")}`
          : randomInt(100_000_000, 999_999_999).toString()
        : "",
      cvsValidationNo: sub === "UNIMARTC2C" ? randomInt(10_000).toString().padStart(4, "0") : "",
      bookingNote: "",
      tradeDate: at,
      status: "300",
      updateStatusDate: at,
      path: "pickup",
      step: -1,
      history: [{ code: "300", at }],
    };
    shipments.set(s.allPayLogisticsId, s);
    byTradeNo.set(`${s.merchantId}\u0000${s.merchantTradeNo}`, s);
    log(
      `Create ${s.merchantTradeNo} → ${s.allPayLogisticsId} ${sub} NT$${s.goodsAmount}${s.collectionAmount ? " (collect)" : ""}`,
    );
    const reply = createReply(s);
    if (f.ClientReplyURL) return sendHtml(res, 200, autoPost(f.ClientReplyURL, reply));
    return sendText(res, 200, `1|${formatRawPairs(reply)}`);
  }

  // -------------------------------------------------------------------------------------------
  // Status changes and their notifications

  function statusFields(s: SandboxShipment): Record<string, string> {
    return signed(merchantOf(s), {
      MerchantID: s.merchantId,
      MerchantTradeNo: s.merchantTradeNo,
      RtnCode: s.status,
      RtnMsg: MESSAGES[s.status] ?? `status ${s.status}`,
      AllPayLogisticsID: s.allPayLogisticsId,
      LogisticsType: s.logisticsType,
      LogisticsSubType: s.subType,
      GoodsAmount: String(s.goodsAmount),
      UpdateStatusDate: s.updateStatusDate,
      ReceiverName: s.receiverName,
      ReceiverPhone: s.receiverPhone,
      ReceiverCellPhone: s.receiverCellPhone,
      ReceiverEmail: s.receiverEmail,
      ReceiverAddress: s.receiverAddress,
      CVSPaymentNo: s.cvsPaymentNo,
      CVSValidationNo: s.cvsValidationNo,
      BookingNote: s.bookingNote,
    });
  }

  async function deliver(
    s: SandboxShipment,
    fields: Record<string, string>,
    attempt = 1,
  ): Promise<LogisticsDelivery | undefined> {
    if (config.suppressCallbacks || shutdown.signal.aborted) return undefined;
    const record: LogisticsDelivery = {
      url: s.serverReplyUrl,
      allPayLogisticsId: s.allPayLogisticsId,
      code: fields.RtnCode ?? "",
      attempt,
      at: "",
      fields,
      status: null,
      body: null,
      acknowledged: false,
    };
    try {
      const res = await postForm(
        s.serverReplyUrl,
        new URLSearchParams(fields).toString(),
        opts.callbackTimeoutMs ?? 10_000,
        shutdown.signal,
      );
      record.status = res.status;
      record.body = res.body;
      record.acknowledged = res.status === 200 && res.body === ECPAY_ACK;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    record.at = new Date().toISOString();
    deliveries.push(record);
    log(
      `logistics ${record.code} #${attempt} ${s.allPayLogisticsId} → ${s.serverReplyUrl}: ${record.status ?? record.error} ${JSON.stringify(record.body?.slice(0, 80) ?? "")}`,
    );
    const delay = config.retryDelaysMs[attempt - 1];
    if (!record.acknowledged && delay !== undefined && !shutdown.signal.aborted) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void deliver(s, fields, attempt + 1);
      }, delay);
      timers.add(timer);
    }
    return record;
  }

  /** Sets a status and notifies (the first attempt awaited, so a test sees its answer). */
  async function setStatus(s: SandboxShipment, code: string): Promise<LogisticsDelivery | undefined> {
    s.status = code;
    s.updateStatusDate = formatTaipeiDateTime(now());
    s.history.push({ code, at: s.updateStatusDate });
    return deliver(s, statusFields(s));
  }

  async function advance(s: SandboxShipment, path: "pickup" | "back"): Promise<LogisticsDelivery | undefined> {
    const timeline = TIMELINES[s.subType];
    if (!timeline) throw new HttpError(409, `no timeline for ${s.subType}`);
    if (s.status === "9999") throw new HttpError(409, "shipment cancelled");
    if (path === "back") {
      if (s.path === "pickup" && s.step < timeline.pickup.length - 2) throw new HttpError(409, "not at the store yet");
      if (s.path === "pickup" && s.step === timeline.pickup.length - 1) throw new HttpError(409, "already picked up");
      if (s.path === "pickup") {
        s.path = "back";
        s.step = -1;
      }
    } else if (s.path === "back") {
      throw new HttpError(409, "on its way back");
    }
    const codes = s.path === "pickup" ? timeline.pickup : timeline.back;
    if (s.step + 1 >= codes.length) throw new HttpError(409, `already at the end (${s.status})`);
    s.step += 1;
    return setStatus(s, codes[s.step] as string);
  }

  // -------------------------------------------------------------------------------------------
  // Query, print, cancel, updates

  async function handleQuery(req: IncomingMessage, res: ServerResponse, version: string) {
    const f = await form(req);
    const merchant = authenticate(f);
    if (typeof merchant === "string") return sendText(res, 200, merchant);
    const ts = Number(f.TimeStamp);
    if (!/^\d+$/.test(f.TimeStamp ?? "") || Math.abs(now().getTime() / 1000 - ts) > QUERY_WINDOW_S)
      return sendText(res, 200, "0|TimeStamp 已逾時 (more than 3 minutes off)");
    const s = f.AllPayLogisticsID
      ? shipments.get(f.AllPayLogisticsID)
      : version === "V5" && f.MerchantTradeNo
        ? byTradeNo.get(`${merchant.merchantId}\u0000${f.MerchantTradeNo}`)
        : undefined;
    if (!f.AllPayLogisticsID && version !== "V5") return sendText(res, 200, "0|AllPayLogisticsID 為必填");
    if (!s || s.merchantId !== merchant.merchantId) return sendText(res, 200, "0|查無物流訂單 (not found)");
    const fields: Record<string, string> = {
      AllPayLogisticsID: s.allPayLogisticsId,
      BookingNote: s.bookingNote,
      GoodsAmount: String(s.goodsAmount),
      GoodsName: s.goodsName,
      HandlingCharge: s.logisticsType === "CVS" ? "60" : "100",
      LogisticsStatus: s.status,
      LogisticsType: `${s.logisticsType}_${s.subType}`,
      MerchantID: s.merchantId,
      MerchantTradeNo: s.merchantTradeNo,
      ShipmentNo: s.cvsPaymentNo || `S${s.allPayLogisticsId}`,
      TradeDate: s.tradeDate,
    };
    if (version !== "V2") fields.CollectionChargeFee = s.collectionAmount ? "20" : "0";
    if (version === "V5") {
      fields.CollectionAmount = String(s.collectionAmount);
      const collected = s.collectionAmount > 0 && ["2067", "3022"].includes(s.status);
      fields.CollectionAllocateAmount = collected ? String(s.collectionAmount - 20) : "0";
      fields.CollectionAllocateDate = "";
    }
    return sendText(res, 200, formatRawPairs(signed(merchant, fields)));
  }

  async function handlePrint(req: IncomingMessage, res: ServerResponse, subType: string | null) {
    const f = await form(req);
    const merchant = authenticate(f);
    if (typeof merchant === "string") return sendHtml(res, 400, mapErrorPage(merchant));
    const ids = (f.AllPayLogisticsID ?? "").split(",").filter(Boolean);
    const list = ids.map((id) => shipments.get(id));
    if (ids.length === 0 || list.some((s) => !s || s.merchantId !== merchant.merchantId))
      return sendHtml(res, 400, mapErrorPage("0|查無物流訂單"));
    const found = list as SandboxShipment[];
    if (subType) {
      if (found.some((s) => s.subType !== subType))
        return sendHtml(res, 400, mapErrorPage(`0|只能列印 ${subType} 的託運單`));
      const payNos = (f.CVSPaymentNo ?? "").split(",");
      if (payNos.length !== found.length || found.some((s, i) => s.cvsPaymentNo !== payNos[i]))
        return sendHtml(res, 400, mapErrorPage("0|CVSPaymentNo 不符"));
      if (subType === "UNIMARTC2C") {
        const val = (f.CVSValidationNo ?? "").split(",");
        if (val.length !== found.length || found.some((s, i) => s.cvsValidationNo !== val[i]))
          return sendHtml(res, 400, mapErrorPage("0|CVSValidationNo 不符"));
      }
    } else if (found.some((s) => s.subType.endsWith("C2C"))) {
      return sendHtml(res, 400, mapErrorPage("0|C2C 託運單請用各超商的列印網址"));
    }
    return sendHtml(res, 200, printPage(found));
  }

  async function handleCancel(req: IncomingMessage, res: ServerResponse) {
    const f = await form(req);
    const merchant = authenticate(f);
    if (typeof merchant === "string") return sendText(res, 200, merchant);
    const s = shipments.get(f.AllPayLogisticsID ?? "");
    if (!s || s.merchantId !== merchant.merchantId) return sendText(res, 200, "0|查無物流訂單");
    if (s.subType !== "UNIMARTC2C") return sendText(res, 200, "0|只有 7-ELEVEN 交貨便可以取消");
    if (s.cvsPaymentNo !== f.CVSPaymentNo || s.cvsValidationNo !== f.CVSValidationNo)
      return sendText(res, 200, "0|寄貨編號或驗證碼不符");
    if (s.status !== "300") return sendText(res, 200, "0|已寄件，無法取消");
    await setStatus(s, "9999");
    return sendText(res, 200, ECPAY_ACK);
  }

  async function handleUpdate(req: IncomingMessage, res: ServerResponse) {
    const f = await form(req);
    const merchant = authenticate(f);
    if (typeof merchant === "string") return sendText(res, 200, merchant);
    const s = shipments.get(f.AllPayLogisticsID ?? "");
    if (!s || s.merchantId !== merchant.merchantId) return sendText(res, 200, "0|查無物流訂單");
    if (f.ReceiverStoreID) {
      if (!SANDBOX_STORES.some((st) => st.id === f.ReceiverStoreID && st.chain === chainOf(s.subType)))
        return sendText(res, 200, "0|查無此門市");
      s.receiverStoreId = f.ReceiverStoreID;
    }
    return sendText(res, 200, ECPAY_ACK);
  }

  // -------------------------------------------------------------------------------------------
  // Hooks and routing

  function shipmentFor(id: string): SandboxShipment {
    const s = shipments.get(id) ?? [...shipments.values()].find((x) => x.merchantTradeNo === id);
    if (!s) throw new HttpError(404, `unknown shipment ${id}`);
    return s;
  }

  async function handleHook(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (req.method === "GET" && path === "/__sandbox/logistics") {
      sendJson(res, 200, [...shipments.values()]);
      return true;
    }
    if (req.method === "GET" && path === "/__sandbox/logistics/deliveries") {
      sendJson(res, 200, deliveries);
      return true;
    }
    if (req.method === "POST" && path === "/__sandbox/logistics/config") {
      const body = JSON.parse((await readBody(req, "application/json")) || "{}") as {
        retryDelaysMs?: unknown;
        suppressCallbacks?: unknown;
      };
      if (Array.isArray(body.retryDelaysMs) && body.retryDelaysMs.every((n) => Number.isInteger(n) && n >= 0))
        config.retryDelaysMs = body.retryDelaysMs as number[];
      if (typeof body.suppressCallbacks === "boolean") config.suppressCallbacks = body.suppressCallbacks;
      const outage = (body as { createOutage?: unknown }).createOutage;
      if (outage === "none" || outage === "unavailable" || outage === "slow") config.createOutage = outage;
      sendJson(res, 200, config);
      return true;
    }
    const m = /^\/__sandbox\/logistics\/([^/]+)\/(advance|return|status|resend)$/.exec(path);
    if (req.method === "POST" && m) {
      const s = shipmentFor(decodeURIComponent(m[1] as string));
      const body = await readBody(req);
      let delivery: LogisticsDelivery | undefined;
      if (m[2] === "advance") delivery = await advance(s, "pickup");
      else if (m[2] === "return") delivery = await advance(s, "back");
      else if (m[2] === "resend") delivery = await deliver(s, statusFields(s));
      else {
        const code = (JSON.parse(body || "{}") as { code?: unknown }).code;
        if (typeof code !== "string" || !/^\d{1,8}$/.test(code)) throw new HttpError(400, 'body: {"code": "2063"}');
        delivery = await setStatus(s, code);
      }
      sendJson(res, 200, { shipment: s, delivery: delivery ?? null });
      return true;
    }
    return false;
  }

  /** Answers a request on a logistics path; false when the path is not one of ECPay Logistics'. */
  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path.startsWith("/__sandbox/logistics")) return handleHook(req, res, path);
    const lower = path.toLowerCase();
    const post = req.method === "POST";
    const route = (): Promise<void> | undefined => {
      if (lower === "/express/map") return handleMap(req, res);
      if (lower === "/express/create") return handleCreate(req, res);
      const q = /^\/helper\/querylogisticstradeinfo\/(v2|v3|v5)$/.exec(lower);
      if (q) return handleQuery(req, res, (q[1] as string).toUpperCase());
      if (lower === "/helper/printtradedocument") return handlePrint(req, res, null);
      const c2c = /^\/express\/print(unimart|fami|hilife|okmart)c2corderinfo$/.exec(lower);
      if (c2c) return handlePrint(req, res, `${(c2c[1] as string).toUpperCase()}C2C`);
      if (lower === "/express/cancelc2corder") return handleCancel(req, res);
      if (lower === "/express/updatestoreinfo" || lower === "/helper/updateshipmentinfo") return handleUpdate(req, res);
      return undefined;
    };
    if (!lower.startsWith("/express/") && !lower.startsWith("/helper/")) return false;
    if (!post) throw new HttpError(405, "POST only");
    const done = route();
    if (!done) throw new HttpError(404, `Not found: ${path}`);
    await done;
    return true;
  }

  return {
    handle,
    shipments: () => structuredClone([...shipments.values()]),
    deliveries: () => structuredClone(deliveries),
    reset() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      shipments.clear();
      byTradeNo.clear();
      deliveries.length = 0;
    },
    close() {
      shutdown.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type LogisticsStandIn = ReturnType<typeof createLogisticsStandIn>;

// ---------------------------------------------------------------------------------------------
// Pages (no JavaScript needed: every choice is a form button)

function hiddenFields(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n");
}

function mapPage(f: Record<string, string>, stores: SandboxStore[]): string {
  const items = stores
    .map((s) => {
      // Exactly the nine fields ECPay's map posts back, through the shopper's browser, with no MAC.
      const reply = {
        MerchantID: f.MerchantID ?? "",
        MerchantTradeNo: f.MerchantTradeNo ?? "",
        LogisticsSubType: f.LogisticsSubType ?? "",
        CVSStoreID: s.id,
        CVSStoreName: s.name,
        CVSAddress: s.address,
        CVSTelephone: s.phone,
        CVSOutSide: s.outside ? "1" : "0",
        ExtraData: f.ExtraData ?? "",
      };
      return `<li><form method="post" action="${escapeHtml(f.ServerReplyURL ?? "")}">
<strong>${escapeHtml(s.name)}</strong>（店號 ${escapeHtml(s.id)}）<br>${escapeHtml(s.address)}${s.outside ? "（離島）" : ""}
${hiddenFields(reply)}
<button type="submit" data-store-id="${escapeHtml(s.id)}">選擇此門市 (Choose ${escapeHtml(s.id)})</button>
</form></li>`;
    })
    .join("\n");
  const collect = f.IsCollection === "Y" ? "（取貨付款門市）" : "";
  return layout(
    "選擇取貨門市",
    `<h1>選擇取貨門市 (Choose a store) ${escapeHtml(f.LogisticsSubType ?? "")}${collect}</h1>
<ul style="list-style:none;padding:0;display:grid;gap:1rem">${items}</ul>`,
  );
}

function mapErrorPage(message: string): string {
  return layout("錯誤", `<h1>錯誤 (Error)</h1><p role="alert">${escapeHtml(message)}</p>`);
}

function printPage(list: SandboxShipment[]): string {
  const slips = list
    .map(
      (
        s,
      ) => `<section style="border:2px dashed #333;padding:1rem;margin:1rem 0" data-logistics-id="${escapeHtml(s.allPayLogisticsId)}">
<h2>${escapeHtml(s.subType)} 託運單</h2>
<dl>
<dt>物流編號</dt><dd>${escapeHtml(s.allPayLogisticsId)}</dd>
<dt>寄貨編號</dt><dd>${escapeHtml(s.cvsPaymentNo + s.cvsValidationNo) || "—"}</dd>
<dt>廠商訂單</dt><dd>${escapeHtml(s.merchantTradeNo)}</dd>
<dt>取件人</dt><dd>${escapeHtml(s.receiverName)}</dd>
<dt>取貨門市</dt><dd>${escapeHtml(s.receiverStoreId)}</dd>
<dt>代收金額</dt><dd>${s.collectionAmount ? `NT$${s.collectionAmount}` : "不代收"}</dd>
</dl></section>`,
    )
    .join("\n");
  return layout("列印託運單", `<h1>列印託運單 (Shipping slips)</h1>${slips}`);
}

function autoPost(url: string, fields: Record<string, string>): string {
  return layout(
    "物流訂單建立",
    `<form method="post" action="${escapeHtml(url)}" id="reply">${hiddenFields(fields)}<button type="submit">返回商店 (Back to the shop)</button></form>
<script>document.getElementById("reply").submit()</script>`,
  );
}
