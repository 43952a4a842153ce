/**
 * Page-level BFF functions for the shopper routes: each loader calls exactly one of these. They compose the
 * edge services in worker/ and turn their failures into the HTTP answers pages show.
 */
import { data } from "@remix-run/cloudflare";
import type { Product } from "../../aws/src/contract";
import type { BffContext } from "../../worker/bff-context";
import { cartItemCount, readCart } from "../../worker/cart.server";
import { ContentUnavailableError, getCatalog, getSiteStatus } from "../../worker/content.server";
import { DEFAULT_CLOSED_MESSAGE, type ServiceUnavailableData } from "./shop";

/**
 * Paths that stay reachable while the shop is closed; the owner still needs the admin to reopen it.
 * Resource routes (/images, /healthz) never run the root loader, so they need no entry here.
 */
function isShopperPath(pathname: string): boolean {
  return !(pathname === "/admin" || pathname.startsWith("/admin/"));
}

export interface ShellData {
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
  if (!site.open && isShopperPath(url.pathname)) {
    throw closedResponse(site.closedMessage);
  }
  const cart = await readCart(bff.env, request);
  return { announcement: site.announcement || null, siteUrl: bff.env.SITE_URL, cartCount: cartItemCount(cart) };
}

/** The 503 every shopper page answers while the owner has closed the shop. */
export function closedResponse(message: string | undefined) {
  return serviceUnavailable({ reason: "closed", message: message || DEFAULT_CLOSED_MESSAGE });
}

export interface CatalogPageData {
  products: Product[];
}

export async function loadCatalogPage(bff: BffContext): Promise<CatalogPageData> {
  return { products: await sortedProducts(bff) };
}

export interface ProductPageData {
  product: Product;
}

export async function loadProductPage(bff: BffContext, id: string | undefined): Promise<ProductPageData> {
  const catalog = await orUnavailable(getCatalog(bff));
  const product = catalog.products.find((p) => p.id === id);
  if (!product) throw notFound();
  return { product };
}

/** sitemap.xml: the catalog page and one page per product, absolute URLs on SITE_URL. */
export async function sitemapResponse(bff: BffContext): Promise<Response> {
  const base = bff.env.SITE_URL;
  let products: Product[];
  try {
    products = sortProducts((await getCatalog(bff)).products);
  } catch (error) {
    if (!(error instanceof ContentUnavailableError)) throw error;
    return new Response("Service Unavailable", { status: 503, headers: { "Retry-After": "60" } });
  }
  const urls = [`${base}/`, ...products.map((p) => `${base}/products/${encodeURIComponent(p.id)}`)];
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((loc) => `  <url><loc>${escapeXml(loc)}</loc></url>`).join("\n")}
</urlset>
`;
  return new Response(body, {
    headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}

/** robots.txt; dynamic only because the Sitemap line needs the absolute SITE_URL. */
export function robotsResponse(bff: Pick<BffContext, "env">): Response {
  const body = [
    "User-agent: *",
    "Allow: /",
    // Private pages: a shopper's cart, checkout and orders; the owner's admin.
    "Disallow: /admin",
    "Disallow: /cart",
    "Disallow: /checkout",
    "Disallow: /orders",
    "",
    `Sitemap: ${bff.env.SITE_URL}/sitemap.xml`,
    "",
  ].join("\n");
  return new Response(body, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}

export function notFound() {
  return data(null, { status: 404 });
}

async function sortedProducts(bff: BffContext): Promise<Product[]> {
  return sortProducts((await orUnavailable(getCatalog(bff))).products);
}

function sortProducts(products: readonly Product[]): Product[] {
  return [...products].sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, "zh-Hant-TW"));
}

function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export async function orUnavailable<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof ContentUnavailableError) throw serviceUnavailable({ reason: "unavailable" });
    throw error;
  }
}

export function serviceUnavailable(body: ServiceUnavailableData) {
  return data(body, {
    status: 503,
    headers: {
      "Cache-Control": "no-store",
      // Crawlers keep the page indexed and come back, rather than dropping it.
      "Retry-After": body.reason === "closed" ? "3600" : "60",
    },
  });
}
