/**
 * A branch preview: the same stack behind a storefront on another origin, set up as Cloudflare runs a preview
 * (APP_ENV=preview, SITE_URL staging's address; e2e/global-setup.ts). A card payment started there comes back
 * there, not to staging, and nothing on the preview may be indexed.
 */
import { describe, expect, it } from "vitest";
import { browserSuite, e2e } from "./browser";
import {
  addToCartFromCatalog,
  fillCheckout,
  ORDER_URL,
  orderIdFromUrl,
  orderStatusText,
  payWithTestCard,
  sandboxTradeFor,
  submitCheckout,
} from "./shop";

const { open } = browserSuite();

describe("a branch preview on another origin", () => {
  it("pays by card and lands back on the preview's own order page, not on the site's", async () => {
    const { previewUrl, baseUrl, ecpayUrl } = e2e();
    expect(previewUrl).not.toBe(baseUrl);
    const context = await open({ baseURL: previewUrl });
    const page = await context.newPage();
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
    await page.goto("/checkout");
    await fillCheckout(page, "信用卡");
    await submitCheckout(page);

    await page.waitForURL(`${ecpayUrl}/**`);
    await payWithTestCard(page, { javaScript: true });

    await page.waitForURL(ORDER_URL);
    expect(new URL(page.url()).origin).toBe(previewUrl);
    const orderId = orderIdFromUrl(page);
    expect(await orderStatusText(page)).toBe("已付款");
    const trade = await sandboxTradeFor(orderId);
    expect(trade.status).toBe("paid");
    expect(trade.orderResultUrl).toBe(`${previewUrl}/orders/${orderId}/return`);
  });

  it("is never indexed: robots.txt disallows everything and every response says noindex; the site keeps its rules", async () => {
    const { previewUrl, baseUrl } = e2e();
    expect(await (await fetch(`${previewUrl}/robots.txt`)).text()).toBe("User-agent: *\nDisallow: /\n");
    for (const path of ["/", "/products/dongding-oolong", "/cart", "/robots.txt", "/healthz", "/no-such-page"]) {
      const res = await fetch(`${previewUrl}${path}`);
      await res.body?.cancel();
      expect(res.headers.get("x-robots-tag"), path).toBe("noindex");
    }

    const robots = await (await fetch(`${baseUrl}/robots.txt`)).text();
    expect(robots).toContain("Allow: /");
    expect(robots).toContain("Disallow: /checkout");
    const home = await fetch(`${baseUrl}/`);
    await home.body?.cancel();
    expect(home.headers.get("x-robots-tag")).toBeNull();
  });
});
