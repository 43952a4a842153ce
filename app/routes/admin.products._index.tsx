/** Products: the catalog in shop order, with move up / down and sold-out toggles; add and edit on their own pages. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ColumnHeads } from "../components/admin/ColumnHeads";
import { buttonClass, FormMessage } from "../components/admin/fields";
import { PhotoState } from "../components/admin/PhotoState";
import { ProductPhoto } from "../components/ProductPhoto";
import { adminMeta } from "../lib/admin/meta";
import { loadProductsList, submitProductListChange } from "../lib/admin/products.server";
import { formatTwd } from "../lib/format";
import { fieldValue } from "../lib/forms";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("商品");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadProductsList(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) =>
  submitProductListChange(context.cloudflare, request);

export default function ProductsPage() {
  const { products, loadError, savedMessage, stock, stockError } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">商品</h1>
        <Link to="/admin/products/new" className={buttonClass.primary}>
          新增商品
        </Link>
      </div>
      {loadError ? <FormMessage error={loadError} /> : null}
      {stockError ? <FormMessage error={stockError} /> : null}
      {result ? (
        <FormMessage
          success={result.ok ? result.message : undefined}
          error={result.ok ? undefined : (result.formError ?? Object.values(result.errors)[0])}
        />
      ) : savedMessage ? (
        <FormMessage success={savedMessage} />
      ) : null}
      <p className="text-stone-700">
        商品依下列順序顯示在商店首頁。價格一律為新台幣整數元。庫存留空表示不追蹤；追蹤的商品賣完會自動顯示已售完，剩 5
        件以下時商店會顯示「只剩 N 件」。
      </p>
      <div className="overflow-x-auto rounded-lg border border-stone-300 bg-white">
        <table className="w-full min-w-[56rem] text-left text-sm">
          <caption className="sr-only">商品列表，共 {products.length} 項</caption>
          <thead className="bg-stone-100">
            <tr>
              <ColumnHeads columns={["順序", "圖片", "名稱", { label: "單價", right: true }, "狀態", "庫存", "操作"]} />
            </tr>
          </thead>
          <tbody>
            {products.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-3 py-6 text-center text-stone-700">
                  還沒有商品。
                </td>
              </tr>
            ) : null}
            {products.map((product, index) => (
              <tr key={product.id} className="border-t border-stone-200" data-product-id={product.id}>
                <td className="px-3 py-2">
                  <Form method="post" className="flex gap-1">
                    <input type="hidden" name="id" value={product.id} />
                    <button
                      type="submit"
                      name="op"
                      value="up"
                      disabled={busy || index === 0}
                      className={buttonClass.small}
                      aria-label={`上移「${product.name}」`}
                    >
                      ↑
                    </button>
                    <button
                      type="submit"
                      name="op"
                      value="down"
                      disabled={busy || index === products.length - 1}
                      className={buttonClass.small}
                      aria-label={`下移「${product.name}」`}
                    >
                      ↓
                    </button>
                  </Form>
                </td>
                <td className="px-3 py-2">
                  <ProductPhoto
                    product={product}
                    alt=""
                    slot="adminList"
                    width={64}
                    height={48}
                    className="h-12 w-16 rounded object-cover"
                    placeholder={({ processing }) => (processing ? null : <span className="text-stone-600">無</span>)}
                  />
                  <PhotoState product={product} />
                </td>
                <td className="px-3 py-2">
                  <Link to={`/admin/products/${product.id}`} className="text-brand-800 underline underline-offset-2">
                    {product.name}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right">{formatTwd(product.unitPrice)}</td>
                <td className="px-3 py-2">{product.available ? "販售中" : "售完"}</td>
                <td className="px-3 py-2">
                  {stock ? (
                    <StockForm
                      product={product}
                      shown={stock[product.id] ?? null}
                      failed={
                        result &&
                        !result.ok &&
                        fieldValue(result.values, "op") === "stock" &&
                        fieldValue(result.values, "id") === product.id
                          ? result
                          : undefined
                      }
                      busy={busy}
                    />
                  ) : (
                    <span className="text-stone-600">—</span>
                  )}
                </td>
                <td className="px-3 py-2">
                  <Form method="post">
                    <input type="hidden" name="id" value={product.id} />
                    <button
                      type="submit"
                      name="op"
                      value={product.available ? "soldout" : "onsale"}
                      disabled={busy}
                      className={buttonClass.small}
                    >
                      {product.available ? `標示「${product.name}」售完` : `「${product.name}」恢復販售`}
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * One product's count, changed on condition of the one shown (`expected`): another tab or a sale in between makes the
 * API refuse, and the row then shows the count as it is now, with what was typed kept.
 */
function StockForm({
  product,
  shown,
  failed,
  busy,
}: {
  product: { id: string; name: string };
  shown: number | null;
  failed?: { values: Record<string, string | string[]>; errors: Record<string, string> };
  busy: boolean;
}) {
  const inputId = `stock-${product.id}`;
  const errorId = `stock-error-${product.id}`;
  const expected = failed ? (fieldValue(failed.values, "expected") ?? "") : shown === null ? "" : String(shown);
  const error = failed?.errors.stock;
  return (
    <Form method="post" className="flex flex-col gap-1">
      <input type="hidden" name="op" value="stock" />
      <input type="hidden" name="id" value={product.id} />
      <input type="hidden" name="expected" value={expected} />
      <div className="flex items-center gap-2">
        <label htmlFor={inputId} className="sr-only">
          「{product.name}」的庫存
        </label>
        <input
          key={`${expected}-${failed ? "failed" : "shown"}`}
          id={inputId}
          name="stock"
          inputMode="numeric"
          maxLength={12}
          placeholder="不追蹤"
          defaultValue={failed ? (fieldValue(failed.values, "stock") ?? "") : expected}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className="w-24 rounded border border-stone-400 px-2 py-1"
        />
        <button type="submit" disabled={busy} className={buttonClass.small}>
          更新庫存<span className="sr-only">：{product.name}</span>
        </button>
      </div>
      {error ? (
        <p id={errorId} className="max-w-xs text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </Form>
  );
}
