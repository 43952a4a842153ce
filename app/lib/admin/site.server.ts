/**
 * Page-level BFF functions for the owner's site settings: open or closed, the closed message, the announcement, and
 * the home-delivery fees (flat fee, free-shipping threshold, pay-on-arrival surcharge; ADR 0017 keeps them in
 * site.json). Written on condition that the revision the page showed still holds, like the catalog
 * (products.server.ts); after a write the edge copy of site.json in this data centre is purged.
 */
import { z } from "zod";
import { type DeliveryFeeRule, deliveryFeeRuleSchema, type SiteStatus } from "../../../aws/src/contract";
import { getSite, putSite } from "../../../worker/admin/admin-api.server";
import { purgeContent } from "../../../worker/content.server";
import type { BffContext } from "../../../worker/context";
import type { FormFailure, FormValues } from "../forms";
import { formatTwd } from "../format";
import { blank, formErrors, twdText } from "../forms.server";
import { ownerAction, ownerPage } from "./auth.server";

/** The fee fields of the form and the rule's parts they set (the API names them `shipping.home.<part>`). */
const FEE_FIELDS = {
  shippingFee: "fee",
  freeShippingThreshold: "freeShippingThreshold",
  codSurcharge: "codSurcharge",
} as const satisfies Record<string, keyof DeliveryFeeRule>;
type FeeField = keyof typeof FEE_FIELDS;

/** The site form's fields the API may name (a fee by its part of the rule, see `siteErrors`). */
const SITE_FIELDS = ["open", "closedMessage", "announcement"];

/** An optional amount: blank is "not set"; the contract's rule gives the bounds and their messages. */
const feeAmount = (part: keyof DeliveryFeeRule, label: string) =>
  z.preprocess(
    blank,
    twdText(`${label}請填整數金額（新台幣元），不收請留空`).pipe(deliveryFeeRuleSchema.shape[part].unwrap()).optional(),
  );

/** The site form's hidden `revision` for "site.json does not exist yet" (the API's null). */
export const NO_REVISION = "new";

export const siteFormSchema = z.object({
  open: z.enum(["open", "closed"], { error: "請選擇營業狀態" }),
  closedMessage: z.string().trim().max(500, "暫停營業訊息最多 500 字").default(""),
  announcement: z.string().trim().max(500, "公告最多 500 字").default(""),
  shippingFee: feeAmount("fee", "運費"),
  freeShippingThreshold: feeAmount("freeShippingThreshold", "免運門檻"),
  codSurcharge: feeAmount("codSurcharge", "貨到付款手續費"),
  /** The revision the page showed; absent when the page could not load the status (then saving overwrites). */
  revision: z.preprocess(blank, z.string().max(200).optional()),
});

interface SitePageData {
  site: SiteStatus | null;
  /** For the form's hidden field. */
  revision?: string;
  loadError?: string;
}

async function loadSite(bff: BffContext): Promise<SitePageData> {
  const result = await getSite(bff);
  if (!result.ok) return { site: null, loadError: result.message };
  const { revision, ...site } = result.data;
  return { site, revision: revision ?? NO_REVISION };
}

type SaveSiteResult = { ok: true; message: string; values: FormValues } | FormFailure;

export async function saveSite(
  bff: BffContext,
  form: z.output<typeof siteFormSchema>,
  values: FormValues,
): Promise<SaveSiteResult> {
  const rule = feeRuleOf(form);
  const site: SiteStatus = {
    open: form.open === "open",
    ...(form.closedMessage ? { closedMessage: form.closedMessage } : {}),
    ...(form.announcement ? { announcement: form.announcement } : {}),
    // Always sent: blank fields clear the fees (`shipping: {}`), which the API treats as "none".
    shipping: Object.keys(rule).length > 0 ? { home: rule } : {},
  };
  let revision: string | null;
  if (form.revision === undefined) {
    // The page had nothing to show (it said so, and that saving overwrites): base the write on what is stored now.
    const current = await getSite(bff);
    if (!current.ok) return { ok: false, values, errors: {}, formError: current.message };
    revision = current.data.revision;
  } else {
    revision = form.revision === NO_REVISION ? null : form.revision;
  }
  const saved = await putSite(bff, { ...site, revision });
  if (!saved.ok) {
    if (saved.kind === "conflict") return staleSite(bff, values);
    return { ok: false, values, errors: siteErrors(saved.fields), formError: saved.message };
  }
  await purgeContent(bff, "site.json");
  return {
    ok: true,
    values: { ...values, revision: saved.data.revision ?? NO_REVISION },
    message: site.open
      ? `已儲存：商店營業中，${describeFees(site)}。前台幾秒內就會更新。`
      : `已儲存：商店暫停營業，${describeFees(site)}。前台幾秒內就會顯示暫停營業訊息。`,
  };
}

/** The fee parts of the form, without the blank ones. */
function feeRuleOf(form: Partial<Record<FeeField, number>>): DeliveryFeeRule {
  const rule: DeliveryFeeRule = {};
  for (const [field, part] of Object.entries(FEE_FIELDS) as [FeeField, keyof DeliveryFeeRule][]) {
    const amount = form[field];
    if (amount !== undefined) rule[part] = amount;
  }
  return rule;
}

/** The API's field messages on the form: `shipping.home.fee` is the `shippingFee` field. */
function siteErrors(fields: Record<string, string> | undefined) {
  const errors = formErrors(fields, SITE_FIELDS);
  for (const [path, message] of Object.entries(fields ?? {})) {
    const part = path.startsWith("shipping.") ? path.split(".").at(-1) : undefined;
    const field = (Object.keys(FEE_FIELDS) as FeeField[]).find((name) => FEE_FIELDS[name] === part);
    if (field) errors[field] ??= message;
  }
  return errors;
}

/** The stored fees in words, for the conflict message: "運費 NT$100、滿 NT$1,000 免運". */
export function describeFees(site: Pick<SiteStatus, "shipping">): string {
  const rule = site.shipping?.home ?? {};
  const parts = [
    rule.fee ? `運費 ${formatTwd(rule.fee)}` : "免運費",
    rule.fee && rule.freeShippingThreshold !== undefined ? `滿 ${formatTwd(rule.freeShippingThreshold)} 免運` : null,
    rule.codSurcharge ? `貨到付款手續費 ${formatTwd(rule.codSurcharge)}` : null,
  ];
  return parts.filter(Boolean).join("、");
}

/** Someone saved the site settings after this page was shown: say what is stored, keep what was typed. */
async function staleSite(bff: BffContext, values: FormValues): Promise<FormFailure> {
  const current = await getSite(bff);
  if (!current.ok) return { ok: false, values, errors: {}, formError: current.message };
  return {
    ok: false,
    values: { ...values, revision: current.data.revision ?? NO_REVISION },
    errors: {},
    formError:
      `商店設定在您開啟此頁之後已被修改（可能是另一個分頁），目前是「${current.data.open ? "營業中" : "暫停營業"}」，` +
      `${describeFees(current.data)}。` +
      "您輸入的內容保留在下方；確認無誤後再按一次「儲存」就會以您的內容為準。",
  };
}

// ---------------------------------------------------------------------------------------------
// The route's page functions

export function loadSitePage(bff: BffContext, request: Request) {
  return ownerPage(bff, request, () => loadSite(bff));
}

export function submitSite(bff: BffContext, request: Request) {
  return ownerAction(bff, request, siteFormSchema, (form) => saveSite(bff, form.data, form.values));
}
