import { CART_COUNT_ATTRIBUTE, CART_LINK_ATTRIBUTE, cartLinkLabel } from "../lib/cart-count";

/**
 * The header's link to the cart with the number of items in it: the one per-shopper part of the catalog and product
 * pages. A cached page carries it for an empty cart and gets each shopper's count written in at the edge
 * (app/lib/page-cache.server.ts) through the two data attributes. A plain link: the cart page runs no JavaScript.
 */
export function CartLink({ count }: { count: number | undefined }) {
  return (
    <a
      href="/cart"
      aria-label={count === undefined ? "購物車" : cartLinkLabel(count)}
      {...(count === undefined ? {} : { [CART_LINK_ATTRIBUTE]: "" })}
      className="inline-flex items-center gap-1.5 rounded-full border border-brand-700 px-3 py-1.5 text-brand-800 hover:bg-brand-50"
    >
      購物車
      {count === undefined ? null : (
        <span
          {...{ [CART_COUNT_ATTRIBUTE]: "" }}
          className="min-w-6 rounded-full bg-brand-700 px-1.5 text-center text-sm font-semibold text-white"
        >
          {count}
        </span>
      )}
    </a>
  );
}
