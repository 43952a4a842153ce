/**
 * Store pickup and the e-invoice as the shopper's and the owner's order pages show them (ADR 0027): the store, how far
 * the parcel got and until when it waits; the invoice's number and date, or where it will go. Read-only, from the
 * order the API returned; the words come from aws/src/domain (the same the emails use).
 */
import type { Order } from "../../aws/src/contract";
import { INVOICE_CARRIER_LABELS, INVOICE_STATUS_LABELS } from "../../aws/src/domain/invoice";
import { CVS_CHAIN_NAMES, SHIPMENT_PROBLEM_LABELS, SHIPMENT_STAGE_LABELS } from "../../aws/src/domain/pickup";

const box = "rounded-xl border border-stone-200 bg-white p-4";

export function PickupDetails({ order, owner = false }: { order: Order; owner?: boolean }) {
  const store = order.pickupStore;
  if (!store) return null;
  const l = order.logistics;
  return (
    <section aria-labelledby="pickup-title" className={box} data-pickup-store={store.id}>
      <h2 id="pickup-title" className="text-lg font-semibold">
        超商取貨
      </h2>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
        <dt className="text-stone-700">取貨門市</dt>
        <dd>
          {CVS_CHAIN_NAMES[store.chain]} {store.name}（店號 {store.id}）
        </dd>
        <dt className="text-stone-700">門市地址</dt>
        <dd>{store.address}</dd>
        <dt className="text-stone-700">包裹狀態</dt>
        <dd data-parcel-stage={l?.stage ?? "none"}>
          {l?.state === "created" && l.stage ? SHIPMENT_STAGE_LABELS[l.stage] : "尚未出貨"}
          {l?.stage === "at_store" && l.pickupBy ? `（請於 ${l.pickupBy} 前取貨）` : ""}
        </dd>
        {l?.problem ? (
          <>
            <dt className="text-stone-700">注意</dt>
            <dd className="text-amber-900">{SHIPMENT_PROBLEM_LABELS[l.problem]}</dd>
          </>
        ) : null}
        {owner && l ? (
          <>
            <dt className="text-stone-700">綠界物流</dt>
            <dd className="font-mono">
              {l.allPayLogisticsId ?? "—"}{" "}
              {l.cvsPaymentNo ? `寄貨編號 ${l.cvsPaymentNo}${l.cvsValidationNo ?? ""}` : ""}
              {l.state === "failed" && l.error ? (
                <span className="block font-sans text-red-800">綠界拒絕：{l.error}</span>
              ) : null}
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export function InvoiceDetails({ order }: { order: Order }) {
  const request = order.invoiceRequest;
  if (!request) return null;
  const invoice = order.invoice;
  return (
    <section aria-labelledby="invoice-title" className={box}>
      <h2 id="invoice-title" className="text-lg font-semibold">
        電子發票
      </h2>
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
        <dt className="text-stone-700">開立方式</dt>
        <dd>{INVOICE_CARRIER_LABELS[request.carrier]}</dd>
        <dt className="text-stone-700">發票狀態</dt>
        <dd data-invoice-status={invoice?.status ?? "none"}>
          {invoice ? INVOICE_STATUS_LABELS[invoice.status] : "付款後開立"}
        </dd>
        {invoice?.number ? (
          <>
            <dt className="text-stone-700">發票號碼</dt>
            <dd className="font-mono" data-invoice-number={invoice.number}>
              {invoice.number}
            </dd>
            <dt className="text-stone-700">開立日期</dt>
            <dd>{(invoice.date ?? "").slice(0, 10)}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
