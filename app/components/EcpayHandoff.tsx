import { Link } from "@remix-run/react";
import { formatTwd } from "../lib/format";
import type { Handoff } from "../lib/order-view";

/**
 * The hand-off to ECPay: a real form posting the API's signed fields to the gateway (the CSP's form-action allows
 * its origin). Without JavaScript the shopper presses the button; with it app/enhance.js submits the form once per
 * checkout attempt (`data-autosubmit`; the pages showing this declare `scripts: "enhance"`). Coming Back to this page
 * does not submit again: ECPay refuses a MerchantTradeNo it has already seen, so the status then points to the order
 * page (`data-returned`), and the button is still there.
 */
export function EcpayHandoff({ handoff, title = "訂單已成立" }: { handoff: Handoff; title?: string }) {
  const method = handoff.paymentMethod === "atm" ? "ATM 轉帳" : "信用卡";
  // Per checkout attempt: paying again (a new MerchantTradeNo) must submit again.
  const attempt = `${handoff.orderId}:${handoff.fields.MerchantTradeNo ?? ""}`;
  return (
    <section
      aria-labelledby="handoff-title"
      className="mx-auto max-w-xl rounded-xl border border-stone-200 bg-white p-6"
    >
      <h1 id="handoff-title" className="text-2xl font-bold">
        {title}
      </h1>
      <p className="mt-3 text-stone-800">
        訂單編號 <strong className="font-mono text-lg">{handoff.orderId}</strong>，金額{" "}
        <strong>{formatTwd(handoff.total)}</strong>，付款方式：{method}。
      </p>
      <p
        role="status"
        data-handoff-status=""
        data-submitting="正在前往綠界 ECPay 付款頁面，請稍候…"
        data-returned="若您已在綠界完成付款，請到訂單頁面查看狀態。"
        className="mt-3 text-stone-800"
      >
        請按下方按鈕，前往綠界 ECPay 完成付款。
      </p>
      <form method="post" action={handoff.action} acceptCharset="UTF-8" data-autosubmit={attempt} className="mt-6">
        {Object.entries(handoff.fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button
          type="submit"
          className="w-full rounded-lg bg-brand-700 px-4 py-3 text-lg font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2"
        >
          前往綠界付款
        </button>
      </form>
      <p className="mt-4 text-center text-sm">
        <Link to={`/orders/${handoff.orderId}`} className="text-brand-800 underline underline-offset-2">
          查看訂單
        </Link>
      </p>
    </section>
  );
}
