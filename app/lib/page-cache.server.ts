/**
 * The catalog and product pages from the edge cache (Cache API), at about what a static file costs.
 *
 * Those pages run no JavaScript (app/lib/page-scripts.ts) and differ between shoppers in one thing only: the cart
 * count in the header (app/lib/cart-count.ts). So the page is rendered once, **for nobody** (the request without its
 * cookies: count 0), per revision of the content it is built from, and kept in the Cache API; each shopper's count is
 * written into the copy on the way out with HTMLRewriter, without rendering React again. No shopper's data can end
 * up in the shared copy, because the copy never sees a cookie.
 *
 * Freshness follows the content's own (worker/content.server.ts, ADR 0002): a copy is served as is until the first
 * of the content copies it was built from goes stale (fetched at + CACHE_TTL_SECONDS). Then the content is read as
 * every page reads it (stale copies refreshed in the background, cold ones from S3) and its revision compared:
 * unchanged, the same HTML is served and kept for another TTL (no render); changed, the page is rendered again.
 * The owner's edits through the admin purge the content and these pages together (purgeContent), so they show at
 * once, as before. A closed shop answers 503 from a fresh render (only 200 pages are kept).
 *
 * The copy's CSP allows no script at all: the same for every response, nothing per response (no nonce) to go stale.
 */
import { type ContentRevision, contentRevision, edgeCache } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import { readCart } from "../../worker/cookies.server";
import { stockRevision } from "../../worker/stock.server";
import { isCachedPagePath, pageCacheUrl } from "../../worker/edge-cache-keys";
import { cartItemCount } from "./cart.server";
import { CART_COUNT_ATTRIBUTE, CART_LINK_ATTRIBUTE, cartLinkLabel } from "./cart-count";

/** What the cached pages are built from, besides the stock counts (worker/stock.server.ts, ADR 0024). */
const PAGE_CONTENT = ["site.json", "catalog.json"] as const;

/** How the page was answered: `hit` (cached copy, fresh), `revalidated` (cached copy, content unchanged), `miss`. */
export const PAGE_CACHE_HEADER = "X-Page-Cache";
const REVISION_HEADER = "x-page-revision";
const FRESH_UNTIL_HEADER = "x-page-fresh-until";
/** How long the Cache API keeps a copy; whether it may be served is decided from the headers above. */
const KEEP_SECONDS = 24 * 60 * 60;
/** What browsers get: the page carries the shopper's cart count, so no shared cache may keep it. */
const BROWSER_CACHE_CONTROL = "private, no-cache";

export type RenderPage = (request: Request) => Response | Promise<Response>;

/** A request for one of the cached pages: GET, no query string, the catalog or a product page. */
export function isCachedPageRequest(request: Request): boolean {
  if (request.method !== "GET") return false;
  const url = new URL(request.url);
  return url.search === "" && isCachedPagePath(url.pathname);
}

/** Answers a request for which isCachedPageRequest holds, rendering with `render` only when there is no usable copy. */
export async function servePage(bff: BffContext, request: Request, render: RenderPage): Promise<Response> {
  const url = new URL(request.url);
  const cache = edgeCache(bff);
  const key = pageCacheUrl(url.protocol, url.pathname);
  const [cached, cartCount] = await Promise.all([cache.match(key), shopperCartCount(bff, request)]);
  const now = (bff.now ?? Date.now)();
  if (cached && Number(cached.headers.get(FRESH_UNTIL_HEADER)) > now) {
    return forShopper(cached, cartCount, "hit");
  }

  let content: ContentRevision | undefined;
  try {
    // The stock counts ("已售完", "只剩 3 件") are part of the page: their copy's revision joins the content's.
    const [pageContent, stock] = await Promise.all([contentRevision(bff, PAGE_CONTENT), stockRevision(bff)]);
    content = {
      revision: `${pageContent.revision},${stock.revision}`,
      freshUntil: Math.min(pageContent.freshUntil, stock.freshUntil),
    };
  } catch {
    // The content is unavailable: the render says so (503), as it does without this cache.
  }
  if (cached && content && cached.headers.get(REVISION_HEADER) === content.revision) {
    const body = await cached.text();
    bff.ctx.waitUntil(store(cache, key, body, cached.headers, content));
    return forShopper(new Response(body, cached), cartCount, "revalidated");
  }
  await cached?.body?.cancel();

  const rendered = await render(anonymous(request));
  if (!content || !storable(rendered)) return forShopper(rendered, cartCount, "miss", { keepCacheControl: true });
  const body = await rendered.text();
  bff.ctx.waitUntil(store(cache, key, body, rendered.headers, content));
  return forShopper(new Response(body, rendered), cartCount, "miss");
}

async function shopperCartCount(bff: BffContext, request: Request): Promise<number> {
  if (!request.headers.has("Cookie")) return 0;
  return cartItemCount(await readCart(bff.env, request));
}

/** The same request as nobody: no cookies, so nothing of any shopper can be rendered into the shared copy. */
function anonymous(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete("Cookie");
  return new Request(request.url, { method: "GET", headers });
}

function storable(response: Response): boolean {
  return (
    response.status === 200 &&
    isHtml(response) &&
    !response.headers.has("Set-Cookie") &&
    !/no-store/i.test(response.headers.get("Cache-Control") ?? "")
  );
}

function isHtml(response: Response): boolean {
  return (response.headers.get("Content-Type") ?? "").startsWith("text/html");
}

async function store(cache: Cache, key: string, body: string, headers: Headers, content: ContentRevision) {
  const kept = new Headers(headers);
  kept.delete("Set-Cookie");
  kept.delete(PAGE_CACHE_HEADER);
  kept.set("Cache-Control", `public, max-age=${KEEP_SECONDS}`);
  kept.set(REVISION_HEADER, content.revision);
  kept.set(FRESH_UNTIL_HEADER, String(content.freshUntil));
  try {
    await cache.put(key, new Response(body, { status: 200, headers: kept }));
  } catch (error) {
    // Served anyway; the next view renders again.
    console.warn(JSON.stringify({ at: "page-cache", key, problem: "cache_put_failed", detail: String(error) }));
  }
}

/** The copy (or a fresh render) with this shopper's cart count written in, without rendering React. */
function forShopper(
  response: Response,
  cartCount: number,
  how: "hit" | "revalidated" | "miss",
  { keepCacheControl = false } = {},
): Response {
  const headers = new Headers(response.headers);
  headers.delete(REVISION_HEADER);
  headers.delete(FRESH_UNTIL_HEADER);
  if (!keepCacheControl) headers.set("Cache-Control", BROWSER_CACHE_CONTROL);
  headers.set(PAGE_CACHE_HEADER, how);
  const answer = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  // Rendered for nobody: an empty cart is what the copy already says.
  if (cartCount === 0 || !isHtml(answer)) return answer;
  return new HTMLRewriter()
    .on(`[${CART_LINK_ATTRIBUTE}]`, {
      element(element) {
        element.setAttribute("aria-label", cartLinkLabel(cartCount));
      },
    })
    .on(`[${CART_COUNT_ATTRIBUTE}]`, {
      element(element) {
        element.setInnerContent(String(cartCount));
      },
    })
    .transform(answer);
}
