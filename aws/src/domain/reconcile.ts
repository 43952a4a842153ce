/**
 * The scheduled reconciler's rules, framework-free: which orders and checkout attempts to ask ECPay about, and what
 * ECPay's answers (QueryTradeInfo) mean for an order. The service (services/reconciler.ts) reads orders, asks, and
 * applies the decision through the same conditional transitions the callbacks use. docs/decisions/0014-scheduled-reconciler.md.
 */
import type { Order } from "../contract";
import { formatTaipei } from "./taipei-time";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * We never send ExpireDate, so an ATM virtual account is payable for ECPay's default 3 days (ecpay.md §2). An ATM
 * order whose account we never heard of (PaymentInfoURL lost, or never issued) is kept one day longer than that.
 */
export const ATM_DEFAULT_EXPIRE_DAYS = 3;
const ATM_UNKNOWN_ACCOUNT_KEEP_MS = (ATM_DEFAULT_EXPIRE_DAYS + 1) * DAY_MS;

export interface ReconcilePolicy {
  /** An attempt younger than this is left alone: its notification is probably on the way, and ECPay answers HTTP 403 to queries made too soon. */
  minAttemptAgeMs: number;
  /** A card or ATM order with nothing paid this long after its latest attempt is cancelled (pay again works until then). */
  unpaidMaxAgeMs: number;
}

export const DEFAULT_POLICY: ReconcilePolicy = { minAttemptAgeMs: 5 * MINUTE_MS, unpaidMaxAgeMs: 72 * 60 * MINUTE_MS };

/** What one QueryTradeInfo call said about one attempt (or that it could not be asked). */
export type AttemptAnswer =
  | {
      merchantTradeNo: string;
      ok: true;
      /** `0` unpaid, `1` paid, `10200095` never finished, `10200047` unknown at ECPay; anything else is kept as is. */
      tradeStatus: string;
      tradeAmt: number;
      tradeNo: string;
      paymentType: string;
      paymentDate: string;
      /** The reply carried `SimulatePaid=1` (ECPay does not document it for QueryTradeInfo; honoured if present). */
      simulated: boolean;
    }
  | { merchantTradeNo: string; ok: false };

export type PaidAnswer = Extract<AttemptAnswer, { ok: true }>;

export type Plan =
  | { ask: false; reason: "not_ecpay" | "not_open" | "no_attempt" | "too_recent" }
  | { ask: true; merchantTradeNos: string[] };

export type Decision =
  | { action: "pay"; trade: PaidAnswer }
  | { action: "attention"; reason: RefusedPayment; trade: PaidAnswer }
  | { action: "cancel"; reason: "atm_expired" | "unpaid_too_long"; note: string }
  | { action: "wait"; reason: "unpaid" | "unanswered" | "atm_before_deadline" };

/** When the order's latest checkout attempt was issued (its MerchantTradeDate). */
export function latestAttemptAt(order: Pick<Order, "createdAt" | "payment">): Date {
  return new Date(order.payment?.issuedAt ?? order.createdAt);
}

/**
 * Which attempts to ask about, most recent first: the current MerchantTradeNo and the earlier ones (pay again),
 * which can still be paid — a card page left open in another tab, an ATM account issued for an earlier attempt.
 */
export function planReconcile(order: Order, now: Date, policy: ReconcilePolicy): Plan {
  if (order.paymentMethod === "cod") return { ask: false, reason: "not_ecpay" };
  if (order.status !== "created" && order.status !== "awaiting_payment") return { ask: false, reason: "not_open" };
  const current = order.payment?.merchantTradeNo;
  if (!current) return { ask: false, reason: "no_attempt" };
  if (now.getTime() - latestAttemptAt(order).getTime() < policy.minAttemptAgeMs)
    return { ask: false, reason: "too_recent" };
  const earlier = [...(order.payment?.attempts ?? [])].reverse().filter((no) => no !== current);
  return { ask: true, merchantTradeNos: [current, ...new Set(earlier)] };
}

/** ECPay's ATM deadline is a Taipei calendar date (`yyyy/MM/dd`); the order expires once that whole day has passed. */
export function isPastAtmDeadline(expireDate: string, now: Date): boolean {
  return formatTaipei(now, "yyyy/MM/dd") > expireDate.slice(0, 10);
}

/** True when the order would be cancelled if ECPay reports nothing paid (used to ask about those first). */
export function dueForCancellation(order: Order, now: Date, policy: ReconcilePolicy): boolean {
  const deadline = order.payment?.atm?.expireDate;
  if (order.paymentMethod === "atm" && order.status === "awaiting_payment" && deadline) {
    return isPastAtmDeadline(deadline, now);
  }
  const keep =
    order.paymentMethod === "atm"
      ? Math.max(policy.unpaidMaxAgeMs, ATM_UNKNOWN_ACCOUNT_KEEP_MS)
      : policy.unpaidMaxAgeMs;
  return now.getTime() - latestAttemptAt(order).getTime() >= keep;
}

export type RefusedPayment = "amount_mismatch" | "simulated_in_production";

/**
 * Why a paid QueryTradeInfo answer must not pay the order, or undefined when it may: one rule for the scheduled
 * reconciler, the owner's reconcile button and pay again. The amount must be the order's; and in production a payment
 * is never taken from a simulated one: neither a reply that says so nor the trade a simulated ReturnURL already
 * recorded on the order (the callback keeps it and does not pay, and QueryTradeInfo may report that same trade as
 * paid). Outside production simulated payments pay, as they do through the callback (ATM at ECPay's staging).
 */
export function refusedPayment(
  order: Pick<Order, "total" | "payment">,
  paid: { tradeAmt: number; tradeNo: string; simulated: boolean },
  env: "local" | "stag" | "prod",
): RefusedPayment | undefined {
  if (paid.tradeAmt !== order.total) return "amount_mismatch";
  const recordedSimulation =
    order.payment?.simulated === true && (!order.payment.tradeNo || order.payment.tradeNo === paid.tradeNo);
  if (env === "prod" && (paid.simulated || recordedSimulation)) return "simulated_in_production";
  return undefined;
}

/**
 * What ECPay's answers mean for the order: a paid attempt pays it unless `refusedPayment` says why not (then the
 * owner must look). Nothing is cancelled unless ECPay answered for every attempt: an attempt we could not ask about
 * might be the paid one.
 */
export function decideReconcile(
  order: Order,
  answers: readonly AttemptAnswer[],
  now: Date,
  policy: ReconcilePolicy,
  env: "local" | "stag" | "prod",
): Decision {
  const paid = answers.find((a): a is PaidAnswer => a.ok && a.tradeStatus === "1");
  if (paid) {
    const refused = refusedPayment(order, paid, env);
    return refused ? { action: "attention", reason: refused, trade: paid } : { action: "pay", trade: paid };
  }
  if (answers.length === 0 || answers.some((a) => !a.ok)) return { action: "wait", reason: "unanswered" };

  const deadline = order.payment?.atm?.expireDate;
  if (order.paymentMethod === "atm" && order.status === "awaiting_payment" && deadline) {
    if (isPastAtmDeadline(deadline, now)) {
      return { action: "cancel", reason: "atm_expired", note: `ATM transfer not received by ${deadline}: expired` };
    }
    return { action: "wait", reason: "atm_before_deadline" };
  }
  if (dueForCancellation(order, now, policy)) {
    const hours = Math.round((now.getTime() - latestAttemptAt(order).getTime()) / (60 * MINUTE_MS));
    return {
      action: "cancel",
      reason: "unpaid_too_long",
      note: `Nothing paid at ECPay ${hours} h after the last payment attempt: cancelled`,
    };
  }
  return { action: "wait", reason: "unpaid" };
}
