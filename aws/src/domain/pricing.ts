/**
 * Prices an order from the catalog. The browser only says which products and how many; every amount
 * here comes from the catalog the server just read.
 */
import type { Catalog, OrderLine } from "../contract";

export interface RequestedItem {
  productId: string;
  quantity: number;
}

export type PricingResult =
  | { ok: true; lines: OrderLine[]; total: number }
  | { ok: false; reason: "unknown_product" | "unavailable_product"; productIds: string[] };

export function priceOrder(items: readonly RequestedItem[], catalog: Catalog): PricingResult {
  const byId = new Map(catalog.products.map((p) => [p.id, p]));
  const unknown = items.filter((i) => !byId.has(i.productId)).map((i) => i.productId);
  if (unknown.length > 0) return { ok: false, reason: "unknown_product", productIds: unknown };
  const unavailable = items.filter((i) => !byId.get(i.productId)?.available).map((i) => i.productId);
  if (unavailable.length > 0) return { ok: false, reason: "unavailable_product", productIds: unavailable };

  const lines = items.map((item): OrderLine => {
    // Existence was checked above; the non-null assertion keeps the mapping readable.
    const product = byId.get(item.productId)!;
    return {
      productId: product.id,
      name: product.name,
      unitPrice: product.unitPrice,
      quantity: item.quantity,
      lineTotal: product.unitPrice * item.quantity,
    };
  });
  return { ok: true, lines, total: lines.reduce((sum, line) => sum + line.lineTotal, 0) };
}
