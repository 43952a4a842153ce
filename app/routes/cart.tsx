import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { MAX_LINE_QUANTITY } from "../../aws/src/contract/values";
import { LOW_STOCK_THRESHOLD } from "../../aws/src/domain/stock";
import { ChargeNotes, ChargeRows } from "../components/Charges";
import { ProductPhoto } from "../components/ProductPhoto";
import { type CartActionData, type CartLine, loadCartPage, updateCart } from "../lib/cart.server";
import { formatTwd } from "../lib/format";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, { title: "購物車", description: "檢查購物車裡的商品與數量，準備結帳。" });

export const loader = ({ request, context }: LoaderFunctionArgs) => loadCartPage(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => updateCart(context.cloudflare, request);

/**
 * No JavaScript (app/lib/page-scripts.ts): every change is a plain form post that redirects back here (or, when it
 * cannot be made, answers this page with the reason).
 */
export default function CartPage() {
  const { cart, added } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as CartActionData | undefined;
  const message = actionData?.message ?? (added ? `已將「${added}」加入購物車。` : null);
  const failed = actionData ? !actionData.ok : false;

  return (
    <>
      <h1 className="mb-6 text-2xl font-bold sm:text-3xl">購物車</h1>
      <p role="status" className={`mb-4 min-h-6 ${failed ? "font-medium text-red-700" : "text-brand-800"}`}>
        {message}
      </p>
      {cart.dropped > 0 ? (
        <p className="mb-4 rounded-lg bg-amber-50 px-4 py-3 text-amber-900">有商品已經下架，已從購物車移除。</p>
      ) : null}
      {cart.lines.length === 0 ? (
        <div className="rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center">
          <p className="text-stone-700">購物車是空的。</p>
          <p className="mt-4">
            <Link to="/" className="font-medium text-brand-800 underline underline-offset-4">
              去逛逛商品
            </Link>
          </p>
        </div>
      ) : (
        <div className="grid gap-8 lg:grid-cols-[1fr_20rem]">
          <ul className="divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white">
            {cart.lines.map((line) => (
              <li key={line.productId} className="p-4">
                <CartLineRow line={line} />
              </li>
            ))}
          </ul>
          <aside aria-labelledby="cart-summary" className="h-fit rounded-xl border border-stone-200 bg-white p-4">
            <h2 id="cart-summary" className="text-lg font-semibold">
              小計
            </h2>
            <ChargeRows subtotal={cart.subtotal} charges={cart.charges} itemCount={cart.itemCount} />
            <p className="mt-2 flex items-baseline justify-between border-t border-stone-200 pt-2">
              <span className="font-semibold">合計</span>
              <span className="text-2xl font-bold text-brand-800" data-total="">
                {formatTwd(cart.charges.byMethod.credit.total)}
              </span>
            </p>
            <ChargeNotes charges={cart.charges} />
            {cart.soldOut.length > 0 ? (
              <p className="mt-3 text-sm font-medium text-red-700">購物車裡有已售完的商品，請先移除後再結帳。</p>
            ) : null}
            {cart.short.length > 0 ? (
              <p className="mt-3 text-sm font-medium text-red-700">有商品庫存不足，請減少數量後再結帳。</p>
            ) : null}
            {cart.orderable ? (
              <Link
                to="/checkout"
                className="mt-4 block rounded-lg bg-brand-700 px-4 py-3 text-center font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2"
              >
                前往結帳
              </Link>
            ) : null}
            <p className="mt-3 text-center text-sm">
              <Link to="/" className="text-brand-800 underline underline-offset-2">
                繼續購物
              </Link>
            </p>
          </aside>
        </div>
      )}
    </>
  );
}

function CartLineRow({ line }: { line: CartLine }) {
  const quantityId = `qty-${line.productId}`;
  const buttonClass =
    "rounded-lg border border-stone-400 px-3 py-2 text-sm font-medium text-stone-800 hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600";
  return (
    <div className="flex gap-4">
      <ProductPhoto
        product={line}
        alt=""
        slot="cart"
        width={96}
        height={72}
        className="h-18 w-24 flex-none rounded-lg object-cover"
      />
      <div className="flex flex-1 flex-col gap-2">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="font-semibold">
            <Link to={`/products/${line.productId}`} className="hover:underline">
              {line.name}
            </Link>
          </h2>
          <p className="font-semibold">
            <span className="sr-only">小計 </span>
            {line.available ? formatTwd(line.lineTotal) : null}
          </p>
        </div>
        <p className="text-sm text-stone-700">
          單價 {formatTwd(line.unitPrice)}
          {line.available ? null : <span className="ml-2 font-bold text-red-700">已售完</span>}
          {line.available && line.left !== undefined && line.quantity > line.left ? (
            <span className="ml-2 font-bold text-red-700" data-stock="">
              只剩 {line.left} 件，請減少數量
            </span>
          ) : line.available && line.left !== undefined && line.left <= LOW_STOCK_THRESHOLD ? (
            <span className="ml-2 font-semibold text-red-700" data-stock="">
              只剩 {line.left} 件
            </span>
          ) : null}
        </p>
        <div className="flex flex-wrap items-end gap-2">
          {line.available ? (
            <form method="post" action="/cart" className="flex items-end gap-2">
              <input type="hidden" name="intent" value="set" />
              <input type="hidden" name="productId" value={line.productId} />
              <div>
                <label htmlFor={quantityId} className="block text-sm text-stone-800">
                  數量<span className="sr-only">：{line.name}</span>
                </label>
                <input
                  id={quantityId}
                  type="number"
                  name="quantity"
                  min={0}
                  max={Math.max(1, Math.min(MAX_LINE_QUANTITY, line.left ?? MAX_LINE_QUANTITY))}
                  defaultValue={line.quantity}
                  inputMode="numeric"
                  className="mt-1 w-20 rounded-lg border border-stone-400 px-3 py-2 text-base focus:outline-none focus:ring-2 focus:ring-brand-600"
                />
              </div>
              <button type="submit" className={buttonClass}>
                更新<span className="sr-only">「{line.name}」的數量</span>
              </button>
            </form>
          ) : null}
          <form method="post" action="/cart">
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="productId" value={line.productId} />
            <button type="submit" className={buttonClass}>
              移除<span className="sr-only">「{line.name}」</span>
            </button>
          </form>
        </div>
      </div>
    </div>
  );
}
