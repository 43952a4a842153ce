/**
 * What a stock count means to a shopper. The order API is the authority (it reserves atomically when an order is
 * placed); the storefront shows these from a briefly cached copy of the counts.
 */

/** At or below this many units left the storefront says how many ("只剩 3 件"). */
export const LOW_STOCK_THRESHOLD = 5;

export type StockState =
  | { kind: "untracked" }
  | { kind: "sold_out" }
  | { kind: "low"; left: number }
  | { kind: "in_stock"; left: number };

export function stockState(left: number | undefined): StockState {
  if (left === undefined) return { kind: "untracked" };
  if (left <= 0) return { kind: "sold_out" };
  if (left <= LOW_STOCK_THRESHOLD) return { kind: "low", left };
  return { kind: "in_stock", left };
}

/** The shopper-facing words for a state, or null when nothing needs saying. */
export function stockLabel(state: StockState): string | null {
  if (state.kind === "sold_out") return "已售完";
  if (state.kind === "low") return `只剩 ${state.left} 件`;
  return null;
}

/** The most a shopper may put in the cart of a product (99 is the cart's own limit per line). */
export function maxOrderable(left: number | undefined, cartLimit = 99): number {
  return left === undefined ? cartLimit : Math.max(0, Math.min(cartLimit, left));
}
