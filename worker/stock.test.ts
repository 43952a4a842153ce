/** The storefront's copy of the stock counts: brief, one call per burst, a stand-in while the API is down. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getStockLevels, purgeStock, STOCK_TTL_SECONDS } from "./stock.server";
import { fakeShop, json } from "./test/helpers";

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

async function shopWithCounts() {
  let levels: Record<string, number> = { tea: 3 };
  let up = true;
  let clock = 1_000_000;
  const shop = await fakeShop({
    api: (request) => {
      expect(new URL(request.url).pathname).toBe("/stock");
      return up ? json({ stock: levels }) : new Response("down", { status: 503 });
    },
  });
  shop.bff.now = () => clock;
  return {
    shop,
    set: (next: Record<string, number>) => {
      levels = next;
    },
    down: () => {
      up = false;
    },
    advance: (seconds: number) => {
      clock += seconds * 1000;
    },
  };
}

describe("the stock counts at the edge", () => {
  it("reads GET /stock once, serves the copy for a few seconds, then reads again", async () => {
    const { shop, set, advance } = await shopWithCounts();
    expect(await getStockLevels(shop.bff)).toEqual({ tea: 3 });
    set({ tea: 1 });
    advance(STOCK_TTL_SECONDS - 1);
    expect(await getStockLevels(shop.bff)).toEqual({ tea: 3 });
    expect(shop.apiCalls()).toHaveLength(1);
    advance(2);
    expect(await getStockLevels(shop.bff)).toEqual({ tea: 1 });
    expect(shop.apiCalls()).toHaveLength(2);
  });

  it("makes one call for a burst of page views", async () => {
    const { shop } = await shopWithCounts();
    const answers = await Promise.all(Array.from({ length: 20 }, () => getStockLevels(shop.bff)));
    expect(answers.every((a) => a?.tea === 3)).toBe(true);
    expect(shop.apiCalls()).toHaveLength(1);
  });

  it("is read afresh after a purge (an order took units in this data centre)", async () => {
    const { shop, set } = await shopWithCounts();
    await getStockLevels(shop.bff);
    set({ tea: 0 });
    await purgeStock(shop.bff, ["tea"]);
    expect(await getStockLevels(shop.bff)).toEqual({ tea: 0 });
  });

  it("keeps showing the last copy for a few minutes while the API is down, then shows no counts", async () => {
    const { shop, down, advance } = await shopWithCounts();
    await getStockLevels(shop.bff);
    down();
    advance(60);
    expect(await getStockLevels(shop.bff)).toEqual({ tea: 3 });
    advance(10 * 60);
    expect(await getStockLevels(shop.bff)).toBeNull();
  });

  it("shows no counts (never an error page) when the API cannot be read and nothing is cached", async () => {
    const shop = await fakeShop({ api: () => new Response("down", { status: 503 }) });
    expect(await getStockLevels(shop.bff)).toBeNull();
  });
});
