import { Link } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { formatTwd } from "../lib/format";
import type { Handoff } from "../lib/order-view";

/**
 * The hand-off to ECPay: a real form posting the API's signed fields to the gateway (the CSP's form-action allows
 * its origin). Without JavaScript the shopper presses the button; with it the form is submitted once, from this
 * bundled module (no inline script, so the nonce CSP is untouched). Coming Back to this page does not submit again:
 * ECPay refuses a MerchantTradeNo it has already seen, so the shopper gets the order page link and the button.
 */
export function EcpayHandoff({ handoff, title = "訂單已成立" }: { handoff: Handoff; title?: string }) {
  const form = useRef<HTMLFormElement>(null);
  const [state, setState] = useState<"idle" | "submitting" | "returned">("idle");

  useEffect(() => {
    // Per checkout attempt: paying again (a new MerchantTradeNo) must submit again.
    const key = `ecpay-handoff:${handoff.orderId}:${handoff.fields.MerchantTradeNo ?? ""}`;
    let seen = false;
    try {
      seen = window.sessionStorage.getItem(key) !== null;
      window.sessionStorage.setItem(key, String(Date.now()));
    } catch {
      // Storage can be off (private mode); submitting once per rendering is still right.
    }
    if (seen) {
      setState("returned");
      return;
    }
    setState("submitting");
    form.current?.submit();
  }, [handoff.orderId, handoff.fields.MerchantTradeNo]);

  const method = handoff.paymentMethod === "atm" ? "ATM 轉帳" : "信用卡";
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
      <p role="status" className="mt-3 text-stone-800">
        {state === "submitting"
          ? "正在前往綠界 ECPay 付款頁面，請稍候…"
          : state === "returned"
            ? "若您已在綠界完成付款，請到訂單頁面查看狀態。"
            : "請按下方按鈕，前往綠界 ECPay 完成付款。"}
      </p>
      <form ref={form} method="post" action={handoff.action} acceptCharset="UTF-8" className="mt-6">
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
