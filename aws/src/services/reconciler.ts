/**
 * The scheduled reconciler: payments end right even if every ECPay callback is lost.
 *
 * Each pass finds the card and ATM orders of the last days that are still waiting for money, asks ECPay's
 * QueryTradeInfo about their checkout attempts (current and earlier), and applies what ECPay says through the same
 * conditional transitions the callbacks use: pays what was paid (history `by: reconciler`), cancels ATM orders past their
 * deadline and orders left unpaid too long. Every write is conditional on the state the pass read, so a pass is
 * idempotent and safe beside another pass, a callback or a shopper paying again. The pass is bounded (orders read,
 * ECPay calls, the function's remaining time) and backs off when ECPay fails: it stops after a few consecutive
 * failures (the next pass catches up) and, when ECPay answers HTTP 403 ("too fast"), stops asking for 30 minutes.
 *
 * The rules are in domain/reconcile.ts; the decision record is docs/decisions/0014-scheduled-reconciler.md.
 */
import * as z from "zod";
import type { Order } from "../contract";
import {
  type AttemptAnswer,
  type Decision,
  decideReconcile,
  dueForCancellation,
  latestAttemptAt,
  planReconcile,
  type ReconcilePolicy,
} from "../domain/reconcile";
import { taipeiDate } from "../domain/taipei-time";
import { EcpayError } from "../ecpay";
import { lambdaEnv } from "../lib/config";
import { addLogContext, logger, withLogContext } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import {
  changeStatus,
  getReconcilerBackoff,
  listOpenEcpayOrders,
  markFlagged,
  markReconciled,
  setReconcilerBackoff,
} from "../lib/orders-repo";
import { payOrder } from "./ecpay-callbacks";
import { isSimulated, queryTrade, type TradeInfo } from "./ecpay-query";

const MINUTE_MS = 60_000;

export interface ReconcilerConfig {
  policy: ReconcilePolicy;
  /** How many Taipei days back to look for open orders (must cover the unpaid age and ATM deadlines). */
  lookbackDays: number;
  /** At most this many open orders are read per pass. */
  maxOrders: number;
  /** At most this many QueryTradeInfo calls per pass. */
  maxQueries: number;
  /** Pause between two QueryTradeInfo calls (ECPay refuses callers that ask too fast). */
  queryGapMs: number;
  /** A pass stops after this many ECPay failures in a row. */
  maxConsecutiveFailures: number;
  queryTimeoutMs: number;
  /** How long to stop asking after ECPay answered HTTP 403. */
  rateLimitBackoffMs: number;
  /** The pass stops starting new orders when the function has less time left than this. */
  reserveMs: number;
}

const number = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? undefined : Number(v)),
    z.number().nonnegative().default(fallback),
  );

const configSchema = z.object({
  RECONCILE_MIN_AGE_MINUTES: number(5),
  RECONCILE_UNPAID_MAX_AGE_HOURS: number(72),
  RECONCILE_MAX_QUERIES: number(60),
  RECONCILE_QUERY_GAP_MS: number(250),
});

/** The pass's settings from the function's environment (aws/template.yaml), read at each pass. */
export function reconcilerConfig(env: Record<string, string | undefined> = process.env): ReconcilerConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new Error(`reconciler settings are invalid: ${z.prettifyError(parsed.error)}`);
  const c = parsed.data;
  const unpaidMaxAgeMs = c.RECONCILE_UNPAID_MAX_AGE_HOURS * 60 * MINUTE_MS;
  return {
    policy: { minAttemptAgeMs: c.RECONCILE_MIN_AGE_MINUTES * MINUTE_MS, unpaidMaxAgeMs },
    // The unpaid age and the ATM deadline (3 days, plus the one we allow for an unknown account), plus margin.
    lookbackDays: Math.ceil(Math.max(unpaidMaxAgeMs / (24 * 60 * MINUTE_MS), 4)) + 3,
    maxOrders: 500,
    maxQueries: c.RECONCILE_MAX_QUERIES,
    queryGapMs: c.RECONCILE_QUERY_GAP_MS,
    maxConsecutiveFailures: 3,
    queryTimeoutMs: 5_000,
    rateLimitBackoffMs: 30 * MINUTE_MS,
    reserveMs: 15_000,
  };
}

export type StopReason = "ecpay_unavailable" | "ecpay_rate_limited" | "cooling_down" | "query_budget" | "time";

export interface PassSummary {
  /** Open orders read. */
  orders: number;
  /** QueryTradeInfo calls made. */
  queries: number;
  paid: string[];
  cancelled: string[];
  attention: string[];
  /** Orders left for a later pass because ECPay could not be asked about all their attempts. */
  unanswered: number;
  /** Errors of our own (DynamoDB…) while applying a decision. */
  internalErrors: number;
  stopped?: StopReason;
  /** Set when the order list hit `maxOrders`. */
  truncated: boolean;
}

export interface PassOptions {
  now?: () => Date;
  config?: ReconcilerConfig;
  /** The function's remaining time (Lambda's context.getRemainingTimeInMillis). */
  remainingMs?: () => number;
  /** QueryTradeInfo; replaced only by the unit tests. */
  query?: (merchantTradeNo: string, now: Date, timeoutMs: number) => Promise<TradeInfo>;
  sleep?: (ms: number) => Promise<void>;
  /** Which rules apply (simulated payments are refused in production); default the function's ENV. */
  env?: "local" | "stag" | "prod";
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class PassStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
  }
}

/** One reconciler pass. Never throws for ECPay trouble: it reports it (summary, metrics, log) and ends cleanly. */
export async function reconcilePass(options: PassOptions = {}): Promise<PassSummary> {
  const now = options.now ?? (() => new Date());
  const config = options.config ?? reconcilerConfig();
  const remainingMs = options.remainingMs ?? (() => Number.POSITIVE_INFINITY);
  const query = options.query ?? queryTrade;
  const sleep = options.sleep ?? defaultSleep;
  const env = options.env ?? lambdaEnv().ENV;
  const started = now();
  const summary: PassSummary = {
    orders: 0,
    queries: 0,
    paid: [],
    cancelled: [],
    attention: [],
    unanswered: 0,
    internalErrors: 0,
    truncated: false,
  };

  const backoff = await getReconcilerBackoff();
  if (backoff && new Date(backoff.until) > started) {
    summary.stopped = "cooling_down";
    logger.warn("reconciler: not asking ECPay yet", {
      outcome: "cooling_down",
      until: backoff.until,
      reason: backoff.reason,
    });
    return finish(summary);
  }

  const from = taipeiDate(new Date(started.getTime() - config.lookbackDays * 24 * 60 * MINUTE_MS));
  const { orders, truncated } = await listOpenEcpayOrders(from, taipeiDate(started), config.maxOrders);
  summary.orders = orders.length;
  summary.truncated = truncated;
  // Orders about to be cancelled first (they need their answer most), then those asked about longest ago (never
  // first), then the most recent attempts: when the ECPay budget does not cover every open order, passes take turns.
  const queue = [...orders].sort(
    (a, b) =>
      Number(dueForCancellation(b, started, config.policy)) - Number(dueForCancellation(a, started, config.policy)) ||
      (a.reconciledAt ?? "").localeCompare(b.reconciledAt ?? "") ||
      latestAttemptAt(b).getTime() - latestAttemptAt(a).getTime(),
  );

  let consecutiveFailures = 0;
  const ask = async (merchantTradeNo: string): Promise<AttemptAnswer> => {
    if (summary.queries >= config.maxQueries) throw new PassStopped("query_budget");
    if (summary.queries > 0) await sleep(config.queryGapMs * 2 ** consecutiveFailures);
    summary.queries += 1;
    try {
      const trade = await query(merchantTradeNo, now(), config.queryTimeoutMs);
      consecutiveFailures = 0;
      return {
        merchantTradeNo,
        ok: true,
        tradeStatus: trade.tradeStatus,
        tradeAmt: trade.tradeAmt,
        tradeNo: trade.tradeNo,
        paymentType: trade.paymentType,
        paymentDate: trade.paymentDate,
        simulated: isSimulated(trade),
      };
    } catch (error) {
      if (!(error instanceof EcpayError)) throw error;
      logger.warn("reconciler: QueryTradeInfo failed", {
        merchantTradeNo,
        code: error.code,
        status: error.status,
        error: error.message,
      });
      if (error.code === "http" && error.status === 403) {
        await setReconcilerBackoff(
          new Date(now().getTime() + config.rateLimitBackoffMs),
          "ECPay answered HTTP 403",
          now(),
        );
        throw new PassStopped("ecpay_rate_limited");
      }
      consecutiveFailures += 1;
      if (consecutiveFailures >= config.maxConsecutiveFailures) throw new PassStopped("ecpay_unavailable");
      return { merchantTradeNo, ok: false };
    }
  };

  try {
    for (const order of queue) {
      if (remainingMs() < config.reserveMs) throw new PassStopped("time");
      const plan = planReconcile(order, started, config.policy);
      if (!plan.ask) continue;
      await withLogContext({ orderId: order.id }, async () => {
        const answers: AttemptAnswer[] = [];
        for (const merchantTradeNo of plan.merchantTradeNos) {
          const answer = await ask(merchantTradeNo);
          answers.push(answer);
          if (answer.ok && answer.tradeStatus === "1") break;
        }
        const decision = decideReconcile(order, answers, now(), config.policy, env);
        try {
          await apply(order, decision, summary);
          if (answers.every((a) => a.ok)) await markReconciled(order.id, now());
        } catch (error) {
          summary.internalErrors += 1;
          logger.error("reconciler: could not apply a decision", { action: decision.action, error });
        }
      });
    }
  } catch (error) {
    if (!(error instanceof PassStopped)) {
      // Our own fault (DynamoDB, SSM…): reported here, and the function fails so its Errors alarm sees it.
      summary.internalErrors += 1;
      logger.error("reconciler: pass failed", { error });
      finish(summary);
      throw error;
    }
    summary.stopped = error.reason;
  }
  return finish(summary);
}

async function apply(order: Order, decision: Decision, summary: PassSummary): Promise<void> {
  addLogContext({ orderId: order.id });
  switch (decision.action) {
    case "wait":
      if (decision.reason === "unanswered") summary.unanswered += 1;
      logger.debug("reconciler: nothing to change", { outcome: decision.reason });
      return;
    case "attention": {
      summary.attention.push(order.id);
      const fields = {
        outcome: decision.reason,
        tradeNo: decision.trade.tradeNo,
        tradeAmt: decision.trade.tradeAmt,
        total: order.total,
      };
      // Told once per payment: later passes still ask about the order (it may yet be paid for real) but stay quiet.
      if (!(await markFlagged(order.id, `${decision.reason}:${decision.trade.tradeNo}`))) {
        logger.info("reconciler: a payment the owner was already told about", fields);
        return;
      }
      putMetric(METRIC.paymentsNeedingAttention, 1, { Reason: decision.reason });
      logger.error("reconciler: ECPay reports a payment the shop cannot accept; the owner must check it", fields);
      return;
    }
    case "pay": {
      const t = decision.trade;
      const result = await payOrder(
        order,
        { tradeNo: t.tradeNo, paymentType: t.paymentType, paymentDate: t.paymentDate, simulated: t.simulated },
        "reconciler",
        `Paid per ECPay QueryTradeInfo for ${t.merchantTradeNo} (${t.paymentType} ${t.tradeNo}); no callback had arrived`,
      );
      if (result === "paid") {
        summary.paid.push(order.id);
        putMetric(METRIC.paymentsConfirmed, 1, { By: "reconciler" });
        putMetric(METRIC.paymentsFoundByReconciler, 1);
        logger.warn("reconciler: paid an order no callback had reported", {
          outcome: "paid",
          merchantTradeNo: t.merchantTradeNo,
          tradeNo: t.tradeNo,
        });
      } else {
        logger.info("reconciler: the order was paid meanwhile", { outcome: result });
      }
      return;
    }
    case "cancel": {
      const from = order.status;
      const updated = await changeStatus(order.id, {
        from,
        to: "cancelled",
        by: "reconciler",
        note: decision.note,
        ...(order.payment ? { expectMerchantTradeNo: order.payment.merchantTradeNo } : {}),
      });
      if (updated) {
        summary.cancelled.push(order.id);
        putMetric(METRIC.reconcilerCancellations, 1, { Reason: decision.reason });
        logger.info("reconciler: cancelled an unpaid order", { outcome: decision.reason });
      } else {
        // Paid, paid again with a new attempt, or cancelled meanwhile: the next pass looks at it afresh.
        logger.info("reconciler: the order changed meanwhile; left for the next pass", { outcome: "changed" });
      }
      return;
    }
  }
}

function finish(summary: PassSummary): PassSummary {
  putMetric(METRIC.reconcilerRuns, 1);
  putMetric(METRIC.reconcilerQueries, summary.queries);
  const failure =
    summary.stopped === "ecpay_unavailable" || summary.stopped === "ecpay_rate_limited"
      ? summary.stopped
      : summary.internalErrors > 0
        ? "internal"
        : undefined;
  if (failure) putMetric(METRIC.reconcilerFailures, 1, { Kind: failure });
  const fields = { ...summary, outcome: failure ?? summary.stopped ?? "done" };
  if (failure) logger.error("reconciler: pass did not finish its work", fields);
  else logger.info("reconciler: pass done", fields);
  return summary;
}
