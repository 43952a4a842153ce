/** The catalog's pages and the shell every page runs through, against a fake edge (S3 content through the cache). */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Catalog, Product } from "../../aws/src/contract";
import { cartCookieHeader } from "../../worker/cookies.server";
import { answer, fakeShop, json } from "../../worker/test/helpers";
import { loadCatalogPage, loadProductPage, robotsResponse, sitemapResponse, withStock } from "./catalog.server";
import { loadShell } from "./shell.server";

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const SITE = "http://127.0.0.1:8788";
const product = (id: string, name: string, sortOrder: number, available = true): Product => ({
  id,
  name,
  description: "",
  unitPrice: 100,
  available,
  sortOrder,
});
const catalog: Catalog = {
  products: [product("cake", "鳳梨酥", 20), product("tea", "烏龍茶", 10), product("nougat", "牛軋糖", 20, false)],
};

describe("stock on the catalog and product pages", () => {
  const counted = (stock: Record<string, number>) =>
    fakeShop({ site: { open: true }, catalog, api: () => json({ stock }) });

  it("marks a product sold out at 0, says how many are left at 5 or fewer, and nothing above or untracked", async () => {
    const shop = await counted({ tea: 0, cake: 3 });
    const page = await loadCatalogPage(shop.bff);
    const byId = Object.fromEntries(page.products.map((p) => [p.id, p]));
    expect(byId.tea).toMatchObject({ available: false, stockLabel: "已售完", maxQuantity: 0 });
    expect(byId.cake).toMatchObject({ available: true, stockLabel: "只剩 3 件", maxQuantity: 3 });
    // The owner's own "sold out" stays as it was; no count says nothing more.
    expect(byId.nougat).toMatchObject({ available: false, stockLabel: null });
    expect(withStock(catalog.products, { tea: 6 }).find((p) => p.id === "tea")).toMatchObject({ stockLabel: null });
    expect((await loadProductPage(shop.bff, "cake")).product.stockLabel).toBe("只剩 3 件");
  });

  it("shows the catalog without counts when they cannot be read", async () => {
    const shop = await fakeShop({ site: { open: true }, catalog, api: () => new Response("down", { status: 503 }) });
    const page = await loadCatalogPage(shop.bff);
    expect(page.products.map((p) => [p.id, p.available, p.stockLabel])).toEqual([
      ["tea", true, null],
      ["nougat", false, null],
      ["cake", true, null],
    ]);
  });
});

describe("the catalog page", () => {
  it("lists products in shop order (then by name), sold-out ones included, read once through the edge cache", async () => {
    const shop = await fakeShop({ site: { open: true }, catalog });
    const page = await loadCatalogPage(shop.bff);
    expect(page.products.map((p) => p.id)).toEqual(["tea", "nougat", "cake"]);
    await shop.settle();
    await loadCatalogPage(shop.bff);
    expect(shop.calls.filter((c) => c.url.pathname.endsWith("/catalog.json"))).toHaveLength(1);
  });

  it("answers 503 (temporarily unavailable, try again in a minute) when S3 fails with nothing cached", async () => {
    const shop = await fakeShop({ site: { open: true } });
    const failed = await answer<{ reason: string }>(loadCatalogPage(shop.bff));
    expect(failed).toMatchObject({ status: 503, data: { reason: "unavailable" } });
    expect(failed.headers.get("Retry-After")).toBe("60");
  });
});

describe("a product page", () => {
  it("shows the product, and 404 for one the catalog does not have", async () => {
    const shop = await fakeShop({ catalog });
    expect((await loadProductPage(shop.bff, "tea")).product.name).toBe("烏龍茶");
    expect((await answer(loadProductPage(shop.bff, "gone"))).status).toBe(404);
    expect((await answer(loadProductPage(shop.bff, undefined))).status).toBe(404);
  });
});

describe("sitemap and robots", () => {
  it("lists the catalog page and every product on SITE_URL, and keeps private pages out of the index", async () => {
    const shop = await fakeShop({ catalog });
    const sitemap = await sitemapResponse(shop.bff);
    const xml = await sitemap.text();
    expect(sitemap.headers.get("Content-Type")).toContain("application/xml");
    expect(xml.match(/<loc>[^<]+<\/loc>/g)).toEqual([
      `<loc>${SITE}/</loc>`,
      `<loc>${SITE}/products/tea</loc>`,
      `<loc>${SITE}/products/nougat</loc>`,
      `<loc>${SITE}/products/cake</loc>`,
    ]);
    const robots = await robotsResponse(shop.bff).text();
    for (const path of ["/admin", "/cart", "/checkout", "/orders"]) expect(robots).toContain(`Disallow: ${path}`);
    expect(robots).toContain(`Sitemap: ${SITE}/sitemap.xml`);
    expect((await sitemapResponse((await fakeShop()).bff)).status).toBe(503);
  });

  it("on a preview (a branch, or staging) disallows everything, so nothing there is indexed next to the real shop", async () => {
    const preview = await fakeShop({ catalog, env: { APP_ENV: "preview" } });
    expect(await robotsResponse(preview.bff).text()).toBe("User-agent: *\nDisallow: /\n");
    const production = await fakeShop({ catalog, env: { APP_ENV: "production" } });
    const robots = await robotsResponse(production.bff).text();
    expect(robots).toContain("Allow: /\n");
    expect(robots).not.toMatch(/^Disallow: \/$/m);
  });
});

describe("the shell", () => {
  it("gives every page the announcement, SITE_URL and the cart count", async () => {
    const shop = await fakeShop({ site: { open: true, announcement: "年節出貨公告" } });
    const cookie = await cartCookieHeader(shop.bff.env, { items: [{ productId: "tea", quantity: 3 }] });
    const request = new Request(`${SITE}/`, { headers: { Cookie: cookie.split(";")[0]! } });
    expect(await loadShell(shop.bff, request)).toEqual({ announcement: "年節出貨公告", siteUrl: SITE, cartCount: 3 });
  });

  it("closes every shopper page with the owner's message (503), but not the admin", async () => {
    const shop = await fakeShop({ site: { open: false, closedMessage: "盤點中" } });
    const closed = await answer<{ reason: string; message: string }>(loadShell(shop.bff, new Request(`${SITE}/cart`)));
    expect(closed).toMatchObject({ status: 503, data: { reason: "closed", message: "盤點中" } });
    expect(closed.headers.get("Retry-After")).toBe("3600");
    expect(await loadShell(shop.bff, new Request(`${SITE}/admin/site`))).toMatchObject({ announcement: null });
  });
});
