import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { EcpayHandoff } from "../components/EcpayHandoff";
import { Field, fieldId } from "../components/Field";
import type { PaymentMethod } from "../../aws/src/contract";
import { ChargeNotes, ChargeRows } from "../components/Charges";
import type { PricedCart } from "../lib/cart.server";
import {
  type CheckoutActionData,
  type CheckoutErrors,
  type CheckoutValues,
  loadCheckoutPage,
  submitCheckout,
  type Totals,
} from "../lib/checkout.server";
import type { CheckoutField } from "../lib/checkout-fields";
import { formatTwd } from "../lib/format";
import { chainName, storeOfTicket } from "../lib/pickup-view";
import type { PageHandle } from "../lib/page-scripts";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, { title: "結帳", description: "填寫收件資料並選擇付款方式。" });

/** The small script only (app/enhance.js): the ECPay hand-off submits itself, the order button says it is busy. */
export const handle: PageHandle = { scripts: "enhance" };

export const loader = ({ request, context }: LoaderFunctionArgs) => loadCheckoutPage(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitCheckout(context.cloudflare, request);

const PAYMENT_OPTIONS = [
  { value: "credit", label: "信用卡", hint: "透過綠界 ECPay 安全付款，付款完成後立即確認。" },
  { value: "atm", label: "ATM 轉帳", hint: "取得專屬虛擬帳號，請於期限內轉帳。" },
  { value: "cod", label: "貨到付款", hint: "商品送達時以現金付款給物流人員。" },
] as const;

const FIELD_LABELS: Record<CheckoutField, string> = {
  name: "收件人姓名",
  phone: "手機號碼",
  email: "Email",
  postalCode: "郵遞區號",
  address: "收件地址",
  paymentMethod: "付款方式",
  note: "備註",
  deliveryMethod: "取貨方式",
  chain: "超商",
  storeTicket: "取貨門市",
  invoiceCarrier: "發票開立方式",
  invoiceCode: "載具條碼、捐贈碼或統一編號",
  companyName: "公司名稱",
};

const INVOICE_OPTIONS = [
  { value: "member", label: "會員載具（綠界）", hint: "發票存在綠界會員載具，開立後以電子郵件通知。", code: null },
  { value: "mobile", label: "手機條碼載具", hint: "以 / 開頭的 8 碼手機條碼。", code: "手機條碼" },
  { value: "certificate", label: "自然人憑證載具", hint: "2 個英文字母加 14 個數字。", code: "自然人憑證條碼" },
  { value: "donation", label: "捐贈發票", hint: "填寫受贈單位的捐贈碼（3 到 7 位數字）。", code: "捐贈碼" },
  { value: "company", label: "公司發票（統一編號）", hint: "開立紙本發票寄到收件地址。", code: "統一編號" },
] as const;

export default function CheckoutPage() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as CheckoutActionData | undefined;
  if (result?.kind === "handoff") return <EcpayHandoff handoff={result} />;
  return <CheckoutForm page={page} result={result} />;
}

type RetryResult = Extract<CheckoutActionData, { kind: "retry" }>;

function CheckoutForm({
  page,
  result,
}: {
  page: ReturnType<typeof useLoaderData<typeof loader>>;
  result?: RetryResult;
}) {
  const snapshot = result ? result.snapshot : page.snapshot;
  const values: CheckoutValues = result?.values ?? (page.pickup?.values as CheckoutValues | undefined) ?? {};
  const errors: CheckoutErrors = result?.errors ?? (page.pickup?.problem ? { storeTicket: page.pickup.problem } : {});
  const ticket = result ? values.storeTicket : (page.pickup?.ticket ?? undefined);
  const { cart } = page;

  if (!snapshot && !result) return <NothingToOrder cart={cart} recentOrderId={page.recentOrderId} />;

  const totals: Totals = snapshot?.totals ?? {
    credit: cart.charges.byMethod.credit.total,
    atm: cart.charges.byMethod.atm.total,
    cod: cart.charges.byMethod.cod.total,
  };
  const chosen = values.paymentMethod as PaymentMethod | undefined;
  // One amount on the button when every method pays the same, or the one the shopper chose when the page knows it.
  const sameForAll = new Set(Object.values(totals)).size === 1;
  // Store pickup has totals of its own (its delivery fee) when the shop offers it.
  const pickup = values.deliveryMethod === "cvs" || Boolean(page.pickup?.store);
  const totalOf = (method: PaymentMethod) => (pickup ? (totals[`cvs-${method}`] ?? totals[method]) : totals[method]);
  const total =
    result?.newTotal ?? (chosen && totals[chosen] !== undefined ? totalOf(chosen) : sameForAll ? totals.credit : null);

  return (
    <>
      <h1 className="mb-6 text-2xl font-bold sm:text-3xl">結帳</h1>
      {result ? <RetryAlert result={result} errors={errors} /> : null}
      {!result && page.pickup?.problem ? (
        <p role="alert" className="mb-6 rounded-lg border border-red-700 bg-red-50 p-4 font-semibold text-red-900">
          {page.pickup.problem}
        </p>
      ) : null}
      <div className="grid gap-8 lg:grid-cols-[1fr_22rem]">
        <OrderSummary cart={cart} totals={totals} />

        {snapshot ? (
          <Form method="post" noValidate className="flex flex-col gap-5 lg:order-1" aria-labelledby="form-title">
            <h2 id="form-title" className="sr-only">
              收件與付款資料
            </h2>
            <input type="hidden" name="checkoutToken" value={snapshot.checkoutToken} />
            <input type="hidden" name="items" value={snapshot.items} />
            <input type="hidden" name="expectedTotal" value={snapshot.expectedTotal} />
            <ShippingFields values={values} errors={errors} />

            {page.pickupChains.length > 0 ? (
              <DeliveryChoice chains={page.pickupChains} values={values} errors={errors} ticket={ticket} />
            ) : null}

            <PaymentChoice
              value={values.paymentMethod}
              error={errors.paymentMethod}
              totals={sameForAll ? null : { credit: totalOf("credit"), atm: totalOf("atm"), cod: totalOf("cod") }}
            />

            {page.einvoice ? <InvoiceChoice values={values} errors={errors} /> : null}

            <div className="rounded-xl border border-stone-200 bg-white p-4">
              <Field
                name="note"
                label="備註"
                multiline
                maxLength={500}
                defaultValue={values.note}
                error={errors.note}
              />
            </div>

            <button
              type="submit"
              data-busy-label="送出中…"
              className="rounded-lg bg-brand-700 px-4 py-3 text-lg font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2 aria-disabled:cursor-wait aria-disabled:opacity-70"
            >
              {result?.newTotal !== undefined
                ? `確認新金額並下單（${formatTwd(result.newTotal)}）`
                : total === null
                  ? "確認下單"
                  : `確認下單（${formatTwd(total)}）`}
            </button>
            <p className="text-sm text-stone-700">選擇信用卡或 ATM 轉帳時，下單後會前往綠界 ECPay 的付款頁面。</p>
          </Form>
        ) : null}
      </div>
    </>
  );
}

function NothingToOrder({ cart, recentOrderId }: { cart: PricedCart; recentOrderId: string | null }) {
  return (
    <>
      <h1 className="mb-6 text-2xl font-bold sm:text-3xl">結帳</h1>
      <div className="rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center">
        {cart.lines.length === 0 ? (
          <p className="text-stone-700">購物車是空的，沒有可以結帳的商品。</p>
        ) : (
          <p className="font-medium text-red-700">
            {cart.soldOut.length > 0
              ? "購物車裡有已售完的商品，請先到購物車移除後再結帳。"
              : "購物車裡有商品庫存不足，請先到購物車減少數量後再結帳。"}
          </p>
        )}
        <p className="mt-4 flex flex-wrap justify-center gap-4">
          {cart.lines.length === 0 ? (
            <Link to="/" className="font-medium text-brand-800 underline underline-offset-4">
              去逛逛商品
            </Link>
          ) : (
            <Link to="/cart" className="font-medium text-brand-800 underline underline-offset-4">
              回到購物車
            </Link>
          )}
          {recentOrderId ? (
            <Link to={`/orders/${recentOrderId}`} className="font-medium text-brand-800 underline underline-offset-4">
              查看最近的訂單 {recentOrderId}
            </Link>
          ) : null}
        </p>
      </div>
    </>
  );
}

/** What came back from a submit that did not leave the page: the reason, the fields to fix, the way back. */
function RetryAlert({ result, errors }: { result: RetryResult; errors: CheckoutErrors }) {
  const errorEntries = Object.entries(errors) as [CheckoutField, string][];
  // A submit that came back with something to fix is a new page: focus starts on the explanation (screen readers
  // read it), with the browser's own autofocus, no script needed.
  return (
    <div
      // biome-ignore lint/a11y/noAutofocus: moving focus to what went wrong is the point of this element.
      autoFocus
      tabIndex={-1}
      role="alert"
      className="mb-6 rounded-lg border border-red-700 bg-red-50 p-4 text-red-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-700"
    >
      <p className="font-semibold">{result.message}</p>
      {result.newTotal !== undefined ? (
        <p className="mt-2">
          新的總金額：<strong className="text-lg">{formatTwd(result.newTotal)}</strong>
        </p>
      ) : null}
      {errorEntries.length > 0 ? (
        <ul className="mt-2 list-inside list-disc">
          {errorEntries.map(([field, message]) => (
            <li key={field}>
              <a href={`#${fieldId(field)}`} className="underline underline-offset-2">
                {FIELD_LABELS[field]}：{message}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {result.backToCart ? (
        <p className="mt-2">
          <Link to="/cart" className="font-semibold underline underline-offset-2">
            回到購物車
          </Link>
        </p>
      ) : null}
    </div>
  );
}

function OrderSummary({ cart, totals }: { cart: PricedCart; totals: Totals }) {
  return (
    <section
      aria-labelledby="summary-title"
      className="h-fit rounded-xl border border-stone-200 bg-white p-4 lg:order-2"
    >
      <h2 id="summary-title" className="text-lg font-semibold">
        訂購明細
      </h2>
      <ul className="mt-3 divide-y divide-stone-200">
        {cart.lines
          .filter((line) => line.available)
          .map((line) => (
            <li key={line.productId} className="flex justify-between gap-4 py-2">
              <span>
                {line.name} × {line.quantity}
              </span>
              <span className="font-medium">{formatTwd(line.lineTotal)}</span>
            </li>
          ))}
      </ul>
      <div className="mt-3 border-t border-stone-300 pt-2">
        <ChargeRows subtotal={cart.subtotal} charges={cart.charges} />
      </div>
      <p className="mt-3 flex items-baseline justify-between border-t border-stone-300 pt-3">
        <span className="font-semibold">總金額</span>
        <span className="text-2xl font-bold text-brand-800" data-total="">
          {formatTwd(totals.credit)}
        </span>
      </p>
      {totals["cvs-credit"] !== undefined && totals["cvs-credit"] !== totals.credit ? (
        <p className="mt-1 text-right text-sm text-stone-700" data-total-pickup="">
          選擇超商取貨：{formatTwd(totals["cvs-credit"])}
        </p>
      ) : null}
      {totals.cod !== totals.credit ? (
        <p className="mt-1 text-right text-sm text-stone-700" data-total-cod="">
          選擇貨到付款：{formatTwd(totals.cod)}（含手續費 {formatTwd(totals.cod - totals.credit)}）
        </p>
      ) : null}
      <ChargeNotes charges={{ ...cart.charges, codSurcharge: 0 }} />
      <p className="mt-2 text-sm">
        <Link to="/cart" className="text-brand-800 underline underline-offset-2">
          修改購物車
        </Link>
      </p>
    </section>
  );
}

function ShippingFields({ values, errors }: { values: CheckoutValues; errors: CheckoutErrors }) {
  return (
    <fieldset className="flex flex-col gap-4 rounded-xl border border-stone-200 bg-white p-4">
      <legend className="px-1 text-lg font-semibold">收件資料</legend>
      <Field
        name="name"
        label="收件人姓名"
        required
        autoComplete="name"
        maxLength={50}
        defaultValue={values.name}
        error={errors.name}
      />
      <Field
        name="phone"
        label="手機號碼"
        required
        type="tel"
        inputMode="tel"
        autoComplete="tel-national"
        hint="例：0912345678。查詢訂單時需要。"
        maxLength={20}
        defaultValue={values.phone}
        error={errors.phone}
      />
      <Field
        name="email"
        label="Email"
        required
        type="email"
        autoComplete="email"
        hint="訂單確認信會寄到這裡。"
        maxLength={254}
        defaultValue={values.email}
        error={errors.email}
      />
      <div className="grid gap-4 sm:grid-cols-[8rem_1fr]">
        <Field
          name="postalCode"
          label="郵遞區號"
          required
          inputMode="numeric"
          autoComplete="postal-code"
          maxLength={6}
          defaultValue={values.postalCode}
          error={errors.postalCode}
        />
        <Field
          name="address"
          label="收件地址"
          required
          autoComplete="street-address"
          maxLength={190}
          defaultValue={values.address}
          error={errors.address}
        />
      </div>
    </fieldset>
  );
}

/**
 * One choice of a radio group (payment, delivery, invoice carrier) as a bordered card that shows when it is chosen;
 * its hint, when it has one, is tied to the radio with aria-describedby.
 */
function RadioCard({
  name,
  value,
  label,
  checked,
  hintId,
  hint,
}: {
  name: CheckoutField;
  value: string;
  label: string;
  checked: boolean;
  hintId?: string;
  hint?: ReactNode;
}) {
  return (
    <label className="flex cursor-pointer gap-3 rounded-lg border border-stone-300 p-3 has-[:checked]:border-brand-700 has-[:checked]:bg-brand-50">
      <input
        type="radio"
        name={name}
        value={value}
        defaultChecked={checked}
        aria-describedby={hint === undefined ? undefined : hintId}
        className="mt-1 h-4 w-4 accent-brand-700"
      />
      {hint === undefined ? (
        <span className="font-medium">{label}</span>
      ) : (
        <span>
          <span className="block font-medium">{label}</span>
          <span id={hintId} className="block text-sm text-stone-700">
            {hint}
          </span>
        </span>
      )}
    </label>
  );
}

function PaymentChoice({ value, error, totals }: { value?: string; error?: string; totals: Totals | null }) {
  return (
    <fieldset
      className="rounded-xl border border-stone-200 bg-white p-4"
      aria-describedby={error ? "payment-error" : undefined}
    >
      <legend className="px-1 text-lg font-semibold">付款方式</legend>
      {error ? (
        <p id="payment-error" className="mb-2 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
      <div className="flex flex-col gap-2" id={fieldId("paymentMethod")} tabIndex={-1}>
        {PAYMENT_OPTIONS.map((option) => (
          <RadioCard
            key={option.value}
            name="paymentMethod"
            value={option.value}
            label={option.label}
            checked={value === option.value}
            hintId={`pay-${option.value}-hint`}
            hint={
              <>
                {option.hint}
                {totals ? `合計 ${formatTwd(totals[option.value])}。` : null}
              </>
            }
          />
        ))}
      </div>
    </fieldset>
  );
}

/**
 * Home delivery or pickup at a convenience store (ADR 0027). "選擇門市" posts the whole form to /checkout/store-map,
 * which keeps it and hands the browser to ECPay's store map; the map's answer comes back here as a signed ticket.
 */
function DeliveryChoice({
  chains,
  values,
  errors,
  ticket,
}: {
  chains: string[];
  values: CheckoutValues;
  errors: CheckoutErrors;
  ticket?: string;
}) {
  const store = storeOfTicket(ticket);
  const cvs = values.deliveryMethod === "cvs" || store !== null;
  return (
    <fieldset
      className="flex flex-col gap-3 rounded-xl border border-stone-200 bg-white p-4"
      id={fieldId("deliveryMethod")}
    >
      <legend className="px-1 text-lg font-semibold">取貨方式</legend>
      {(["home", "cvs"] as const).map((method) => (
        <RadioCard
          key={method}
          name="deliveryMethod"
          value={method}
          label={method === "home" ? "宅配到府" : "超商取貨（可取貨付款）"}
          checked={method === "cvs" ? cvs : !cvs}
        />
      ))}
      <div className="flex flex-col gap-2 rounded-lg border border-stone-200 p-3">
        <label htmlFor={fieldId("chain")} className="font-medium">
          取貨超商
        </label>
        <select
          id={fieldId("chain")}
          name="chain"
          defaultValue={store?.chain ?? values.chain ?? chains[0]}
          className="rounded-md border border-stone-400 p-2"
        >
          {chains.map((chain) => (
            <option key={chain} value={chain}>
              {chainName(chain)}
            </option>
          ))}
        </select>
        {store ? (
          <p data-pickup-store={store.id} className="text-stone-900">
            取貨門市：
            <strong>
              {chainName(store.chain)} {store.name}
            </strong>
            （店號 {store.id}）
            <br />
            {store.address}
          </p>
        ) : (
          <p className="text-sm text-stone-700">
            選擇超商取貨時，請按「選擇門市」到綠界的門市地圖選擇門市。取件人姓名須與證件相同。
          </p>
        )}
        {errors.storeTicket ? (
          <p id={fieldId("storeTicket")} className="text-sm font-medium text-red-700">
            {errors.storeTicket}
          </p>
        ) : null}
        {ticket ? <input type="hidden" name="storeTicket" value={ticket} /> : null}
        <button
          type="submit"
          formAction="/checkout/store-map"
          formNoValidate
          className="self-start rounded-lg border border-brand-700 px-4 py-2 font-semibold text-brand-800 hover:bg-brand-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600"
        >
          {store ? "更換門市" : "選擇門市"}
        </button>
      </div>
    </fieldset>
  );
}

/** Where the e-invoice goes; the formats are checked by the order API (the tax ID by its checksum). */
function InvoiceChoice({ values, errors }: { values: CheckoutValues; errors: CheckoutErrors }) {
  const chosen = values.invoiceCarrier ?? "member";
  return (
    <fieldset
      className="flex flex-col gap-3 rounded-xl border border-stone-200 bg-white p-4"
      id={fieldId("invoiceCarrier")}
    >
      <legend className="px-1 text-lg font-semibold">電子發票</legend>
      {INVOICE_OPTIONS.map((option) => (
        <RadioCard
          key={option.value}
          name="invoiceCarrier"
          value={option.value}
          label={option.label}
          checked={chosen === option.value}
          hintId={`invoice-${option.value}-hint`}
          hint={option.hint}
        />
      ))}
      <Field
        name="invoiceCode"
        label="載具條碼、捐贈碼或統一編號"
        hint="選擇會員載具時不用填。"
        maxLength={60}
        defaultValue={values.invoiceCode}
        error={errors.invoiceCode}
      />
      <Field
        name="companyName"
        label="公司名稱（統一編號發票）"
        maxLength={60}
        defaultValue={values.companyName}
        error={errors.companyName}
      />
    </fieldset>
  );
}
