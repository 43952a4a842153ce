/**
 * SLOTS for the storefront benchmarks of issue 6, filled in the next round (they need the storefront running under
 * `wrangler pages dev` through `startStorefront` in scripts/lib/storefront.ts, against the same local stack). Until
 * then each one reports "not measured yet" — never a number — and bench/run.ts prints it so.
 */

export interface NotMeasured {
  status: "not measured yet";
  /** What the benchmark will measure, and against which baseline. */
  measures: string;
  target: string;
}

export type StorefrontFigure = NotMeasured | { status: "measured"; figures: Record<string, number | string> };

const slot = (measures: string, target: string): NotMeasured => ({ status: "not measured yet", measures, target });

/** Catalog page under `wrangler pages dev`: requests/s and p50/p99 against a static asset served by the same process. */
export async function benchCatalogVsStatic(): Promise<StorefrontFigure> {
  return slot(
    "catalog SSR req/s, p50/p99 vs a static asset from the same wrangler process",
    "catalog ≥ 50% of the static asset's req/s",
  );
}

/** S3 requests per 1,000 catalog views, cold and warm, counted at the local S3 (a fault proxy from aws/local/faults). */
export async function benchEdgeCacheS3Requests(): Promise<StorefrontFigure> {
  return slot("S3 GETs per 1,000 catalog views (cold, warm) at the local S3", "at most one refresh per TTL window");
}

/** Full checkout through BFF → signed API → Lambda → DynamoDB against a signed ping through the same path. */
export async function benchOrderingThroughBff(): Promise<StorefrontFigure> {
  return slot("checkout orders/s, p50/p99 through the BFF vs a signed ping through the BFF", "order p99 ≤ 3× ping p99");
}

/** JavaScript and CSS bytes (gzip) each shopper page ships. */
export async function benchPayloadBytes(): Promise<StorefrontFigure> {
  return slot("gzip JS and CSS bytes per shopper page", "≤ 100 KB of JavaScript per page");
}

/** Lighthouse (mobile preset) for the catalog, checkout and order pages. */
export async function benchLighthouse(): Promise<StorefrontFigure> {
  return slot("Lighthouse mobile: performance, accessibility, best practices, SEO", "≥ 95 / 100 / 100 / 100");
}

export const STOREFRONT_BENCHMARKS = {
  "Catalog page vs static asset": benchCatalogVsStatic,
  "Edge cache: S3 requests per 1,000 views": benchEdgeCacheS3Requests,
  "Ordering through the BFF": benchOrderingThroughBff,
  "Payload per shopper page": benchPayloadBytes,
  Lighthouse: benchLighthouse,
} as const;
