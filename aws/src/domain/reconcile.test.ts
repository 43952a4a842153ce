import { describe, expect, it } from "vitest";
import type { Order } from "../contract";
import {
  type AttemptAnswer,
  DEFAULT_POLICY,
  decideReconcile,
  dueForCancellation,
  isPastAtmDeadline,
  planReconcile,
  refusedPayment,
} from "./reconcile";

const NOW = new Date("2026-11-27T04:00:00Z"); // 12:00 in Taipei
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

function order(overrides: Partial<Order> = {}): Order {
  return {
    id: "261127-00001",
    status: "created",
    createdAt: minutesAgo(30),
    lines: [{ productId: "tea", name: "茶", unitPrice: 500, quantity: 2, lineTotal: 1000 }],
    total: 1000,
    paymentMethod: "credit",
    customer: {
      name: "王小明",
      phone: "0912345678",
      email: "a@example.tw",
      address: "臺北市中正區重慶南路一段 122 號",
    },
    payment: { merchantTradeNo: "L2611270000100A" },
    history: [{ at: minutesAgo(30), from: null, to: "created", by: "shopper" }],
    ...overrides,
  };
}

const paid = (no: string, extra: Partial<AttemptAnswer> = {}): AttemptAnswer =>
  ({
    merchantTradeNo: no,
    ok: true,
    tradeStatus: "1",
    tradeAmt: 1000,
    tradeNo: "2611271200000001",
    paymentType: "Credit_CreditCard",
    paymentDate: "2026/11/27 11:50:00",
    simulated: false,
    ...extra,
  }) as AttemptAnswer;
const unpaid = (no: string, status = "0"): AttemptAnswer =>
  ({
    merchantTradeNo: no,
    ok: true,
    tradeStatus: status,
    tradeAmt: 1000,
    tradeNo: "",
    paymentType: "",
    paymentDate: "",
    simulated: false,
  }) as AttemptAnswer;
const failed = (no: string): AttemptAnswer => ({ merchantTradeNo: no, ok: false });

describe("which attempts the reconciler asks about", () => {
  it("asks about the current number first, then earlier attempts, newest first", () => {
    const plan = planReconcile(
      order({ payment: { merchantTradeNo: "C", attempts: ["A", "B"], issuedAt: minutesAgo(20) } }),
      NOW,
      DEFAULT_POLICY,
    );
    expect(plan).toEqual({ ask: true, merchantTradeNos: ["C", "B", "A"] });
  });

  it("leaves alone an attempt younger than the minimum age (its callback is probably on the way)", () => {
    expect(planReconcile(order({ createdAt: minutesAgo(2) }), NOW, DEFAULT_POLICY)).toEqual({
      ask: false,
      reason: "too_recent",
    });
    // The latest attempt counts, not the order's age.
    const retried = order({
      createdAt: minutesAgo(60),
      payment: { merchantTradeNo: "B", attempts: ["A"], issuedAt: minutesAgo(1) },
    });
    expect(planReconcile(retried, NOW, DEFAULT_POLICY)).toEqual({ ask: false, reason: "too_recent" });
  });

  it("never asks about pay-on-arrival orders or orders that are no longer waiting for money", () => {
    expect(planReconcile(order({ paymentMethod: "cod", payment: undefined }), NOW, DEFAULT_POLICY).ask).toBe(false);
    for (const status of ["paid", "shipped", "cancelled"] as const) {
      expect(planReconcile(order({ status }), NOW, DEFAULT_POLICY)).toEqual({ ask: false, reason: "not_open" });
    }
  });
});

describe("what ECPay's answers mean", () => {
  it("pays from the paid attempt, whichever it is", () => {
    const decision = decideReconcile(order(), [unpaid("C"), paid("B")], NOW, DEFAULT_POLICY, "prod");
    expect(decision).toMatchObject({ action: "pay", trade: { merchantTradeNo: "B" } });
  });

  it("never pays a different amount: the owner must look", () => {
    expect(
      decideReconcile(order(), [paid("C", { tradeAmt: 999 } as Partial<AttemptAnswer>)], NOW, DEFAULT_POLICY, "local"),
    ).toMatchObject({
      action: "attention",
      reason: "amount_mismatch",
    });
  });

  it("never pays from a simulated payment in production, however it is known", () => {
    const reportedSimulated = [paid("C", { simulated: true } as Partial<AttemptAnswer>)];
    expect(decideReconcile(order(), reportedSimulated, NOW, DEFAULT_POLICY, "prod")).toMatchObject({
      action: "attention",
      reason: "simulated_in_production",
    });
    // A simulated ReturnURL recorded the trade (and did not pay); QueryTradeInfo then reports that trade as paid.
    const recorded = order({ payment: { merchantTradeNo: "C", tradeNo: "2611271200000001", simulated: true } });
    expect(decideReconcile(recorded, [paid("C")], NOW, DEFAULT_POLICY, "prod")).toMatchObject({ action: "attention" });
    // Outside production simulated payments are how ATM is tested: they pay.
    expect(decideReconcile(recorded, [paid("C")], NOW, DEFAULT_POLICY, "stag")).toMatchObject({ action: "pay" });
    expect(decideReconcile(order(), reportedSimulated, NOW, DEFAULT_POLICY, "local")).toMatchObject({ action: "pay" });
  });

  it("one rule for every path that pays from QueryTradeInfo (reconciler, owner's reconcile, pay again)", () => {
    const trade = { tradeAmt: 1000, tradeNo: "2611271200000002", simulated: false };
    expect(refusedPayment(order(), trade, "prod")).toBeUndefined();
    expect(refusedPayment(order(), { ...trade, tradeAmt: 1001 }, "local")).toBe("amount_mismatch");
    expect(refusedPayment(order(), { ...trade, simulated: true }, "prod")).toBe("simulated_in_production");
    // A simulated trade recorded on the order blocks that trade only: a real payment of another trade pays.
    const recorded = order({ payment: { merchantTradeNo: "D", tradeNo: "2611271200000001", simulated: true } });
    expect(refusedPayment(recorded, { ...trade, tradeNo: "2611271200000001" }, "prod")).toBe("simulated_in_production");
    expect(refusedPayment(recorded, trade, "prod")).toBeUndefined();
  });

  it("cancels nothing unless ECPay answered for every attempt", () => {
    const old = order({ createdAt: minutesAgo(80 * 60) });
    expect(decideReconcile(old, [unpaid("C"), failed("B")], NOW, DEFAULT_POLICY, "prod")).toEqual({
      action: "wait",
      reason: "unanswered",
    });
    expect(decideReconcile(old, [], NOW, DEFAULT_POLICY, "prod")).toEqual({ action: "wait", reason: "unanswered" });
    expect(decideReconcile(old, [unpaid("C"), unpaid("B", "10200095")], NOW, DEFAULT_POLICY, "prod")).toMatchObject({
      action: "cancel",
      reason: "unpaid_too_long",
    });
  });

  it("cancels a card order only once its last attempt is older than the unpaid age", () => {
    const justUnder = order({ createdAt: minutesAgo(72 * 60 - 1) });
    expect(decideReconcile(justUnder, [unpaid("C")], NOW, DEFAULT_POLICY, "prod")).toEqual({
      action: "wait",
      reason: "unpaid",
    });
    const over = order({ createdAt: minutesAgo(72 * 60) });
    expect(decideReconcile(over, [unpaid("C")], NOW, DEFAULT_POLICY, "prod")).toMatchObject({ action: "cancel" });
    // Paying again restarts the clock.
    const retried = order({
      createdAt: minutesAgo(80 * 60),
      payment: { merchantTradeNo: "B", attempts: ["A"], issuedAt: minutesAgo(60) },
    });
    expect(decideReconcile(retried, [unpaid("B"), unpaid("A")], NOW, DEFAULT_POLICY, "prod")).toEqual({
      action: "wait",
      reason: "unpaid",
    });
  });

  it("expires an ATM order after its deadline day, not before, whatever the unpaid age", () => {
    const atm = (expireDate: string) =>
      order({
        paymentMethod: "atm",
        status: "awaiting_payment",
        createdAt: minutesAgo(5 * 24 * 60),
        payment: { merchantTradeNo: "C", atm: { bankCode: "812", account: "9103000000000001", expireDate } },
      });
    // 2026-11-27 12:00 in Taipei: the 27th is still payable, the 26th is over.
    expect(decideReconcile(atm("2026/11/27"), [unpaid("C")], NOW, DEFAULT_POLICY, "prod")).toEqual({
      action: "wait",
      reason: "atm_before_deadline",
    });
    expect(decideReconcile(atm("2026/11/26"), [unpaid("C")], NOW, DEFAULT_POLICY, "prod")).toMatchObject({
      action: "cancel",
      reason: "atm_expired",
    });
  });

  it("keeps an ATM order whose account we never heard of for ECPay's default transfer window plus a day", () => {
    const atm = (hours: number) => order({ paymentMethod: "atm", createdAt: minutesAgo(hours * 60) });
    expect(dueForCancellation(atm(95), NOW, DEFAULT_POLICY)).toBe(false);
    expect(dueForCancellation(atm(96), NOW, DEFAULT_POLICY)).toBe(true);
    expect(decideReconcile(atm(96), [unpaid("C")], NOW, DEFAULT_POLICY, "prod")).toMatchObject({
      action: "cancel",
      reason: "unpaid_too_long",
    });
  });
});

describe("the ATM deadline", () => {
  it("is a whole Taipei calendar day", () => {
    // 2026-11-27 15:59:59 UTC is 23:59:59 on the 27th in Taipei; a second later it is the 28th.
    expect(isPastAtmDeadline("2026/11/27", new Date("2026-11-27T15:59:59Z"))).toBe(false);
    expect(isPastAtmDeadline("2026/11/27", new Date("2026-11-27T16:00:00Z"))).toBe(true);
    expect(isPastAtmDeadline("2026/11/27 23:59:59", new Date("2026-11-27T16:00:00Z"))).toBe(true);
  });
});
