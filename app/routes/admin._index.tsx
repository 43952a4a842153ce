/** Dashboard: orders by status, revenue today / this month, and 30 days of orders and revenue per day. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { ORDER_STATUSES } from "../../aws/src/contract/values";
import { DailyChart } from "../components/admin/DailyChart";
import { FormMessage } from "../components/admin/fields";
import { StatusBadge } from "../components/admin/StatusBadge";
import { loadDashboard } from "../lib/admin/dashboard.server";
import { adminMeta } from "../lib/admin/meta";
import { STATUS_WINDOW_DAYS } from "../lib/admin/stats";
import { formatTwd } from "../lib/format";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("總覽");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadDashboard(context.cloudflare, request);

const count = (n: number) => `${n.toLocaleString("en-US")} 筆`;

export default function Dashboard() {
  const dashboard = useLoaderData<typeof loader>();
  if (!dashboard.ok) {
    return (
      <section aria-labelledby="dashboard-title" className="flex flex-col gap-4">
        <h1 id="dashboard-title" className="text-2xl font-bold">
          總覽
        </h1>
        <FormMessage error={dashboard.message} />
      </section>
    );
  }
  const { stats } = dashboard;
  const cards = [
    { label: "今日營收", value: formatTwd(stats.todayRevenue), id: "today-revenue" },
    { label: "本月營收", value: formatTwd(stats.monthRevenue), id: "month-revenue" },
    { label: "今日訂單", value: count(stats.todayOrders), id: "today-orders" },
    { label: "本月訂單", value: count(stats.monthOrders), id: "month-orders" },
  ];
  return (
    <div className="flex flex-col gap-8">
      <h1 className="text-2xl font-bold">總覽</h1>

      <section aria-labelledby="figures-title">
        <h2 id="figures-title" className="sr-only">
          營收與訂單
        </h2>
        <dl className="grid grid-cols-2 gap-4 lg:grid-cols-4">
          {cards.map((card) => (
            <div key={card.id} className="rounded-lg border border-stone-300 bg-white p-4">
              <dt className="text-sm text-stone-700">{card.label}</dt>
              <dd data-figure={card.id} className="mt-1 text-2xl font-bold text-stone-900">
                {card.value}
              </dd>
            </div>
          ))}
        </dl>
        <p className="mt-3 text-sm text-stone-700">
          營收的算法：已收到款項的訂單金額，也就是狀態為「已付款」（含貨到付款已收款），以及用信用卡或 ATM
          付款後「已出貨」的訂單；未付款、待轉帳、貨到付款尚未收款與已取消的訂單不算。訂單一律按下單日（台北時間）計入，
          今天是 {stats.today}。
        </p>
        {dashboard.truncated ? (
          <p className="mt-2 text-sm font-medium text-red-700">訂單太多，以上數字只計入前 {dashboard.counted} 筆。</p>
        ) : null}
      </section>

      <section aria-labelledby="status-title">
        <h2 id="status-title" className="text-xl font-semibold">
          訂單狀態（最近 {STATUS_WINDOW_DAYS} 天）
        </h2>
        <ul className="mt-3 flex flex-wrap gap-3">
          {ORDER_STATUSES.map((status) => (
            <li key={status}>
              <Link
                to={`/admin/orders?status=${status}`}
                className="flex items-center gap-2 rounded-lg border border-stone-300 bg-white px-3 py-2 hover:bg-stone-100"
              >
                <StatusBadge status={status} />
                <span data-status-count={status} className="font-semibold">
                  {count(stats.byStatus[status])}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="daily-title" className="flex flex-col gap-4">
        <h2 id="daily-title" className="text-xl font-semibold">
          最近 30 天每日訂單與營收
        </h2>
        <figure className="rounded-lg border border-stone-300 bg-white p-4">
          <figcaption className="mb-2 font-medium">每日訂單數（含已取消）</figcaption>
          <DailyChart
            points={stats.days.map((d) => ({ day: d.day, value: d.orders }))}
            title="最近 30 天每日訂單數"
            unit="訂單數"
            format={(n) => `${n} 筆`}
          />
        </figure>
        <figure className="rounded-lg border border-stone-300 bg-white p-4">
          <figcaption className="mb-2 font-medium">每日營收（新台幣）</figcaption>
          <DailyChart
            points={stats.days.map((d) => ({ day: d.day, value: d.revenue }))}
            title="最近 30 天每日營收"
            unit="營收"
            format={formatTwd}
          />
        </figure>
        <details className="rounded-lg border border-stone-300 bg-white p-4">
          <summary className="cursor-pointer font-medium text-brand-800">以表格檢視每日數字</summary>
          <table className="mt-3 w-full text-left text-sm">
            <caption className="sr-only">最近 30 天每日訂單數與營收</caption>
            <thead>
              <tr className="border-b border-stone-300">
                <th scope="col" className="py-1 pr-4">
                  日期
                </th>
                <th scope="col" className="py-1 pr-4 text-right">
                  訂單數
                </th>
                <th scope="col" className="py-1 text-right">
                  營收
                </th>
              </tr>
            </thead>
            <tbody>
              {stats.days.map((d) => (
                <tr key={d.day} className="border-b border-stone-200">
                  <th scope="row" className="py-1 pr-4 font-normal">
                    {d.day}
                  </th>
                  <td className="py-1 pr-4 text-right">{d.orders}</td>
                  <td className="py-1 text-right">{formatTwd(d.revenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>
    </div>
  );
}
