import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2e, launchBrowser, newContext } from "./browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("catalog", () => {
  it("renders the seeded catalog on the server, read from S3 through the BFF", async () => {
    // Server-rendered: the products are in the HTML before any script runs.
    const html = await (await fetch(`${e2e().baseUrl}/`)).text();
    expect(html).toContain("凍頂烏龍茶 150g");
    expect(html).toContain("NT$450");

    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    for (const name of [
      "凍頂烏龍茶 150g",
      "阿里山高山茶 150g",
      "土鳳梨酥 10 入",
      "愛文芒果乾 200g",
      "花生牛軋糖 300g",
    ]) {
      await expect.poll(() => page.getByText(name, { exact: false }).count()).toBeGreaterThan(0);
    }
    expect(await page.getByText("NT$680").count()).toBeGreaterThan(0);
    expect(await page.getByText("售完").count()).toBeGreaterThan(0);
    expect(await page.getByText("全館滿 NT$1,500 免運").count()).toBeGreaterThan(0);

    // Every product image is served through the edge from the private bucket.
    const images = await page
      .locator("main img")
      .evaluateAll((imgs) =>
        imgs.map((img) => ({ src: (img as any).currentSrc as string, alt: img.getAttribute("alt") })),
      );
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) {
      expect(image.alt).not.toBe("");
      const res = await fetch(image.src);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
    }
    await context.close();
  });

  it("nothing moves while the catalog's photos load (no layout shift), whatever the photos' own proportions", async () => {
    const context = await newContext(browser, { javaScriptEnabled: true });
    const page = await context.newPage();
    // Collected by the browser from the first paint on; the page itself runs no script. (Strings: the e2e
    // project is typed for Node, not the DOM.)
    await page.addInitScript(`
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
      }).observe({ type: "layout-shift", buffered: true });
    `);
    await page.goto("/", { waitUntil: "load" });
    // Polled from here: the page's CSP (script-src 'none') refuses the eval that waitForFunction would need.
    await expect.poll(() => page.evaluate("[...document.images].every((img) => img.complete)")).toBe(true);
    // Layout-shift entries are delivered after the frame that caused them.
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200)))");
    const shifts = (await page.evaluate("window.__shifts")) as number[];
    expect(shifts.reduce((a, b) => a + b, 0)).toBe(0);
    // Each photo keeps its 4:3 slot (the seeded photos are square).
    const boxes = await page
      .locator("main article img")
      .evaluateAll((imgs) => imgs.map((img) => img.parentElement!.getBoundingClientRect()));
    expect(boxes.length).toBeGreaterThanOrEqual(4);
    for (const box of boxes) expect(box.height / box.width).toBeCloseTo(0.75, 2);
    await context.close();
  });

  it("serves the catalog and product pages from the edge cache, each shopper with their own cart count", async () => {
    const base = e2e().baseUrl;
    // A shopper with three items in the cart (a plain form post, as the page's form sends it).
    const added = await fetch(`${base}/cart`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
      body: new URLSearchParams({ intent: "add", productId: "dongding-oolong", quantity: "3" }),
      redirect: "manual",
    });
    expect(added.status).toBe(303);
    const cookie = added.headers.get("set-cookie")?.split(";")[0] ?? "";
    const view = async (path: string, withCart: boolean) => {
      const res = await fetch(`${base}${path}`, withCart ? { headers: { cookie } } : {});
      const html = await res.text();
      return {
        cache: res.headers.get("x-page-cache"),
        label: /aria-label="(購物車，\d+ 件商品)"/.exec(html)?.[1],
        csp: res.headers.get("content-security-policy") ?? "",
        cacheControl: res.headers.get("cache-control"),
      };
    };
    for (const path of ["/", "/products/dongding-oolong"]) {
      // Interleaved, several times: whichever view filled the cache, nobody sees another shopper's count.
      const views = [];
      for (let i = 0; i < 4; i++) views.push(await view(path, true), await view(path, false));
      expect(views.map((v) => v.label)).toEqual(
        Array.from({ length: 4 }, () => ["購物車，3 件商品", "購物車，0 件商品"]).flat(),
      );
      expect(views.some((v) => v.cache === "hit")).toBe(true);
      for (const v of views) {
        expect(v.csp, path).toContain("script-src 'none'");
        expect(v.csp, path).not.toContain("nonce-");
        expect(v.cacheControl, path).toBe("private, no-cache");
      }
    }
  });

  it("sends security headers on the page", async () => {
    const res = await fetch(`${e2e().baseUrl}/`);
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get("content-security-policy")).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
  });

  it("reaches the order API with a signed ping through the BFF", async () => {
    const res = await fetch(`${e2e().baseUrl}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; api: unknown };
    expect(body.ok).toBe(true);
    expect(JSON.stringify(body.api)).toContain("local");
  });
});
