import { Link, useFetcher } from "@remix-run/react";
import { useId } from "react";
import type { Product } from "../../aws/src/contract";
import { MAX_LINE_QUANTITY } from "../../aws/src/contract/values";
import type { CartActionData } from "../lib/cart.server";
import { useHydrated } from "../lib/use-hydrated";

/**
 * Add to cart. Without JavaScript a plain form post that lands on the cart page; with it a fetcher that stays on
 * the page, shows a pending state and confirms in a live region (the header's cart count follows on revalidation).
 */
export function AddToCartForm({ product, withQuantity = false }: { product: Product; withQuantity?: boolean }) {
  const fetcher = useFetcher<CartActionData>();
  const hydrated = useHydrated();
  const quantityId = useId();
  const busy = fetcher.state !== "idle";
  const result = fetcher.state === "idle" ? fetcher.data : undefined;

  if (!product.available) {
    return (
      <p className="rounded-lg bg-stone-100 px-4 py-2.5 text-center font-medium text-stone-700">已售完，暫無法購買</p>
    );
  }
  return (
    <fetcher.Form method="post" action="/cart" className="flex flex-col gap-2">
      <input type="hidden" name="intent" value="add" />
      <input type="hidden" name="productId" value={product.id} />
      {hydrated ? <input type="hidden" name="respond" value="data" /> : null}
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
              max={MAX_LINE_QUANTITY}
              defaultValue={1}
              inputMode="numeric"
              className="mt-1 w-20 rounded-lg border border-stone-400 px-3 py-2.5 text-base focus:outline-none focus:ring-2 focus:ring-brand-600"
            />
          </div>
        ) : null}
        <button
          type="submit"
          disabled={busy}
          className="flex-1 rounded-lg bg-brand-700 px-4 py-2.5 font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2 disabled:cursor-wait disabled:opacity-70"
        >
          {busy ? "加入中…" : "加入購物車"}
          <span className="sr-only">：{product.name}</span>
        </button>
      </div>
      <p role="status" className="min-h-5 text-sm">
        {result ? (
          <span className={result.ok ? "text-brand-800" : "text-red-700"}>
            {result.message}
            {result.ok ? (
              <>
                {" "}
                <Link to="/cart" className="font-medium underline underline-offset-2">
                  查看購物車
                </Link>
              </>
            ) : null}
          </span>
        ) : null}
      </p>
    </fetcher.Form>
  );
}
