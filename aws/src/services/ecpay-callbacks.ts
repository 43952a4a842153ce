/**
 * ECPay's server-to-server notifications. Each answer is `1|OK` only once the order is durably in the state the
 * notification implies; duplicates, retries and races converge on the same state and are acknowledged again.
 */
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
import { logger } from "../lib/logger";
import { changeStatus, getOrder, recordPayment } from "../lib/orders-repo";

const MAX_RACE_RETRIES = 5;

async function merchantCheck() {
  const merchant = await ecpayMerchant();
  return { merchantId: merchant.merchantId, keys: merchant };
}

/** Finds the order a MerchantTradeNo belongs to, or says why the notification cannot be ours. */
async function orderFor(merchantTradeNo: string, tradeAmt: number): Promise<{ order: Order } | { reject: string }> {
  const orderId = orderIdFromMerchantTradeNo(merchantTradeNo);
  const order = orderId ? await getOrder(orderId) : undefined;
  if (!order || order.payment?.merchantTradeNo !== merchantTradeNo) return { reject: "unknown order" };
  if (order.total !== tradeAmt) return { reject: "amount mismatch" };
  return { order };
}

/** ReturnURL: the payment result. */
export async function handlePaymentResult(body: string): Promise<string> {
  const result = verifyCallback(parseFormBody(body), await merchantCheck(), paymentResultSchema);
  if (!result.ok) {
    logger.warn("ReturnURL rejected", { reason: result.reason, message: result.message });
    return ecpayNack(result.reason === "bad-mac" ? "CheckMacValue error" : result.message);
  }
  const n = result.data;
  const found = await orderFor(n.MerchantTradeNo, n.TradeAmt);
  if ("reject" in found) {
    logger.warn("ReturnURL for no order of ours", { merchantTradeNo: n.MerchantTradeNo, reason: found.reject });
    return ecpayNack(found.reject);
  }
  if (n.RtnCode !== 1) {
    // A failed attempt changes nothing; the shopper can still pay. Acknowledge so ECPay stops resending.
    logger.info("ReturnURL reports an unpaid attempt", { orderId: found.order.id, rtnCode: n.RtnCode, rtnMsg: n.RtnMsg });
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
    await recordPayment(found.order.id, payment, "tradeNo");
    logger.warn("simulated payment ignored in production", { orderId: found.order.id });
    return ECPAY_ACK;
  }

  const outcome = await payOrder(found.order, payment, "ecpay", `ECPay ${n.PaymentType} ${n.TradeNo}`);
  if (outcome === "paid" || outcome === "already") return ECPAY_ACK;
  logger.error("paid notification for an order that cannot be paid", { orderId: found.order.id, status: outcome });
  // The money arrived for an order that was cancelled; acknowledging stops the resends, the log alerts the owner.
  return ECPAY_ACK;
}

/**
 * Moves an order to paid, riding out races with concurrent notifications. Returns "paid" when this call did it,
 * "already" when the order was already paid by this trade, or the status that blocks payment.
 */
export async function payOrder(
  start: Order,
  payment: { tradeNo: string; paymentType: string; paymentDate: string; simulated: boolean },
  by: "ecpay" | "system",
  note: string,
): Promise<"paid" | "already" | Order["status"]> {
  let order: Order | undefined = start;
  for (let i = 0; i < MAX_RACE_RETRIES && order; i++) {
    if (order.status === "paid" || order.status === "shipped") {
      if (order.payment?.tradeNo && order.payment.tradeNo !== payment.tradeNo) {
        logger.warn("second payment for an order already paid", { orderId: order.id, tradeNo: payment.tradeNo });
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
  const result = verifyCallback(parseFormBody(body), await merchantCheck(), paymentInfoSchema);
  if (!result.ok) {
    logger.warn("PaymentInfoURL rejected", { reason: result.reason, message: result.message });
    return ecpayNack(result.reason === "bad-mac" ? "CheckMacValue error" : result.message);
  }
  const n = result.data;
  const found = await orderFor(n.MerchantTradeNo, n.TradeAmt);
  if ("reject" in found) return ecpayNack(found.reject);
  if (n.RtnCode !== 2) {
    logger.info("PaymentInfoURL without an account", { orderId: found.order.id, rtnCode: n.RtnCode, rtnMsg: n.RtnMsg });
    return ECPAY_ACK;
  }

  const atm = { bankCode: n.BankCode, account: n.vAccount, expireDate: n.ExpireDate };
  let order: Order | undefined = found.order;
  for (let i = 0; i < MAX_RACE_RETRIES && order; i++) {
    if (order.status !== "created") {
      // ReturnURL overtook us (already paid) or the order moved on: keep the account details for the record only.
      await recordPayment(order.id, { atm }, "atm");
      return ECPAY_ACK;
    }
    const updated = await changeStatus(order.id, {
      from: "created",
      to: "awaiting_payment",
      by: "ecpay",
      note: `ATM ${n.BankCode} ${n.vAccount}`,
      payment: { atm, tradeNo: n.TradeNo },
    });
    if (updated) return ECPAY_ACK;
    order = await getOrder(order.id);
  }
  throw new Error(`order ${found.order.id} kept changing while recording its ATM account`);
}
