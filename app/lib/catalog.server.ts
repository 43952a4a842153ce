/**
 * The catalog's pages and files: the product list, one product, product images (proxied from the private bucket),
 * sitemap.xml and robots.txt. The catalog comes from S3 through the edge cache (worker/content.server.ts).
 */
import type { Product, StockLevels } from "../../aws/src/contract";
import { maxOrderable, stockLabel, stockState } from "../../aws/src/domain/stock";
import { ContentUnavailableError, getCatalog, getImage } from "../../worker/content.server";
import type { BffContext } from "../../worker/context";
import { indexable } from "../../worker/security-headers";
import { getStockLevels } from "../../worker/stock.server";
import { notFound, orUnavailable } from "./answers.server";

/** A product as the storefront shows it: sold out by its count too, and "只剩 3 件" when few are left. */
export type ShownProduct = Product & {
  /** 已售完 / 只剩 N 件, or null when nothing needs saying. */
  stockLabel: string | null;
  /** The most one add to cart may ask for. */
  maxQuantity: number;
};

/** The catalog's products with the counts (null: the counts could not be read, nothing is marked). */
export function withStock(products: readonly Product[], levels: StockLevels | null): ShownProduct[] {
  return products.map((product) => {
    const left = levels?.[product.id];
    const state = stockState(left);
    return {
      ...product,
      available: product.available && state.kind !== "sold_out",
      stockLabel: product.available ? stockLabel(state) : null,
      maxQuantity: maxOrderable(left),
    };
  });
}

interface CatalogPageData {
  products: ShownProduct[];
}

export async function loadCatalogPage(bff: BffContext): Promise<CatalogPageData> {
  const [products, levels] = await Promise.all([sortedProducts(bff), getStockLevels(bff)]);
  return { products: withStock(products, levels) };
}

interface ProductPageData {
  product: ShownProduct;
}

export async function loadProductPage(bff: BffContext, id: string | undefined): Promise<ProductPageData> {
  const [catalog, levels] = await Promise.all([orUnavailable(getCatalog(bff)), getStockLevels(bff)]);
  const product = catalog.products.find((p) => p.id === id);
  if (!product) throw notFound();
  return { product: withStock([product], levels)[0]! };
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

/** robots.txt; dynamic because the Sitemap line needs the absolute SITE_URL and a preview disallows everything. */
export function robotsResponse(bff: Pick<BffContext, "env">): Response {
  const body = indexable(bff.env.APP_ENV)
    ? [
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
      ]
    : // A preview or staging: nothing here may be indexed next to the real shop (worker/security-headers.ts).
      ["User-agent: *", "Disallow: /", ""];
  return new Response(body.join("\n"), {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
}

/**
 * A product image, streamed from the private bucket so the browser never talks to AWS. Keys are content-addressed,
 * hence cached for a year at the edge and in browsers.
 */
export function productImage(bff: BffContext, path: string | undefined): Promise<Response> {
  return getImage(bff, `images/${path ?? ""}`);
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
