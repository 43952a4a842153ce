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
