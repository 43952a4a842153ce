import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, type OrderStatus, type PaymentMethod } from "../contract";
import { TRANSITIONS, canCreateShipment, findTransition, nextStatuses } from "./order-state";

const order = (status: OrderStatus, paymentMethod: PaymentMethod, deliveryMethod?: "home" | "cvs") => ({
  status,
  paymentMethod,
  ...(deliveryMethod ? { deliveryMethod } : {}),
});

describe("order state machine", () => {
  it("pays a credit order only through ECPay or reconcile", () => {
    expect(findTransition(order("created", "credit"), "paid", "ecpay")).toBeDefined();
    expect(findTransition(order("created", "credit"), "paid", "system")).toBeDefined();
    expect(findTransition(order("created", "credit"), "paid", "owner")).toBeUndefined();
    expect(findTransition(order("created", "credit"), "awaiting_payment", "ecpay")).toBeUndefined();
  });

  it("takes an ATM order through awaiting_payment, or straight to paid when ReturnURL comes first", () => {
    expect(findTransition(order("created", "atm"), "awaiting_payment", "ecpay")).toBeDefined();
    expect(findTransition(order("awaiting_payment", "atm"), "paid", "ecpay")).toBeDefined();
    expect(findTransition(order("created", "atm"), "paid", "ecpay")).toBeDefined();
    expect(findTransition(order("awaiting_payment", "atm"), "cancelled", "system")).toBeDefined();
  });

  it("lets the scheduled reconciler pay card and ATM orders and cancel unpaid ones, and nothing else", () => {
    expect(findTransition(order("created", "credit"), "paid", "reconciler")).toBeDefined();
    expect(findTransition(order("awaiting_payment", "atm"), "paid", "reconciler")).toBeDefined();
    expect(findTransition(order("created", "credit"), "cancelled", "reconciler")).toBeDefined();
    expect(findTransition(order("awaiting_payment", "atm"), "cancelled", "reconciler")).toBeDefined();
    expect(findTransition(order("created", "cod"), "cancelled", "reconciler")).toBeUndefined();
    expect(findTransition(order("paid", "credit"), "cancelled", "reconciler")).toBeUndefined();
    expect(findTransition(order("paid", "atm"), "shipped", "reconciler")).toBeUndefined();
    // The owner's reconcile button ("system") expires ATM orders but never cancels an unpaid card order.
    expect(findTransition(order("created", "credit"), "cancelled", "system")).toBeUndefined();
  });

  it("ships pay-on-arrival first and lets the owner mark it paid afterwards", () => {
    expect(nextStatuses(order("created", "cod"), "owner").sort()).toEqual(["cancelled", "shipped"]);
    expect(nextStatuses(order("shipped", "cod"), "owner")).toEqual(["paid"]);
    expect(findTransition(order("created", "cod"), "paid", "ecpay")).toBeUndefined();
  });

  it("never lets anyone cancel a shipped home delivery or leave a cancelled order", () => {
    for (const method of ["credit", "atm", "cod"] as const) {
      for (const by of ["owner", "ecpay", "system", "shopper", "reconciler"] as const) {
        expect(findTransition(order("shipped", method), "cancelled", by)).toBeUndefined();
        expect(findTransition(order("shipped", method, "home"), "cancelled", by)).toBeUndefined();
        expect(nextStatuses(order("cancelled", method), by)).toEqual([]);
        expect(nextStatuses(order("cancelled", method, "cvs"), by)).toEqual([]);
      }
    }
  });

  it("ships a store pickup only through ECPay Logistics, and lets its notifications pay or cancel it", () => {
    // The owner's own "shipped" (carrier and number by hand) is for home delivery.
    expect(findTransition(order("paid", "credit", "cvs"), "shipped", "owner")).toBeUndefined();
    expect(findTransition(order("created", "cod", "cvs"), "shipped", "owner")).toBeUndefined();
    expect(canCreateShipment(order("paid", "credit", "cvs"))).toBe(true);
    expect(canCreateShipment(order("created", "cod", "cvs"))).toBe(true);
    expect(canCreateShipment(order("created", "credit", "cvs"))).toBe(false);
    expect(canCreateShipment(order("paid", "credit", "home"))).toBe(false);
    // Picked up and paid at the counter: ECPay, not the owner.
    expect(findTransition(order("shipped", "cod", "cvs"), "paid", "ecpay")).toBeDefined();
    expect(findTransition(order("shipped", "cod", "cvs"), "paid", "owner")).toBeUndefined();
    expect(findTransition(order("shipped", "cod", "home"), "paid", "ecpay")).toBeUndefined();
    // Not collected and returned: cancelled, whatever the payment.
    for (const method of ["credit", "atm", "cod"] as const) {
      expect(findTransition(order("shipped", method, "cvs"), "cancelled", "ecpay")).toBeDefined();
      expect(findTransition(order("shipped", method, "cvs"), "cancelled", "owner")).toBeUndefined();
    }
  });

  it("only ships paid card and ATM orders", () => {
    expect(findTransition(order("created", "credit"), "shipped", "owner")).toBeUndefined();
    expect(findTransition(order("awaiting_payment", "atm"), "shipped", "owner")).toBeUndefined();
    expect(findTransition(order("paid", "atm"), "shipped", "owner")).toBeDefined();
  });

  it("has no self-loops and only known statuses", () => {
    for (const t of TRANSITIONS) {
      expect(t.from).not.toBe(t.to);
      expect(ORDER_STATUSES).toContain(t.from);
      expect(ORDER_STATUSES).toContain(t.to);
    }
  });
});
