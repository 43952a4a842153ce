/**
 * The admin's layout: every page under /admin (except the login page) renders inside it, behind requireOwner. It is
 * also the admin pages' only error boundary, so a refused action answers with its own status (401/403) rather than
 * with the layout loader's redirect.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Outlet } from "@remix-run/react";
import { AdminErrorBoundary } from "../components/admin/AdminErrorBoundary";
import { AdminNav } from "../components/admin/AdminNav";
import { ownerData, requireOwner } from "../lib/admin-auth.server";
import { adminMeta, adminRouteHeaders } from "../lib/admin-meta";

export const meta: MetaFunction = () => adminMeta("總覽");
export const headers = adminRouteHeaders;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare);
  return ownerData(owner, { signedIn: true });
};

export default function AdminLayout() {
  return (
    <div className="flex flex-col gap-6">
      <AdminNav />
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary inAdmin />;
}
