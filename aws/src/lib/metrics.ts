/**
 * Business metrics in CloudWatch Embedded Metric Format (EMF), written directly: one JSON line on stdout per call,
 * which CloudWatch Logs turns into a metric in namespace `Shop` (no PutMetricData call, no SDK, no buffer to flush).
 * Why EMF by hand rather than Powertools Metrics: docs/decisions/0015-logs-and-metrics.md.
 *
 * Every metric has the `Env` dimension (stag / prod / local), and, when given, one more dimension with the breakdown
 * (payment method, reason…). Both dimension sets are emitted, so alarms use the `Env`-only total and the dashboard
 * shows the breakdown. The names are the constants below: alarms in aws/template.yaml and the local summary
 * (`npm run metrics`) refer to the same strings.
 *
 * Lambda drops JSON lines whose `level` is below the function's log level and treats a line without one as INFO, so
 * a metric line carries the lowest level that passes the filter: metrics survive `LogLevel=ERROR`.
 */
import { configuredLogLevel, currentLogContext, LOG_LEVELS, writeLine } from "./logger";

export const METRICS_NAMESPACE = "Shop";

/** Every metric the shop emits, in one place. */
export const METRIC = {
  /** A new order (not an idempotent replay); dimension PaymentMethod. */
  ordersCreated: "OrdersCreated",
  /** An order moved to paid; dimension By: callback, reconciler, owner, pay_again. */
  paymentsConfirmed: "PaymentsConfirmed",
  /** An ECPay notification refused; dimension Reason: bad_mac, wrong_merchant, malformed, unknown_order, amount_mismatch. */
  callbacksRefused: "CallbacksRefused",
  /** A payment the scheduled reconciler found that no callback had reported (callbacks are not arriving). */
  paymentsFoundByReconciler: "PaymentsFoundByReconciler",
  /** Money that needs the owner: dimension Reason: amount_mismatch, simulated_in_production, paid_after_cancel, paid_twice. */
  paymentsNeedingAttention: "PaymentsNeedingAttention",
  /** One per reconciler pass that ran (with or without ECPay trouble): its absence means the schedule stopped. */
  reconcilerRuns: "ReconcilerRuns",
  /** One per pass that could not finish its work; dimension Kind: ecpay_unavailable, ecpay_rate_limited, internal. */
  reconcilerFailures: "ReconcilerFailures",
  /** QueryTradeInfo calls made by the reconciler. */
  reconcilerQueries: "ReconcilerQueries",
  /** Orders the reconciler cancelled; dimension Reason: atm_expired, unpaid_too_long. */
  reconcilerCancellations: "ReconcilerCancellations",
  /** Emails the outbox worker sent; dimension Event: received, paid, shipped, cancelled, owner_new. */
  emailsSent: "EmailsSent",
  /** Emails given up after their last attempt (or refused by SES); dimension Event. */
  emailsFailed: "EmailsFailed",
  /** Units given back by holds whose order was never written (a request stopped half-way). */
  orphanedStockReleased: "OrphanedStockReleased",
  /** Store pickup (ADR 0027): logistics orders ECPay accepted (dimension SubType), or refused. */
  shipmentsCreated: "ShipmentsCreated",
  shipmentsRefused: "ShipmentsRefused",
  /** ECPay Logistics status notifications applied; dimension Code. */
  logisticsEvents: "LogisticsEvents",
  /** E-invoices issued, voided or allowed (dimension Action), and those given up (the owner must act: alarmed). */
  invoicesDone: "InvoicesDone",
  invoicesFailed: "InvoicesFailed",
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export type MetricUnit = "Count" | "Milliseconds" | "Seconds";

/** The EMF document for one metric value; exported for the tests and the local summary. */
export function emfDocument(
  name: string,
  value: number,
  dimensions: Record<string, string> = {},
  unit: MetricUnit = "Count",
  at = new Date(),
): Record<string, unknown> {
  const env = process.env.ENV ?? "local";
  const extra = Object.keys(dimensions).filter((key) => key !== "Env");
  const { requestId, route, orderId } = currentLogContext();
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: extra.length > 0 ? [["Env"], ["Env", ...extra]] : [["Env"]],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    // The lowest level Lambda's log-level filter lets through (INFO unless the function is set stricter).
    level: LOG_LEVELS.indexOf(configuredLogLevel()) > LOG_LEVELS.indexOf("INFO") ? configuredLogLevel() : "INFO",
    message: `metric ${name}`,
    ...(requestId ? { requestId } : {}),
    ...(route ? { route } : {}),
    ...(orderId ? { orderId } : {}),
    Env: env,
    ...Object.fromEntries(extra.map((key) => [key, dimensions[key]])),
    [name]: value,
  };
}

/** Emits one metric value now (one stdout line). */
export function putMetric(
  name: MetricName,
  value = 1,
  dimensions: Record<string, string> = {},
  unit: MetricUnit = "Count",
): void {
  writeLine(emfDocument(name, value, dimensions, unit));
}
