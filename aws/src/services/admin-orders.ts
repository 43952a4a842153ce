/**
 * What the owner does to orders: move them along the state machine, and reconcile them with ECPay when a
 * notification never arrived.
 */
import type { AdminListOrdersQuery, Order, OrderStatus, Shipment } from "../contract";
import { type TaipeiDate, taipeiDate } from "../domain/taipei-time";
import { findTransition } from "../domain/order-state";
import { isPastAtmDeadline, refusedPayment } from "../domain/reconcile";
import { lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";
import { addLogContext, logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import { changeStatus, getOrder, listOrders } from "../lib/orders-repo";
import { payOrder } from "./ecpay-callbacks";
import { askEcpay, paymentFrom } from "./ecpay-query";
import { settleStockForOrder } from "./stock";

const DEFAULT_RANGE_DAYS = 90;
/** Ten years of month partitions; longer ranges are refused rather than queried month by month. */
const MAX_RANGE_MONTHS = 120;

export async function requireOrder(id: string): Promise<Order> {
  addLogContext({ orderId: id });
  const order = await getOrder(id);
  if (!order) throw new ApiError("not_found", `Order ${id} not found`);
  const { idempotencyKey: _k, bodyHash: _h, ...rest } = order;
  return rest;
}

export async function transitionByOwner(
  id: string,
  to: OrderStatus,
  note?: string,
  shipment?: Omit<Shipment, "shippedAt">,
  now = new Date(),
): Promise<Order> {
  if (shipment && to !== "shipped") {
    throw new ApiError("bad_request", "A carrier and tracking number go only with marking an order shipped", {
      fields: { shipment: "only with to: shipped" },
    });
  }
  const order = await requireOrder(id);
  if (order.status === to) {
    // A repeated request (double click, retried bulk action): finish what the first may have left undone.
    await settleStockForOrder(id);
    return order;
  }
  if (!findTransition(order, to, "owner")) {
    throw new ApiError("invalid_transition", `A ${order.paymentMethod} order cannot go from ${order.status} to ${to}`);
  }
  const updated = await changeStatus(id, {
    from: order.status,
    to,
    by: "owner",
    at: now,
    ...(note ? { note } : {}),
    ...(shipment ? { shipment: { ...shipment, shippedAt: now.toISOString() } } : {}),
  });
  if (updated && to === "paid") putMetric(METRIC.paymentsConfirmed, 1, { By: "owner" });
  if (!updated) {
    // Someone (ECPay, another tab) changed it between our read and write; show the owner the current state.
    const current = await requireOrder(id);
    if (current.status === to) return current;
    throw new ApiError("conflict", `Order ${id} changed to ${current.status} meanwhile; reload and try again`);
  }
  // Cancelled: its units go back on sale now; shipped: they are sold. (If this stops here, the outbox worker does it.)
  await settleStockForOrder(id);
  return updated;
}

export async function reconcileOrder(
  id: string,
  now = new Date(),
  env = lambdaEnv().ENV,
): Promise<{ order: Order; outcome: string }> {
  const order = await requireOrder(id);
  const merchantTradeNo = order.payment?.merchantTradeNo;
  if (order.paymentMethod === "cod" || !merchantTradeNo) {
    throw new ApiError("bad_request", "Pay-on-arrival orders are not paid through ECPay; nothing to reconcile");
  }
  if (order.status !== "created" && order.status !== "awaiting_payment") {
    return { order, outcome: `Nothing to do: the order is already ${order.status}` };
  }

  const trade = await askEcpay(merchantTradeNo, now);

  if (trade.tradeStatus === "1") {
    const payment = paymentFrom(trade);
    const refused = refusedPayment(order, { ...payment, tradeAmt: trade.tradeAmt }, env);
    if (refused === "amount_mismatch") {
      return {
        order,
        outcome: `ECPay reports a payment of NT$${trade.tradeAmt}, but the order totals NT$${order.total}; check the ECPay back office`,
      };
    }
    if (refused === "simulated_in_production") {
      logger.warn("reconcile: a simulated payment is not a payment in production", {
        outcome: refused,
        tradeNo: trade.tradeNo,
      });
      return {
        order,
        outcome: `ECPay reports only a simulated payment (模擬付款, ${trade.tradeNo}): no money moved; order left ${order.status}`,
      };
    }
    const result = await payOrder(
      order,
      payment,
      "system",
      `Reconciled with ECPay QueryTradeInfo (${trade.paymentType} ${trade.tradeNo})`,
    );
    if (result === "paid") putMetric(METRIC.paymentsConfirmed, 1, { By: "owner" });
    const current = await requireOrder(id);
    return {
      order: current,
      outcome: result === "paid" ? "ECPay reports it paid: marked paid" : `Order is ${current.status}`,
    };
  }

  const deadline = order.payment?.atm?.expireDate;
  if (order.status === "awaiting_payment" && deadline && isPastAtmDeadline(deadline, now)) {
    const updated = await changeStatus(id, {
      from: "awaiting_payment",
      to: "cancelled",
      by: "system",
      note: `ATM transfer not received by ${deadline}: expired`,
    });
    const current = updated ?? (await requireOrder(id));
    await settleStockForOrder(id);
    return { order: current, outcome: `Unpaid after the ATM deadline ${deadline}: cancelled as expired` };
  }
  const meaning =
    trade.tradeStatus === "0"
      ? "not paid yet"
      : trade.tradeStatus === "10200095"
        ? "the shopper never completed a payment method"
        : `ECPay status ${trade.tradeStatus}`;
  return { order, outcome: `ECPay reports: ${meaning}; order left ${order.status}` };
}

export async function listForOwner(query: AdminListOrdersQuery, now = new Date()) {
  const to = query.to ? parseDay(query.to) : taipeiDate(now);
  const from = query.from
    ? parseDay(query.from)
    : taipeiDate(new Date(now.getTime() - DEFAULT_RANGE_DAYS * 24 * 60 * 60 * 1000));
  if (compareDays(from, to) > 0) throw new ApiError("bad_request", "from must not be after to", { fields: { from: "after to" } });
  // One query per month partition: an unbounded range (to=9999-12-31) would run the function into its timeout.
  if ((to.year - from.year) * 12 + (to.month - from.month) + 1 > MAX_RANGE_MONTHS) {
    throw new ApiError("bad_request", `A date range may span at most ${MAX_RANGE_MONTHS / 12} years`, {
      fields: { from: "range too long" },
    });
  }
  const result = await listOrders({
    from,
    to,
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.phone ? { phone: query.phone } : {}),
    ...(query.paymentMethod ? { paymentMethod: query.paymentMethod } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  if (!result) throw new ApiError("bad_request", "cursor is not valid", { fields: { cursor: "invalid" } });
  return result;
}

function parseDay(s: string): TaipeiDate {
  const [year, month, day] = s.split("-").map(Number) as [number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new ApiError("bad_request", `${s} is not a calendar date`);
  }
  return { year, month, day };
}

function compareDays(a: TaipeiDate, b: TaipeiDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
