/**
 * The stock counts as the storefront shows them ("已售完", "只剩 3 件"): GET /stock, kept briefly in the Workers Cache
 * (ADR 0024). The order API is the authority: it reserves atomically on every order, so a copy a few seconds old at
 * worst lets a shopper reach a clear sold-out answer at checkout. When the API cannot be read, the last copy stands
 * in for a few minutes, and after that the pages show no counts at all (null) rather than failing.
 */
import type { StockLevels } from "../aws/src/contract";
import { edgeCache } from "./content.server";
import type { BffContext } from "./context";
import { purgePages } from "./edge-cache-keys";
import { getStock, STOCK_TIMEOUT_MS } from "./order-api.server";
import { isolateState, type SharedRead, sharedRead } from "./shared-read";

/** At most this long between a sale and the storefront showing it (less when the content TTL is shorter). */
export const STOCK_TTL_SECONDS = 10;
/** How long a last copy may stand in while the API cannot be read. */
const STOCK_STALE_SECONDS = 5 * 60;
const CACHE_URL = "https://edge-cache.internal/api/stock";
const FETCHED_AT = "x-stock-fetched-at";

/**
 * The longest a request waits for a read of GET /stock, its own or one it joined (./shared-read.ts): the call's
 * deadline and a second for the cache write.
 */
const STOCK_READ_BUDGET_MS = STOCK_TIMEOUT_MS + 1_000;

/**
 * The read of GET /stock running in this isolate, so a burst of page views makes one call: kept in the isolate's
 * state the request's context carries (./shared-read.ts: the Pages Function and the Remix build share one).
 */
function inFlight(bff: BffContext, cache: Cache) {
  return isolateState(bff).slot(cache, "stock", () => new Map<"stock", SharedRead<StockLevels | null>>());
}

export async function getStockLevels(bff: BffContext): Promise<StockLevels | null> {
  const cache = edgeCache(bff);
  const now = (bff.now ?? Date.now)();
  const cached = await readCached(cache);
  if (cached && now - cached.fetchedAt < ttlMs(bff)) return cached.levels;

  const reads = inFlight(bff, cache);
  const fresh = await sharedRead(reads, "stock", bff.ctx, STOCK_READ_BUDGET_MS, () => refresh(bff, cache)).catch(
    (error: unknown) => {
      console.warn(JSON.stringify({ at: "stock", problem: "unavailable", detail: String(error) }));
      return null;
    },
  );
  if (fresh) return fresh;
  return cached && now - cached.fetchedAt < STOCK_STALE_SECONDS * 1000 ? cached.levels : null;
}

/**
 * Drops this data centre's copy, and the cached catalog and product pages that show it: after an order took units of
 * `productIds`, the API said they sold out, or the owner set a count.
 */
export async function purgeStock(bff: Pick<BffContext, "cache">, productIds: readonly string[]): Promise<void> {
  const cache = edgeCache(bff);
  await Promise.all([cache.delete(CACHE_URL), purgePages(cache, productIds)]);
}

/**
 * The revision of the counts the pages show now, and until when they may be shown without asking again: a cached page
 * built from them is kept only while this revision holds (app/lib/page-cache.server.ts).
 */
export async function stockRevision(bff: BffContext): Promise<{ revision: string; freshUntil: number }> {
  const levels = await getStockLevels(bff);
  const cached = await readCached(edgeCache(bff));
  const now = (bff.now ?? Date.now)();
  const entries =
    levels === null ? "none" : JSON.stringify(Object.entries(levels).sort(([a], [b]) => a.localeCompare(b)));
  return { revision: `stock:${entries}`, freshUntil: (cached?.fetchedAt ?? now) + ttlMs(bff) };
}

function ttlMs(bff: BffContext): number {
  return Math.min(STOCK_TTL_SECONDS, bff.env.CACHE_TTL_SECONDS) * 1000;
}

async function refresh(bff: BffContext, cache: Cache): Promise<StockLevels | null> {
  const result = await getStock(bff);
  if (!result.ok) {
    console.warn(JSON.stringify({ at: "stock", problem: "unavailable", kind: result.kind }));
    return null;
  }
  const response = new Response(JSON.stringify(result.data), {
    headers: {
      "content-type": "application/json",
      "cache-control": `public, max-age=${STOCK_STALE_SECONDS}`,
      [FETCHED_AT]: String((bff.now ?? Date.now)()),
    },
  });
  await cache.put(CACHE_URL, response).catch((error: unknown) => {
    console.warn(JSON.stringify({ at: "stock", problem: "cache_put_failed", detail: String(error) }));
  });
  return result.data;
}

async function readCached(cache: Cache): Promise<{ levels: StockLevels; fetchedAt: number } | null> {
  const response = await cache.match(CACHE_URL);
  if (!response) return null;
  const fetchedAt = Number(response.headers.get(FETCHED_AT));
  try {
    const levels = JSON.parse(await response.text()) as StockLevels;
    return Number.isFinite(fetchedAt) && typeof levels === "object" && levels !== null ? { levels, fetchedAt } : null;
  } catch {
    return null;
  }
}
