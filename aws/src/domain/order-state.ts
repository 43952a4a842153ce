/**
 * The order state machine, as one table. Every status change in the system goes through `findTransition`;
 * the data layer then applies it as a conditional write on the current status.
 */
import type { Actor, OrderStatus, PaymentMethod } from "../contract";

export interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  methods: readonly PaymentMethod[];
  by: readonly Actor[];
}

const ALL_METHODS = ["credit", "atm", "cod"] as const;

export const TRANSITIONS: readonly Transition[] = [
  // Card payments are confirmed by ECPay's ReturnURL, or by asking QueryTradeInfo: the owner's reconcile button and
  // pay again ("system"), or the scheduled reconciler.
  { from: "created", to: "paid", methods: ["credit", "atm"], by: ["ecpay", "system", "reconciler"] },
  // ATM: PaymentInfoURL issues the virtual account; the money arrives later. ReturnURL may overtake
  // PaymentInfoURL, which is why ATM may also go straight from created to paid (row above).
  { from: "created", to: "awaiting_payment", methods: ["atm"], by: ["ecpay"] },
  { from: "awaiting_payment", to: "paid", methods: ["atm"], by: ["ecpay", "system", "reconciler"] },
  { from: "paid", to: "shipped", methods: ["credit", "atm"], by: ["owner"] },
  // Pay on arrival ships first; the owner marks it paid once the carrier hands over the cash.
  { from: "created", to: "shipped", methods: ["cod"], by: ["owner"] },
  { from: "shipped", to: "paid", methods: ["cod"], by: ["owner"] },
  // The owner may cancel anything not shipped yet (refunding a paid order is done in ECPay's back office).
  { from: "created", to: "cancelled", methods: ALL_METHODS, by: ["owner"] },
  // The scheduled reconciler cancels card and ATM orders left unpaid too long, and ATM orders past their deadline
  // (as the owner's reconcile button, "system", does for one order).
  { from: "created", to: "cancelled", methods: ["credit", "atm"], by: ["reconciler"] },
  { from: "awaiting_payment", to: "cancelled", methods: ["atm"], by: ["owner", "system", "reconciler"] },
  { from: "paid", to: "cancelled", methods: ["credit", "atm"], by: ["owner"] },
];

export function findTransition(
  order: { status: OrderStatus; paymentMethod: PaymentMethod },
  to: OrderStatus,
  by: Actor,
): Transition | undefined {
  return TRANSITIONS.find(
    (t) => t.from === order.status && t.to === to && t.methods.includes(order.paymentMethod) && t.by.includes(by),
  );
}

/** Statuses the given actor could move this order to now; the admin shows exactly these as actions. */
export function nextStatuses(order: { status: OrderStatus; paymentMethod: PaymentMethod }, by: Actor): OrderStatus[] {
  return TRANSITIONS.filter(
    (t) => t.from === order.status && t.methods.includes(order.paymentMethod) && t.by.includes(by),
  ).map((t) => t.to);
}

