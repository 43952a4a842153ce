/**
 * Store pickup through ECPay Logistics (ADR 0027): the store map hand-off, the owner's shipments (single and bulk)
 * and their slips, and ECPay's status notifications. Every change is a conditional write on the order; ECPay's
 * notifications are applied once each (by their key), in any order, and only forward.
 */
import type { LogisticsRecord, Order, PaymentRedirect, SiteStatus } from "../contract";
import { canCreateShipment } from "../domain/order-state";
import {
  CVS_CHAIN_NAMES,
  PICKUP_DAYS,
  type ShipmentStage,
  advancesStage,
  chainOfSubType,
  logisticsSubType,
  meaningOfStatus,
} from "../domain/pickup";
import { addDays, taipeiDay } from "../domain/taipei-time";
import {
  ECPAY_ACK,
  EcpayError,
  ecpayNack,
  formatTaipeiDateTime,
  newMerchantTradeNo,
  parseTaipeiDateTime,
} from "../ecpay";
import {
  buildCreateFields,
  buildMapForm,
  buildPrintForm,
  goodsNameOf,
  parseCreateResponse,
  postForm,
  queryLogistics,
  statusEventKey,
  verifyLogisticsStatus,
  LOGISTICS_PATHS,
  type LogisticsStatus,
} from "../ecpay/logistics";
import { envCode, lambdaEnv, merchantKeys } from "../lib/config";
import { readSiteStatus } from "../lib/content";
import { ApiError } from "../lib/http";
import { addLogContext, logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import {
  applyLogisticsEvent,
  changeStatus,
  failShipment,
  getOrder,
  requestShipment,
  seenLogisticsEvent,
} from "../lib/orders-repo";
import { orderIdFromMerchantTradeNo } from "../ecpay";
import { settleStockForOrder } from "./stock";

/** A Create left unanswered this long (a crash mid-call) may be asked again, under a new number. */
const STALE_REQUEST_MS = 2 * 60 * 1000;
const MAX_RACE_RETRIES = 5;

function pickupSettings(site: SiteStatus): NonNullable<SiteStatus["pickup"]> {
  if (!site.pickup)
    throw new ApiError("bad_request", "本店目前沒有提供超商取貨。", {
      fields: { deliveryMethod: "超商取貨目前不提供" },
    });
  return site.pickup;
}

// ---------------------------------------------------------------------------------------------
// The store map

/**
 * The form that opens ECPay's store map for a chain; the map posts the chosen store back through the shopper's
 * browser to the storefront's `/checkout/store`, with the checkout's token in ExtraData (the reply is unsigned: the
 * storefront keys it to the checkout by that token, and the order API checks it again when the order is placed).
 */
export async function cvsMapForm(input: {
  chain: typeof import("../domain/pickup").CVS_CHAINS[number];
  payOnPickup: boolean;
  token: string;
  mobile?: boolean;
  origin?: string;
}): Promise<PaymentRedirect> {
  const site = await readSiteStatus();
  const pickup = pickupSettings(site);
  const subType = logisticsSubType(pickup.account, input.chain);
  if (!subType) {
    throw new ApiError("bad_request", `${CVS_CHAIN_NAMES[input.chain]}目前不提供取貨`, {
      fields: { chain: "這家超商目前不提供取貨" },
    });
  }
  const keys = await merchantKeys("logistics");
  const storefront = (input.origin ?? lambdaEnv().STOREFRONT_URL).replace(/\/+$/, "");
  return buildMapForm({
    gatewayBaseUrl: lambdaEnv().ECPAY_LOGISTICS_URL,
    merchantId: keys.merchantId,
    keys,
    subType,
    collection: input.payOnPickup,
    replyUrl: `${storefront}/checkout/store`,
    extraData: input.token,
    ...(input.mobile ? { mobile: true } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Shipments (the owner)

export type ShipmentResult =
  | { id: string; ok: true; order: Order }
  | { id: string; ok: false; code: ApiError["code"]; message: string };

/** Creates the logistics orders of these orders one by one; one failing does not stop the others. */
export async function createShipments(
  ids: readonly string[],
  apiBaseUrl: string,
  now = () => new Date(),
): Promise<ShipmentResult[]> {
  const site = await readSiteStatus();
  const results: ShipmentResult[] = [];
  for (const id of ids) {
    try {
      results.push({ id, ok: true, order: await createShipment(id, site, apiBaseUrl, now()) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results.push({ id, ok: false, code: error.code, message: error.message });
    }
  }
  return results;
}

async function createShipment(id: string, site: SiteStatus, apiBaseUrl: string, now: Date): Promise<Order> {
  addLogContext({ orderId: id });
  const order = await getOrder(id);
  if (!order) throw new ApiError("not_found", `Order ${id} not found`);
  if (order.deliveryMethod !== "cvs" || !order.pickupStore) throw new ApiError("bad_request", `${id} 不是超商取貨訂單`);
  if (order.logistics?.state === "created") return order; // a double click: it is done already
  if (!canCreateShipment(order)) {
    throw new ApiError(
      "invalid_transition",
      order.paymentMethod === "cod" ? `${id} 目前無法出貨（${order.status}）` : `${id} 尚未付款，無法出貨`,
    );
  }
  const pickup = pickupSettings(site);
  const subType = logisticsSubType(pickup.account, order.pickupStore.chain);
  if (!subType) throw new ApiError("bad_request", `${CVS_CHAIN_NAMES[order.pickupStore.chain]}不在目前的物流合約內`);
  const collect = order.paymentMethod === "cod";
  const record: LogisticsRecord = {
    merchantTradeNo: newMerchantTradeNo(envCode(lambdaEnv().ENV), id),
    subType,
    collect,
    goodsAmount: order.total,
    state: "requested",
    requestedAt: now.toISOString(),
  };
  const claimed = await requestShipment(
    id,
    order.status,
    record,
    new Date(now.getTime() - STALE_REQUEST_MS).toISOString(),
  );
  if (!claimed) throw new ApiError("conflict", `${id} 的物流單正在建立中或訂單已變更，請重新整理`);

  const keys = await merchantKeys("logistics");
  const fields = buildCreateFields({
    merchantId: keys.merchantId,
    keys,
    merchantTradeNo: record.merchantTradeNo,
    tradeDate: now,
    subType,
    goodsAmount: order.total,
    collect,
    goodsName: goodsNameOf(order.lines.map((l) => l.name)),
    senderName: pickup.sender.name,
    senderCellPhone: pickup.sender.cellPhone,
    receiverName: order.customer.name,
    receiverCellPhone: order.customer.phone,
    receiverEmail: order.customer.email,
    receiverStoreId: order.pickupStore.id,
    serverReplyUrl: `${apiBaseUrl.replace(/\/+$/, "")}/ecpay/logistics`,
    tradeDesc: `訂單 ${id}`,
  });
  let reply: ReturnType<typeof parseCreateResponse>;
  try {
    const body = await postForm(
      `${lambdaEnv().ECPAY_LOGISTICS_URL.replace(/\/+$/, "")}${LOGISTICS_PATHS.create}`,
      fields,
      fetch,
      8_000,
      "Create",
    );
    reply = parseCreateResponse(body, keys);
  } catch (error) {
    // The request stays "requested": ECPay may have it. A later attempt (after STALE_REQUEST_MS) asks again under a
    // new number; a notification for this one still finds the order (it names this number).
    logger.warn("logistics Create failed", { outcome: "upstream_error", error });
    throw new ApiError(
      "upstream_error",
      `綠界物流暫時無法建立物流單（${error instanceof EcpayError ? error.code : "error"}），請稍後再試`,
    );
  }
  if (!reply.ok) {
    await failShipment(id, record.merchantTradeNo, reply.message);
    putMetric(METRIC.shipmentsRefused, 1, {});
    logger.warn("logistics Create refused", { outcome: "refused", reason: reply.message });
    throw new ApiError("bad_request", `綠界物流拒絕建立物流單：${reply.message}`);
  }
  const shipped = await changeStatus(id, {
    from: order.status,
    to: "shipped",
    by: "ecpay",
    at: now,
    note: `ECPay logistics ${reply.allPayLogisticsId}`,
    shipment: {
      carrier: order.pickupStore.chain,
      trackingNumber: reply.cvsPaymentNo ? `${reply.cvsPaymentNo}${reply.cvsValidationNo}` : reply.allPayLogisticsId,
      shippedAt: now.toISOString(),
    },
    logistics: {
      state: "created",
      allPayLogisticsId: reply.allPayLogisticsId,
      ...(reply.cvsPaymentNo ? { cvsPaymentNo: reply.cvsPaymentNo } : {}),
      ...(reply.cvsValidationNo ? { cvsValidationNo: reply.cvsValidationNo } : {}),
      stage: "created",
      statusCode: reply.rtnCode,
      statusMessage: reply.rtnMsg,
    },
    expectLogisticsTradeNo: record.merchantTradeNo,
  });
  if (!shipped) throw new ApiError("conflict", `${id} 在建立物流單時被變更了，請重新整理`);
  putMetric(METRIC.shipmentsCreated, 1, { SubType: subType });
  logger.info("logistics order created", { outcome: "shipped", allPayLogisticsId: reply.allPayLogisticsId, subType });
  return shipped;
}

/** One form that opens ECPay's labels (B2C) or the chain's slips (C2C) for these orders, which must be of one subtype. */
export async function printShipments(ids: readonly string[]): Promise<PaymentRedirect> {
  const orders = await Promise.all(ids.map((id) => getOrder(id)));
  const shipments = orders.map((o, i) => {
    const l = o?.logistics;
    if (!o || !l || l.state !== "created" || !l.allPayLogisticsId)
      throw new ApiError("bad_request", `${ids[i]} 還沒有物流單`);
    return {
      subType: l.subType,
      allPayLogisticsId: l.allPayLogisticsId,
      cvsPaymentNo: l.cvsPaymentNo ?? "",
      cvsValidationNo: l.cvsValidationNo ?? "",
    };
  });
  const subTypes = new Set(shipments.map((s) => s.subType));
  if (subTypes.size !== 1) throw new ApiError("bad_request", "一次只能列印同一家超商的託運單");
  const keys = await merchantKeys("logistics");
  return buildPrintForm({
    gatewayBaseUrl: lambdaEnv().ECPAY_LOGISTICS_URL,
    merchantId: keys.merchantId,
    keys,
    subType: [...subTypes][0] as string,
    shipments,
  });
}

// ---------------------------------------------------------------------------------------------
// Status notifications (ServerReplyURL)

function refuse(reason: string, detail: string, reply = reason): string {
  putMetric(METRIC.callbacksRefused, 1, { Reason: reason.replace(/\W+/g, "_") });
  logger.warn("logistics notification refused", { outcome: "refused", reason, detail });
  return ecpayNack(reply);
}

/**
 * One status notification: the MD5 MAC over every field, our merchant, the shape, an order that has this logistics
 * order (by the number and ECPay's id) and its amount. Then applied once (by shipment, code and time), forward only:
 * arrived at the store (the "pick up by" email), picked up (pay on pickup: paid), returned (cancelled, stock back).
 * Answers exactly `1|OK` once the order is durably where the notification puts it.
 */
export async function handleLogisticsStatus(body: string, now = () => new Date()): Promise<string> {
  const keys = await merchantKeys("logistics");
  const verified = verifyLogisticsStatus(body, { merchantId: keys.merchantId, keys });
  if (!verified.ok)
    return refuse(
      verified.reason,
      verified.message,
      verified.reason === "bad-mac" ? "CheckMacValue error" : verified.message,
    );
  const n = verified.data;
  const id = orderIdFromMerchantTradeNo(n.MerchantTradeNo);
  if (id) addLogContext({ orderId: id });
  const order = id ? await getOrder(id) : undefined;
  const l = order?.logistics;
  if (!order || !id || !l || l.merchantTradeNo !== n.MerchantTradeNo) return refuse("unknown order", n.MerchantTradeNo);
  if (l.allPayLogisticsId && l.allPayLogisticsId !== n.AllPayLogisticsID)
    return refuse("unknown shipment", n.AllPayLogisticsID);
  if (n.GoodsAmount !== l.goodsAmount) return refuse("amount mismatch", `${n.GoodsAmount} ≠ ${l.goodsAmount}`);

  await applyStatus(id, order, n, statusEventKey(n), now());
  return ECPAY_ACK;
}

/**
 * Applies one status of a shipment (a notification, or what the owner's "check now" read from ECPay) as one
 * conditional write, once by its key and forward only; read again and retried while the order changes under it.
 * Returns whether this call moved the order (its parcel's stage, a problem, or its status); false when the status
 * was already recorded, or is recorded without moving anything (late, repeated or informational).
 */
async function applyStatus(
  id: string,
  first: Order,
  n: LogisticsStatus,
  eventKey: string,
  now: Date,
): Promise<boolean> {
  let order: Order | undefined = first;
  for (let i = 0; i < MAX_RACE_RETRIES && order; i++) {
    const write = planEvent(order, n, eventKey, now);
    if (await applyLogisticsEvent(id, write)) {
      putMetric(METRIC.logisticsEvents, 1, { Code: n.RtnCode });
      logger.info("logistics notification applied", {
        outcome: write.change ? write.change.to : "recorded",
        code: n.RtnCode,
      });
      if (write.change?.to === "cancelled") await settleStockForOrder(id);
      return Boolean(write.change || write.logistics.stage || write.logistics.problem);
    }
    if (await seenLogisticsEvent(id, eventKey)) {
      logger.info("logistics notification already applied", { outcome: "duplicate", code: n.RtnCode });
      if (order.status === "cancelled") await settleStockForOrder(id);
      return false;
    }
    order = await getOrder(id);
  }
  throw new Error(`order ${id} kept changing while applying logistics status ${n.RtnCode}`);
}

function planEvent(
  order: Order,
  n: LogisticsStatus,
  eventKey: string,
  now: Date,
): Parameters<typeof applyLogisticsEvent>[1] {
  const l = order.logistics as LogisticsRecord;
  let at: Date;
  try {
    at = parseTaipeiDateTime(n.UpdateStatusDate);
  } catch {
    at = now;
  }
  const base = {
    eventKey,
    event: { code: n.RtnCode, message: n.RtnMsg, at: at.toISOString() },
    merchantTradeNo: l.merchantTradeNo,
    now,
  };
  const meaning = meaningOfStatus(n.RtnCode);
  // The id from a notification that overtook Create's answer (a crash after ECPay accepted it) is kept too.
  const idFields = l.allPayLogisticsId ? {} : { allPayLogisticsId: n.AllPayLogisticsID };
  if (meaning.kind === "problem") {
    return {
      ...base,
      logistics: { ...idFields, problem: meaning.problem, statusCode: n.RtnCode, statusMessage: n.RtnMsg },
    };
  }
  const current = (l.stage ?? "created") as ShipmentStage;
  if (meaning.kind === "info" || !advancesStage(current, meaning.stage) || l.state !== "created") {
    // Late, repeated or informational: recorded, nothing moves.
    return { ...base, logistics: idFields };
  }
  const stage = meaning.stage;
  const logistics: Partial<LogisticsRecord> = { ...idFields, stage, statusCode: n.RtnCode, statusMessage: n.RtnMsg };
  const write = { ...base, expectStage: l.stage ?? null, logistics };
  if (stage === "at_store") {
    logistics.arrivedAt = at.toISOString();
    logistics.pickupBy = addDays(taipeiDay(at), PICKUP_DAYS);
    return { ...write, mails: ["arrived"] };
  }
  const chain = chainOfSubType(l.subType);
  if (stage === "picked_up" && order.status === "shipped" && order.paymentMethod === "cod") {
    return {
      ...write,
      change: {
        from: "shipped",
        to: "paid",
        note: `${chain ? CVS_CHAIN_NAMES[chain] : l.subType} 取貨付款 ${n.RtnCode}`,
      },
    };
  }
  if (stage === "returned" && order.status === "shipped") {
    return {
      ...write,
      change: { from: "shipped", to: "cancelled", note: `包裹未取，已退回（${n.RtnCode} ${n.RtnMsg}）` },
    };
  }
  return write;
}

/** What the owner's "check now" found: ECPay's current status code, and whether it moved the order. */
export interface ShipmentCheck {
  order: Order;
  statusCode: string;
  changed: boolean;
}

/**
 * The owner's "check now" for a store-pickup order whose notifications stalled (ECPay sends them in batches and may
 * stop; its advice is to poll the query API): asks QueryLogisticsTradeInfo for the shipment's current status and
 * applies it exactly as a notification with that code (same checks and rules, one conditional write, forward only).
 * The query names no time, so its key is the shipment and code: asking again, or the notification arriving later,
 * changes nothing more, and "arrived at the store" mails once whichever comes first.
 */
export async function checkShipment(id: string, now = () => new Date()): Promise<ShipmentCheck> {
  addLogContext({ orderId: id });
  const order = await getOrder(id);
  if (!order) throw new ApiError("not_found", `找不到訂單 ${id}。`);
  const l = order.logistics;
  if (order.deliveryMethod !== "cvs" || !l || l.state !== "created")
    throw new ApiError("conflict", "這筆訂單沒有已建立的綠界物流單，無從查詢。");
  const keys = await merchantKeys("logistics");
  let result: Awaited<ReturnType<typeof queryLogistics>>;
  try {
    result = await queryLogistics({
      gatewayBaseUrl: lambdaEnv().ECPAY_LOGISTICS_URL,
      merchantId: keys.merchantId,
      keys,
      ...(l.allPayLogisticsId ? { allPayLogisticsId: l.allPayLogisticsId } : { merchantTradeNo: l.merchantTradeNo }),
      now: now(),
    });
  } catch (error) {
    if (!(error instanceof EcpayError)) throw error;
    logger.warn("logistics query failed", { reason: error.message });
    throw new ApiError("upstream_error", "綠界物流暫時無法查詢，請稍後再試。");
  }
  const mismatch = !result
    ? "綠界查無這筆物流單"
    : result.merchantTradeNo !== l.merchantTradeNo ||
        (l.allPayLogisticsId !== undefined && result.allPayLogisticsId !== l.allPayLogisticsId)
      ? "綠界回覆的物流單不是這一筆"
      : result.goodsAmount !== l.goodsAmount
        ? "綠界回覆的金額與訂單不符"
        : !/^\d{1,8}$/.test(result.status)
          ? "綠界回覆的狀態無法辨識"
          : null;
  if (mismatch || !result) {
    logger.warn("logistics query refused", { reason: mismatch });
    throw new ApiError("upstream_error", `${mismatch}，訂單沒有變更。`);
  }
  const status: LogisticsStatus = {
    MerchantID: keys.merchantId,
    MerchantTradeNo: l.merchantTradeNo,
    RtnCode: result.status,
    RtnMsg: `店家查詢綠界（${result.status}）`,
    AllPayLogisticsID: result.allPayLogisticsId,
    GoodsAmount: result.goodsAmount,
    UpdateStatusDate: formatTaipeiDateTime(now()),
    CheckMacValue: "",
  };
  const changed = await applyStatus(id, order, status, `${result.allPayLogisticsId}_${result.status}_query`, now());
  const after = await getOrder(id);
  if (!after) throw new Error(`order ${id} vanished after a logistics query`);
  return { order: after, statusCode: result.status, changed };
}
