/**
 * ECPay's OrderResultURL (and anyone reloading it): a 303 to the order page, where the status comes from the API.
 * A resource route on purpose: it renders nothing and needs no site status.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { returnFromGateway } from "../lib/orders.server";

export const action = ({ params }: ActionFunctionArgs) => returnFromGateway(params.id);
export const loader = ({ params }: LoaderFunctionArgs) => returnFromGateway(params.id);
