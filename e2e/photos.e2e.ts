/**
 * Product photos end to end (ADR 0019), in Chromium against the built storefront and the whole local stack: the
 * owner uploads a 12-megapixel phone photo (stored sideways, with GPS EXIF) through the admin's product form —
 * without JavaScript (the file travels with the form) and with it (sent ahead with its progress shown) — and the
 * shopper's catalog on a phone shows it from `srcset`: a small WebP, upright, with no EXIF. Every bad file the
 * owner might pick is refused with its message on the form, and the catalog is left as it was.
 */
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cmykJpeg,
  heicFile,
  notAnImage,
  oversizeJpeg,
  phonePhoto,
  pngBomb,
  truncatedJpeg,
} from "../aws/local/seed/photos";
import type { Product } from "../aws/src/contract";
import { UPLOAD_PROBLEM_MESSAGES } from "../app/lib/admin/labels";
import { api, eventually, loggedInOwner } from "./admin-support";
import { e2e, launchBrowser } from "./browser";

let browser: Browser;
let originalProducts: Product[];
let twelveMegapixels: Buffer;

beforeAll(async () => {
  browser = await launchBrowser();
  originalProducts = await api.getProducts();
  // As a phone saves a portrait shot: 4032 × 3024 pixels stored sideways (orientation 6), GPS in its EXIF.
  twelveMegapixels = await phonePhoto({ seed: 1919, orientation: 6 });
});
afterAll(async () => {
  await api.putProducts(originalProducts).catch(() => {});
  await browser?.close();
});

/** Fills the add form and submits it; answers when the browser has left the form or shown its answer. */
async function addProduct(
  page: Page,
  id: string,
  name: string,
  file: { name: string; mimeType: string; buffer: Buffer },
) {
  await page.goto("/admin/products/new");
  await page.getByLabel("商品代號").fill(id);
  await page.getByLabel("商品名稱").fill(name);
  await page.getByLabel("單價（新台幣元）").fill("650");
  await page.getByLabel("商品圖片").setInputFiles(file);
  await page.getByRole("button", { name: "新增商品" }).click();
}

async function savedProduct(id: string): Promise<Product> {
  return eventually(
    async () => (await api.getProducts()).find((p) => p.id === id),
    (p) => Boolean(p?.image),
    `the variants of ${id} in the catalog`,
  ) as Promise<Product>;
}

/** The shopper's catalog on a 390-px phone (DPR 3): the product's <img>, as the browser resolved it. */
async function shopperSees(name: string) {
  const context = await browser.newContext({
    baseURL: e2e().baseUrl,
    locale: "zh-TW",
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
  });
  const page = await context.newPage();
  try {
    await eventually(
      async () => {
        await page.goto("/");
        return page.getByRole("img", { name, exact: true }).count();
      },
      (count) => count === 1,
      `${name} on the catalog`,
    );
    const img = page.getByRole("img", { name, exact: true });
    await img.scrollIntoViewIfNeeded();
    // Node's types know no DOM: the element as far as this test reads it.
    type Img = { complete: boolean; naturalWidth: number; currentSrc: string; getAttribute(n: string): string | null };
    await expect.poll(() => img.evaluate((el: Img) => el.complete && el.naturalWidth > 0)).toBe(true);
    return await img.evaluate((el: Img) => ({
      srcset: el.getAttribute("srcset") ?? "",
      sizes: el.getAttribute("sizes") ?? "",
      width: el.getAttribute("width"),
      height: el.getAttribute("height"),
      currentSrc: el.currentSrc,
      naturalWidth: el.naturalWidth,
    }));
  } finally {
    await context.close();
  }
}

describe("the owner's phone photo, from the admin form to the shopper's catalog", () => {
  it("uploads a 12-MP JPEG without JavaScript; the catalog serves a small upright WebP from srcset, no EXIF", async () => {
    expect(twelveMegapixels.length).toBeGreaterThan(2 * 1024 * 1024);
    expect((await sharp(twelveMegapixels).metadata()).exif).toBeDefined();
    const { context, page } = await loggedInOwner(browser, { javaScriptEnabled: false });
    const id = `photo-${Date.now().toString(36)}`;
    const name = "杉林溪烏龍茶 150g（新照片）";
    await addProduct(page, id, name, { name: "IMG_1919.JPG", mimeType: "image/jpeg", buffer: twelveMegapixels });
    await page.waitForURL((url) => url.pathname === "/admin/products");
    await context.close();

    const product = await savedProduct(id);
    // Portrait shot turned upright, cut to the pages' 4:3 frame: 3024 wide → variants up to 1440.
    expect(product.image).toMatchObject({ width: 1440, height: 1080, widths: [320, 480, 640, 960, 1200, 1440] });
    expect(product.imageUpload).toBeUndefined();

    const seen = await shopperSees(name);
    expect(seen.srcset.split(", ")).toEqual(
      product.image!.widths.map((w) => `/images/${product.image!.id}-${w}.webp ${w}w`),
    );
    expect(seen.sizes).toContain("100vw");
    expect([seen.width, seen.height]).toEqual(["1440", "1080"]);
    // A 358-px slot at DPR 3 needs ~1074 px: the browser picks the 1200-px variant, not the 12-MP file.
    expect(new URL(seen.currentSrc).pathname).toBe(`/images/${product.image!.id}-1200.webp`);

    const served = await fetch(seen.currentSrc);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.length).toBeLessThan(twelveMegapixels.length / 10);
    const metadata = await sharp(bytes).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(["webp", 1200, 900]);
    expect([metadata.exif, metadata.xmp, metadata.icc, metadata.orientation]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // Upright: the generated scene is warmer (redder) in its upper half.
    const { data, info } = await sharp(bytes).resize(2, 2, { fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
    const red = (row: number) =>
      (data[row * 2 * info.channels] as number) + (data[(row * 2 + 1) * info.channels] as number);
    expect(red(0)).toBeGreaterThan(red(1));

    // Link previews get the 1200-px JPEG; the original is nowhere on the storefront.
    const productPage = await (await fetch(`${e2e().baseUrl}/products/${id}`)).text();
    expect(productPage).toContain(`/images/${product.image!.id}-1200.jpg`);
    for (const path of [`/originals/${product.image!.id}.jpg`, `/images/../originals/${product.image!.id}.jpg`]) {
      expect((await fetch(`${e2e().baseUrl}${path}`)).status).toBeGreaterThanOrEqual(400);
    }
  });

  it("with JavaScript, sends the photo ahead of the form and shows its progress, then saves the product", async () => {
    const { context, page } = await loggedInOwner(browser);
    const id = `photo-js-${Date.now().toString(36)}`;
    const sentAhead = page.waitForResponse((r) => new URL(r.url()).pathname === "/admin/photos");
    // Slow the upload down enough to see the bar (as a phone on mobile data would).
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: 8 * 1024 * 1024,
      uploadThroughput: 2 * 1024 * 1024,
    });
    await addProduct(page, id, "梨山烏龍 75g", {
      name: "IMG_2020.JPG",
      mimeType: "image/jpeg",
      buffer: twelveMegapixels,
    });
    await expect.poll(() => page.getByRole("progressbar", { name: "照片上傳進度" }).count()).toBe(1);
    const answer = await sentAhead;
    expect(answer.status()).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, ready: true });
    await page.waitForURL((url) => url.pathname === "/admin/products");
    await context.close();
    expect((await savedProduct(id)).image).toMatchObject({ width: 1440, height: 1080 });
  });
});

describe("the catalog's images", () => {
  it("loads the first photo eagerly with high priority and the rest lazily; a photo not ready shows the placeholder", async () => {
    const products = await api.getProducts();
    const sorted = [...products].sort((a, b) => a.sortOrder - b.sortOrder);
    const waiting = sorted[1]!;
    // The second product waits for an upload that is still processing and has no photo yet.
    const { imageKey: _k, image: _i, ...rest } = waiting;
    await api.putProducts(
      products.map((p) =>
        p.id === waiting.id ? { ...rest, imageUpload: { uploadId: "0123456789abcdef0123456789abcdef" } } : p,
      ),
    );
    try {
      const context = await browser.newContext({ baseURL: e2e().baseUrl, locale: "zh-TW" });
      const page = await context.newPage();
      await eventually(
        async () => {
          await page.goto("/");
          return page.getByText("圖片準備中").count();
        },
        (count) => count === 1,
        "the placeholder of the product whose photo is processing",
      );
      const images = await page
        .locator("main ul img")
        .evaluateAll((els) =>
          els.map((el) => [el.getAttribute("alt"), el.getAttribute("loading"), el.getAttribute("fetchpriority")]),
        );
      expect(images[0]).toEqual([sorted[0]!.name, "eager", "high"]);
      for (const image of images.slice(1)) expect(image.slice(1)).toEqual(["lazy", "auto"]);
      expect(images.map(([alt]) => alt)).not.toContain(waiting.name);
      // Every image has its size, so nothing shifts as they arrive.
      const sized = await page
        .locator("main ul img")
        .evaluateAll((els) =>
          els.every((el) => Number(el.getAttribute("width")) > 0 && Number(el.getAttribute("height")) > 0),
        );
      expect(sized).toBe(true);
      await context.close();
    } finally {
      await api.putProducts(products);
    }
  });
});

describe("bad files through the admin form: refused with the owner's message, the catalog unchanged", () => {
  const cases: [string, () => Promise<Buffer> | Buffer, string, string][] = [
    ["a file that is not an image", notAnImage, "menu.jpg", UPLOAD_PROBLEM_MESSAGES.not_an_image],
    ["a truncated JPEG", truncatedJpeg, "cut.jpg", UPLOAD_PROBLEM_MESSAGES.unreadable],
    ["a 30,000 × 30,000 PNG", () => pngBomb(), "huge.png", UPLOAD_PROBLEM_MESSAGES.too_many_pixels],
    ["a 25 MB file", () => oversizeJpeg(), "big.jpg", UPLOAD_PROBLEM_MESSAGES.too_large],
    ["a HEIC photo (with how to send JPEG)", heicFile, "IMG_0001.HEIC", UPLOAD_PROBLEM_MESSAGES.heic],
  ];
  for (const [what, make, filename, message] of cases) {
    it(what, async () => {
      const before = await api.getProducts();
      const { context, page } = await loggedInOwner(browser, { javaScriptEnabled: false });
      const id = `bad-${Date.now().toString(36)}`;
      await addProduct(page, id, "不該出現的商品", {
        name: filename,
        mimeType: filename.endsWith(".png") ? "image/png" : "image/jpeg",
        buffer: await make(),
      });
      await expect.poll(() => page.getByText(message).count(), { timeout: 30_000 }).toBe(1);
      expect(new URL(page.url()).pathname).toBe("/admin/products/new");
      // What the owner typed is still there, ready for another file.
      expect(await page.getByLabel("商品名稱").inputValue()).toBe("不該出現的商品");
      expect(await page.getByLabel("商品圖片").getAttribute("aria-invalid")).toBe("true");
      await context.close();
      expect(await api.getProducts()).toEqual(before);
    });
  }

  it("a CMYK JPEG is accepted and converted", async () => {
    const { context, page } = await loggedInOwner(browser, { javaScriptEnabled: false });
    const id = `cmyk-${Date.now().toString(36)}`;
    await addProduct(page, id, "印刷用照片", { name: "cmyk.jpg", mimeType: "image/jpeg", buffer: await cmykJpeg() });
    await page.waitForURL((url) => url.pathname === "/admin/products");
    await context.close();
    const product = await savedProduct(id);
    const variant = await fetch(`${e2e().baseUrl}/images/${product.image!.id}-${product.image!.widths[0]}.webp`);
    const metadata = await sharp(Buffer.from(await variant.arrayBuffer())).metadata();
    expect([metadata.space, metadata.channels]).toEqual(["srgb", 3]);
  });
});
