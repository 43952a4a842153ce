/**
 * Page-level BFF functions for the owner's site status (open or closed, the closed message, the announcement).
 * Written on condition that the revision the page showed still holds, like the catalog (products.server.ts); after
 * a write the edge copy of site.json in this data centre is purged.
 */
import { z } from "zod";
import type { SiteStatus } from "../../../aws/src/contract";
import { getSite, putSite } from "../../../worker/admin/admin-api.server";
import { purgeContent } from "../../../worker/content.server";
import type { BffContext } from "../../../worker/context";
import type { FormFailure, FormValues } from "../forms";
import { blank, formErrors } from "../forms.server";
import { ownerAction, ownerPage } from "./auth.server";

/** The site form's fields the API may name. */
const SITE_FIELDS = ["open", "closedMessage", "announcement"];

/** The site form's hidden `revision` for "site.json does not exist yet" (the API's null). */
export const NO_REVISION = "new";

const siteFormSchema = z.object({
  open: z.enum(["open", "closed"], { error: "請選擇營業狀態" }),
  closedMessage: z.string().trim().max(500, "暫停營業訊息最多 500 字").default(""),
  announcement: z.string().trim().max(500, "公告最多 500 字").default(""),
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
  const site: SiteStatus = {
    open: form.open === "open",
    ...(form.closedMessage ? { closedMessage: form.closedMessage } : {}),
    ...(form.announcement ? { announcement: form.announcement } : {}),
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
    return { ok: false, values, errors: formErrors(saved.fields, SITE_FIELDS), formError: saved.message };
  }
  await purgeContent(bff, "site.json");
  return {
    ok: true,
    values: { ...values, revision: saved.data.revision ?? NO_REVISION },
    message: site.open
      ? "已儲存：商店營業中。前台幾秒內就會更新。"
      : "已儲存：商店暫停營業。前台幾秒內就會顯示暫停營業訊息。",
  };
}

/** Someone saved the site status after this page was shown: say what is stored, keep what was typed. */
async function staleSite(bff: BffContext, values: FormValues): Promise<FormFailure> {
  const current = await getSite(bff);
  if (!current.ok) return { ok: false, values, errors: {}, formError: current.message };
  return {
    ok: false,
    values: { ...values, revision: current.data.revision ?? NO_REVISION },
    errors: {},
    formError:
      `商店狀態在您開啟此頁之後已被修改（可能是另一個分頁），目前是「${current.data.open ? "營業中" : "暫停營業"}」。` +
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
