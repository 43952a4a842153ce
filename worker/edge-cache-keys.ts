/**
 * Where the edge keeps its own entries in the Cache API: content copies (content.server.ts), product images, and the
 * anonymous catalog and product pages (page-cache.server.ts). Apart from both so that purging content can purge the
 * pages built from it without the two modules importing each other.
 */

/** A host no request can have, so no entry can be mistaken for (or served as) a response to a real URL. */
export const CACHE_ORIGIN = "https://edge-cache.internal";

/**
 * The pages kept as one anonymous copy for everyone: the catalog and the product pages, requested without a query
 * string (anything else, `?utm_…` included, is rendered as today). Their only per-shopper part is the cart count.
 */
const CACHED_PAGE_PATH = /^\/(?:products\/[a-z0-9][a-z0-9-]{0,47})?$/; // product ids as the contract allows them

export function isCachedPagePath(pathname: string): boolean {
  return CACHED_PAGE_PATH.test(pathname);
}

/**
 * The cache entry of one page. Keyed by path and scheme only: the HTML does not depend on the host (links are
 * relative, canonical URLs use SITE_URL), and the scheme is kept apart because the CSP may depend on it.
 */
export function pageCacheUrl(protocol: string, pathname: string): string {
  return `${CACHE_ORIGIN}/pages/${protocol === "http:" ? "http" : "https"}${pathname}`;
}

/** Drops the cached catalog page and the given products' pages in this data centre, on both schemes. */
export async function purgePages(cache: Cache, productIds: readonly string[]): Promise<void> {
  const paths = ["/", ...productIds.map((id) => `/products/${id}`)].filter(isCachedPagePath);
  await Promise.all(
    paths.flatMap((pathname) => ["http:", "https:"].map((protocol) => cache.delete(pageCacheUrl(protocol, pathname)))),
  );
}
