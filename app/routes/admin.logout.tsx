/** Logout is an action (POST); a GET just goes back to the admin. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { logOut, ownerRedirect, requireOwner } from "../lib/admin-auth.server";

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare, { resource: true });
  return ownerRedirect(owner, "/admin");
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare);
  return logOut(request, context.cloudflare, owner);
};
