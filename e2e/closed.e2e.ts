/**
 * The owner closes the shop (site.json through the admin API): within the edge TTL every shopper page answers 503
 * with the owner's message, and nothing can be ordered, not even from a checkout page opened before.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteStatus } from "../aws/src/contract";
import { e2e, expectNoAxeViolations, launchBrowser, newContext } from "./browser";
import { addToCartFromCatalog, fillCheckout, getSite, putSite, submitCheckout, waitForEdge } from "./shop";

const CLOSED_MESSAGE = "店主休假中，12/28 恢復營業，感謝您的耐心。";
const SHOPPER_PAGES = ["/", "/products/dongding-oolong", "/cart", "/checkout", "/orders", "/orders/261127-00001"];

let browser: Browser;
let original: SiteStatus;
beforeAll(async () => {
  browser = await launchBrowser();
  original = await getSite();
});
afterAll(async () => {
  await putSite(original);
  await waitForEdge(
    async () => (await fetch(`${e2e().baseUrl}/`)).status,
    (status) => status === 200,
  );
  await browser?.close();
});

describe("a closed shop", () => {
  it("shows the owner's message with 503 on every shopper page, and takes no order", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    // A shopper mid-checkout when the owner closes the shop.
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
    await page.goto("/checkout");
    await fillCheckout(page, "貨到付款");

    await putSite({ ...original, open: false, closedMessage: CLOSED_MESSAGE });
    await waitForEdge(
      async () => (await fetch(`${e2e().baseUrl}/`)).status,
      (status) => status === 503,
    );

    for (const path of SHOPPER_PAGES) {
      const res = await fetch(`${e2e().baseUrl}${path}`);
      expect(res.status, path).toBe(503);
      expect(res.headers.get("retry-after"), path).toBe("3600");
      expect(await res.text(), path).toContain(CLOSED_MESSAGE);
    }

    // The form opened before still posts, and the order is refused by the API as well as the edge.
    await submitCheckout(page);
    await page.getByRole("heading", { name: "暫停營業" }).waitFor();
    expect(await page.locator("main").textContent()).toContain(CLOSED_MESSAGE);
    expect(await page.locator("[data-status]").count()).toBe(0);

    const closedPage = await context.newPage();
    const response = await closedPage.goto("/");
    expect(response?.status()).toBe(503);
    expect(await closedPage.title()).toContain("暫停營業");
    await expectNoAxeViolations(closedPage, "closed shop");
    await context.close();
  });

  it("opens again when the owner reopens", async () => {
    await putSite({ ...original, open: true });
    await waitForEdge(
      async () => (await fetch(`${e2e().baseUrl}/`)).status,
      (status) => status === 200,
    );
    expect((await fetch(`${e2e().baseUrl}/cart`)).status).toBe(200);
  });
});
