import type { Product } from "../../aws/src/contract";
import { MAX_LINE_QUANTITY } from "../../aws/src/contract/values";

/**
 * Add to cart: a plain form post (no JavaScript on the catalog and product pages) that lands on the cart page, which
 * confirms what was added (`/cart?added=<id>`) or says why not.
 */
export function AddToCartForm({
  product,
  withQuantity = false,
}: {
  /** `maxQuantity`: fewer than a line's limit when only a few are left. */
  product: Product & { maxQuantity?: number };
  withQuantity?: boolean;
}) {
  if (!product.available) {
    return (
      <p className="rounded-lg bg-stone-100 px-4 py-2.5 text-center font-medium text-stone-700">已售完，暫無法購買</p>
    );
  }
  const quantityId = `quantity-${product.id}`;
  return (
    <form method="post" action="/cart" className="flex flex-col gap-2">
      <input type="hidden" name="intent" value="add" />
      <input type="hidden" name="productId" value={product.id} />
      <div className="flex items-end gap-2">
        {withQuantity ? (
          <div>
            <label htmlFor={quantityId} className="block text-sm font-medium text-stone-800">
              數量
            </label>
            <input
              id={quantityId}
              type="number"
              name="quantity"
              min={1}
              max={product.maxQuantity ?? MAX_LINE_QUANTITY}
              defaultValue={1}
              inputMode="numeric"
              className="mt-1 w-20 rounded-lg border border-stone-400 px-3 py-2.5 text-base focus:outline-none focus:ring-2 focus:ring-brand-600"
            />
          </div>
        ) : null}
        <button
          type="submit"
          className="flex-1 rounded-lg bg-brand-700 px-4 py-2.5 font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2"
        >
          加入購物車
          <span className="sr-only">：{product.name}</span>
        </button>
      </div>
    </form>
  );
}
