/** Structured data and meta: escaping that keeps JSON-LD inside its element, and absolute URLs on SITE_URL. */
import { describe, expect, it } from "vitest";
import type { Product } from "../../aws/src/contract";
import { sharePhoto } from "../../aws/src/contract/photos";
import { jsonLdText, pageMeta, productJsonLd } from "./seo";

const product: Product = {
  id: "dongding-oolong",
  name: "凍頂烏龍茶 </script><script>alert(1)</script>",
  description: "焙火 & 回甘",
  unitPrice: 1280,
  available: false,
  sortOrder: 1,
  imageKey: "images/abc.png",
};

describe("structured data", () => {
  it("cannot be closed from inside: <, > and & are escaped, and the JSON still parses to the same value", () => {
    const text = jsonLdText(productJsonLd(product, "https://shop.example.tw"));
    expect(text).not.toMatch(/[<>&]/);
    expect(JSON.parse(text).name).toBe(product.name);
  });

  it("describes a Product with its TWD price and availability on SITE_URL", () => {
    expect(productJsonLd(product, "https://shop.example.tw")).toMatchObject({
      "@type": "Product",
      url: "https://shop.example.tw/products/dongding-oolong",
      image: ["https://shop.example.tw/images/abc.png"],
      offers: { price: "1280", priceCurrency: "TWD", availability: "https://schema.org/OutOfStock" },
    });
  });

  it("points link previews and JSON-LD at the 1200-px JPEG of a processed photo, with its size", () => {
    const image = { id: "0123456789abcdef0123456789abcdef", width: 1440, height: 1080, widths: [320, 640, 1200, 1440] };
    const { imageKey: _legacy, ...rest } = product;
    const processed: Product = { ...rest, image };
    const jpeg = `https://shop.example.tw/images/${image.id}-1200.jpg`;
    expect(productJsonLd(processed, "https://shop.example.tw").image).toEqual([jpeg]);
    const matches = [{ id: "root", data: { siteUrl: "https://shop.example.tw" } }];
    const meta = pageMeta(matches, { title: "t", description: "d", canonicalPath: "/p", image: sharePhoto(processed) });
    expect(meta).toContainEqual({ property: "og:image", content: jpeg });
    expect(meta).toContainEqual({ property: "og:image:width", content: "1200" });
    expect(meta).toContainEqual({ property: "og:image:height", content: "900" });
  });

  it("gives indexable pages a canonical URL and private pages noindex", () => {
    const matches = [{ id: "root", data: { siteUrl: "https://shop.example.tw" } }];
    expect(pageMeta(matches, { title: "全部商品", description: "d", canonicalPath: "/" })).toContainEqual({
      tagName: "link",
      rel: "canonical",
      href: "https://shop.example.tw/",
    });
    const cart = pageMeta(matches, { title: "購物車", description: "d" });
    expect(cart).toContainEqual({ name: "robots", content: "noindex" });
    expect(cart.some((m) => "rel" in m)).toBe(false);
  });
});
