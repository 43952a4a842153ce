/**
 * Where a state-changing request comes from, judged once for the whole edge: the Pages entry
 * (functions/[[path]].ts) asks before Remix runs, and page functions ask again (so `vite dev`, which has no Pages
 * entry, and direct calls in tests behave the same). SameSite=Lax cookies already keep cross-site posts from
 * carrying the shopper's cart or the owner's session; this is defence in depth, with one answer for a refusal.
 *
 * Browsers say where a request comes from in `Sec-Fetch-Site` (all current browsers) and `Origin` (every POST).
 * Rules, for anything but GET and HEAD:
 *   - every kind: an `Origin` whose host is not the request's host (X-Forwarded-Host, else Host) is refused. Remix
 *     itself refuses such posts by throwing, which would reach the shopper or owner as a bare 500.
 *   - `shop` (shopper forms): `Sec-Fetch-Site` cross-site or same-site is refused, and so is an `Origin` other than
 *     the request's own; a client that sends neither header (curl, old browsers) is let through, because the
 *     cookies, not these headers, are what protect the shopper.
 *   - `owner` (everything under /admin): at least one of the two headers must be present, `Sec-Fetch-Site` must be
 *     same-origin and `Origin` the request's own origin (scheme included). Same-origin means the origin the request
 *     was made to, so preview deployments on other hostnames work as well.
 *   - `gateway-return`: ECPay's OrderResultURL return (`/orders/{id}/return`) and ECPay's store map reply
 *     (`/checkout/store`, ADR 0027) are the cross-site POSTs we accept; the first reads nothing that was posted, the
 *     second treats what was posted as untrusted input keyed to a checkout (app/lib/pickup.server.ts).
 */

type RouteKind = "shop" | "owner" | "gateway-return";

type OriginCheck = { ok: true } | { ok: false; reason: string };

const GATEWAY_RETURN = /^\/(?:orders\/[^/]+\/return|checkout\/store)\/?$/;

/** The policy a path falls under. */
export function routeKindOf(pathname: string): RouteKind {
  if (pathname === "/admin" || pathname.startsWith("/admin/")) return "owner";
  if (GATEWAY_RETURN.test(pathname)) return "gateway-return";
  return "shop";
}

export function isMutation(request: Request): boolean {
  return request.method !== "GET" && request.method !== "HEAD";
}

export function checkOrigin(
  request: Request,
  kind: RouteKind = routeKindOf(new URL(request.url).pathname),
): OriginCheck {
  if (!isMutation(request) || kind === "gateway-return") return { ok: true };
  const url = new URL(request.url);
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  const origin = request.headers.get("Origin");

  if (origin !== null && origin !== "null") {
    // Remix compares with X-Forwarded-Host when present, else Host; so do we, so the two never disagree.
    const host =
      request.headers.get("X-Forwarded-Host")?.split(",")[0]?.trim() || request.headers.get("Host") || url.host;
    if (hostOf(origin) !== host) return { ok: false, reason: `Origin: ${origin}` };
  }
  if (kind === "owner") {
    if (fetchSite === null && origin === null) return { ok: false, reason: "no Origin or Sec-Fetch-Site header" };
    if (fetchSite !== null && fetchSite !== "same-origin") return { ok: false, reason: `Sec-Fetch-Site: ${fetchSite}` };
    if (origin !== null && origin !== url.origin) return { ok: false, reason: `Origin: ${origin}` };
    return { ok: true };
  }
  // "same-site" is another origin of ours or a sibling subdomain: not one of the storefront's pages either.
  if (fetchSite === "cross-site" || fetchSite === "same-site")
    return { ok: false, reason: `Sec-Fetch-Site: ${fetchSite}` };
  if (fetchSite === null && origin !== null && origin !== url.origin) return { ok: false, reason: `Origin: ${origin}` };
  return { ok: true };
}

const CROSS_SITE_MESSAGE =
  "已拒絕來自其他網站的送出。請回到本站頁面重新操作。Cross-site form submissions are not accepted.";

/** The one answer to a refused request: 403, `{ message }` (the error pages show it), never cached. */
export function crossSiteRefusal(check: Extract<OriginCheck, { ok: false }>, headers?: HeadersInit): Response {
  console.warn(JSON.stringify({ at: "origin", problem: "cross_site_refused", reason: check.reason }));
  const out = new Headers(headers);
  out.set("Cache-Control", "no-store");
  return Response.json({ message: CROSS_SITE_MESSAGE }, { status: 403, headers: out });
}

/** For the Pages entry: the refusal for a request its route kind does not accept, or null. */
export function refuseCrossSite(request: Request): Response | null {
  const check = checkOrigin(request);
  return check.ok ? null : crossSiteRefusal(check);
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return "";
  }
}

/**
 * The storefront origin to tell the order API, so ECPay sends the shopper back to the deployment they are on (each
 * branch preview has its own): the request's own origin when it is not the canonical SITE_URL, else undefined (the
 * API's default storefront). Taken from the request URL, never from a forwarded header a client could set; the
 * API accepts only origins on its allowlist anyway (AllowedOrigins, ADR 0013).
 */
export function storefrontOrigin(request: Request, siteUrl: string): string | undefined {
  const own = new URL(request.url).origin;
  return own === new URL(siteUrl).origin ? undefined : own;
}
