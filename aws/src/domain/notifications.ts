/**
 * Which emails an event on an order sends (docs/decisions/0018-email-outbox.md). Pure: the data layer records the
 * answer in the same conditional write as the event itself, so an email is queued exactly when its event happens —
 * once, however often a callback or a retry repeats it.
 */
import type { OrderStatus, PaymentMethod } from "../contract";

/** `arrived`: a store-pickup parcel reached the store (ECPay's notification, not a status change; ADR 0027). */
export const MAIL_EVENTS = ["received", "paid", "shipped", "arrived", "cancelled", "owner_new"] as const;
export type MailEvent = (typeof MAIL_EVENTS)[number];

/** Who an event's email goes to. */
export const MAIL_RECIPIENT: Record<MailEvent, "customer" | "owner"> = {
  received: "customer",
  paid: "customer",
  shipped: "customer",
  arrived: "customer",
  cancelled: "customer",
  owner_new: "owner",
};

/**
 * A new order: card and pay-on-arrival orders are confirmed at once; an ATM order's confirmation waits for its
 * virtual account (PaymentInfoURL), which the email must show. The owner hears of a pay-on-arrival order now and of
 * a card or ATM order once it is paid.
 */
export function mailsOnCreate(paymentMethod: PaymentMethod): MailEvent[] {
  if (paymentMethod === "atm") return [];
  return paymentMethod === "cod" ? ["received", "owner_new"] : ["received"];
}

/**
 * A status change. Decided by the two statuses alone (the transition table already fixed which payment methods can
 * make each one): shipped → paid is a pay-on-arrival order whose cash came back, which the shopper paid in person.
 */
export function mailsOnTransition(from: OrderStatus, to: OrderStatus): MailEvent[] {
  if (to === "awaiting_payment") return ["received"];
  if (to === "paid") return from === "shipped" ? [] : ["paid", "owner_new"];
  if (to === "shipped") return ["shipped"];
  if (to === "cancelled") return ["cancelled"];
  return [];
}

/**
 * Outbox work other than email (ADR 0027): a paid order's e-invoice is issued, and a cancelled order's is voided (or
 * an allowance issued) — whether the order asked for one is the worker's to check, so every path that pays or
 * cancels queues it without knowing about invoices.
 */
export const OUTBOX_TASKS = ["invoice_issue", "invoice_void"] as const;
export type OutboxTask = (typeof OUTBOX_TASKS)[number];

export function tasksOnTransition(from: OrderStatus, to: OrderStatus): OutboxTask[] {
  if (to === "paid") return ["invoice_issue"];
  if (to === "cancelled" && (from === "paid" || from === "shipped")) return ["invoice_void"];
  return [];
}
