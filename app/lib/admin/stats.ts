/**
 * Dashboard figures, computed at the edge from the orders the admin API lists (a small shop: a few hundred orders
 * a month fit in a handful of pages).
 *
 * Definitions (the dashboard states them too):
 *   - an order counts on the Taipei calendar day it was placed;
 *   - orders per day: every order placed that day, cancelled ones included;
 *   - revenue: the totals of orders whose money has arrived: status `paid` (card, ATM, or cash on delivery
 *     collected), or `shipped` when paid by card or ATM (they were paid before shipping). Unpaid, awaiting
 *     transfer, cash-on-delivery not yet collected, and cancelled orders are not revenue.
 */
import type { Order, OrderStatus } from "../../../aws/src/contract";
import { ORDER_STATUSES } from "../../../aws/src/contract/values";
import { addDays, monthStart, taipeiDay } from "../../../aws/src/domain/taipei-time";

export const CHART_DAYS = 30;
/** Orders by status count the last 90 days, which also covers this month and the chart's 30 days. */
export const STATUS_WINDOW_DAYS = 90;

type OrderFacts = Pick<Order, "status" | "paymentMethod" | "total" | "createdAt">;

export function isRevenue(order: Pick<Order, "status" | "paymentMethod">): boolean {
  return order.status === "paid" || (order.status === "shipped" && order.paymentMethod !== "cod");
}

interface DayPoint {
  /** `YYYY-MM-DD`, Taipei. */
  day: string;
  orders: number;
  revenue: number;
}

export interface DashboardStats {
  today: string;
  byStatus: Record<OrderStatus, number>;
  todayOrders: number;
  todayRevenue: number;
  monthOrders: number;
  monthRevenue: number;
  /** The last CHART_DAYS days, oldest first, today last; days without orders included. */
  days: DayPoint[];
}

export function dashboardStats(orders: readonly OrderFacts[], now: Date | number): DashboardStats {
  const today = taipeiDay(now);
  const firstOfMonth = monthStart(today);
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<OrderStatus, number>;
  const days = new Map<string, DayPoint>();
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const day = addDays(today, -i);
    days.set(day, { day, orders: 0, revenue: 0 });
  }
  const stats = { todayOrders: 0, todayRevenue: 0, monthOrders: 0, monthRevenue: 0 };

  for (const order of orders) {
    byStatus[order.status] += 1;
    const day = taipeiDay(order.createdAt);
    const revenue = isRevenue(order) ? order.total : 0;
    const point = days.get(day);
    if (point) {
      point.orders += 1;
      point.revenue += revenue;
    }
    if (day === today) {
      stats.todayOrders += 1;
      stats.todayRevenue += revenue;
    }
    if (day >= firstOfMonth && day <= today) {
      stats.monthOrders += 1;
      stats.monthRevenue += revenue;
    }
  }
  return { today, byStatus, ...stats, days: [...days.values()] };
}
