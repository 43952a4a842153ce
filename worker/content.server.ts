/**
 * Shop content kept in S3 (site.json, catalog.json, images/*), read with signed GETs and cached at the edge
 * with the Workers Cache API.
 *
 * The Cache API stores responses but ignores stale-while-revalidate / stale-if-error, so the policy lives
 * here: each cached copy carries the time it was fetched from S3 in a header, and
 *   - younger than CACHE_TTL_SECONDS: served as is;
 *   - older: still served, and refreshed once in the background (ctx.waitUntil);
 *   - while S3 fails: the last good copy keeps being served for up to STALE_LIMIT_SECONDS after it was fetched;
 *   - nothing usable cached and S3 failing: ContentUnavailableError, which pages turn into a 503;
 *   - not in the bucket (404): an empty catalog / a closed shop (the contract's MISSING_*), cached like a copy.
 * The Cache API is per data centre; purgeContent clears only the one it runs in (others refresh within the TTL).
 */
import type { z } from "zod";
import {
  type Catalog,
  catalogSchema,
  IMAGE_KEY_PATTERN,
  IMAGE_TYPES,
  MISSING_CATALOG,
  MISSING_SITE_STATUS,
  type SiteStatus,
  siteStatusSchema,
} from "../aws/src/contract";
import { createSignedClient, READ_RETRIES, type SignedClient } from "./aws.server";
import type { BffContext } from "./context";
import { CACHE_ORIGIN, purgePages } from "./edge-cache-keys";
import { isolateState, runningRead, type SharedRead, sharedRead } from "./shared-read";

const CONTENT_KEYS = ["site.json", "catalog.json"] as const;
export type ContentKey = (typeof CONTENT_KEYS)[number];

/** How long a last good copy may stand in while S3 is failing. */
export const STALE_LIMIT_SECONDS = 24 * 60 * 60;
/** After a failed background refresh, requests in this isolate wait this long before trying S3 again. */
const REFRESH_BACKOFF_MS = 5_000;
/** Content reads sit on the page's critical path only on a cold cache; keep the wait short. */
const CONTENT_TIMEOUT_MS = 5_000;
/**
 * The longest any request waits for one read of a content key, the read it started or one it joined: the client's
 * deadline for S3, and a second for the body and the cache write. A read past it counts as lost (below).
 */
const CONTENT_READ_BUDGET_MS = CONTENT_TIMEOUT_MS + 1_000;
const IMAGE_TIMEOUT_MS = 15_000;

const FETCHED_AT_HEADER = "x-content-fetched-at";
const ETAG_HEADER = "x-content-etag";

const SCHEMAS = {
  "site.json": siteStatusSchema,
  "catalog.json": catalogSchema,
} satisfies Record<ContentKey, z.ZodType>;

const MISSING_CONTENT = {
  "site.json": MISSING_SITE_STATUS,
  "catalog.json": MISSING_CATALOG,
} satisfies Record<ContentKey, unknown>;
const MISSING_MEANS = { "site.json": "a closed shop", "catalog.json": "an empty catalog" } as const;

export class ContentUnavailableError extends Error {
  override readonly name = "ContentUnavailableError";
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`Content ${key} is unavailable: S3 failed and no usable cached copy exists`, options);
  }
}

export async function getSiteStatus(bff: BffContext): Promise<SiteStatus> {
  return (await readContent(bff, "site.json")).value;
}

export async function getCatalog(bff: BffContext): Promise<Catalog> {
  return (await readContent(bff, "catalog.json")).value;
}

/** Which copy of the content a page is built from: the same revision, the same page (worker/page-cache.server.ts). */
export interface ContentRevision {
  /** Changes whenever any of the copies served now differs in content. */
  revision: string;
  /** When the first of those copies goes stale (fetched at + CACHE_TTL_SECONDS): then it is asked for again. */
  freshUntil: number;
}

/**
 * The revision of the copies of `keys` that readers get now, read the same way (a stale copy is served and refreshed
 * in the background, a cold one read from S3), so a page built from them is as fresh as the content itself.
 */
export async function contentRevision(bff: BffContext, keys: readonly ContentKey[]): Promise<ContentRevision> {
  const copies = await Promise.all(keys.map((key) => readContent(bff, key)));
  const digests = await Promise.all(
    copies.map(async (copy) => {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(copy.body));
      return [...new Uint8Array(digest, 0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    }),
  );
  const ttlMs = bff.env.CACHE_TTL_SECONDS * 1000;
  return {
    revision: keys.map((key, i) => `${key}:${digests[i]}`).join(","),
    freshUntil: Math.min(...copies.map((copy) => copy.fetchedAt + ttlMs)),
  };
}

/**
 * Drops the cached copy in this data centre, e.g. after the owner edits the catalog in the admin, and the cached
 * pages built from it (the catalog and every product page the cached catalog lists), so the next view shows the
 * change at once.
 */
export async function purgeContent(bff: Pick<BffContext, "cache">, key: ContentKey): Promise<boolean> {
  const cache = edgeCache(bff);
  const catalog = await readCached<Catalog>(cache, "catalog.json");
  const purged = await cache.delete(cacheUrl(key));
  await purgePages(cache, catalog?.value.products.map((product) => product.id) ?? []);
  return purged;
}

// ---------------------------------------------------------------------------------------------
// Per-isolate bookkeeping, in the isolate's state the request's context carries (./shared-read.ts: the Pages
// Function and the Remix build share one), kept per Cache object so each test's cache starts clean.

interface ContentState {
  /** Coalesces concurrent S3 reads of one key: one refresh (or cold read) per isolate at a time (./shared-read.ts). */
  inFlight: Map<ContentKey, SharedRead<CachedContent<unknown>>>;
  lastFailureAt: Map<ContentKey, number>;
  /**
   * Copies of each key this isolate has stored. A request that sees the count move while it was reading the cache
   * read an older copy than the one now stored: it must not refresh again (or, on a miss, go to S3 again).
   */
  stored: Map<ContentKey, number>;
}

function stateFor(bff: BffContext, cache: Cache): ContentState {
  return isolateState(bff).slot(cache, "content", () => ({
    inFlight: new Map(),
    lastFailureAt: new Map(),
    stored: new Map(),
  }));
}

interface CachedContent<T> {
  value: T;
  body: string;
  fetchedAt: number;
  etag?: string;
}

async function readContent<K extends ContentKey>(
  bff: BffContext,
  key: K,
): Promise<CachedContent<z.infer<(typeof SCHEMAS)[K]>>> {
  type T = z.infer<(typeof SCHEMAS)[K]>;
  const cache = edgeCache(bff);
  const now = (bff.now ?? Date.now)();
  const state = stateFor(bff, cache);
  const storedBefore = state.stored.get(key) ?? 0;
  const cached = await readCached<T>(cache, key);
  // Another request of this isolate stored a newer copy while this one was reading the cache.
  const newerStored = (state.stored.get(key) ?? 0) !== storedBefore;

  if (cached) {
    const ageMs = now - cached.fetchedAt;
    if (ageMs < bff.env.CACHE_TTL_SECONDS * 1000) return cached;
    if (ageMs < STALE_LIMIT_SECONDS * 1000) {
      const lastFailure = state.lastFailureAt.get(key);
      const backingOff = lastFailure !== undefined && now - lastFailure < REFRESH_BACKOFF_MS;
      if (!runningRead(state.inFlight, key) && !backingOff && !newerStored) {
        bff.ctx.waitUntil(
          refresh<T>(bff, cache, key, cached).catch((error: unknown) => {
            console.warn(
              JSON.stringify({
                at: "content",
                key,
                problem: "refresh_failed_serving_stale",
                ageSeconds: Math.round(ageMs / 1000),
                detail: String(error),
              }),
            );
          }),
        );
      }
      return cached;
    }
  }

  if (newerStored) {
    const stored = await readCached<T>(cache, key);
    if (stored && now - stored.fetchedAt < STALE_LIMIT_SECONDS * 1000) return stored;
  }

  // Cold, or too old to stand in for S3 any longer: the shopper has to wait for S3.
  try {
    return await refresh<T>(bff, cache, key, cached);
  } catch (error) {
    console.error(JSON.stringify({ at: "content", key, problem: "unavailable", detail: String(error) }));
    throw new ContentUnavailableError(key, { cause: error });
  }
}

/**
 * Fetches `key` from S3 (once per isolate at a time), validates it and stores it in the cache. Settles within
 * CONTENT_READ_BUDGET_MS, whoever started the read and whether or not that request is still there.
 */
function refresh<T>(
  bff: BffContext,
  cache: Cache,
  key: ContentKey,
  previous: CachedContent<T> | undefined,
): Promise<CachedContent<T>> {
  const state = stateFor(bff, cache);
  const read = sharedRead(state.inFlight, key, bff.ctx, CONTENT_READ_BUDGET_MS, async () => {
    try {
      const headers: Record<string, string> = { accept: "application/json" };
      if (previous?.etag) headers["if-none-match"] = previous.etag;
      const response = await s3Client(bff, CONTENT_TIMEOUT_MS).fetch(objectUrl(bff, key), { headers });
      const fetchedAt = (bff.now ?? Date.now)();

      let fresh: CachedContent<T>;
      if (response.status === 304 && previous) {
        await response.body?.cancel();
        fresh = { ...previous, fetchedAt };
      } else if (response.ok) {
        const body = await response.text();
        const value = parseContent<T>(key, body);
        fresh = { value, body, fetchedAt, etag: response.headers.get("etag") ?? undefined };
      } else if (response.status === 404) {
        // Not in the bucket (a new environment before the owner saves the admin forms): an empty catalog and a closed
        // shop, as the Lambdas read it, cached like any copy. S3 says 404 because the storefront principal may
        // ListBucket; without that it would say 403, which stays a failure.
        await response.body?.cancel();
        const value = MISSING_CONTENT[key] as T;
        console.warn(JSON.stringify({ at: "content", key, problem: "missing", serving: MISSING_MEANS[key] }));
        fresh = { value, body: JSON.stringify(value), fetchedAt };
      } else {
        await response.body?.cancel();
        throw new Error(`S3 GET ${key} answered ${response.status}`);
      }
      // A cache that cannot store must not cost the shopper the content S3 just gave us.
      await cache.put(cacheUrl(key), toCachedResponse(fresh)).catch((error: unknown) => {
        console.warn(JSON.stringify({ at: "content", key, problem: "cache_put_failed", detail: String(error) }));
      });
      state.stored.set(key, (state.stored.get(key) ?? 0) + 1);
      state.lastFailureAt.delete(key);
      return fresh;
    } catch (error) {
      state.lastFailureAt.set(key, (bff.now ?? Date.now)());
      throw error;
    }
  });
  return read as Promise<CachedContent<T>>;
}

async function readCached<T>(cache: Cache, key: ContentKey): Promise<CachedContent<T> | undefined> {
  const response = await cache.match(cacheUrl(key));
  if (!response) return undefined;
  const fetchedAt = Number(response.headers.get(FETCHED_AT_HEADER));
  const body = await response.text();
  if (!Number.isFinite(fetchedAt)) return undefined;
  try {
    return { value: parseContent<T>(key, body), body, fetchedAt, etag: response.headers.get(ETAG_HEADER) ?? undefined };
  } catch {
    // Stored by an older deploy under a different schema: treat as not cached.
    return undefined;
  }
}

function parseContent<T>(key: ContentKey, body: string): T {
  const result = SCHEMAS[key].safeParse(JSON.parse(body));
  if (!result.success) {
    throw new Error(
      `${key} does not match the contract: ${result.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    );
  }
  return result.data as T;
}

function toCachedResponse(content: CachedContent<unknown>): Response {
  const headers = new Headers({
    "content-type": "application/json",
    // Keeps the entry around for the whole stale window; freshness is decided from the fetched-at header.
    "cache-control": `public, max-age=${STALE_LIMIT_SECONDS}`,
    [FETCHED_AT_HEADER]: String(content.fetchedAt),
  });
  if (content.etag) headers.set(ETAG_HEADER, content.etag);
  return new Response(content.body, { headers });
}

// ---------------------------------------------------------------------------------------------
// Product images

/** What the API accepts for upload, plus two image formats a file put in the bucket by hand may have. */
const SERVED_IMAGE_TYPES = new Set<string>([...IMAGE_TYPES, "image/gif", "image/avif"]);
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Streams an image from S3, caching it at the edge. Keys are content-addressed (a new image gets a new key),
 * which is what makes `immutable` safe.
 */
export async function getImage(bff: BffContext, key: string): Promise<Response> {
  if (!IMAGE_KEY_PATTERN.test(key) || key.includes("..")) return notFound();
  const cache = edgeCache(bff);
  const cacheKey = `${CACHE_ORIGIN}/${key}`;
  const hit = await cache.match(cacheKey);
  if (hit) return hit;

  let upstream: Response;
  try {
    upstream = await s3Client(bff, IMAGE_TIMEOUT_MS).fetch(objectUrl(bff, key));
  } catch (error) {
    console.error(JSON.stringify({ at: "content", key, problem: "image_unavailable", detail: String(error) }));
    return new Response("Image temporarily unavailable", {
      status: 503,
      headers: { "cache-control": "no-store", "retry-after": "30" },
    });
  }
  if (upstream.status === 404 || upstream.status === 403) {
    // S3 answers 403 for a missing key when the principal may not list the bucket; a 403 can also mean a
    // broken policy, so it is logged.
    await upstream.body?.cancel();
    if (upstream.status === 403) console.warn(JSON.stringify({ at: "content", key, problem: "image_forbidden" }));
    return notFound();
  }
  if (!upstream.ok || !upstream.body) {
    await upstream.body?.cancel();
    console.error(JSON.stringify({ at: "content", key, problem: "image_error_status", status: upstream.status }));
    return new Response("Image temporarily unavailable", {
      status: 503,
      headers: { "cache-control": "no-store", "retry-after": "30" },
    });
  }

  const contentType = upstream.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const headers = new Headers({
    // Anything else could be rendered as a document from our origin; never pass it through as is.
    "content-type": SERVED_IMAGE_TYPES.has(contentType) ? contentType : "application/octet-stream",
    "cache-control": IMMUTABLE,
    "x-content-type-options": "nosniff",
  });
  for (const name of ["content-length", "etag", "last-modified"]) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  const [forCache, forShopper] = upstream.body.tee();
  bff.ctx.waitUntil(
    cache.put(cacheKey, new Response(forCache, { headers })).catch((error: unknown) => {
      console.warn(JSON.stringify({ at: "content", key, problem: "image_cache_put_failed", detail: String(error) }));
    }),
  );
  return new Response(forShopper, { headers });
}

function notFound(): Response {
  return new Response("Not found", { status: 404, headers: { "cache-control": "public, max-age=60" } });
}

// ---------------------------------------------------------------------------------------------

/** The data centre's Cache API (or a test's own cache). */
export function edgeCache(bff: Pick<BffContext, "cache">): Cache {
  if (bff.cache) return bff.cache;
  // Under `remix vite:dev` loaders run in Node, which has no Cache API: read through to S3 every time.
  if (typeof caches === "undefined") return NO_CACHE;
  // tsconfig's DOM lib declares `caches` without workerd's `default`; the runtime has it.
  return (caches as unknown as { default: Cache }).default;
}

const NO_CACHE = {
  match: async () => undefined,
  put: async () => {},
  delete: async () => false,
} as unknown as Cache;

function cacheUrl(key: ContentKey): string {
  return `${CACHE_ORIGIN}/content/${key}`;
}

function objectUrl(bff: BffContext, key: string): string {
  return `${bff.env.S3_BUCKET_URL}/${key}`;
}

/**
 * S3 reads are signed as the storefront principal (its IAM policy allows GetObject on the bucket) unless a
 * dedicated S3 key is configured, which only the local stand-in needs.
 */
function s3Client(bff: BffContext, timeoutMs: number): SignedClient {
  const { env } = bff;
  return createSignedClient({
    accessKeyId: env.S3_ACCESS_KEY_ID ?? env.STOREFRONT_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? env.STOREFRONT_SECRET_ACCESS_KEY,
    service: "s3",
    region: bff.env.AWS_REGION,
    retries: READ_RETRIES,
    timeoutMs,
    retryBaseDelayMs: bff.retryBaseDelayMs,
    fetch: bff.fetch,
  });
}
