/** How an order's status reads to the shopper: labels and the timeline of its payment method's steps. */
import { describe, expect, it } from "vitest";
import type { HistoryEntry, Order } from "../../aws/src/contract";
import { chargeLines, statusLabel, timeline } from "./order-view";

describe("the order timeline", () => {
  const at = (minute: number) => `2026-11-27T02:${String(minute).padStart(2, "0")}:00.000Z`;
  const entry = (to: HistoryEntry["to"], minute: number, from: HistoryEntry["from"] = null): HistoryEntry => ({
    at: at(minute),
    from,
    to,
    by: "ecpay",
  });
  const order = (o: Pick<Order, "status" | "paymentMethod" | "history">) => o;

  it("walks an ATM order through account, payment and shipping", () => {
    const steps = timeline(
      order({
        status: "awaiting_payment",
        paymentMethod: "atm",
        history: [entry("created", 0), entry("awaiting_payment", 1, "created")],
      }),
    );
    expect(steps.map((s) => [s.label, s.state, s.at])).toEqual([
      ["訂單成立", "done", at(0)],
      ["取得轉帳帳號", "current", at(1)],
      ["付款完成", "upcoming", undefined],
      ["已出貨", "upcoming", undefined],
    ]);
    expect(statusLabel("awaiting_payment", "atm")).toBe("等待轉帳");
  });

  it("skips the account step of an ATM order whose payment arrived first", () => {
    const steps = timeline(
      order({ status: "paid", paymentMethod: "atm", history: [entry("created", 0), entry("paid", 2, "created")] }),
    );
    expect(steps.map((s) => s.label)).toEqual(["訂單成立", "付款完成", "已出貨"]);
  });

  it("ends a cancelled order at the cancellation", () => {
    const steps = timeline(
      order({
        status: "cancelled",
        paymentMethod: "cod",
        history: [entry("created", 0), entry("cancelled", 5, "created")],
      }),
    );
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ["訂單成立", "done"],
      ["已取消", "current"],
    ]);
  });

  it("puts shipping before payment for pay on arrival", () => {
    const steps = timeline(
      order({ status: "shipped", paymentMethod: "cod", history: [entry("created", 0), entry("shipped", 9)] }),
    );
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ["訂單成立", "done"],
      ["已出貨", "current"],
      ["已收款", "upcoming"],
    ]);
  });
});

describe("the fee lines between the items and the total", () => {
  it("are the subtotal and each fee, in the order's words; none for an order without fees", () => {
    expect(
      chargeLines({
        subtotal: 680,
        fees: [
          { kind: "shipping", name: "運費", amount: 150 },
          { kind: "cod_surcharge", name: "貨到付款手續費", amount: 30 },
        ],
        total: 860,
      }),
    ).toEqual([
      { label: "商品小計", amount: 680 },
      { label: "運費", amount: 150 },
      { label: "貨到付款手續費", amount: 30 },
    ]);
    expect(chargeLines({ total: 1280 })).toEqual([]);
    expect(chargeLines({ subtotal: 1280, fees: [], total: 1280 })).toEqual([]);
  });
});
