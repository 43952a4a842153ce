import { describe, expect, it } from "vitest";
import type { Order } from "../contract";
import { canPayAgain } from "./pay-again";

const attempt = { merchantTradeNo: "L261127048310001" };
const order = (patch: Partial<Pick<Order, "status" | "paymentMethod" | "payment">>) => ({
  status: "created" as const,
  paymentMethod: "credit" as const,
  payment: attempt,
  ...patch,
});

describe("pay again", () => {
  it("is open to an unpaid card or ATM order with a checkout attempt and no transfer account", () => {
    expect(canPayAgain(order({}))).toBe(true);
    expect(canPayAgain(order({ paymentMethod: "atm" }))).toBe(true);
  });

  it("is closed once paid, shipped or cancelled, for pay on arrival, and once an ATM account is issued", () => {
    for (const status of ["awaiting_payment", "paid", "shipped", "cancelled"] as const) {
      expect(canPayAgain(order({ status })), status).toBe(false);
    }
    expect(canPayAgain(order({ paymentMethod: "cod", payment: undefined }))).toBe(false);
    expect(canPayAgain(order({ paymentMethod: "cod" }))).toBe(false);
    const atm = { ...attempt, atm: { bankCode: "812", account: "9103522850", expireDate: "2026/11/30" } };
    expect(canPayAgain(order({ paymentMethod: "atm", payment: atm }))).toBe(false);
  });

  it("needs an attempt to replace", () => {
    expect(canPayAgain(order({ payment: undefined }))).toBe(false);
  });
});
