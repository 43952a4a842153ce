/** CSV of every order the list's filters match (all pages), UTF-8 with BOM. A resource route: 401 when not signed in. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { downloadOrdersCsv, refuseCsvPost } from "../lib/admin/orders.server";

export const loader = ({ request, context }: LoaderFunctionArgs) => downloadOrdersCsv(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => refuseCsvPost(context.cloudflare, request);
