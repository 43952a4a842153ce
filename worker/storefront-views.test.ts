/**
 * The pure pieces of the shopper pages (app/lib): structured data escaping, the order timeline, Taipei times and
 * TWD amounts. They run here, in workerd, like the loaders that use them.
 */
import { describe, expect, it } from "vitest";
import { formatTaipeiDateTime, formatTwd } from "../app/lib/format";
import { statusLabel, timeline } from "../app/lib/order-view";
import { jsonLdText, pageMeta, productJsonLd } from "../app/lib/seo";
import type { HistoryEntry, Order, Product } from "../aws/src/contract";

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

describe("formatting", () => {
  it("prints TWD without decimals", () => {
    expect(formatTwd(1280)).toBe("NT$1,280");
    expect(formatTwd(0)).toBe("NT$0");
  });

  it("prints times in Taipei whatever the runtime's zone", () => {
    expect(formatTaipeiDateTime("2026-11-27T16:05:00.000Z")).toBe("2026/11/28 00:05");
  });
});

describe("the order timeline", () => {
  const at = (minute: number) => `2026-11-27T02:${String(minute).padStart(2, "0")}:00.000Z`;
  const entry = (to: HistoryEntry["to"], minute: number, from: HistoryEntry["from"] = null): HistoryEntry => ({
    at: at(minute),
    from,
    to,
    by: "ecpay",
  });
  const order = (o: Pick<Order, "status" | "paymentMethod" | "history">) => o;

  it("walks an ATM order through account, payment and shipping", () => {
    const steps = timeline(
      order({
        status: "awaiting_payment",
        paymentMethod: "atm",
        history: [entry("created", 0), entry("awaiting_payment", 1, "created")],
      }),
    );
    expect(steps.map((s) => [s.label, s.state, s.at])).toEqual([
      ["訂單成立", "done", at(0)],
      ["取得轉帳帳號", "current", at(1)],
      ["付款完成", "upcoming", undefined],
      ["已出貨", "upcoming", undefined],
    ]);
    expect(statusLabel("awaiting_payment", "atm")).toBe("等待轉帳");
  });

  it("skips the account step of an ATM order whose payment arrived first", () => {
    const steps = timeline(
      order({ status: "paid", paymentMethod: "atm", history: [entry("created", 0), entry("paid", 2, "created")] }),
    );
    expect(steps.map((s) => s.label)).toEqual(["訂單成立", "付款完成", "已出貨"]);
  });

  it("ends a cancelled order at the cancellation", () => {
    const steps = timeline(
      order({
        status: "cancelled",
        paymentMethod: "cod",
        history: [entry("created", 0), entry("cancelled", 5, "created")],
      }),
    );
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ["訂單成立", "done"],
      ["已取消", "current"],
    ]);
  });

  it("puts shipping before payment for pay on arrival", () => {
    const steps = timeline(
      order({ status: "shipped", paymentMethod: "cod", history: [entry("created", 0), entry("shipped", 9)] }),
    );
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ["訂單成立", "done"],
      ["已出貨", "current"],
      ["已收款", "upcoming"],
    ]);
  });
});
