/**
 * Smoke test of the whole chain: edge config, SigV4 signing with the storefront principal, the order API.
 * 200 when the API answered the signed ping, 503 otherwise.
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { ping } from "../../worker/order-api.server";

export const loader = async ({ context }: LoaderFunctionArgs) => {
  const api = await ping(context.cloudflare);
  return Response.json({ ok: api.ok, api }, { status: api.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
