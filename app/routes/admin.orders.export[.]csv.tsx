/** CSV of every order the list's filters match (all pages), UTF-8 with BOM. A resource route: 401 when not signed in. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { adminHeaders, requireOwner } from "../lib/admin-auth.server";
import { exportOrdersCsv, ordersFilterSchema, ordersQueryInput } from "../lib/admin-orders.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare, { resource: true });
  const filter = ordersFilterSchema.safeParse(ordersQueryInput(new URL(request.url).searchParams).filter);
  return exportOrdersCsv(context.cloudflare, filter, owner.headers);
};

/** Only GET exists; a POST still goes through the guard first, so it never answers before the session is checked. */
export const action = async ({ request, context }: ActionFunctionArgs) => {
  await requireOwner(request, context.cloudflare, { resource: true });
  return new Response("Method Not Allowed", { status: 405, headers: adminHeaders({ Allow: "GET" }) });
};
