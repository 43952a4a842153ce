/**
 * Smoke test of the whole chain: edge config, SigV4 signing with the storefront principal, the order API.
 * 200 when the API answered the signed ping, 503 otherwise.
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { healthResponse } from "../lib/shell.server";

export const loader = ({ context }: LoaderFunctionArgs) => healthResponse(context.cloudflare);
