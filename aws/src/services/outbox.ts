/**
 * The outbox worker (docs/decisions/0018-email-outbox.md), run every minute by a schedule: sends the emails that
 * events queued on orders, and looks after stock holds. Nothing here runs on an order's or a callback's path, so a
 * slow or failing SES never delays, fails or rolls back either; a failed send is retried with back-off, and each
 * email is claimed before it is sent, so two runs at once send it once.
 */
import { randomUUID } from "node:crypto";
import { orderSchema } from "../contract";
import { MAIL_EVENTS, MAIL_RECIPIENT, type MailEvent, OUTBOX_TASKS } from "../domain/notifications";
import type { OrderKey } from "../domain/order-id";
import { lambdaEnv } from "../lib/config";
import { logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import { isPermanentMailError, sendMail } from "../lib/mailer";
import { claimMail, dueItems, finishMail, type MailOutcome, readItem, rescheduleOrder } from "../lib/outbox-repo";
import { mailAttribute, type MailRecord, taskAttribute } from "../lib/orders-repo";
import { runInvoiceTask } from "./invoice";
import { renderMail } from "../mail/templates";
import { checkHolds, settleStockForOrder } from "./stock";

/** After this many attempts an email is given up (and logged as an error for the owner's alarm). */
export const MAX_MAIL_ATTEMPTS = 10;
/** How long a claim holds: past it, another run may take the email over (the sender is presumed dead). */
const CLAIM_LEASE_MS = 2 * 60 * 1000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

export interface OutboxRunResult {
  items: number;
  sent: number;
  retrying: number;
  failed: number;
  holdsReleased: number;
}

export interface OutboxRunOptions {
  now?: () => number;
  /** Stop starting new items after this long (the function's timeout is longer). */
  budgetMs?: number;
  pageSize?: number;
}

export async function runOutbox(options: OutboxRunOptions = {}): Promise<OutboxRunResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const budget = options.budgetMs ?? 45_000;
  const result: OutboxRunResult = { items: 0, sent: 0, retrying: 0, failed: 0, holdsReleased: 0 };
  let startKey: Record<string, unknown> | undefined;
  const seen = new Set<string>();
  do {
    const page = await dueItems(now(), options.pageSize ?? 25, startKey);
    for (const key of page.keys) {
      if (now() - started > budget) return result;
      const id = `${key.ordertype}/${key.idsk}`;
      if (seen.has(id)) continue;
      seen.add(id);
      result.items += 1;
      try {
        if (key.ordertype.startsWith("stock#")) {
          result.holdsReleased += (await checkHolds(key.ordertype.slice("stock#".length), now())).released;
        } else if (key.ordertype.startsWith("order#")) {
          await processOrder(key, now, result);
        }
      } catch (error) {
        // One bad item must not stop the others; it stays due and is tried again next run.
        logger.error("outbox item failed", { item: id, error });
      }
    }
    startKey = page.next;
  } while (startKey);
  return result;
}

async function processOrder(key: OrderKey, now: () => number, result: OutboxRunResult): Promise<void> {
  let item = await readItem(key);
  if (!item) return;
  // Tasks first (ADR 0027): an e-invoice issued now is in the paid email below.
  let tasksRan = false;
  for (const task of OUTBOX_TASKS) {
    const record = item[taskAttribute(task)] as MailRecord | undefined;
    if (!record || !isDue(record, now())) continue;
    const token = randomUUID();
    if (!(await claimMail(key, taskAttribute(task), token, now(), CLAIM_LEASE_MS))) continue;
    const current = orderSchema.parse((await readItem(key)) ?? item);
    const outcome = await runInvoiceTask(task, current, record.attempts + 1, now);
    await finishMail(key, taskAttribute(task), token, outcome);
    tasksRan = true;
  }
  if (tasksRan) item = (await readItem(key)) ?? item;
  const order = orderSchema.parse(item);
  for (const event of MAIL_EVENTS) {
    const record = item[mailAttribute(event)] as MailRecord | undefined;
    if (!record || !isDue(record, now())) continue;
    const token = randomUUID();
    if (!(await claimMail(key, mailAttribute(event), token, now(), CLAIM_LEASE_MS))) continue;
    const attempts = record.attempts + 1;
    const outcome = await send(event, order, attempts, now);
    await finishMail(key, mailAttribute(event), token, outcome);
    if (outcome.state === "sent") {
      result.sent += 1;
      putMetric(METRIC.emailsSent, 1, { Event: event });
    } else if (outcome.state === "failed") {
      result.failed += 1;
      putMetric(METRIC.emailsFailed, 1, { Event: event });
    } else result.retrying += 1;
    if (outcome.state !== "sent") {
      const level = outcome.state === "failed" ? "error" : "warn";
      logger[level](`email ${outcome.state === "failed" ? "given up" : "will be retried"}`, {
        orderId: order.id,
        event,
        attempts,
        reason: outcome.lastError,
      });
    }
  }
  // A cancellation whose caller stopped before giving the units back is finished here too (once, whoever else tries).
  if (order.status === "cancelled") await settleStockForOrder(order.id);
  // Back in the index for the next due email, or out of it; if an event queued one meanwhile, it stays as that set it.
  const fresh = (await readItem(key)) ?? {};
  await rescheduleOrder(key, fresh.outboxRev as number | undefined, nextDue(fresh));
}

function isDue(record: MailRecord, now: number): boolean {
  return (record.state === "pending" && record.due <= now) || (record.state === "sending" && (record.until ?? 0) < now);
}

function nextDue(item: Record<string, unknown>): number | null {
  let next: number | null = null;
  for (const attribute of [...MAIL_EVENTS.map(mailAttribute), ...OUTBOX_TASKS.map(taskAttribute)]) {
    const record = item[attribute] as MailRecord | undefined;
    const due = record?.state === "pending" ? record.due : record?.state === "sending" ? (record.until ?? 0) : null;
    if (due !== null) next = next === null ? due : Math.min(next, due);
  }
  return next;
}

async function send(event: MailEvent, order: ReturnType<typeof orderSchema.parse>, attempts: number, now: () => number): Promise<MailOutcome> {
  const env = lambdaEnv();
  const to = MAIL_RECIPIENT[event] === "owner" ? env.OWNER_EMAIL : order.customer.email;
  try {
    // Not configured yet (the template's addresses left empty): wait like a failed send, so setting them later still
    // delivers what was queued.
    if (!env.MAIL_FROM || !to) throw new Error(`no ${!env.MAIL_FROM ? "MailFromAddress" : "OwnerEmailAddress"} configured`);
    const message = renderMail(event, order, { storefrontUrl: env.STOREFRONT_URL });
    const messageId = await sendMail(env.MAIL_FROM, to, message);
    logger.info("email sent", { orderId: order.id, event, messageId });
    return { state: "sent", sentAt: new Date(now()).toISOString(), messageId };
  } catch (error) {
    // SES names the addresses it refused: keep them out of the order's record and the logs.
    const reason = `${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? String(error)}`
      .replace(/[^\s<>"',;]+@[^\s<>"',;]+/g, "<address>")
      .slice(0, 300);
    if (isPermanentMailError(error) || attempts >= MAX_MAIL_ATTEMPTS) return { state: "failed", lastError: reason };
    const delay = Math.min(MAX_BACKOFF_MS, env.MAIL_RETRY_BASE_MS * 2 ** (attempts - 1));
    return { state: "pending", due: now() + delay, lastError: reason };
  }
}
