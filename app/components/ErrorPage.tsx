/**
 * The one error boundary: what a page shows when its loader or action refused or failed. One table turns a status
 * into a title, for the shop and for the admin; a refusal's own `{ message }` (the cross-site check, the admin's
 * guard, a closed shop) is shown as it came, otherwise a generic one.
 *   - shop (root.tsx): 404, 503 closed by the owner or temporarily unavailable, anything else; a link home.
 *   - admin (admin.tsx, the login page): 401 with a link to log in again, 403 cross-site or Cloudflare Access, 404,
 *     503 admin disabled or API down; the admin's navigation again for errors past the login.
 */
import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
import { DEFAULT_CLOSED_MESSAGE, type ServiceUnavailableData } from "../lib/shop";

type Area = "shop" | "admin";

const TITLES: Partial<Record<number, Record<Area, string>>> = {
  401: { shop: "發生錯誤", admin: "需要重新登入" },
  403: { shop: "已拒絕這個請求", admin: "已拒絕這個請求" },
  404: { shop: "找不到這個頁面", admin: "找不到資料" },
  503: { shop: "暫時無法提供服務", admin: "後台暫時無法使用" },
};
const DEFAULT_TITLE = "發生錯誤";

/** When the answer carries no message of its own. */
const SHOP_MESSAGES: Partial<Record<number, string>> = {
  404: "網址可能有誤，或這個頁面已經移除。",
  503: "網站暫時無法提供服務，請稍後再試。造成不便，敬請見諒。",
};
const DEFAULT_MESSAGES: Record<Area, string> = {
  shop: "很抱歉，系統發生問題，請稍後再試。",
  admin: "後台發生問題，請稍後再試。",
};

type ErrorData = { message?: unknown; loginHref?: unknown; reason?: ServiceUnavailableData["reason"] };

interface ErrorCopy {
  title: string;
  message: string;
  status?: number;
  /** Admin 401: where to log in again. */
  loginHref?: string;
}

/** Title and message for an error; root.tsx's meta uses the title for the document too. */
export function errorCopy(error: unknown, area: Area): ErrorCopy {
  if (!isRouteErrorResponse(error)) return { title: DEFAULT_TITLE, message: DEFAULT_MESSAGES[area] };
  const { status } = error;
  const data = (typeof error.data === "object" && error.data !== null ? error.data : {}) as ErrorData;
  const own = typeof data.message === "string" && data.message ? data.message : undefined;
  if (status === 503 && data.reason === "closed") {
    return { title: "暫停營業", message: own ?? DEFAULT_CLOSED_MESSAGE, status };
  }
  return {
    title: TITLES[status]?.[area] ?? DEFAULT_TITLE,
    message: own ?? (area === "shop" ? SHOP_MESSAGES[status] : undefined) ?? DEFAULT_MESSAGES[area],
    status,
    ...(area === "admin" && status === 401
      ? { loginHref: typeof data.loginHref === "string" ? data.loginHref : "/admin/login" }
      : {}),
  };
}

/**
 * `navigation`: shown above the message when the visitor is evidently signed in (a 404 past the admin's guard);
 * the admin layout passes its navigation, so shopper pages never load the admin's code.
 */
export function ErrorPage({ area, navigation }: { area: Area; navigation?: ReactNode }) {
  const error = useRouteError();
  const { title, message, status, loginHref } = errorCopy(error, area);
  // Details help while developing; in production Remix already strips them before they reach the browser.
  const detail = import.meta.env.DEV && error instanceof Error ? error.stack : undefined;
  const home = area === "admin" ? { to: "/admin", label: "回到後台首頁" } : { to: "/", label: "回到首頁" };
  return (
    <div className="flex flex-col gap-6">
      {navigation && status === 404 ? navigation : null}
      <section aria-labelledby="error-title" className="mx-auto max-w-xl py-10 text-center">
        <h1 id="error-title" className="text-2xl font-bold text-stone-900">
          {title}
        </h1>
        <p className="mt-4 whitespace-pre-line text-stone-800">{message}</p>
        <p className="mt-8">
          <Link
            to={loginHref ?? home.to}
            reloadDocument
            className="font-medium text-brand-800 underline underline-offset-4 hover:text-brand-700"
          >
            {loginHref ? "前往登入頁" : home.label}
          </Link>
        </p>
        {detail ? (
          <pre className="mt-8 overflow-x-auto rounded bg-stone-100 p-4 text-left text-xs text-stone-700">{detail}</pre>
        ) : null}
      </section>
    </div>
  );
}
