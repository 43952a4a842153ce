/** Add a product: name, description, integer TWD price, availability, image (uploaded through the admin API). */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import { ProductForm } from "../components/admin/ProductForm";
import { adminMeta } from "../lib/admin/meta";
import { loadNewProduct, submitNewProduct } from "../lib/admin/products.server";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("新增商品");
export const headers = privateRouteHeaders("owner");

export const loader = ({ request, context }: LoaderFunctionArgs) => loadNewProduct(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitNewProduct(context.cloudflare, request);

export default function NewProduct() {
  const result = useActionData<typeof action>();
  return (
    <div className="flex flex-col gap-6">
      <p>
        <Link to="/admin/products" className="text-brand-800 underline underline-offset-4">
          ← 回到商品列表
        </Link>
      </p>
      <h1 className="text-2xl font-bold">新增商品</h1>
      <ProductForm
        isNew
        values={result && !result.ok ? result.values : undefined}
        errors={result && !result.ok ? result.errors : undefined}
        formError={result && !result.ok ? result.formError : undefined}
      />
    </div>
  );
}
