/** Orders: filters (status, dates, phone, payment method), paging, search by id, bulk "mark shipped", CSV export. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ColumnHeads } from "../components/admin/ColumnHeads";
import { ORDER_STATUSES, PAYMENT_METHODS } from "../../aws/src/contract/values";
import { CARRIER_NAMES } from "../../aws/src/domain/carriers";
import { buttonClass, FormMessage, SelectField } from "../components/admin/fields";
import { StatusBadge } from "../components/admin/StatusBadge";
import { Field } from "../components/Field";
import { METHOD_LABELS, STATUS_LABELS } from "../lib/admin/labels";
import { adminMeta } from "../lib/admin/meta";
import { loadOrdersList, submitBulkShip } from "../lib/admin/orders.server";
import { formatTaipeiDateTime, formatTwd } from "../lib/format";
import { fieldValue } from "../lib/forms";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("訂單");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadOrdersList(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitBulkShip(context.cloudflare, request);

const STATUS_OPTIONS = [
  { value: "", label: "全部狀態" },
  ...ORDER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
];
const CARRIER_OPTIONS = [
  { value: "", label: "（不填）" },
  // Every carrier the contract knows, in the order CARRIER_NAMES lists them (a browser-safe module).
  ...Object.entries(CARRIER_NAMES).map(([value, label]) => ({ value, label })),
];
const METHOD_OPTIONS = [
  { value: "", label: "全部付款方式" },
  ...PAYMENT_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] })),
];

export default function OrdersPage() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const shipping = useNavigation().state === "submitting";
  const { values, errors } = page;

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">訂單</h1>

      <Form method="get" className="flex flex-wrap items-end gap-3">
        <Field
          name="q"
          label="以訂單編號查詢"
          defaultValue={fieldValue(values, "q")}
          error={errors.q}
          placeholder="YYMMDD-NNNN-NNNN"
          required
          className="w-64"
        />
        <button type="submit" className={buttonClass.secondary}>
          查詢
        </button>
      </Form>

      <OrderFilters values={values} errors={errors} exportHref={page.exportHref} />

      {page.loadError ? <FormMessage error={page.loadError} /> : null}
      {result ? (
        result.ok ? (
          <FormMessage
            success={`已將 ${result.shipped.length} 筆訂單標示為已出貨${result.shipped.length ? `：${result.shipped.join("、")}` : ""}。`}
            detail={
              result.failed.length
                ? `${result.failed.length} 筆未能出貨：${result.failed.map((f) => `${f.id}（${f.message}）`).join("；")}`
                : undefined
            }
          />
        ) : (
          <FormMessage
            error={
              result.errors.ids ??
              result.errors.tracking ??
              result.errors.carrier ??
              result.formError ??
              "請檢查勾選的訂單。"
            }
          />
        )
      ) : null}

      <OrdersTable
        orders={page.orders}
        page={page.page}
        shipping={shipping}
        failed={result && !result.ok ? result : undefined}
      />

      <Pager page={page.page} prevHref={page.prevHref} nextHref={page.nextHref} />
    </div>
  );
}

type ListPage = ReturnType<typeof useLoaderData<typeof loader>>;

function OrderFilters({ values, errors, exportHref }: Pick<ListPage, "values" | "errors" | "exportHref">) {
  return (
    <Form method="get" className="rounded-lg border border-stone-300 bg-white p-4">
      <fieldset>
        <legend className="text-lg font-semibold">篩選</legend>
        <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-5">
          <SelectField
            name="status"
            label="狀態"
            options={STATUS_OPTIONS}
            defaultValue={fieldValue(values, "status")}
            error={errors.status}
          />
          <SelectField
            name="paymentMethod"
            label="付款方式"
            options={METHOD_OPTIONS}
            defaultValue={fieldValue(values, "paymentMethod")}
            error={errors.paymentMethod}
          />
          <Field
            name="from"
            label="起始日期"
            type="date"
            defaultValue={fieldValue(values, "from")}
            error={errors.from}
          />
          <Field name="to" label="結束日期" type="date" defaultValue={fieldValue(values, "to")} error={errors.to} />
          <Field
            name="phone"
            label="手機"
            type="tel"
            inputMode="tel"
            defaultValue={fieldValue(values, "phone")}
            error={errors.phone}
          />
        </div>
        <p className="mt-3 text-sm text-stone-700">日期以下單日（台北時間）為準；未指定日期時顯示最近 90 天。</p>
        <div className="mt-3 flex flex-wrap gap-3">
          <button type="submit" className={buttonClass.primary}>
            篩選
          </button>
          <Link to="/admin/orders" className={buttonClass.secondary}>
            清除條件
          </Link>
          <a href={exportHref} download className={buttonClass.secondary}>
            匯出 CSV（符合條件的全部訂單）
          </a>
        </div>
      </fieldset>
    </Form>
  );
}

/** The list, with a checkbox on each order that can ship and the bulk "mark shipped" button. */
function OrdersTable({
  orders,
  page,
  shipping,
  failed,
}: {
  orders: ListPage["orders"];
  page: number;
  shipping: boolean;
  /** A refused bulk submit: what was ticked and typed comes back. */
  failed?: { values: Record<string, string | string[]>; errors: Record<string, string> };
}) {
  const shippable = orders.filter((o) => o.canShip).length;
  const list = (name: string) => {
    const value = failed?.values[name];
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
  };
  const ticked = list("ids");
  const typedRows = list("rows");
  const typedTracking = list("tracking");
  const typed = (id: string) => typedTracking[typedRows.indexOf(id)] ?? "";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="ship" />
      <div className="overflow-x-auto rounded-lg border border-stone-300 bg-white">
        <table className="w-full min-w-[48rem] text-left text-sm">
          <caption className="sr-only">
            訂單列表，第 {page} 頁，共 {orders.length} 筆
          </caption>
          <thead className="bg-stone-100">
            <tr>
              <ColumnHeads
                columns={[
                  { label: "選取", hidden: true },
                  "訂單編號",
                  "下單時間",
                  "收件人",
                  "手機",
                  "付款方式",
                  "狀態",
                  { label: "金額", right: true },
                  "物流單號",
                ]}
              />
            </tr>
          </thead>
          <tbody>
            {orders.length === 0 ? (
              <tr>
                <td colSpan={9} className="px-3 py-6 text-center text-stone-700">
                  沒有符合條件的訂單。
                </td>
              </tr>
            ) : (
              orders.map((order) => (
                <tr key={order.id} className="border-t border-stone-200" data-order-id={order.id}>
                  <td className="px-3 py-2">
                    {order.canShip ? (
                      <input
                        type="checkbox"
                        name="ids"
                        value={order.id}
                        aria-label={`選取訂單 ${order.id}`}
                        defaultChecked={ticked.includes(order.id)}
                        className="h-4 w-4"
                      />
                    ) : null}
                    {order.canShip && order.pickup ? <input type="hidden" name="pickupIds" value={order.id} /> : null}
                  </td>
                  <td className="px-3 py-2 font-mono">
                    <Link to={`/admin/orders/${order.id}`} className="text-brand-800 underline underline-offset-2">
                      {order.id}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{formatTaipeiDateTime(order.createdAt)}</td>
                  <td className="px-3 py-2">{order.customerName}</td>
                  <td className="px-3 py-2">{order.phone}</td>
                  <td className="px-3 py-2">{METHOD_LABELS[order.paymentMethod]}</td>
                  <td className="px-3 py-2">
                    <StatusBadge status={order.status} />
                  </td>
                  <td className="px-3 py-2 text-right">{formatTwd(order.total)}</td>
                  <td className="px-3 py-2">
                    {order.canShip && order.pickup ? (
                      <span className="text-stone-700">超商取貨：出貨時由綠界建立物流單</span>
                    ) : order.canShip ? (
                      <>
                        <input type="hidden" name="rows" value={order.id} />
                        <input
                          type="text"
                          name="tracking"
                          maxLength={40}
                          defaultValue={typed(order.id)}
                          aria-label={`物流單號（訂單 ${order.id}）`}
                          className="w-40 rounded border border-stone-400 px-2 py-1 font-mono"
                        />
                      </>
                    ) : order.trackingNumber ? (
                      <span className="font-mono">{order.trackingNumber}</span>
                    ) : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {shippable > 0 ? (
        <div className="mt-3 flex flex-wrap items-end gap-3">
          <SelectField
            name="carrier"
            label="物流業者（填了物流單號的訂單）"
            options={CARRIER_OPTIONS}
            defaultValue={failed ? String(failed.values.carrier ?? "") : undefined}
            error={failed?.errors.carrier}
          />
          <button type="submit" className={buttonClass.primary} disabled={shipping}>
            {shipping ? "處理中…" : "將勾選的訂單標示為已出貨"}
          </button>
          <p className="text-sm text-stone-700">
            只有可以出貨的訂單（已付款，或貨到付款的新訂單）能勾選。超商取貨的訂單會在綠界建立物流單。
          </p>
        </div>
      ) : null}
    </Form>
  );
}

function Pager({ page, prevHref, nextHref }: Pick<ListPage, "page" | "prevHref" | "nextHref">) {
  return (
    <nav aria-label="訂單分頁" className="flex items-center gap-4">
      {prevHref ? (
        <Link to={prevHref} className={buttonClass.secondary}>
          上一頁
        </Link>
      ) : null}
      <span className="text-stone-700">第 {page} 頁</span>
      {nextHref ? (
        <Link to={nextHref} className={buttonClass.secondary}>
          下一頁
        </Link>
      ) : null}
    </nav>
  );
}
