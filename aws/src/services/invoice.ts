/**
 * E-invoices (ADR 0027), run by the outbox worker as tasks queued with the order's transitions: a paid order's
 * invoice is issued (`/B2CInvoice/Issue`), a cancelled paid order's is voided within the legal window or answered
 * with an allowance for the whole amount. Never on an order's or a callback's path: ECPay being down delays the
 * invoice, never the order. Exactly one invoice per order: the RelateNumber is fixed per order, and a retry asks
 * ECPay (GetIssue) for an invoice under it before issuing.
 */
import type { InvoiceRecord, Order } from "../contract";
import { canVoid } from "../domain/invoice";
import type { OutboxTask } from "../domain/notifications";
import { EcpayError } from "../ecpay";
import {
  type CarrierChoice,
  type EinvoiceReply,
  type IssueItem,
  buildAllowanceData,
  buildInvalidData,
  buildIssueData,
  callEinvoice,
  issuedInvoiceOf,
  parseInvoiceDate,
} from "../ecpay/einvoice";
import { envCode, lambdaEnv, merchantKeys } from "../lib/config";
import { logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import type { MailOutcome } from "../lib/outbox-repo";
import { recordInvoice } from "../lib/orders-repo";

/** After this many attempts the task is given up: the owner is alarmed and issues it in ECPay's back office. */
export const MAX_INVOICE_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/**
 * The order's RelateNumber at ECPay: the environment, the order id and its creation time (ECPay's staging merchant is
 * shared by everyone testing, so the id alone could meet another shop's). The same on every attempt.
 */
export function relateNumberOf(order: Pick<Order, "id" | "createdAt">): string {
  const code = envCode(lambdaEnv().ENV);
  return `${code}${order.id.replace(/\D/g, "")}${Date.parse(order.createdAt).toString(36).toUpperCase()}`.slice(0, 30);
}

/** The invoice's lines: the products, and the fees as lines of their own (they are part of what was charged). */
export function invoiceItems(order: Order): IssueItem[] {
  return [
    ...order.lines.map((l) => ({ name: l.name, count: l.quantity, word: "件", price: l.unitPrice })),
    ...(order.fees ?? []).map((f) => ({ name: f.name, count: 1, word: "式", price: f.amount })),
  ];
}

function carrierOf(order: Order): CarrierChoice {
  const r = order.invoiceRequest ?? { carrier: "member" as const };
  switch (r.carrier) {
    case "member":
      return { type: "member" };
    case "mobile":
      return { type: "mobile", barcode: r.barcode };
    case "certificate":
      return { type: "certificate", number: r.number };
    case "donation":
      return { type: "donation", loveCode: r.loveCode };
    case "company":
      return {
        type: "company",
        taxId: r.taxId,
        companyName: r.companyName,
        address: r.address ?? order.customer.address ?? "",
      };
  }
}

const done = (now: number): MailOutcome => ({ state: "sent", sentAt: new Date(now).toISOString(), messageId: "" });

function retryOrGiveUp(order: Order, task: OutboxTask, attempts: number, now: number, reason: string): MailOutcome {
  const lastError = reason.slice(0, 300);
  if (attempts >= MAX_INVOICE_ATTEMPTS) {
    putMetric(METRIC.invoicesFailed, 1, { Action: task });
    logger.error("e-invoice task given up", { orderId: order.id, task, attempts, reason: lastError });
    return { state: "failed", lastError };
  }
  logger.warn("e-invoice task will be retried", { orderId: order.id, task, attempts, reason: lastError });
  return {
    state: "pending",
    due: now + Math.min(MAX_BACKOFF_MS, lambdaEnv().MAIL_RETRY_BASE_MS * 2 ** (attempts - 1)),
    lastError,
  };
}

/** Runs one e-invoice task for the order as it is now; the outbox worker records the outcome under its claim. */
export async function runInvoiceTask(
  task: OutboxTask,
  order: Order,
  attempts: number,
  now: () => number,
): Promise<MailOutcome> {
  try {
    return task === "invoice_issue" ? await issue(order, attempts, now) : await voidOrAllow(order, attempts, now);
  } catch (error) {
    const reason =
      error instanceof EcpayError
        ? `${error.code}: ${error.message}`
        : `${(error as Error)?.name}: ${(error as Error)?.message}`;
    if (task === "invoice_issue" && order.invoiceRequest) {
      await recordInvoice(order.id, {
        ...(order.invoice ?? {}),
        status: attempts >= MAX_INVOICE_ATTEMPTS ? "failed" : "pending",
        requestedAt: order.invoice?.requestedAt ?? new Date(now()).toISOString(),
        lastError: reason.slice(0, 300),
      });
    }
    return retryOrGiveUp(order, task, attempts, now(), reason);
  }
}

async function call(
  api: Parameters<typeof callEinvoice>[0]["api"],
  data: Record<string, unknown>,
): Promise<EinvoiceReply> {
  const keys = await merchantKeys("einvoice");
  return callEinvoice({ gatewayBaseUrl: lambdaEnv().ECPAY_EINVOICE_URL, api, merchantId: keys.merchantId, keys, data });
}

async function issue(order: Order, attempts: number, now: () => number): Promise<MailOutcome> {
  if (!order.invoiceRequest || order.invoice?.status === "issued") return done(now());
  const requestedAt = order.invoice?.requestedAt ?? new Date(now()).toISOString();
  if (order.status === "cancelled") {
    // Cancelled before the invoice went out (refunded): none is issued.
    await recordInvoice(order.id, { status: "not_issued", requestedAt });
    return done(now());
  }
  const relateNumber = relateNumberOf(order);
  // A retry may follow an Issue whose answer was lost: ask for an invoice under this number first.
  let reply = attempts > 1 ? await call("GetIssue", { RelateNumber: relateNumber }) : undefined;
  if (reply?.RtnCode !== 1) {
    reply = await call(
      "Issue",
      buildIssueData({
        relateNumber,
        customer: { name: order.customer.name, phone: order.customer.phone, email: order.customer.email },
        carrier: carrierOf(order),
        items: invoiceItems(order),
        salesAmount: order.total,
        remark: `訂單 ${order.id}`,
      }),
    );
    if (reply.RtnCode !== 1 && /重複|duplicate/i.test(reply.RtnMsg))
      reply = await call("GetIssue", { RelateNumber: relateNumber });
  }
  if (reply.RtnCode !== 1) {
    const reason = `ECPay ${reply.RtnCode}: ${reply.RtnMsg}`;
    await recordInvoice(order.id, {
      status: attempts >= MAX_INVOICE_ATTEMPTS ? "failed" : "pending",
      requestedAt,
      lastError: reason.slice(0, 300),
    });
    return retryOrGiveUp(order, "invoice_issue", attempts, now(), reason);
  }
  const invoice = issuedInvoiceOf(reply);
  await recordInvoice(order.id, {
    status: "issued",
    requestedAt,
    number: invoice.invoiceNo,
    date: invoice.invoiceDate,
    randomNumber: invoice.randomNumber,
  });
  putMetric(METRIC.invoicesDone, 1, { Action: "issue" });
  logger.info("e-invoice issued", { orderId: order.id, invoiceNo: invoice.invoiceNo });
  return done(now());
}

async function voidOrAllow(order: Order, attempts: number, now: () => number): Promise<MailOutcome> {
  const invoice = order.invoice;
  if (invoice?.status !== "issued" || !invoice.number || !invoice.date) return done(now());
  const issued = { invoiceNo: invoice.number, invoiceDate: invoice.date };
  const at = new Date(now());
  let record: InvoiceRecord;
  if (canVoid(parseInvoiceDate(invoice.date), at)) {
    const reply = await call("Invalid", buildInvalidData(issued, "訂單取消"));
    if (reply.RtnCode !== 1 && !/已作廢/.test(reply.RtnMsg))
      return retryOrGiveUp(order, "invoice_void", attempts, now(), `ECPay ${reply.RtnCode}: ${reply.RtnMsg}`);
    record = { ...invoice, status: "void", voidedAt: at.toISOString() };
    putMetric(METRIC.invoicesDone, 1, { Action: "void" });
  } else {
    // Past the 13th of the next odd month: the whole amount back as an allowance, the buyer told by email.
    const reply = await call(
      "Allowance",
      buildAllowanceData({
        invoice: issued,
        customerName: order.customer.name,
        email: order.customer.email,
        items: invoiceItems(order),
        amount: order.total,
      }),
    );
    if (reply.RtnCode !== 1)
      return retryOrGiveUp(order, "invoice_void", attempts, now(), `ECPay ${reply.RtnCode}: ${reply.RtnMsg}`);
    record = {
      ...invoice,
      status: "allowance",
      allowanceNo: String(reply.IA_Allow_No ?? ""),
      allowanceDate: String(reply.IA_Date ?? ""),
    };
    putMetric(METRIC.invoicesDone, 1, { Action: "allowance" });
  }
  await recordInvoice(order.id, record);
  logger.info(`e-invoice ${record.status}`, { orderId: order.id, invoiceNo: invoice.number });
  return done(now());
}
