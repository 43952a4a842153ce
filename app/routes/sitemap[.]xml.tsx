import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { sitemapResponse } from "../lib/storefront.server";

export const loader = ({ context }: LoaderFunctionArgs) => sitemapResponse(context.cloudflare);
