/**
 * Defence in depth against cross-site form posts (the SameSite=Lax cookies already keep them from carrying the
 * shopper's cart or orders): a state-changing POST must come from our own pages. Browsers send `Sec-Fetch-Site`
 * and `Origin` on every POST; requests without either (curl, old browsers) are let through, because the cookies,
 * not these headers, are what protect the shopper.
 *
 * The one route that must accept cross-site posts is ECPay's OrderResultURL return, which never uses this guard.
 */
import type { Env } from "./env";

export function isCrossSitePost(request: Request, env: Pick<Env, "SITE_URL">): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  // "same-site" is another origin of ours or a sibling subdomain: not one of the storefront's pages either.
  if (fetchSite) return fetchSite === "cross-site" || fetchSite === "same-site";
  const origin = request.headers.get("Origin");
  if (!origin) return false;
  return origin !== new URL(request.url).origin && origin !== new URL(env.SITE_URL).origin;
}
