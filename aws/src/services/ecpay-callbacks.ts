/**
 * ECPay's server-to-server notifications. Each answer is `1|OK` only once the order is durably in the state the
 * notification implies; duplicates, retries and races converge on the same state and are acknowledged again.
 */
import type { z } from "zod";
import type { Order } from "../contract";
import { findTransition } from "../domain/order-state";
import {
  ECPAY_ACK,
  ecpayNack,
  orderIdFromMerchantTradeNo,
  paymentInfoSchema,
  paymentResultSchema,
  parseFormBody,
  verifyCallback,
} from "../ecpay";
import { ecpayMerchant, lambdaEnv } from "../lib/config";
import { addLogContext, logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import { changeStatus, getOrder, recordPayment } from "../lib/orders-repo";

const MAX_RACE_RETRIES = 5;

/**
 * Everything a notification must pass before it may touch an order: the MAC over every received field, our
 * MerchantID, the expected shape, a MerchantTradeNo we issued, and the order's exact amount.
 */
async function authenticate<T extends { MerchantTradeNo: string; TradeAmt: number }>(
  body: string,
  schema: z.ZodType<T>,
  label: string,
): Promise<{ notification: T; order: Order } | { reply: string }> {
  const merchant = await ecpayMerchant();
  const result = verifyCallback(parseFormBody(body), { merchantId: merchant.merchantId, keys: merchant }, schema);
  if (!result.ok) {
    const reason = result.reason.replace("-", "_");
    putMetric(METRIC.callbacksRefused, 1, { Reason: reason });
    logger.warn(`${label} refused`, { outcome: "refused", reason, detail: result.message });
    return { reply: ecpayNack(result.reason === "bad-mac" ? "CheckMacValue error" : result.message) };
  }
  const notification = result.data;
  const orderId = orderIdFromMerchantTradeNo(notification.MerchantTradeNo);
  if (orderId) addLogContext({ orderId });
  const order = orderId ? await getOrder(orderId) : undefined;
  const reject =
    !order || !issuedTo(order, notification.MerchantTradeNo)
      ? "unknown order"
      : order.total !== notification.TradeAmt
        ? "amount mismatch"
        : undefined;
  if (reject || !order) {
    const reason = (reject ?? "unknown order").replace(" ", "_");
    putMetric(METRIC.callbacksRefused, 1, { Reason: reason });
    logger.warn(`${label} refused`, { outcome: "refused", reason, merchantTradeNo: notification.MerchantTradeNo });
    return { reply: ecpayNack(reject ?? "unknown order") };
  }
  return { notification, order };
}

/** The current checkout attempt's number, or an earlier one of the same order (pay again, ADR 0011). */
function issuedTo(order: Order, merchantTradeNo: string): boolean {
  const payment = order.payment;
  return !!payment && (payment.merchantTradeNo === merchantTradeNo || !!payment.attempts?.includes(merchantTradeNo));
}

/** ReturnURL: the payment result. */
export async function handlePaymentResult(body: string): Promise<string> {
  const found = await authenticate(body, paymentResultSchema, "ReturnURL");
  if ("reply" in found) return found.reply;
  const n = found.notification;
  if (n.RtnCode !== 1) {
    // A failed attempt changes nothing; the shopper can still pay. Acknowledge so ECPay stops resending.
    logger.info("ReturnURL reports an unpaid attempt", { outcome: "not_paid", rtnCode: n.RtnCode, rtnMsg: n.RtnMsg });
    return ECPAY_ACK;
  }

  const payment = {
    tradeNo: n.TradeNo,
    paymentType: n.PaymentType,
    paymentDate: n.PaymentDate,
    simulated: n.SimulatePaid === 1,
  };
  if (n.SimulatePaid === 1 && lambdaEnv().ENV === "prod") {
    // ECPay never settles a simulated payment; in production it is noted for the owner and nothing ships.
    if (await recordPayment(found.order.id, payment, "tradeNo")) {
      putMetric(METRIC.paymentsNeedingAttention, 1, { Reason: "simulated_in_production" });
    }
    logger.warn("simulated payment ignored in production", { outcome: "simulated_ignored" });
    return ECPAY_ACK;
  }

  const outcome = await payOrder(found.order, payment, "ecpay", `ECPay ${n.PaymentType} ${n.TradeNo}`);
  if (outcome === "paid") {
    putMetric(METRIC.paymentsConfirmed, 1, { By: "callback" });
    logger.info("ReturnURL: order paid", { outcome: "paid", paymentType: n.PaymentType });
    return ECPAY_ACK;
  }
  if (outcome === "already") {
    logger.info("ReturnURL: already paid", { outcome: "duplicate" });
    return ECPAY_ACK;
  }
  // The money arrived for an order that was cancelled; acknowledging stops the resends, the alarm tells the owner.
  putMetric(METRIC.paymentsNeedingAttention, 1, { Reason: "paid_after_cancel" });
  logger.error("paid notification for an order that cannot be paid", { outcome: "paid_after_cancel", status: outcome });
  return ECPAY_ACK;
}

/**
 * Moves an order to paid, riding out races with concurrent notifications. Returns "paid" when this call did it,
 * "already" when the order was already paid by this trade, or the status that blocks payment.
 */
export async function payOrder(
  start: Order,
  payment: { tradeNo: string; paymentType: string; paymentDate: string; simulated: boolean },
  by: "ecpay" | "system" | "reconciler",
  note: string,
): Promise<"paid" | "already" | Order["status"]> {
  let order: Order | undefined = start;
  for (let i = 0; i < MAX_RACE_RETRIES && order; i++) {
    if (order.status === "paid" || order.status === "shipped") {
      if (order.payment?.tradeNo && order.payment.tradeNo !== payment.tradeNo) {
        // A second trade paid the same order (two ATM accounts, ADR 0011): the owner refunds one in ECPay's back office.
        putMetric(METRIC.paymentsNeedingAttention, 1, { Reason: "paid_twice" });
        logger.error("second payment for an order already paid", { outcome: "paid_twice", tradeNo: payment.tradeNo });
      }
      return "already";
    }
    if (!findTransition(order, "paid", by)) return order.status;
    const updated = await changeStatus(order.id, { from: order.status, to: "paid", by, note, payment });
    if (updated) return "paid";
    order = await getOrder(order.id);
  }
  throw new Error(`order ${start.id} kept changing while being paid`);
}

/** PaymentInfoURL: an ATM virtual account was issued (RtnCode 2). Not a payment. */
export async function handlePaymentInfo(body: string): Promise<string> {
  const found = await authenticate(body, paymentInfoSchema, "PaymentInfoURL");
  if ("reply" in found) return found.reply;
  const n = found.notification;
  if (n.RtnCode !== 2) {
    logger.info("PaymentInfoURL without an account", { outcome: "no_account", rtnCode: n.RtnCode, rtnMsg: n.RtnMsg });
    return ECPAY_ACK;
  }

  const atm = { bankCode: n.BankCode, account: n.vAccount, expireDate: n.ExpireDate };
  let order: Order | undefined = found.order;
  for (let i = 0; i < MAX_RACE_RETRIES && order; i++) {
    if (order.status !== "created") {
      // ReturnURL overtook us (already paid) or the order moved on: keep the account details for the record only.
      await recordPayment(order.id, { atm }, "atm");
      logger.info("PaymentInfoURL: account kept for the record", { outcome: "recorded", status: order.status });
      return ECPAY_ACK;
    }
    const updated = await changeStatus(order.id, {
      from: "created",
      to: "awaiting_payment",
      by: "ecpay",
      note: `ATM ${n.BankCode} ${n.vAccount}`,
      payment: { atm, tradeNo: n.TradeNo },
    });
    if (updated) {
      logger.info("PaymentInfoURL: ATM account issued", { outcome: "awaiting_payment" });
      return ECPAY_ACK;
    }
    order = await getOrder(order.id);
  }
  throw new Error(`order ${found.order.id} kept changing while recording its ATM account`);
}
