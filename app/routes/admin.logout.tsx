/** Logout is an action (POST); a GET just goes back to the admin. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { logoutPage, submitLogout } from "../lib/admin/auth.server";

export const loader = ({ request, context }: LoaderFunctionArgs) => logoutPage(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitLogout(context.cloudflare, request);
