/**
 * The dashboard: orders by status, revenue today and this month, and 30 days of orders and revenue per day,
 * computed from the admin API's order list (stats.ts has the definitions).
 */
import type { Order } from "../../../aws/src/contract";
import { addDays, taipeiDay } from "../../../aws/src/domain/taipei-time";
import { listOrders } from "../../../worker/admin/admin-api.server";
import type { BffContext } from "../../../worker/context";
import { ownerPage } from "./auth.server";
import { type DashboardStats, dashboardStats, STATUS_WINDOW_DAYS } from "./stats";

/** 50 pages of 200: far more than this shop sells in 90 days; beyond it the page says the figures are partial. */
const MAX_PAGES = 50;

type DashboardData =
  | { ok: true; stats: DashboardStats; from: string; counted: number; truncated: boolean }
  | { ok: false; message: string };

async function dashboardData(bff: BffContext): Promise<DashboardData> {
  const now = (bff.now ?? Date.now)();
  const today = taipeiDay(now);
  const from = addDays(today, -(STATUS_WINDOW_DAYS - 1));
  const orders: Order[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const result = await listOrders(bff, { from, to: today, limit: 200, ...(cursor ? { cursor } : {}) });
    if (!result.ok) return { ok: false, message: result.message };
    orders.push(...result.data.orders);
    cursor = result.data.nextCursor;
    pages += 1;
  } while (cursor && pages < MAX_PAGES);
  return { ok: true, stats: dashboardStats(orders, now), from, counted: orders.length, truncated: cursor !== null };
}

export function loadDashboard(bff: BffContext, request: Request) {
  return ownerPage(bff, request, () => dashboardData(bff));
}
