/**
 * The header's cart link and count: the one per-shopper part of a catalog or product page. CartLink renders it; a
 * page served from the edge cache was rendered for nobody (count 0) and gets the shopper's count written into these
 * two elements at the edge (app/lib/page-cache.server.ts), so both must agree on the markup. Browser-safe.
 */

/** On the `<a>` to the cart, whose accessible name carries the count. */
export const CART_LINK_ATTRIBUTE = "data-cart-link";
/** On the element whose text is the count. */
export const CART_COUNT_ATTRIBUTE = "data-cart-count";

export function cartLinkLabel(count: number): string {
  return `購物車，${count} 件商品`;
}
