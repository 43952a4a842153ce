import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { Order } from "../../aws/src/contract";
import { CARRIER_NAMES, trackingLink } from "../../aws/src/domain/carriers";
import { canPayAgain } from "../../aws/src/domain/pay-again";
import { CopyButton } from "../components/CopyButton";
import { LookupForm } from "../components/LookupForm";
import { InvoiceDetails, PickupDetails } from "../components/PickupAndInvoice";
import { formatTaipeiDateTime, formatTwd } from "../lib/format";
import { chargeLines, PAYMENT_METHOD_LABELS, statusLabel, timeline } from "../lib/order-view";
import { type LookupActionData, loadOrderPage, type OrderPageData, submitOrderLookup } from "../lib/orders.server";
import type { PageHandle } from "../lib/page-scripts";
import { privateRouteHeaders } from "../lib/private-headers";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction<typeof loader> = ({ params, matches }) =>
  pageMeta(matches, { title: `訂單 ${params.id ?? ""}`, description: "訂單狀態、明細與付款資訊。" });

/** The small script only (app/enhance.js): copy buttons for the ATM details, busy labels on the forms. */
export const handle: PageHandle = { scripts: "enhance" };

export const loader = ({ request, params, context }: LoaderFunctionArgs) =>
  loadOrderPage(context.cloudflare, request, params.id);
export const action = ({ request, params, context }: ActionFunctionArgs) =>
  submitOrderLookup(context.cloudflare, request, params.id);

export const headers = privateRouteHeaders("shopper");

export default function OrderPage() {
  const page = useLoaderData<typeof loader>() as OrderPageData;
  const result = useActionData<typeof action>() as LookupActionData | undefined;
  if (page.kind === "ask") {
    return (
      <div className="mx-auto max-w-md">
        <h1 className="mb-2 text-2xl font-bold sm:text-3xl">訂單 {page.orderId}</h1>
        <p className="mb-6 text-stone-700">為保護訂購人資料，請輸入下單時填寫的手機號碼以查看這筆訂單。</p>
        <LookupForm orderId={page.orderId} result={result} />
      </div>
    );
  }
  return <OrderDetails order={page.order} />;
}

function PayAgainForm({ order }: { order: Order }) {
  return (
    <Form method="post" action={`/orders/${order.id}/pay`} className="rounded-xl border border-stone-200 bg-white p-4">
      <p className="text-stone-800">
        {order.paymentMethod === "atm"
          ? "還沒在綠界選好轉帳銀行就離開了嗎？可以重新前往綠界取得轉帳帳號。"
          : "關閉了付款頁面，或刷卡沒有成功嗎？可以重新前往綠界付款；不會重複扣款。"}
      </p>
      <button
        type="submit"
        data-busy-label="正在前往綠界…"
        className="mt-3 rounded-lg bg-brand-700 px-4 py-2 font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2 aria-disabled:opacity-70"
      >
        {order.paymentMethod === "atm" ? "重新取得轉帳帳號" : "重新付款"}
      </button>
    </Form>
  );
}

function OrderDetails({ order }: { order: Order }) {
  const waitingForPayment = order.status === "created" || order.status === "awaiting_payment";
  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold sm:text-3xl">訂單 {order.id}</h1>
        <p className="mt-2 text-stone-700">下單時間 {formatTaipeiDateTime(order.createdAt)}</p>
        <p className="mt-3">
          <span className="sr-only">訂單狀態：</span>
          <span
            data-status={order.status}
            className={`inline-block rounded-full px-3 py-1 font-semibold ${
              order.status === "cancelled"
                ? "bg-stone-200 text-stone-900"
                : order.status === "paid" || order.status === "shipped"
                  ? "bg-brand-100 text-brand-900"
                  : "bg-amber-100 text-amber-900"
            }`}
          >
            {statusLabel(order.status, order.paymentMethod)}
          </span>
        </p>
      </div>

      <Timeline order={order} />

      {order.paymentMethod === "atm" && waitingForPayment ? <AtmTransfer order={order} /> : null}

      {order.paymentMethod === "credit" && order.status === "created" ? (
        <p className="rounded-lg bg-amber-50 p-4 text-amber-900">
          尚未收到綠界的付款結果。若您已完成刷卡，請稍候片刻再重新整理此頁。
        </p>
      ) : null}

      {canPayAgain(order) ? <PayAgainForm order={order} /> : null}

      {waitingForPayment ? (
        <p>
          <Link to={`/orders/${order.id}`} className="font-medium text-brand-800 underline underline-offset-4">
            重新整理付款狀態
          </Link>
        </p>
      ) : null}

      {order.shipment ? <Shipment shipment={order.shipment} /> : null}

      <PickupDetails order={order} />

      <OrderLines order={order} />

      <Recipient order={order} />

      <InvoiceDetails order={order} />

      <p className="flex flex-wrap gap-4">
        <Link to="/" className="font-medium text-brand-800 underline underline-offset-4">
          繼續購物
        </Link>
        <Link to="/orders" className="font-medium text-brand-800 underline underline-offset-4">
          查詢其他訂單
        </Link>
      </p>
    </div>
  );
}

function Timeline({ order }: { order: Order }) {
  const steps = timeline(order);
  return (
    <section aria-labelledby="timeline-title" className="rounded-xl border border-stone-200 bg-white p-4">
      <h2 id="timeline-title" className="text-lg font-semibold">
        訂單進度
      </h2>
      <ol className="mt-4 flex flex-col gap-0">
        {steps.map((step, index) => (
          <li key={step.status} className="relative flex gap-3 pb-5 last:pb-0">
            {index < steps.length - 1 ? (
              <span
                aria-hidden="true"
                className="absolute left-[0.6875rem] top-6 h-[calc(100%-1.5rem)] w-0.5 bg-stone-300"
              />
            ) : null}
            <span
              aria-hidden="true"
              className={`mt-0.5 flex h-6 w-6 flex-none items-center justify-center rounded-full border-2 text-xs font-bold ${
                step.state === "done"
                  ? "border-brand-700 bg-brand-700 text-white"
                  : step.state === "current"
                    ? step.status === "cancelled"
                      ? "border-stone-700 bg-stone-700 text-white"
                      : "border-brand-700 bg-white text-brand-800"
                    : "border-stone-300 bg-white"
              }`}
            >
              {step.state === "done" ? "✓" : step.state === "current" ? "●" : ""}
            </span>
            <div>
              <p className={step.state === "upcoming" ? "text-stone-600" : "font-semibold text-stone-900"}>
                {step.label}
                <span className="sr-only">
                  {step.state === "done" ? "（已完成）" : step.state === "current" ? "（目前）" : "（尚未進行）"}
                </span>
              </p>
              {step.at ? <p className="text-sm text-stone-700">{formatTaipeiDateTime(step.at)}</p> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function AtmTransfer({ order }: { order: Order }) {
  const atm = order.payment?.atm;
  return (
    <section aria-labelledby="atm-title" className="rounded-xl border-2 border-brand-700 bg-white p-4">
      <h2 id="atm-title" className="text-lg font-semibold">
        ATM 轉帳資訊
      </h2>
      {atm ? (
        <dl className="mt-3 grid grid-cols-[auto_1fr] items-center gap-x-4 gap-y-3">
          <dt className="text-stone-700">銀行代碼</dt>
          <dd className="flex flex-wrap items-center gap-3">
            <span className="font-mono text-lg font-semibold">{atm.bankCode}</span>
            <CopyButton value={atm.bankCode} label="銀行代碼" />
          </dd>
          <dt className="text-stone-700">虛擬帳號</dt>
          <dd className="flex flex-wrap items-center gap-3">
            <span className="font-mono text-lg font-semibold tracking-wider">{atm.account}</span>
            <CopyButton value={atm.account} label="虛擬帳號" />
          </dd>
          <dt className="text-stone-700">轉帳金額</dt>
          <dd className="flex flex-wrap items-center gap-3">
            <span className="text-lg font-semibold">{formatTwd(order.total)}</span>
            <CopyButton value={String(order.total)} label="轉帳金額" />
          </dd>
          <dt className="text-stone-700">繳費期限</dt>
          <dd className="font-semibold">{atm.expireDate} 23:59 前</dd>
        </dl>
      ) : (
        <p className="mt-2 text-stone-800">綠界尚未通知轉帳帳號。若您剛完成下單，請稍候片刻再重新整理此頁。</p>
      )}
      <p className="mt-3 text-sm text-stone-700">轉帳完成後，付款狀態會在綠界通知後自動更新。</p>
    </section>
  );
}

function Shipment({ shipment }: { shipment: NonNullable<Order["shipment"]> }) {
  const link = trackingLink(shipment.carrier, shipment.trackingNumber);
  return (
    <section aria-labelledby="shipment-title" className="rounded-xl border-2 border-brand-700 bg-white p-4">
      <h2 id="shipment-title" className="text-lg font-semibold">
        出貨資訊
      </h2>
      <dl className="mt-3 grid grid-cols-[auto_1fr] items-center gap-x-4 gap-y-2" data-shipment="">
        <dt className="text-stone-700">物流業者</dt>
        <dd className="font-semibold">{CARRIER_NAMES[shipment.carrier]}</dd>
        <dt className="text-stone-700">物流單號</dt>
        <dd className="flex flex-wrap items-center gap-3">
          <span className="font-mono text-lg font-semibold">{shipment.trackingNumber}</span>
          <CopyButton value={shipment.trackingNumber} label="物流單號" />
        </dd>
        <dt className="text-stone-700">出貨時間</dt>
        <dd>{formatTaipeiDateTime(shipment.shippedAt)}</dd>
      </dl>
      {link ? (
        <p className="mt-3">
          <a
            href={link.url}
            target="_blank"
            rel="noopener noreferrer"
            className="font-medium text-brand-800 underline underline-offset-4"
          >
            {link.deep
              ? `到${CARRIER_NAMES[shipment.carrier]}查詢貨態`
              : `到${CARRIER_NAMES[shipment.carrier]}網站輸入單號查詢貨態`}
            <span className="sr-only">（另開新視窗）</span>
          </a>
        </p>
      ) : null}
    </section>
  );
}

function OrderLines({ order }: { order: Order }) {
  return (
    <section aria-labelledby="lines-title" className="rounded-xl border border-stone-200 bg-white p-4">
      <h2 id="lines-title" className="text-lg font-semibold">
        訂購明細
      </h2>
      <table className="mt-3 w-full text-left">
        <caption className="sr-only">訂購的商品、數量與金額</caption>
        <thead className="text-sm text-stone-700">
          <tr>
            <th scope="col" className="py-2 font-medium">
              商品
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              數量
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              金額
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-200">
          {order.lines.map((line) => (
            <tr key={line.productId}>
              <td className="py-2">
                {line.name}
                <span className="block text-sm text-stone-700">單價 {formatTwd(line.unitPrice)}</span>
              </td>
              <td className="py-2 text-right">{line.quantity}</td>
              <td className="py-2 text-right">{formatTwd(line.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {chargeLines(order).map((charge, index) => (
            <tr key={charge.label} className={index === 0 ? "border-t border-stone-300" : undefined}>
              <th scope="row" colSpan={2} className="pt-2 font-normal text-stone-800">
                {charge.label}
              </th>
              <td className="pt-2 text-right">{formatTwd(charge.amount)}</td>
            </tr>
          ))}
          <tr className="border-t border-stone-300">
            <th scope="row" colSpan={2} className="pt-3 font-semibold">
              總金額
            </th>
            <td className="pt-3 text-right text-xl font-bold text-brand-800">{formatTwd(order.total)}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

function Recipient({ order }: { order: Order }) {
  return (
    <section aria-labelledby="customer-title" className="rounded-xl border border-stone-200 bg-white p-4">
      <h2 id="customer-title" className="text-lg font-semibold">
        收件與付款
      </h2>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
        <dt className="text-stone-700">收件人</dt>
        <dd>{order.customer.name}</dd>
        <dt className="text-stone-700">手機</dt>
        <dd>{order.customer.phone}</dd>
        {order.customer.address ? (
          <>
            <dt className="text-stone-700">地址</dt>
            <dd>{order.customer.address}</dd>
          </>
        ) : null}
        <dt className="text-stone-700">付款方式</dt>
        <dd>{PAYMENT_METHOD_LABELS[order.paymentMethod]}</dd>
        {order.note ? (
          <>
            <dt className="text-stone-700">備註</dt>
            <dd className="whitespace-pre-line">{order.note}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
