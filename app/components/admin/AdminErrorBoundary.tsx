/**
 * What an admin page shows when its loader or action refused or failed: the refusal's own message (401 with a
 * link to log in again, 403 cross-site or Cloudflare Access, 404, 503 admin disabled or API down).
 */
import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { AdminNav } from "./AdminNav";

interface RefusalData {
  message?: string;
  loginHref?: string;
}

/** `inAdmin`: rendered in place of the admin layout, which shows its navigation again for errors past the login. */
export function AdminErrorBoundary({ inAdmin = false }: { inAdmin?: boolean }) {
  const error = useRouteError();
  let signedIn = false;
  let title = "發生錯誤";
  let message = "後台發生問題，請稍後再試。";
  let loginHref: string | undefined;
  if (isRouteErrorResponse(error)) {
    const data = (typeof error.data === "object" && error.data !== null ? error.data : {}) as RefusalData;
    title =
      error.status === 401
        ? "需要重新登入"
        : error.status === 403
          ? "已拒絕這個請求"
          : error.status === 404
            ? "找不到資料"
            : error.status === 503
              ? "後台暫時無法使用"
              : title;
    message = data.message ?? message;
    loginHref = error.status === 401 ? (data.loginHref ?? "/admin/login") : undefined;
    signedIn = error.status === 404;
  }
  return (
    <div className="flex flex-col gap-6">
      {inAdmin && signedIn ? <AdminNav /> : null}
      <section aria-labelledby="admin-error-title" className="mx-auto max-w-xl py-10">
        <h1 id="admin-error-title" className="text-2xl font-bold text-stone-900">
          {title}
        </h1>
        <p className="mt-4 text-stone-800">{message}</p>
        <p className="mt-6 flex gap-4">
          {loginHref ? (
            <Link to={loginHref} reloadDocument className="font-medium text-brand-800 underline underline-offset-4">
              前往登入頁
            </Link>
          ) : (
            <Link to="/admin" reloadDocument className="font-medium text-brand-800 underline underline-offset-4">
              回到後台首頁
            </Link>
          )}
        </p>
      </section>
    </div>
  );
}
