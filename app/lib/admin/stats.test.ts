import { describe, expect, it } from "vitest";
import type { Order } from "../../../aws/src/contract";
import { addDays, isCalendarDay, monthStart, taipeiDay } from "../../../aws/src/domain/taipei-time";
import { CHART_DAYS, dashboardStats, isRevenue } from "./stats";

type Facts = Pick<Order, "status" | "paymentMethod" | "total" | "createdAt">;
const o = (
  createdAt: string,
  status: Order["status"],
  paymentMethod: Order["paymentMethod"],
  total: number,
): Facts => ({
  createdAt,
  status,
  paymentMethod,
  total,
});

describe("Taipei dates", () => {
  it("turns instants into Taipei calendar days (UTC+8)", () => {
    expect(taipeiDay("2026-11-26T15:59:59.000Z")).toBe("2026-11-26");
    expect(taipeiDay("2026-11-26T16:00:00.000Z")).toBe("2026-11-27");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(monthStart("2026-11-27")).toBe("2026-11-01");
    expect(isCalendarDay("2026-02-29")).toBe(false);
    expect(isCalendarDay("2028-02-29")).toBe(true);
    expect(isCalendarDay("2026-13-01")).toBe(false);
  });
});

describe("dashboard stats", () => {
  it("counts revenue only for money that arrived", () => {
    expect(isRevenue({ status: "paid", paymentMethod: "credit" })).toBe(true);
    expect(isRevenue({ status: "paid", paymentMethod: "cod" })).toBe(true);
    expect(isRevenue({ status: "shipped", paymentMethod: "atm" })).toBe(true);
    expect(isRevenue({ status: "shipped", paymentMethod: "cod" })).toBe(false);
    expect(isRevenue({ status: "created", paymentMethod: "credit" })).toBe(false);
    expect(isRevenue({ status: "awaiting_payment", paymentMethod: "atm" })).toBe(false);
    expect(isRevenue({ status: "cancelled", paymentMethod: "credit" })).toBe(false);
  });

  it("sums today, this month and 30 days of orders and revenue by Taipei day", () => {
    // 2026-11-27 10:00 Taipei.
    const now = Date.UTC(2026, 10, 27, 2, 0, 0);
    const stats = dashboardStats(
      [
        o("2026-11-27T01:00:00.000Z", "paid", "credit", 1000), // today
        o("2026-11-26T16:30:00.000Z", "shipped", "cod", 500), // today 00:30 Taipei, cash not collected yet
        o("2026-11-26T15:30:00.000Z", "shipped", "atm", 700), // yesterday 23:30 Taipei
        o("2026-11-01T00:00:00.000Z", "cancelled", "credit", 900), // this month, not revenue
        o("2026-10-31T15:59:00.000Z", "paid", "cod", 300), // 31 Oct Taipei: last month, still in the 30 days
        o("2026-10-20T03:00:00.000Z", "awaiting_payment", "atm", 450), // older than 30 days
      ],
      now,
    );
    expect(stats.today).toBe("2026-11-27");
    expect(stats.byStatus).toEqual({ created: 0, awaiting_payment: 1, paid: 2, shipped: 2, cancelled: 1 });
    expect([stats.todayOrders, stats.todayRevenue]).toEqual([2, 1000]);
    expect([stats.monthOrders, stats.monthRevenue]).toEqual([4, 1700]);
    expect(stats.days).toHaveLength(CHART_DAYS);
    expect(stats.days[0]!.day).toBe("2026-10-29");
    expect(stats.days.at(-1)).toEqual({ day: "2026-11-27", orders: 2, revenue: 1000 });
    expect(stats.days.find((d) => d.day === "2026-11-26")).toEqual({ day: "2026-11-26", orders: 1, revenue: 700 });
    expect(stats.days.find((d) => d.day === "2026-10-31")).toEqual({ day: "2026-10-31", orders: 1, revenue: 300 });
    expect(stats.days.reduce((sum, d) => sum + d.orders, 0)).toBe(5);
  });
});
