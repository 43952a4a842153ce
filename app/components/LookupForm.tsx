import { Form } from "@remix-run/react";
import type { LookupActionData } from "../lib/orders.server";
import { Field } from "./Field";

/**
 * Order id + mobile phone. With a fixed `orderId` (the order page of an order this browser does not remember)
 * only the phone is asked for. A plain form post; where the page loads app/enhance.js (the order page) the button
 * says 查詢中… while it is sent.
 */
export function LookupForm({ orderId, result }: { orderId?: string; result?: LookupActionData }) {
  return (
    <Form method="post" noValidate className="flex flex-col gap-4 rounded-xl border border-stone-200 bg-white p-4">
      {result?.message ? (
        <p role="alert" className="rounded-lg border border-red-700 bg-red-50 p-3 font-medium text-red-900">
          {result.message}
        </p>
      ) : null}
      {orderId ? null : (
        <Field
          name="id"
          label="訂單編號"
          required
          hint="例：261127-4831-0926（在訂單成立頁面與確認信中；「-」可不輸入）"
          autoComplete="off"
          inputMode="numeric"
          maxLength={20}
          defaultValue={result?.values.id}
          error={result?.errors.id}
        />
      )}
      <Field
        name="phone"
        label="手機號碼"
        required
        type="tel"
        inputMode="tel"
        autoComplete="tel-national"
        hint="下單時填寫的手機號碼"
        maxLength={20}
        defaultValue={result?.values.phone}
        error={result?.errors.phone}
      />
      <button
        type="submit"
        data-busy-label="查詢中…"
        className="rounded-lg bg-brand-700 px-4 py-3 font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2 aria-disabled:cursor-wait aria-disabled:opacity-70"
      >
        查詢訂單
      </button>
    </Form>
  );
}
