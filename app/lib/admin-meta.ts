/** Titles, robots and response headers shared by every admin route (browser-safe: no server imports). */
import type { HeadersFunction, MetaDescriptor } from "@remix-run/cloudflare";
import { SHOP_NAME } from "./shop";

export const ADMIN_NAME = "店主後台";

export function adminMeta(title: string): MetaDescriptor[] {
  return [{ title: `${title}｜${ADMIN_NAME}｜${SHOP_NAME}` }, { name: "robots", content: "noindex, nofollow" }];
}

/**
 * Every admin document and data response: never stored anywhere, never indexed. Retry-After from a 429 or 503
 * passes through; Set-Cookie from loaders and actions is added by Remix itself.
 */
export const adminRouteHeaders: HeadersFunction = ({ loaderHeaders, actionHeaders, errorHeaders }) => {
  const headers = new Headers({ "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow" });
  const retryAfter =
    errorHeaders?.get("Retry-After") ?? actionHeaders.get("Retry-After") ?? loaderHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};
