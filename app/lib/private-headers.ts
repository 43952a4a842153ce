/**
 * The cache policy of private responses, in one place. Browser-safe (route modules export `privateRouteHeaders`).
 *   - `shopper`: pages with a shopper's personal data (orders): never stored by any cache, the browser's included;
 *   - `owner`: everything under /admin: never stored anywhere, never indexed.
 */
import type { HeadersFunction } from "@remix-run/cloudflare";

const POLICIES = {
  shopper: { "Cache-Control": "private, no-store" },
  owner: { "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow" },
} as const satisfies Record<string, Record<string, string>>;

type PrivateAudience = keyof typeof POLICIES;

/** The audience's headers, over any `extra` ones (which may add, e.g. Retry-After or Set-Cookie, but not loosen). */
export function privateHeaders(audience: PrivateAudience, extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  for (const [name, value] of Object.entries(POLICIES[audience])) headers.set(name, value);
  return headers;
}

/**
 * A route's `headers` export for the audience. Retry-After from a 429 or 503 (thrown or returned) passes through:
 * without a `headers` export Remix keeps only the parent's headers. Set-Cookie from loaders and actions is added by
 * Remix itself.
 */
export function privateRouteHeaders(audience: PrivateAudience): HeadersFunction {
  return ({ loaderHeaders, actionHeaders, errorHeaders }) => {
    const headers = privateHeaders(audience);
    const retryAfter =
      errorHeaders?.get("Retry-After") ?? actionHeaders.get("Retry-After") ?? loaderHeaders.get("Retry-After");
    if (retryAfter) headers.set("Retry-After", retryAfter);
    return headers;
  };
}
