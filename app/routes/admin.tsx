/**
 * The admin's layout: every page under /admin (except the login page) renders inside it, behind requireOwner. It is
 * also the admin pages' only error boundary, so a refused action answers with its own status (401/403) rather than
 * with the layout loader's redirect.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AccessNotice } from "../components/admin/AccessNotice";
import { AdminNav } from "../components/admin/AdminNav";
import { ErrorPage } from "../components/ErrorPage";
import { loadAdminLayout } from "../lib/admin/auth.server";
import { adminMeta } from "../lib/admin/meta";
import type { PageHandle } from "../lib/page-scripts";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("總覽");
export const headers = privateRouteHeaders("owner");

/** The admin runs on the whole Remix runtime (client navigation, busy states); its pages inherit this. */
export const handle: PageHandle = { scripts: "hydrate" };

export const loader = ({ request, context }: LoaderFunctionArgs) => loadAdminLayout(context.cloudflare, request);

export default function AdminLayout() {
  const { accessNotice } = useLoaderData<typeof loader>();
  return (
    <div className="flex flex-col gap-6">
      <AccessNotice notice={accessNotice} />
      <AdminNav />
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage area="admin" navigation={<AdminNav />} />;
}
