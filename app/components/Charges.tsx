/**
 * What the shopper pays on top of the items, before they commit: the delivery fee (or that it ships free), how much
 * more ships free ("再買 NT$320 即可免運"), and the pay-on-arrival surcharge. The cart and the checkout show the same
 * rows; the figures come from the order API's own pricing rules (aws/src/domain/pricing.ts).
 */
import type { CartCharges } from "../lib/cart.server";
import { formatTwd } from "../lib/format";

export function ChargeRows({
  subtotal,
  charges,
  itemCount,
}: {
  subtotal: number;
  charges: CartCharges;
  itemCount?: number;
}) {
  return (
    <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-4 gap-y-1" data-charges="">
      <dt className="text-stone-700">商品小計{itemCount !== undefined ? `（共 ${itemCount} 件）` : ""}</dt>
      <dd className="text-right" data-charge="subtotal">
        {formatTwd(subtotal)}
      </dd>
      {charges.shippingFee > 0 ? (
        <>
          <dt className="text-stone-700">運費</dt>
          <dd className="text-right" data-charge="shipping">
            {formatTwd(charges.shippingFee)}
          </dd>
        </>
      ) : charges.freeShipping ? (
        <>
          <dt className="text-stone-700">運費</dt>
          <dd className="text-right font-medium text-brand-800" data-charge="shipping">
            免運費
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** "再買 NT$320 即可免運", and the surcharge for pay on arrival; nothing when neither applies. */
export function ChargeNotes({ charges }: { charges: CartCharges }) {
  if (charges.toFreeShipping === null && charges.codSurcharge === 0) return null;
  return (
    <div className="mt-3 flex flex-col gap-2 text-sm">
      {charges.toFreeShipping !== null ? (
        <p className="rounded-lg bg-amber-50 px-3 py-2 font-medium text-amber-900" data-free-shipping-hint="">
          再買 {formatTwd(charges.toFreeShipping)} 即可免運
        </p>
      ) : null}
      {charges.codSurcharge > 0 ? (
        <p className="text-stone-700">選擇貨到付款另加手續費 {formatTwd(charges.codSurcharge)}。</p>
      ) : null}
    </div>
  );
}
