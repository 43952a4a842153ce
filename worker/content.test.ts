import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ContentUnavailableError,
  getCatalog,
  getImage,
  getSiteStatus,
  purgeContent,
  STALE_LIMIT_SECONDS,
} from "./content.server";
import type { BffContext } from "./context";
import { json, type Reply, scriptedTransport, testEnv } from "./test/helpers";
import { parseAuthorization } from "./test/sigv4";

const env = testEnv({ CACHE_TTL_SECONDS: "30", S3_ACCESS_KEY_ID: undefined, S3_SECRET_ACCESS_KEY: undefined });
const BUCKET = "http://127.0.0.1:4569/shop-local-content-000000000000";
const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);

const catalogV1 = {
  products: [
    { id: "alishan-oolong", name: "阿里山高山烏龍茶", description: "", unitPrice: 1280, available: true, sortOrder: 1 },
  ],
};
const catalogV2 = {
  products: [
    { id: "alishan-oolong", name: "阿里山高山烏龍茶", description: "", unitPrice: 1380, available: true, sortOrder: 1 },
  ],
};

/** One simulated isolate: a fresh cache, a clock the test moves, and the S3 replies it scripts. */
async function edge(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  const clock = { now: T0 };
  const cache = await caches.open(`test-${crypto.randomUUID()}`);
  const request = (options: { cache?: Cache } = {}) => {
    const ctx = createExecutionContext();
    const bff: BffContext = {
      env,
      ctx,
      fetch: transport.fetch,
      cache: options.cache ?? cache,
      now: () => clock.now,
      retryBaseDelayMs: 0,
    };
    return { bff, settle: () => waitOnExecutionContext(ctx) };
  };
  return { calls: transport.calls, clock, cache, request };
}

/**
 * The same cache (one isolate), but the next match() answers what the cache held when it was called only once the
 * test releases it: a request whose cache read is slower than another request's whole refresh.
 */
function holdNextMatch(real: Cache) {
  let hold = false;
  let release = () => {};
  let markReading = () => {};
  let reading = Promise.resolve();
  const cache = {
    match: async (...args: Parameters<Cache["match"]>) => {
      const answer = await real.match(...args);
      if (!hold) return answer;
      hold = false;
      const body = answer ? await answer.text() : undefined;
      markReading();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return answer ? new Response(body, answer) : undefined;
    },
    put: (...args: Parameters<Cache["put"]>) => real.put(...args),
    delete: (...args: Parameters<Cache["delete"]>) => real.delete(...args),
  } as unknown as Cache;
  return {
    cache,
    holdNext() {
      hold = true;
      reading = new Promise<void>((resolve) => {
        markReading = resolve;
      });
    },
    get reading() {
      return reading;
    },
    release: () => release(),
  };
}

// The module logs every degradation on purpose; keep the test output readable.
beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("site.json and catalog.json", () => {
  it("reads from S3 with a signed, path-style GET on a miss, then serves the cache while fresh", async () => {
    const shop = await edge(json(catalogV1, { headers: { etag: '"v1"' } }));
    const first = shop.request();
    expect(await getCatalog(first.bff)).toMatchObject({ products: [{ unitPrice: 1280 }] });

    expect(shop.calls).toHaveLength(1);
    expect(shop.calls[0]!.url.href).toBe(`${BUCKET}/catalog.json`);
    expect(parseAuthorization(shop.calls[0]!.headers.get("authorization"))).toMatchObject({
      service: "s3",
      region: "ap-northeast-1",
    });

    shop.clock.now += 29_000;
    const second = shop.request();
    expect(await getCatalog(second.bff)).toMatchObject({ products: [{ unitPrice: 1280 }] });
    await second.settle();
    expect(shop.calls).toHaveLength(1);
  });

  it("after the TTL serves the stale copy at once and refreshes it once in the background", async () => {
    const shop = await edge(
      json(catalogV1, { headers: { etag: '"v1"' } }),
      json(catalogV2, { headers: { etag: '"v2"' } }),
    );
    await getCatalog(shop.request().bff);

    shop.clock.now += 31_000;
    // Three concurrent requests in one isolate: all get the stale copy, only one goes to S3.
    const concurrent = [shop.request(), shop.request(), shop.request()];
    const results = await Promise.all(concurrent.map(({ bff }) => getCatalog(bff)));
    for (const result of results) expect(result.products[0]!.unitPrice).toBe(1280);
    await Promise.all(concurrent.map(({ settle }) => settle()));
    expect(shop.calls).toHaveLength(2);
    // The refresh is conditional, so an unchanged object costs S3 no body.
    expect(shop.calls[1]!.headers.get("if-none-match")).toBe('"v1"');

    const after = shop.request();
    expect((await getCatalog(after.bff)).products[0]!.unitPrice).toBe(1380);
    await after.settle();
    expect(shop.calls).toHaveLength(2);
  });

  it("on 304 Not Modified keeps the cached copy and counts it as fresh again", async () => {
    const shop = await edge(json(catalogV1, { headers: { etag: '"v1"' } }), new Response(null, { status: 304 }));
    await getCatalog(shop.request().bff);
    shop.clock.now += 31_000;
    const stale = shop.request();
    await getCatalog(stale.bff);
    await stale.settle();
    expect(shop.calls).toHaveLength(2);

    shop.clock.now += 20_000; // 51 s after the first fetch, 20 s after the revalidation
    const fresh = shop.request();
    expect((await getCatalog(fresh.bff)).products[0]!.unitPrice).toBe(1280);
    await fresh.settle();
    expect(shop.calls).toHaveLength(2);
  });

  it("keeps serving the last good copy while S3 fails, for up to the stale limit", async () => {
    const shop = await edge(json({ open: true, announcement: "週末出貨" }), new Response("", { status: 500 }));
    await getSiteStatus(shop.request().bff);

    shop.clock.now += 60 * 60 * 1000; // an hour of S3 outage
    const during = shop.request();
    expect(await getSiteStatus(during.bff)).toEqual({ open: true, announcement: "週末出貨" });
    await during.settle(); // the failed background refresh must not break anything
    expect(shop.calls.length).toBeGreaterThan(1);

    shop.clock.now += 10_000;
    const later = shop.request();
    expect(await getSiteStatus(later.bff)).toEqual({ open: true, announcement: "週末出貨" });
    await later.settle();
  });

  it("backs off after a failed refresh instead of hitting a failing S3 on every request", async () => {
    const shop = await edge(json({ open: true }), new Error("connection refused"));
    await getSiteStatus(shop.request().bff);
    shop.clock.now += 31_000;
    const first = shop.request();
    await getSiteStatus(first.bff);
    await first.settle();
    const callsAfterFailure = shop.calls.length;

    shop.clock.now += 1_000;
    const soon = shop.request();
    await getSiteStatus(soon.bff);
    await soon.settle();
    expect(shop.calls.length).toBe(callsAfterFailure);

    shop.clock.now += 10_000;
    const later = shop.request();
    await getSiteStatus(later.bff);
    await later.settle();
    expect(shop.calls.length).toBeGreaterThan(callsAfterFailure);
  });

  it("stops standing in after the stale limit: S3 down then means ContentUnavailableError", async () => {
    const shop = await edge(json({ open: true }), new Error("connection refused"));
    await getSiteStatus(shop.request().bff);
    shop.clock.now += STALE_LIMIT_SECONDS * 1000 + 1;
    await expect(getSiteStatus(shop.request().bff)).rejects.toBeInstanceOf(ContentUnavailableError);
  });

  it("throws ContentUnavailableError with nothing cached and S3 down", async () => {
    const shop = await edge(new Error("connection refused"));
    const failure = await getCatalog(shop.request().bff).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContentUnavailableError);
    expect((failure as ContentUnavailableError).key).toBe("catalog.json");
    expect(shop.calls).toHaveLength(3); // a read: first attempt plus two retries
  });

  it("coalesces concurrent cold reads into one S3 request", async () => {
    const shop = await edge(json(catalogV1));
    const results = await Promise.all([
      getCatalog(shop.request().bff),
      getCatalog(shop.request().bff),
      getCatalog(shop.request().bff),
    ]);
    expect(results.map((r) => r.products.length)).toEqual([1, 1, 1]);
    expect(shop.calls).toHaveLength(1);
  });

  it.each([
    // A missing object (404) is a state instead: see "reads a key missing from the bucket" below.
    [
      "access denied (403: a principal without s3:ListBucket)",
      new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 }),
    ],
    ["invalid JSON", new Response("{ not json", { status: 200 })],
    ["JSON that breaks the contract", json({ products: [{ id: "Bad Id!", name: "", unitPrice: -1 }] })],
  ])("treats %s as unavailable rather than caching it", async (_, reply) => {
    const shop = await edge(reply);
    await expect(getCatalog(shop.request().bff)).rejects.toBeInstanceOf(ContentUnavailableError);
    expect(await shop.cache.match("https://edge-cache.internal/content/catalog.json")).toBeUndefined();
  });

  it("a request that read the stale copy while another refreshed it does not refresh again", async () => {
    // Found by `npm run bench` (two S3 reads of one key 57 ms apart at a 1 s TTL): request B reads the stale entry,
    // request A refreshes and stores a new copy, and only then does B look at the in-flight map, now empty.
    const shop = await edge(
      json(catalogV1, { headers: { etag: '"v1"' } }),
      json(catalogV2, { headers: { etag: '"v2"' } }),
      json(catalogV2, { headers: { etag: '"v2"' } }),
    );
    const held = holdNextMatch(shop.cache);
    await getCatalog(shop.request({ cache: held.cache }).bff);
    shop.clock.now += 31_000;

    held.holdNext();
    const b = shop.request({ cache: held.cache });
    const bRead = getCatalog(b.bff);
    await held.reading;
    const a = shop.request({ cache: held.cache });
    await getCatalog(a.bff);
    await a.settle(); // A's background refresh is done: v2 is stored.
    held.release();
    expect(await bRead).toMatchObject({ products: [{ unitPrice: 1280 }] });
    await b.settle();
    expect(shop.calls).toHaveLength(2);
  });

  it("a cold request whose miss came before another request stored the copy uses that copy, not S3", async () => {
    const shop = await edge(
      json(catalogV1, { headers: { etag: '"v1"' } }),
      json(catalogV2, { headers: { etag: '"v2"' } }),
    );
    const held = holdNextMatch(shop.cache);
    held.holdNext();
    const b = shop.request({ cache: held.cache });
    const bRead = getCatalog(b.bff);
    await held.reading;
    await getCatalog(shop.request({ cache: held.cache }).bff); // A: cold read, stores v1.
    held.release();
    expect(await bRead).toMatchObject({ products: [{ unitPrice: 1280 }] });
    expect(shop.calls).toHaveLength(1);
  });

  it("still answers from S3 when the cache cannot store", async () => {
    const shop = await edge(json(catalogV1));
    const { bff } = shop.request();
    const brokenCache = {
      match: async () => undefined,
      put: async () => {
        throw new Error("cache quota exceeded");
      },
      delete: async () => false,
    } as unknown as Cache;
    expect((await getCatalog({ ...bff, cache: brokenCache })).products).toHaveLength(1);
  });

  it("purgeContent makes the next read go to S3", async () => {
    const shop = await edge(json(catalogV1), json(catalogV2));
    await getCatalog(shop.request().bff);
    expect(await purgeContent({ cache: shop.cache }, "catalog.json")).toBe(true);
    expect((await getCatalog(shop.request().bff)).products[0]!.unitPrice).toBe(1380);
    expect(shop.calls).toHaveLength(2);
  });

  it("reads a key missing from the bucket (404) as an empty catalog and a closed shop, cached, with one log line", async () => {
    const missing = () => new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
    const shop = await edge(missing, missing, json(catalogV1));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { bff } = shop.request();
      expect(await getCatalog(bff)).toEqual({ products: [] });
      expect(await getSiteStatus(bff)).toEqual({ open: false, closedMessage: "商店準備中，敬請期待。" });
      // Within the TTL the answer comes from the cache, not from S3 again.
      expect(await getCatalog(shop.request().bff)).toEqual({ products: [] });
      expect(shop.calls).toHaveLength(2);
      expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
        { at: "content", key: "catalog.json", problem: "missing", serving: "an empty catalog" },
        { at: "content", key: "site.json", problem: "missing", serving: "a closed shop" },
      ]);
      // Once the owner saves the catalog (the admin purges the edge copy), it is read as usual.
      await purgeContent({ cache: shop.cache }, "catalog.json");
      expect((await getCatalog(shop.request().bff)).products).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it("keeps site.json and catalog.json apart", async () => {
    const shop = await edge((request) =>
      request.url.endsWith("/site.json") ? json({ open: false, closedMessage: "盤點中" }) : json(catalogV1),
    );
    const { bff } = shop.request();
    expect(await getSiteStatus(bff)).toEqual({ open: false, closedMessage: "盤點中" });
    expect((await getCatalog(bff)).products).toHaveLength(1);
  });
});

describe("getImage", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  it("streams the object with an immutable Cache-Control and serves repeats from the edge cache", async () => {
    const shop = await edge(new Response(png, { headers: { "content-type": "image/png", etag: '"abc"' } }));
    const first = shop.request();
    const response = await getImage(first.bff, "images/3f9a.png");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(png);
    await first.settle();
    expect(shop.calls[0]!.url.href).toBe(`${BUCKET}/images/3f9a.png`);

    const again = await getImage(shop.request().bff, "images/3f9a.png");
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(png);
    expect(shop.calls).toHaveLength(1);
  });

  it.each(["images/../site.json", "site.json", "images/a/b.png", "images/"])(
    "answers 404 for the key %s without asking S3",
    async (key) => {
      const shop = await edge(json({}));
      expect((await getImage(shop.request().bff, key)).status).toBe(404);
      expect(shop.calls).toHaveLength(0);
    },
  );

  it("answers 404 for a missing object, briefly cacheable", async () => {
    const shop = await edge(new Response("", { status: 404 }));
    const response = await getImage(shop.request().bff, "images/gone.jpg");
    expect(response.status).toBe(404);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
  });

  it("never passes through a content type that a browser could run as a page", async () => {
    const shop = await edge(new Response("<script>alert(1)</script>", { headers: { "content-type": "text/html" } }));
    const response = await getImage(shop.request().bff, "images/evil.png");
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 503, not cacheable, when S3 is down", async () => {
    const shop = await edge(new Error("connection refused"));
    const response = await getImage(shop.request().bff, "images/3f9a.png");
    expect(response.status).toBe(503);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});
