import { describe, expect, it } from "vitest";
import type { Catalog } from "../contract";
import { priceOrder } from "./pricing";

const catalog: Catalog = {
  products: [
    { id: "oolong", name: "凍頂烏龍茶", description: "", unitPrice: 450, available: true, sortOrder: 1 },
    { id: "pineapple-cake", name: "鳳梨酥", description: "", unitPrice: 380, available: true, sortOrder: 2 },
    { id: "mango", name: "愛文芒果乾", description: "", unitPrice: 250, available: false, sortOrder: 3 },
  ],
};

describe("priceOrder", () => {
  it("prices every line from the catalog and sums the total", () => {
    const result = priceOrder(
      [
        { productId: "oolong", quantity: 2 },
        { productId: "pineapple-cake", quantity: 3 },
      ],
      catalog,
    );
    expect(result).toEqual({
      ok: true,
      total: 2 * 450 + 3 * 380,
      lines: [
        { productId: "oolong", name: "凍頂烏龍茶", unitPrice: 450, quantity: 2, lineTotal: 900 },
        { productId: "pineapple-cake", name: "鳳梨酥", unitPrice: 380, quantity: 3, lineTotal: 1140 },
      ],
    });
  });

  it("refuses unknown products before unavailable ones", () => {
    expect(priceOrder([{ productId: "nope", quantity: 1 }, { productId: "mango", quantity: 1 }], catalog)).toEqual({
      ok: false,
      reason: "unknown_product",
      productIds: ["nope"],
    });
    expect(priceOrder([{ productId: "mango", quantity: 1 }], catalog)).toEqual({
      ok: false,
      reason: "unavailable_product",
      productIds: ["mango"],
    });
  });

  it("follows a price change in the catalog", () => {
    const raised: Catalog = { products: catalog.products.map((p) => (p.id === "oolong" ? { ...p, unitPrice: 500 } : p)) };
    const result = priceOrder([{ productId: "oolong", quantity: 1 }], raised);
    expect(result.ok && result.total).toBe(500);
  });
});
