/** One order: lines, customer, payment record, history, and the actions the state machine allows the owner. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ColumnHeads } from "../components/admin/ColumnHeads";
import { CARRIER_NAMES, trackingLink } from "../../aws/src/domain/carriers";
import { buttonClass, CheckboxField, FormMessage, SelectField } from "../components/admin/fields";
import { StatusBadge } from "../components/admin/StatusBadge";
import { Field } from "../components/Field";
import { InvoiceDetails, PickupDetails } from "../components/PickupAndInvoice";
import { ACTOR_LABELS, METHOD_LABELS, STATUS_LABELS } from "../lib/admin/labels";
import { adminMeta } from "../lib/admin/meta";
import { loadOrder, submitOrderAction } from "../lib/admin/orders.server";
import { formatTaipeiDateTime, formatTwd } from "../lib/format";
import { fieldValue } from "../lib/forms";
import { chargeLines } from "../lib/order-view";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = ({ params }) => adminMeta(`訂單 ${params.id ?? ""}`);
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, params, context }: LoaderFunctionArgs) =>
  loadOrder(context.cloudflare, request, params.id);
export const action = ({ request, params, context }: ActionFunctionArgs) =>
  submitOrderAction(context.cloudflare, request, params.id);

export default function OrderDetail() {
  const { order, actions, canReconcile, canCreateShipment, canPrint, canCheckShipment } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = result && !result.ok ? result : undefined;

  return (
    <div className="flex flex-col gap-6">
      <p>
        <Link to="/admin/orders" className="text-brand-800 underline underline-offset-4">
          ← 回到訂單列表
        </Link>
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-2xl font-bold">訂單 {order.id}</h1>
        <StatusBadge status={order.status} />
      </div>
      <p className="text-stone-700">
        下單時間 {formatTaipeiDateTime(order.createdAt)}・{METHOD_LABELS[order.paymentMethod]}・合計{" "}
        {formatTwd(order.total)}
      </p>

      {result?.ok && result.print ? (
        <form
          method="post"
          action={result.print.action}
          acceptCharset="UTF-8"
          target="_blank"
          rel="noopener"
          className="flex"
        >
          {Object.entries(result.print.fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <button type="submit" className={buttonClass.primary}>
            開啟託運單（綠界）
          </button>
        </form>
      ) : null}

      {result ? (
        <FormMessage
          success={result.ok ? result.message : undefined}
          error={failed ? (failed.formError ?? "請檢查標示的欄位。") : undefined}
          detail={result.ok ? result.detail : undefined}
        />
      ) : null}

      <OrderActions
        actions={actions}
        canReconcile={canReconcile}
        canCreateShipment={canCreateShipment}
        canPrint={canPrint}
        canCheckShipment={canCheckShipment}
        failed={failed}
        busy={busy}
      />

      <PickupDetails order={order} owner />

      {order.shipment ? <ShipmentDetails shipment={order.shipment} /> : null}

      <OrderLinesTable order={order} />

      <div className="grid gap-6 md:grid-cols-2">
        <RecipientDetails customer={order.customer} />
        <PaymentRecord order={order} />
      </div>

      <InvoiceDetails order={order} />

      <StatusHistory history={order.history} />
    </div>
  );
}

const CARRIER_OPTIONS = [
  { value: "", label: "（不填物流單號）" },
  // Every carrier the contract knows, in the order CARRIER_NAMES lists them (a browser-safe module).
  ...Object.entries(CARRIER_NAMES).map(([value, label]) => ({ value, label })),
];

function ShipmentDetails({ shipment }: { shipment: NonNullable<Detail["order"]["shipment"]> }) {
  const link = trackingLink(shipment.carrier, shipment.trackingNumber);
  return (
    <section aria-labelledby="shipment-title" className="rounded-lg border border-stone-300 bg-white p-4">
      <h2 id="shipment-title" className="text-lg font-semibold">
        出貨資訊
      </h2>
      <p className="mt-2" data-shipment="">
        {CARRIER_NAMES[shipment.carrier]}・物流單號 <span className="font-mono">{shipment.trackingNumber}</span>・
        {formatTaipeiDateTime(shipment.shippedAt)}
        {link ? (
          <>
            {" "}
            <a href={link.url} target="_blank" rel="noopener noreferrer" className="text-brand-800 underline">
              查詢貨態
            </a>
          </>
        ) : null}
      </p>
    </section>
  );
}

type Detail = ReturnType<typeof useLoaderData<typeof loader>>;
type ActionResult = ReturnType<typeof useActionData<typeof action>>;

/** One form per move the state machine allows the owner (a note each; cancelling asks to confirm), and reconcile. */
function OrderActions({
  actions,
  canReconcile,
  canCreateShipment,
  canPrint,
  canCheckShipment,
  failed,
  busy,
}: Pick<Detail, "actions" | "canReconcile" | "canCreateShipment" | "canPrint" | "canCheckShipment"> & {
  failed?: Extract<ActionResult, { ok: false }>;
  busy: boolean;
}) {
  const failedTo = fieldValue(failed?.values, "to");
  return (
    <section aria-labelledby="actions-title" className="rounded-lg border border-stone-300 bg-white p-4">
      <h2 id="actions-title" className="text-lg font-semibold">
        處理訂單
      </h2>
      {actions.length === 0 && !canReconcile && !canCreateShipment && !canPrint && !canCheckShipment ? (
        <p className="mt-2 text-stone-700">這筆訂單目前沒有可以執行的動作。</p>
      ) : null}
      <div className="mt-3 grid gap-4 md:grid-cols-2">
        {actions.map((action) => {
          const mine = failedTo === action.to ? failed : undefined;
          return (
            <Form key={action.to} method="post" className="flex flex-col gap-3 rounded-md border border-stone-200 p-3">
              <input type="hidden" name="intent" value="transition" />
              <input type="hidden" name="to" value={action.to} />
              {action.to === "shipped" ? (
                <>
                  <SelectField
                    name="carrier"
                    id="carrier-shipped"
                    label="物流業者"
                    options={CARRIER_OPTIONS}
                    defaultValue={fieldValue(mine?.values, "carrier")}
                    error={mine?.errors.carrier}
                  />
                  <Field
                    name="trackingNumber"
                    id="tracking-shipped"
                    label="物流單號"
                    hint="顧客的訂單頁與出貨通知信會顯示物流業者與單號（黑貓附追蹤連結）。"
                    defaultValue={fieldValue(mine?.values, "trackingNumber")}
                    error={mine?.errors.trackingNumber}
                    maxLength={40}
                  />
                </>
              ) : null}
              <Field
                name="note"
                id={`note-${action.to}`}
                label={`備註（${action.label}）`}
                hint={action.to === "shipped" ? "會記在訂單歷程，顧客看不到。" : undefined}
                defaultValue={fieldValue(mine?.values, "note")}
                error={mine?.errors.note}
                maxLength={500}
              />
              {action.confirm ? (
                <CheckboxField
                  name="confirm"
                  id={`confirm-${action.to}`}
                  label="我確認要取消這筆訂單（已付款的訂單請另到綠界後台退款）"
                  error={mine?.errors.confirm}
                />
              ) : null}
              <button
                type="submit"
                disabled={busy}
                className={action.to === "cancelled" ? buttonClass.danger : buttonClass.primary}
              >
                {action.label}
              </button>
            </Form>
          );
        })}
        {canCreateShipment ? (
          <Form method="post" className="flex flex-col gap-3 rounded-md border border-stone-200 p-3">
            <input type="hidden" name="intent" value="create_shipment" />
            <p className="text-stone-800">
              超商取貨：在綠界物流建立物流單（取貨付款會代收貨款），建立後訂單即為「已出貨」。
            </p>
            <button type="submit" disabled={busy} className={buttonClass.primary}>
              建立物流單（綠界）
            </button>
          </Form>
        ) : null}
        {canCheckShipment ? (
          <Form method="post" className="flex flex-col gap-3 rounded-md border border-stone-200 p-3">
            <input type="hidden" name="intent" value="check_shipment" />
            <p className="text-stone-800">
              包裹狀態沒有更新？綠界的狀態通知有時會延遲，可以直接向綠界查詢目前的狀態（重複查詢不會重複變更訂單）。
            </p>
            <button type="submit" disabled={busy} className={buttonClass.secondary}>
              向綠界查詢包裹狀態
            </button>
          </Form>
        ) : null}
        {canPrint ? (
          <Form method="post" className="flex flex-col gap-3 rounded-md border border-stone-200 p-3">
            <input type="hidden" name="intent" value="print_shipment" />
            <p className="text-stone-800">列印這筆超商取貨的託運單（交貨便單號或出貨標籤），在綠界的頁面列印。</p>
            <button type="submit" disabled={busy} className={buttonClass.secondary}>
              列印託運單
            </button>
          </Form>
        ) : null}
        {canReconcile ? (
          <Form method="post" className="flex flex-col gap-3 rounded-md border border-stone-200 p-3">
            <input type="hidden" name="intent" value="reconcile" />
            <p className="text-stone-800">還沒收到綠界的付款通知？向綠界查詢這筆交易的付款狀態並更新訂單。</p>
            <button type="submit" disabled={busy} className={buttonClass.secondary}>
              向綠界查詢付款狀態（對帳）
            </button>
          </Form>
        ) : null}
      </div>
    </section>
  );
}

function OrderLinesTable({ order }: { order: Detail["order"] }) {
  return (
    <section aria-labelledby="lines-title">
      <h2 id="lines-title" className="text-lg font-semibold">
        訂購內容
      </h2>
      <table className="mt-2 w-full rounded-lg border border-stone-300 bg-white text-left text-sm">
        <thead className="bg-stone-100">
          <tr>
            <ColumnHeads
              columns={[
                "商品",
                { label: "單價", right: true },
                { label: "數量", right: true },
                { label: "小計", right: true },
              ]}
            />
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.productId} className="border-t border-stone-200">
              <td className="px-3 py-2">{line.name}</td>
              <td className="px-3 py-2 text-right">{formatTwd(line.unitPrice)}</td>
              <td className="px-3 py-2 text-right">{line.quantity}</td>
              <td className="px-3 py-2 text-right">{formatTwd(line.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {chargeLines(order).map((charge) => (
            <tr key={charge.label} className="border-t border-stone-200">
              <th scope="row" colSpan={3} className="px-3 py-2 text-right font-normal">
                {charge.label}
              </th>
              <td className="px-3 py-2 text-right">{formatTwd(charge.amount)}</td>
            </tr>
          ))}
          <tr className="border-t border-stone-300 font-semibold">
            <th scope="row" colSpan={3} className="px-3 py-2 text-right">
              合計
            </th>
            <td className="px-3 py-2 text-right">{formatTwd(order.total)}</td>
          </tr>
        </tfoot>
      </table>
      {order.note ? <p className="mt-2 text-stone-800">顧客備註：{order.note}</p> : null}
    </section>
  );
}

function RecipientDetails({ customer }: { customer: Detail["order"]["customer"] }) {
  return (
    <section aria-labelledby="customer-title" className="rounded-lg border border-stone-300 bg-white p-4">
      <h2 id="customer-title" className="text-lg font-semibold">
        收件人
      </h2>
      <dl className="mt-2 grid grid-cols-[6rem_1fr] gap-y-1">
        <dt className="text-stone-700">姓名</dt>
        <dd>{customer.name}</dd>
        <dt className="text-stone-700">手機</dt>
        <dd>{customer.phone}</dd>
        <dt className="text-stone-700">Email</dt>
        <dd className="break-all">{customer.email}</dd>
        <dt className="text-stone-700">地址</dt>
        <dd>{customer.address}</dd>
      </dl>
    </section>
  );
}

function PaymentRecord({ order }: { order: Detail["order"] }) {
  const payment = order.payment;
  return (
    <section aria-labelledby="payment-title" className="rounded-lg border border-stone-300 bg-white p-4">
      <h2 id="payment-title" className="text-lg font-semibold">
        付款紀錄
      </h2>
      {order.paymentMethod === "cod" ? (
        <p className="mt-2 text-stone-800">貨到付款：到貨時由物流代收，收款後請標示為已收款。</p>
      ) : payment ? (
        <dl className="mt-2 grid grid-cols-[8rem_1fr] gap-y-1">
          <dt className="text-stone-700">特店交易編號</dt>
          <dd className="font-mono">{payment.merchantTradeNo}</dd>
          {payment.attempts?.length ? (
            <>
              <dt className="text-stone-700">先前的付款嘗試</dt>
              <dd className="font-mono">{payment.attempts.join("、")}</dd>
            </>
          ) : null}
          <dt className="text-stone-700">綠界交易編號</dt>
          <dd className="font-mono">{payment.tradeNo ?? "尚未取得"}</dd>
          <dt className="text-stone-700">付款類型</dt>
          <dd>{payment.paymentType ?? "—"}</dd>
          <dt className="text-stone-700">付款時間</dt>
          <dd>{payment.paymentDate ?? "—"}</dd>
          <dt className="text-stone-700">模擬付款</dt>
          <dd>{payment.simulated === undefined ? "—" : payment.simulated ? "是（測試用，未實際收款）" : "否"}</dd>
          {payment.atm ? (
            <>
              <dt className="text-stone-700">ATM 帳號</dt>
              <dd className="font-mono">
                ({payment.atm.bankCode}) {payment.atm.account}
              </dd>
              <dt className="text-stone-700">繳費期限</dt>
              <dd>{payment.atm.expireDate}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="mt-2 text-stone-800">尚未收到綠界的付款資料。</p>
      )}
    </section>
  );
}

function StatusHistory({ history }: { history: Detail["order"]["history"] }) {
  return (
    <section aria-labelledby="history-title" className="rounded-lg border border-stone-300 bg-white p-4">
      <h2 id="history-title" className="text-lg font-semibold">
        狀態歷程
      </h2>
      <ol className="mt-2 flex flex-col gap-2">
        {history.map((entry) => (
          <li key={`${entry.at}-${entry.from ?? "new"}-${entry.to}`} className="text-stone-800">
            <time dateTime={entry.at}>{formatTaipeiDateTime(entry.at)}</time>・
            {entry.from ? `${STATUS_LABELS[entry.from]} → ` : ""}
            {STATUS_LABELS[entry.to]}・{ACTOR_LABELS[entry.by]}
            {entry.note ? <span className="text-stone-700">（{entry.note}）</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
