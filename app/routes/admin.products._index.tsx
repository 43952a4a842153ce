/** Products: the catalog in shop order, with move up / down and sold-out toggles; add and edit on their own pages. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { buttonClass, FormMessage } from "../components/admin/fields";
import { PhotoState } from "../components/admin/PhotoState";
import { ProductPhoto } from "../components/ProductPhoto";
import { adminMeta } from "../lib/admin/meta";
import { loadProductsList, submitProductListChange } from "../lib/admin/products.server";
import { formatTwd } from "../lib/format";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("商品");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadProductsList(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) =>
  submitProductListChange(context.cloudflare, request);

export default function ProductsPage() {
  const { products, loadError, savedMessage } = useLoaderData<typeof loader>();
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
      {result ? (
        <FormMessage
          success={result.ok ? result.message : undefined}
          error={result.ok ? undefined : (result.formError ?? Object.values(result.errors)[0])}
        />
      ) : savedMessage ? (
        <FormMessage success={savedMessage} />
      ) : null}
      <p className="text-stone-700">商品依下列順序顯示在商店首頁。價格一律為新台幣整數元。</p>
      <div className="overflow-x-auto rounded-lg border border-stone-300 bg-white">
        <table className="w-full min-w-[44rem] text-left text-sm">
          <caption className="sr-only">商品列表，共 {products.length} 項</caption>
          <thead className="bg-stone-100">
            <tr>
              <th scope="col" className="px-3 py-2">
                順序
              </th>
              <th scope="col" className="px-3 py-2">
                圖片
              </th>
              <th scope="col" className="px-3 py-2">
                名稱
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                單價
              </th>
              <th scope="col" className="px-3 py-2">
                狀態
              </th>
              <th scope="col" className="px-3 py-2">
                操作
              </th>
            </tr>
          </thead>
          <tbody>
            {products.length === 0 ? (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-stone-700">
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
