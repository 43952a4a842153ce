/**
 * Site settings: open or closed, the closed message, the announcement banner, and the home-delivery fees; the
 * storefront follows within seconds.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FEE_LIMITS } from "../../aws/src/contract/values";
import { buttonClass, FormMessage } from "../components/admin/fields";
import { Field } from "../components/Field";
import { adminMeta } from "../lib/admin/meta";
import { loadSitePage, submitSite } from "../lib/admin/site.server";
import { fieldValue } from "../lib/forms";
import { privateRouteHeaders } from "../lib/private-headers";
import { DEFAULT_CLOSED_MESSAGE } from "../lib/shop";

export const meta: MetaFunction = () => adminMeta("商店設定");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadSitePage(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitSite(context.cloudflare, request);

/** The home-delivery fees, each a whole number of TWD (left empty: not charged). */
const FEE_FIELDS = [
  {
    name: "shippingFee",
    label: "運費",
    hint: `每筆訂單收取的宅配運費，最多 NT$${FEE_LIMITS.fee.toLocaleString("en-US")}。`,
  },
  {
    name: "freeShippingThreshold",
    label: "免運門檻",
    hint: "商品金額達到這個數字（含）就免運費；購物車會提示「再買 NT$… 即可免運」。",
  },
  {
    name: "codSurcharge",
    label: "貨到付款手續費",
    hint: `選擇貨到付款時另加（免運也照收），最多 NT$${FEE_LIMITS.codSurcharge.toLocaleString("en-US")}。`,
  },
] as const;

export default function SitePage() {
  const { site, revision: loadedRevision, loadError } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const values = result?.values;
  const errors = result && !result.ok ? result.errors : {};
  // The version this form edits: after a save or a conflict the action's answer names it, else the loader's.
  const revision = (values ? fieldValue(values, "revision") : undefined) ?? loadedRevision;
  const open = values ? fieldValue(values, "open") : site ? (site.open ? "open" : "closed") : undefined;
  const text = (name: "closedMessage" | "announcement") =>
    values ? (fieldValue(values, name) ?? "") : (site?.[name] ?? "");
  const rule = site?.shipping?.home;
  const stored = {
    shippingFee: rule?.fee,
    freeShippingThreshold: rule?.freeShippingThreshold,
    codSurcharge: rule?.codSurcharge,
  };
  const fee = (name: keyof typeof stored) =>
    values ? (fieldValue(values, name) ?? "") : stored[name] === undefined ? "" : String(stored[name]);
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <h1 className="text-2xl font-bold">商店設定</h1>
      {loadError ? <FormMessage error={`${loadError}（目前無法讀取設定，儲存會覆蓋現有設定。）`} /> : null}
      {result ? (
        <FormMessage
          success={result.ok ? result.message : undefined}
          error={result.ok ? undefined : (result.formError ?? "請修正標示的欄位後再儲存。")}
        />
      ) : null}
      {/* Keyed on the saved values so a successful save shows what is now live. */}
      <Form method="post" className="flex flex-col gap-5" key={result?.ok ? JSON.stringify(values) : "form"}>
        {revision ? <input type="hidden" name="revision" value={revision} /> : null}
        <fieldset aria-describedby={errors.open ? "site-open-error" : undefined}>
          <legend className="font-medium text-stone-900">營業狀態</legend>
          <div className="mt-2 flex flex-col gap-2">
            <label className="flex items-center gap-2">
              <input type="radio" name="open" value="open" defaultChecked={open === "open"} className="h-4 w-4" />
              營業中
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="open" value="closed" defaultChecked={open === "closed"} className="h-4 w-4" />
              暫停營業（顧客會看到下方的訊息、無法下單；後台照常可用）
            </label>
          </div>
          {errors.open ? (
            <p id="site-open-error" className="mt-1 text-sm font-medium text-red-700">
              {errors.open}
            </p>
          ) : null}
        </fieldset>
        <Field
          name="closedMessage"
          label="暫停營業訊息"
          multiline
          hint={`暫停營業時顯示給顧客；留空則顯示「${DEFAULT_CLOSED_MESSAGE}」`}
          defaultValue={text("closedMessage")}
          error={errors.closedMessage}
          maxLength={500}
        />
        <Field
          name="announcement"
          label="公告橫幅"
          multiline
          hint="顯示在每一頁最上方；留空則不顯示。"
          defaultValue={text("announcement")}
          error={errors.announcement}
          maxLength={500}
        />
        <fieldset className="flex flex-col gap-4 rounded-lg border border-stone-300 bg-white p-4">
          <legend className="px-1 font-medium text-stone-900">運費（宅配）</legend>
          <p className="text-sm text-stone-700">
            金額為新台幣整數元；不收的項目請留空。顧客在購物車與結帳頁就會看到運費，訂單上另列一行。
          </p>
          {FEE_FIELDS.map((field) => (
            <Field
              key={field.name}
              name={field.name}
              label={field.label}
              inputMode="numeric"
              hint={field.hint}
              defaultValue={fee(field.name)}
              error={errors[field.name]}
              maxLength={12}
            />
          ))}
        </fieldset>
        <div>
          <button type="submit" className={buttonClass.primary} disabled={busy}>
            {busy ? "儲存中…" : "儲存"}
          </button>
        </div>
      </Form>
    </div>
  );
}
