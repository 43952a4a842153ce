/**
 * Which emails an event on an order sends (docs/decisions/0018-email-outbox.md). Pure: the data layer records the
 * answer in the same conditional write as the event itself, so an email is queued exactly when its event happens —
 * once, however often a callback or a retry repeats it.
 */
import type { OrderStatus, PaymentMethod } from "../contract";

export const MAIL_EVENTS = ["received", "paid", "shipped", "cancelled", "owner_new"] as const;
export type MailEvent = (typeof MAIL_EVENTS)[number];

/** Who an event's email goes to. */
export const MAIL_RECIPIENT: Record<MailEvent, "customer" | "owner"> = {
  received: "customer",
  paid: "customer",
  shipped: "customer",
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
