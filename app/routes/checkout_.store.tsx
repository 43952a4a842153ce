import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { receiveStore } from "../lib/pickup.server";

/** ECPay's store map posts the chosen store here through the shopper's browser (ADR 0027); a GET goes to checkout. */
export const loader = () => redirect("/checkout", 303);
export const action = ({ request, context }: ActionFunctionArgs) => receiveStore(context.cloudflare, request);
