import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { sitemapResponse } from "../lib/catalog.server";

export const loader = ({ context }: LoaderFunctionArgs) => sitemapResponse(context.cloudflare);
