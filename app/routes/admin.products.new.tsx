/** Add a product: name, description, integer TWD price, availability, image (uploaded through the admin API). */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import { readForm } from "../../worker/form-body";
import { ProductForm } from "../components/admin/ProductForm";
import { ownerData, ownerRedirect, requireOwner } from "../lib/admin-auth.server";
import { createProduct, imageFile, newProductFormSchema } from "../lib/admin-catalog.server";
import { parseForm } from "../lib/admin-forms.server";
import { adminMeta, adminRouteHeaders } from "../lib/admin-meta";

export const meta: MetaFunction = () => adminMeta("新增商品");
export const headers = adminRouteHeaders;

export const loader = async ({ request, context }: LoaderFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare);
  return ownerData(owner, { ok: true as const });
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const owner = await requireOwner(request, context.cloudflare);
  const formData = await readForm(request);
  const form = parseForm(newProductFormSchema, formData);
  if (!form.ok) return ownerData(owner, form, { status: 400 });
  const result = await createProduct(context.cloudflare, form.data, imageFile(formData), form.values);
  return result.ok ? ownerRedirect(owner, result.redirectTo) : ownerData(owner, result, { status: 409 });
};

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
