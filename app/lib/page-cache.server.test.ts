import { createElement, Fragment } from "react";
import { renderToReadableStream } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Catalog, Product, SiteStatus } from "../../aws/src/contract";
import { getCatalog as staticGetCatalog, purgeContent } from "../../worker/content.server";
import { cartCookieHeader, type Cart } from "../../worker/cookies.server";
import { IsolateState } from "../../worker/shared-read";
import { type FakeShop, fakeShop, json } from "../../worker/test/helpers";
import { CartLink } from "../components/CartLink";
import { loadCatalogPage, loadProductPage } from "./catalog.server";
import { formatTwd } from "./format";
import { isCachedPageRequest, PAGE_CACHE_HEADER, type RenderPage, servePage } from "./page-cache.server";
import { loadShell } from "./shell.server";

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const SITE = "http://127.0.0.1:8788";
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const TTL_MS = 30_000; // CACHE_TTL_SECONDS of the test env

const product = (id: string, unitPrice: number): Product => ({
  id,
  name: `商品 ${id}`,
  description: "",
  unitPrice,
  available: true,
  sortOrder: 0,
});

/**
 * A shop whose S3 content the test changes in place, a clock it moves, and a renderer built from the real parts of
 * the catalog and product pages: the root loader (site status, closed shop, cart count from the cookie), the page
 * loaders and the header's CartLink, rendered by React as entry.server does. It counts its renders.
 */
async function shopWithPages() {
  const site: SiteStatus = { open: true };
  const catalog: Catalog = { products: [product("oolong", 450), product("cake", 380)] };
  const shop: FakeShop = await fakeShop({ site, catalog });
  const clock = { now: T0 };
  shop.bff.now = () => clock.now;
  let renders = 0;
  const render: RenderPage = async (request) => {
    renders++;
    const path = new URL(request.url).pathname;
    try {
      const shell = await loadShell(shop.bff, request);
      const products =
        path === "/"
          ? (await loadCatalogPage(shop.bff)).products
          : [(await loadProductPage(shop.bff, path.slice("/products/".length))).product];
      const page = createElement(
        Fragment,
        null,
        createElement(CartLink, { count: shell.cartCount }),
        ...products.map((p) => createElement("p", { key: p.id }, `${p.name} ${formatTwd(p.unitPrice)}`)),
      );
      const body = await renderToReadableStream(page);
      await body.allReady;
      return new Response(body, {
        headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "script-src 'none'" },
      });
    } catch (thrown) {
      // What the loaders throw for a closed shop (503) or an unknown product (404), as Remix's error page shows it.
      const { data, init } = thrown as { data: { message?: string } | null; init: ResponseInit };
      const page = createElement(
        Fragment,
        null,
        createElement(CartLink, { count: 0 }),
        createElement("p", null, data?.message ?? "找不到這個頁面"),
      );
      return new Response(await renderToReadableStream(page), {
        status: init.status,
        headers: { ...(init.headers as Record<string, string>), "Content-Type": "text/html; charset=utf-8" },
      });
    }
  };
  const view = async (path: string, cookie?: string) => {
    const request = new Request(`${SITE}${path}`, cookie ? { headers: { Cookie: cookie } } : {});
    expect(isCachedPageRequest(request)).toBe(true);
    const response = await servePage(shop.bff, request, render);
    const html = await response.text();
    await shop.settle();
    return { status: response.status, how: response.headers.get(PAGE_CACHE_HEADER), html, headers: response.headers };
  };
  return { shop, site, catalog, clock, view, renders: () => renders };
}

async function cartCookie(shop: FakeShop, cart: Cart): Promise<string> {
  return (await cartCookieHeader(shop.bff.env, cart)).split(";")[0] ?? "";
}

const countIn = (html: string) => /data-cart-count=""[^>]*>(\d+)</.exec(html)?.[1];
const labelIn = (html: string) => /aria-label="(購物車，\d+ 件商品)"/.exec(html)?.[1];

describe("the edge page cache", () => {
  it("renders the catalog once for everyone and never shows one shopper's cart count to another", async () => {
    const { shop, view, renders } = await shopWithPages();
    const two = await cartCookie(shop, { items: [{ productId: "oolong", quantity: 2 }] });
    const five = await cartCookie(shop, { items: [{ productId: "cake", quantity: 5 }] });

    // The first view comes from a shopper with two items: rendered for nobody, their count written in.
    const first = await view("/", two);
    expect(first).toMatchObject({ status: 200, how: "miss" });
    expect([countIn(first.html), labelIn(first.html)]).toEqual(["2", "購物車，2 件商品"]);

    const anonymous = await view("/");
    expect(anonymous.how).toBe("hit");
    expect([countIn(anonymous.html), labelIn(anonymous.html)]).toEqual(["0", "購物車，0 件商品"]);
    expect(anonymous.html).not.toContain("2 件商品");

    const other = await view("/", five);
    expect(other.how).toBe("hit");
    expect([countIn(other.html), labelIn(other.html)]).toEqual(["5", "購物車，5 件商品"]);

    // A tampered cookie counts as no cart, never as someone else's.
    const tampered = await view("/", `${five.slice(0, 20)}x${five.slice(21)}`);
    expect([tampered.how, countIn(tampered.html)]).toEqual(["hit", "0"]);

    expect(renders()).toBe(1);
    // Browsers keep nothing for others: the copy they get carries their count.
    expect(other.headers.get("Cache-Control")).toBe("private, no-cache");
    expect(other.headers.get("Content-Security-Policy")).toBe("script-src 'none'");
    expect(other.headers.get("x-page-revision")).toBeNull();
  });

  it("shows the owner's edit at once: the purge drops the cached pages with the content", async () => {
    const { shop, catalog, view, renders } = await shopWithPages();
    expect((await view("/products/oolong")).html).toContain("NT$450");
    expect((await view("/")).how).toBe("miss");
    expect((await view("/products/oolong")).how).toBe("hit");

    catalog.products[0] = product("oolong", 520); // what the admin writes to S3, then purges (app/lib/admin)
    await purgeContent(shop.bff, "catalog.json");
    const product1 = await view("/products/oolong");
    expect([product1.how, product1.html.includes("NT$520")]).toEqual(["miss", true]);
    const list = await view("/");
    expect([list.how, list.html.includes("NT$520")]).toEqual(["miss", true]);
    expect(renders()).toBe(4);
  });

  it("after the TTL keeps the same HTML while the content is unchanged, and renders again once it changed", async () => {
    const { catalog, clock, view, renders } = await shopWithPages();
    await view("/");
    clock.now += TTL_MS + 1;
    // The content is read again (its stale copy served while it refreshes, then the refreshed one; unchanged in
    // S3): the same page, no render, and fresh again for a TTL.
    expect((await view("/")).how).toBe("revalidated");
    expect((await view("/")).how).toBe("revalidated");
    expect((await view("/")).how).toBe("hit");
    expect(renders()).toBe(1);

    // Changed in S3 without a purge (another data centre's admin, or a write outside the admin): as without this
    // cache, one view after the TTL still shows the old copy while the content refreshes, the next the new.
    catalog.products[1] = product("cake", 400);
    clock.now += TTL_MS + 1;
    const during = await view("/");
    expect(during.html).toContain("NT$380");
    const after = await view("/");
    expect([after.how, after.html.includes("NT$400")]).toEqual(["miss", true]);
    expect(renders()).toBe(2);
  });

  it("answers a closed shop with 503 from a fresh render, keeps no copy of it, and opens again", async () => {
    const { shop, site, view } = await shopWithPages();
    await view("/");
    site.open = false;
    site.closedMessage = "盤點中";
    await purgeContent(shop.bff, "site.json");
    const two = await cartCookie(shop, { items: [{ productId: "oolong", quantity: 2 }] });
    for (let i = 0; i < 2; i++) {
      const closed = await view("/", two);
      expect([closed.status, closed.how]).toEqual([503, "miss"]);
      expect(closed.html).toContain("盤點中");
    }
    site.open = true;
    await purgeContent(shop.bff, "site.json");
    expect(await view("/")).toMatchObject({ status: 200, how: "miss" });
    expect((await view("/")).how).toBe("hit");
  });

  it("keeps serving the page while S3 fails and stale content stands in; 503 when nothing can", async () => {
    const { shop, clock, view, renders } = await shopWithPages();
    await view("/products/cake");
    const down = async () => new Response("S3 down", { status: 503 });
    shop.bff.fetch = down;
    clock.now += TTL_MS + 1;
    for (let i = 0; i < 3; i++) {
      const page = await view("/products/cake");
      expect([page.status, page.how, page.html.includes("NT$380")]).toEqual([200, "revalidated", true]);
    }
    expect(renders()).toBe(1);

    const cold = await shopWithPages();
    cold.shop.bff.fetch = down;
    const unavailable = await cold.view("/");
    expect([unavailable.status, unavailable.how]).toEqual([503, "miss"]);
    expect((await cold.view("/")).how).toBe("miss");
  });

  it("keeps no copy of a page that is not there (404), and serves unknown pages as they render", async () => {
    const { view, renders } = await shopWithPages();
    expect((await view("/products/no-such-thing")).status).toBe(404);
    expect((await view("/products/no-such-thing")).how).toBe("miss");
    expect(renders()).toBe(2);
  });

  it("takes only GET requests for the catalog and product pages without a query string", () => {
    const is = (path: string, method = "GET") => isCachedPageRequest(new Request(`${SITE}${path}`, { method }));
    expect([is("/"), is("/products/oolong")]).toEqual([true, true]);
    expect([is("/?utm_source=x"), is("/products/oolong.data"), is("/products/Oolong")]).toEqual([false, false, false]);
    expect([is("/cart"), is("/orders"), is("/checkout"), is("/admin"), is("/products/a/b")]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(is("/", "POST")).toBe(false);
    expect(is("/", "HEAD")).toBe(false);
  });
});

describe("one isolate state for the Pages Function and the Remix build", () => {
  it("a cold catalog view from the page cache and one Remix renders alone, together, read each S3 key once", async () => {
    // In production the Pages Function (the page cache) and the Remix server build each bundle their own copy of
    // worker/content.server.ts and worker/stock.server.ts. Here the Remix side is a second copy of the modules too
    // (loaded after resetModules), and both get the context getLoadContext gives every request, with the isolate's
    // state. Before that state was carried in the context, each copy kept its own reads under way: a catalog view
    // from the page cache and one Remix renders alone (a link with a query string, `/?utm_source=line`) arriving
    // together on a cold isolate read site.json, catalog.json and the stock counts twice.
    vi.resetModules();
    const remix = {
      shell: await import("./shell.server"),
      catalog: await import("./catalog.server"),
      content: await import("../../worker/content.server"),
    };
    expect(remix.content.getCatalog).not.toBe(staticGetCatalog); // two copies of the adapter, as deployed

    let answerS3 = () => {};
    const s3Answers = new Promise<void>((resolve) => {
      answerS3 = resolve;
    });
    const shop = await fakeShop({
      site: { open: true },
      catalog: { products: [product("oolong", 450)] },
      api: async (request) => (new URL(request.url).pathname === "/stock" ? json({ stock: { oolong: 3 } }) : json({})),
    });
    const transport = shop.bff.fetch!;
    const isolate = new IsolateState();
    // Both sides hold their reads until both have looked in the cold cache: the moment they would each go to S3.
    let misses = 0;
    const cache = shop.bff.cache!;
    const watched = {
      match: async (...args: Parameters<Cache["match"]>) => {
        const hit = await cache.match(...args);
        if (!hit && String(args[0]).endsWith("/content/catalog.json")) misses++;
        return hit;
      },
      put: (...args: Parameters<Cache["put"]>) => cache.put(...args),
      delete: (...args: Parameters<Cache["delete"]>) => cache.delete(...args),
    } as unknown as Cache;
    const bff = {
      ...shop.bff,
      cache: watched,
      isolate,
      fetch: async (request: Request) => {
        await s3Answers;
        return transport(request);
      },
    };
    const renderWithRemix = async (request: Request) => {
      const [shell, page] = await Promise.all([
        remix.shell.loadShell(bff, request),
        remix.catalog.loadCatalogPage(bff),
      ]);
      return new Response(`${shell.cartCount} ${page.products.map((p) => p.name).join()}`, {
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    };

    const fromPageCache = servePage(bff, new Request(`${SITE}/`), renderWithRemix);
    const remixAlone = renderWithRemix(new Request(`${SITE}/?utm_source=line`));
    while (misses < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    // Time for a second read to be signed and sent, were it to be made.
    await new Promise((resolve) => setTimeout(resolve, 50));
    answerS3();
    expect((await fromPageCache).status).toBe(200);
    expect((await remixAlone).status).toBe(200);
    await shop.settle();

    const reads = shop.calls.map((call) => call.url.pathname.split("/").pop());
    expect(reads.sort()).toEqual(["catalog.json", "site.json", "stock"]);
  });
});
