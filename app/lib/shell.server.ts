/**
 * The storefront's shell: the root loader (site status, announcement, cart count), the one place a closed shop
 * answers 503, and /healthz. Each feature's pages live in catalog, cart, checkout and orders.server.ts; the answers
 * they share in answers.server.ts.
 */
import { getSiteStatus } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import { readCart } from "../../worker/cookies.server";
import { ping } from "../../worker/order-api.server";
import { routeKindOf } from "../../worker/origin";
import { closedResponse, orUnavailable } from "./answers.server";
import { cartItemCount } from "./cart.server";

interface ShellData {
  announcement: string | null;
  /** Canonical origin for links and meta (SITE_URL). */
  siteUrl: string;
  /** Items in the cart cookie, for the header's cart link. */
  cartCount: number;
}

/** For the root loader: the site status every page needs, and the one place a closed shop answers 503. */
export async function loadShell(bff: BffContext, request: Request): Promise<ShellData> {
  const url = new URL(request.url);
  const site = await orUnavailable(getSiteStatus(bff));
  // The admin stays reachable while the shop is closed: the owner needs it to reopen. Resource routes (/images,
  // /healthz) never run the root loader.
  if (!site.open && routeKindOf(url.pathname) !== "owner") throw closedResponse(site.closedMessage);
  const cart = await readCart(bff.env, request);
  return { announcement: site.announcement || null, siteUrl: bff.env.SITE_URL, cartCount: cartItemCount(cart) };
}

/**
 * /healthz: smoke test of the whole chain (edge config, SigV4 signing with the storefront principal, the order
 * API). 200 when the API answered the signed ping, 503 otherwise.
 */
export async function healthResponse(bff: BffContext): Promise<Response> {
  const api = await ping(bff);
  return Response.json({ ok: api.ok, api }, { status: api.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
