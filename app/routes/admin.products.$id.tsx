/** Edit a product (name, description, price, availability, image) or remove it. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { buttonClass, CheckboxField, FormMessage } from "../components/admin/fields";
import { ProductForm } from "../components/admin/ProductForm";
import { adminMeta } from "../lib/admin/meta";
import { loadProductEditor, submitProductEdit } from "../lib/admin/products.server";
import { fieldValue } from "../lib/forms";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("編輯商品");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, params, context }: LoaderFunctionArgs) =>
  loadProductEditor(context.cloudflare, request, params.id);
export const action = ({ request, params, context }: ActionFunctionArgs) =>
  submitProductEdit(context.cloudflare, request, params.id);

export default function EditProduct() {
  const { product, baseline } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = result && !result.ok ? result : undefined;
  const removing = fieldValue(failed?.values, "intent") === "remove";
  return (
    <div className="flex flex-col gap-6">
      <p>
        <Link to="/admin/products" className="text-brand-800 underline underline-offset-4">
          ← 回到商品列表
        </Link>
      </p>
      <h1 className="text-2xl font-bold">編輯商品：{product.name}</h1>
      <p className="text-stone-700">
        商品代號 <span className="font-mono">{product.id}</span>
      </p>
      <ProductForm
        isNew={false}
        product={product}
        baseline={baseline}
        values={failed && !removing ? failed.values : undefined}
        errors={failed && !removing ? failed.errors : undefined}
        formError={failed && !removing ? failed.formError : undefined}
      />
      <section aria-labelledby="remove-title" className="max-w-2xl rounded-lg border border-red-300 bg-white p-4">
        <h2 id="remove-title" className="text-lg font-semibold text-red-800">
          刪除商品
        </h2>
        <p className="mt-1 text-stone-800">
          刪除後商店不再顯示這個商品；已成立的訂單不受影響。只是暫時缺貨的話，請改標示為售完。
        </p>
        <Form method="post" className="mt-3 flex flex-col gap-3">
          <input type="hidden" name="intent" value="remove" />
          {removing && failed?.formError ? <FormMessage error={failed.formError} /> : null}
          <CheckboxField
            name="confirm"
            id="confirm-remove"
            label={`我確定要刪除「${product.name}」`}
            error={removing ? failed?.errors.confirm : undefined}
          />
          <div>
            <button type="submit" className={buttonClass.danger}>
              刪除商品
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}
