import type { HeadersFunction } from "@remix-run/cloudflare";

/**
 * For pages with a shopper's personal data (orders): never stored by any cache, and a throttled lookup's
 * Retry-After reaches the browser (without a `headers` export Remix keeps only the parent's headers).
 */
export const privatePageHeaders: HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  const retryAfter = actionHeaders.get("Retry-After") ?? loaderHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};
