/**
 * Product images, proxied from the private bucket so the browser never talks to AWS. Keys are
 * content-addressed, hence cached for a year at the edge and in browsers.
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { productImage } from "../lib/catalog.server";

export const loader = ({ params, context }: LoaderFunctionArgs) => productImage(context.cloudflare, params["*"]);
