/**
 * The order state machine, as one table. Every status change in the system goes through `findTransition`;
 * the data layer then applies it as a conditional write on the current status.
 */
import type { Actor, DeliveryMethod, OrderStatus, PaymentMethod } from "../contract";

export interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  methods: readonly PaymentMethod[];
  by: readonly Actor[];
  /** Only for these delivery methods (absent: any). Orders from before delivery methods existed are home deliveries. */
  delivery?: readonly DeliveryMethod[];
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
  { from: "paid", to: "shipped", methods: ["credit", "atm"], by: ["owner"], delivery: ["home"] },
  // Pay on arrival ships first; the owner marks it paid once the carrier hands over the cash.
  { from: "created", to: "shipped", methods: ["cod"], by: ["owner"], delivery: ["home"] },
  { from: "shipped", to: "paid", methods: ["cod"], by: ["owner"], delivery: ["home"] },
  // Store pickup (ADR 0027): the owner asks ECPay Logistics for the shipment, and the order is shipped once ECPay has
  // accepted it; ECPay's status notifications then carry it on. Pay on pickup is paid when the shopper collects the
  // parcel (and pays at the counter); a parcel nobody collects comes back, which cancels the order (its units go
  // back on sale, a paid order's invoice is voided and the owner refunds it).
  { from: "paid", to: "shipped", methods: ["credit", "atm"], by: ["ecpay"], delivery: ["cvs"] },
  { from: "created", to: "shipped", methods: ["cod"], by: ["ecpay"], delivery: ["cvs"] },
  { from: "shipped", to: "paid", methods: ["cod"], by: ["ecpay"], delivery: ["cvs"] },
  { from: "shipped", to: "cancelled", methods: ALL_METHODS, by: ["ecpay"], delivery: ["cvs"] },
  // The owner may cancel anything not shipped yet (refunding a paid order is done in ECPay's back office).
  { from: "created", to: "cancelled", methods: ALL_METHODS, by: ["owner"] },
  // The scheduled reconciler cancels card and ATM orders left unpaid too long, and ATM orders past their deadline
  // (as the owner's reconcile button, "system", does for one order).
  { from: "created", to: "cancelled", methods: ["credit", "atm"], by: ["reconciler"] },
  { from: "awaiting_payment", to: "cancelled", methods: ["atm"], by: ["owner", "system", "reconciler"] },
  { from: "paid", to: "cancelled", methods: ["credit", "atm"], by: ["owner"] },
];

type OrderLike = { status: OrderStatus; paymentMethod: PaymentMethod; deliveryMethod?: DeliveryMethod | undefined };

function applies(t: Transition, order: OrderLike, by: Actor): boolean {
  return (
    t.from === order.status &&
    t.methods.includes(order.paymentMethod) &&
    t.by.includes(by) &&
    (t.delivery === undefined || t.delivery.includes(order.deliveryMethod ?? "home"))
  );
}

export function findTransition(order: OrderLike, to: OrderStatus, by: Actor): Transition | undefined {
  return TRANSITIONS.find((t) => t.to === to && applies(t, order, by));
}

/** Statuses the given actor could move this order to now; the admin shows exactly these as actions. */
export function nextStatuses(order: OrderLike, by: Actor): OrderStatus[] {
  return TRANSITIONS.filter((t) => applies(t, order, by)).map((t) => t.to);
}

/**
 * Whether the owner may ask ECPay Logistics for this store-pickup order's shipment now: it would be shipped once
 * ECPay accepts it.
 */
export function canCreateShipment(order: OrderLike): boolean {
  return order.deliveryMethod === "cvs" && findTransition(order, "shipped", "ecpay") !== undefined;
}
