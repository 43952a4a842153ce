/**
 * Pay again: a shopper who left ECPay without paying (closed the tab, card declined, never picked a bank) starts a
 * new checkout attempt from their order page. ECPay burns a MerchantTradeNo on its first post, so each attempt
 * needs a new number; the old ones stay on the order so a late notification for them still pays it.
 *
 * Before issuing a new number we ask ECPay about the current one: if it was paid after all (the notification is
 * late), the order is marked paid and the shopper is not sent to pay twice.
 */
import { MAX_PAYMENT_ATTEMPTS, type Order } from "../contract";
import { canPayAgain } from "../domain/pay-again";
import { refusedPayment } from "../domain/reconcile";
import { newMerchantTradeNo } from "../ecpay";
import { envCode, lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";
import { logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import { getOrder, replaceMerchantTradeNo } from "../lib/orders-repo";
import { payOrder } from "./ecpay-callbacks";
import { askEcpay, paymentFrom } from "./ecpay-query";

export type RetryOutcome = { order: Order; payable: true } | { order: Order; payable: false };

export async function retryPayment(order: Order, now = new Date(), env = lambdaEnv().ENV): Promise<RetryOutcome> {
  if (order.paymentMethod === "cod") {
    throw new ApiError("bad_request", "貨到付款的訂單不需要線上付款。");
  }
  const current = order.payment?.merchantTradeNo;
  // Paid, shipped, cancelled, or an ATM virtual account issued (the shopper pays into it): nothing to start.
  if (!canPayAgain(order) || !current) return { order, payable: false };
  if ((order.payment?.attempts?.length ?? 0) + 1 >= MAX_PAYMENT_ATTEMPTS) {
    throw new ApiError("conflict", "這筆訂單的付款嘗試次數已達上限，請聯絡店家協助。");
  }

  const trade = await askEcpay(current, now);
  const payment = paymentFrom(trade);
  const refused =
    trade.tradeStatus === "1" ? refusedPayment(order, { ...payment, tradeAmt: trade.tradeAmt }, env) : undefined;
  if (refused === "simulated_in_production") {
    // No money moved: the shopper may still pay for real, with a new attempt (below).
    logger.warn("pay again: a simulated payment is not a payment in production", {
      outcome: refused,
      tradeNo: trade.tradeNo,
    });
  }
  if (trade.tradeStatus === "1" && !refused) {
    const result = await payOrder(
      order,
      payment,
      "system",
      `Paid per ECPay QueryTradeInfo before a new payment attempt (${trade.paymentType} ${trade.tradeNo})`,
    );
    if (result === "paid") putMetric(METRIC.paymentsConfirmed, 1, { By: "pay_again" });
    return { order: await reread(order.id), payable: false };
  }

  const next = newMerchantTradeNo(envCode(lambdaEnv().ENV), order.id);
  const updated = await replaceMerchantTradeNo(order.id, current, next, MAX_PAYMENT_ATTEMPTS, now);
  if (updated) return { order: updated, payable: true };
  // A concurrent request (a double click) issued a number first, or a notification moved the order on: answer
  // with the order as it is now, payable with its current number if it still is.
  const latest = await reread(order.id);
  return { order: latest, payable: canPayAgain(latest) };
}

async function reread(id: string): Promise<Order> {
  const order = await getOrder(id);
  if (!order) throw new Error(`order ${id} vanished`);
  const { idempotencyKey: _k, bodyHash: _h, ...rest } = order;
  return rest;
}
