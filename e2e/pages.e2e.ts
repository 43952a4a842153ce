/**
 * Every shopper page, in every state a shopper can reach, through axe (WCAG 2.0/2.1 A and AA), plus what search
 * engines read: titles, descriptions, canonical URLs, Product JSON-LD, sitemap.xml and robots.txt.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2e, expectNoAxeViolations, launchBrowser, newContext } from "./browser";
import { addToCartFromCatalog, fillCheckout, ORDER_URL, recordScripts, submitCheckout, uniqueClientIp } from "./shop";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function visit(context: BrowserContext, path: string, status = 200): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(status);
  return page;
}

describe("accessibility (axe, WCAG 2 A/AA)", () => {
  it("has no violations on the browsing pages", async () => {
    const context = await newContext(browser);
    await expectNoAxeViolations(await visit(context, "/"), "catalog");
    await expectNoAxeViolations(await visit(context, "/products/dongding-oolong"), "product");
    await expectNoAxeViolations(await visit(context, "/products/peanut-nougat"), "sold-out product");
    await expectNoAxeViolations(await visit(context, "/cart"), "empty cart");
    await expectNoAxeViolations(await visit(context, "/checkout"), "checkout with an empty cart");
    await expectNoAxeViolations(await visit(context, "/no-such-page", 404), "404");
    await expectNoAxeViolations(await visit(context, "/products/no-such-product", 404), "unknown product");
    await context.close();
  });

  it("has no violations through a purchase: cart, checkout, errors, hand-off, order pages", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    expect(await page.getByRole("status").filter({ hasText: "已將" }).count()).toBe(1);
    await expectNoAxeViolations(page, "cart after adding from the catalog");

    await page.goto("/");
    await expectNoAxeViolations(page, "catalog with a cart");
    await page.goto("/cart");
    await expectNoAxeViolations(page, "cart");
    await page.goto("/checkout");
    await expectNoAxeViolations(page, "checkout");

    await fillCheckout(page, "ATM 轉帳", { email: "broken", postalCode: "1" });
    await submitCheckout(page);
    await page.getByRole("alert").waitFor();
    await expectNoAxeViolations(page, "checkout with errors");

    // The hand-off page: the gateway answers 204 here, so the page stays after its form submits itself.
    await page.route(`${e2e().ecpayUrl}/**`, (route) => route.fulfill({ status: 204 }));
    await fillCheckout(page, "ATM 轉帳", { email: "ming@example.tw", postalCode: "100" });
    await submitCheckout(page);
    await page.getByRole("heading", { name: "訂單已成立" }).waitFor();
    await expectNoAxeViolations(page, "ECPay hand-off");
    const orderPath = await page.getByRole("link", { name: "查看訂單" }).getAttribute("href");
    expect(orderPath).toMatch(ORDER_URL);
    await page.unroute(`${e2e().ecpayUrl}/**`);
    // Now to the gateway for real, so the order gets its virtual account.
    await page.getByRole("button", { name: "前往綠界付款" }).click();
    await page.waitForURL(`${e2e().ecpayUrl}/**`);

    await page.goto(orderPath ?? "/");
    await page.getByRole("region", { name: "ATM 轉帳資訊" }).locator("dt", { hasText: "虛擬帳號" }).waitFor();
    await expectNoAxeViolations(page, "order page (ATM details)");
    await context.close();
  });

  it("has no violations on the lookup pages and their error states", async () => {
    const context = await browser.newContext({
      baseURL: e2e().baseUrl,
      locale: "zh-TW",
      extraHTTPHeaders: { "CF-Connecting-IP": uniqueClientIp() },
    });
    const page = await visit(context, "/orders");
    await expectNoAxeViolations(page, "lookup");
    await page.getByLabel("訂單編號").fill("261127-00000");
    await page.getByLabel("手機號碼").fill("0911111111");
    await page.getByRole("button", { name: "查詢訂單" }).click();
    await page.getByRole("alert").waitFor();
    await expectNoAxeViolations(page, "lookup, not found");
    await expectNoAxeViolations(await visit(context, "/orders/261127-00000"), "order page asking for the phone");
    await context.close();
  });
});

describe("JavaScript only where it earns its keep", () => {
  /** What the HTML itself asks the browser to run or preload. */
  const scriptReferences = (html: string) =>
    [...html.matchAll(/<script\b[^>]*>|<link\b[^>]*rel="modulepreload"[^>]*>/g)]
      .map((m) => m[0])
      .filter((tag) => !tag.includes('type="application/ld+json"'));

  it("loads no script on the catalog, product, cart and lookup pages, with a cart and in every state", async () => {
    const context = await browser.newContext({
      baseURL: e2e().baseUrl,
      locale: "zh-TW",
      extraHTTPHeaders: { "CF-Connecting-IP": uniqueClientIp() },
    });
    const page = await context.newPage();
    const scripts = recordScripts(page);
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    for (const path of [
      "/",
      "/products/dongding-oolong",
      "/products/peanut-nougat",
      "/cart",
      "/cart?added=dongding-oolong",
      "/orders",
      "/products/no-such-product",
    ]) {
      await page.goto(path);
      await page.waitForLoadState("load");
      const response = await fetch(`${e2e().baseUrl}${path}`, { headers: { cookie } });
      expect(scriptReferences(await response.text()), path).toEqual([]);
      expect(response.headers.get("content-security-policy"), path).toContain("script-src 'none'");
    }
    // A failed lookup answers the page again: still without script.
    await page.goto("/orders");
    await page.getByLabel("訂單編號").fill("261127-00000");
    await page.getByLabel("手機號碼").fill("0911111111");
    await page.getByRole("button", { name: "查詢訂單" }).click();
    await page.getByRole("alert").waitFor();
    expect(scripts).toEqual([]);
    await context.close();
  });

  it("gives the checkout and order pages only the small enhancement script, and the admin the Remix runtime", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const scripts = recordScripts(page);
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    await page.goto("/checkout");
    await page.waitForLoadState("load");
    expect([...new Set(scripts)]).toEqual(["/assets/enhance.js"]);
    // The order page (here asking for the phone: an order this browser does not remember) has copy buttons.
    await page.goto("/orders/261127-00000");
    await page.waitForLoadState("load");
    expect([...new Set(scripts)]).toEqual(["/assets/enhance.js"]);
    await context.close();

    const login = await (await fetch(`${e2e().baseUrl}/admin/login`)).text();
    expect(scriptReferences(login).some((tag) => tag.includes("modulepreload"))).toBe(true);
  });
});

describe("search engines", () => {
  it("gives every indexable page a title, description, canonical URL and Open Graph data", async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await visit(context, "/");
    expect(await page.title()).toBe("全部商品｜小島良品");
    expect(await page.locator('meta[name="description"]').getAttribute("content")).toContain("小島良品");
    expect(await page.locator('link[rel="canonical"]').getAttribute("href")).toBe(`${e2e().baseUrl}/`);

    await page.goto("/products/alishan-high-mountain-tea");
    expect(await page.title()).toBe("阿里山高山茶 150g｜小島良品");
    expect(await page.locator('link[rel="canonical"]').getAttribute("href")).toBe(
      `${e2e().baseUrl}/products/alishan-high-mountain-tea`,
    );
    expect(await page.locator('meta[property="og:image"]').getAttribute("content")).toMatch(
      new RegExp(`^${e2e().baseUrl}/images/`),
    );

    // Private pages are kept out of the index.
    await page.goto("/cart");
    expect(await page.locator('meta[name="robots"]').getAttribute("content")).toBe("noindex");
    expect(await page.locator('link[rel="canonical"]').count()).toBe(0);
    await context.close();
  });

  it("describes each product with Product JSON-LD: TWD price and availability", async () => {
    const read = async (path: string) => {
      const html = await (await fetch(`${e2e().baseUrl}${path}`)).text();
      const match = /<script type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/.exec(html);
      expect(match, path).not.toBeNull();
      return JSON.parse(match![1]!);
    };
    const tea = await read("/products/alishan-high-mountain-tea");
    expect(tea).toMatchObject({
      "@type": "Product",
      name: "阿里山高山茶 150g",
      sku: "alishan-high-mountain-tea",
      offers: { "@type": "Offer", price: "680", priceCurrency: "TWD", availability: "https://schema.org/InStock" },
    });
    expect(tea.image[0]).toMatch(new RegExp(`^${e2e().baseUrl}/images/`));
    const nougat = await read("/products/peanut-nougat");
    expect(nougat.offers.availability).toBe("https://schema.org/OutOfStock");
    const catalog = await read("/");
    expect(catalog["@type"]).toBe("ItemList");
    expect(catalog.itemListElement).toHaveLength(5);
  });

  it("serves sitemap.xml and robots.txt on SITE_URL", async () => {
    const sitemap = await fetch(`${e2e().baseUrl}/sitemap.xml`);
    expect(sitemap.headers.get("content-type")).toContain("application/xml");
    const xml = await sitemap.text();
    expect(xml).toContain(`<loc>${e2e().baseUrl}/</loc>`);
    expect(xml).toContain(`<loc>${e2e().baseUrl}/products/dongding-oolong</loc>`);
    expect(xml.match(/<loc>/g)).toHaveLength(6);

    const robots = await (await fetch(`${e2e().baseUrl}/robots.txt`)).text();
    expect(robots).toContain(`Sitemap: ${e2e().baseUrl}/sitemap.xml`);
    expect(robots).toContain("Disallow: /checkout");
    expect(robots).toContain("Disallow: /orders");
  });

  it("answers unknown pages with a friendly 404 and no stack trace", async () => {
    const res = await fetch(`${e2e().baseUrl}/products/no-such-product`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("找不到這個頁面");
    expect(html).not.toMatch(/at \w+ \(|Error:/);
  });
});
