import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AddToCartForm } from "../components/AddToCartForm";
import { JsonLd } from "../components/JsonLd";
import { Price } from "../components/Price";
import { ProductPhotoBox } from "../components/ProductPhoto";
import { loadProductPage } from "../lib/catalog.server";
import { sharePhoto } from "../../aws/src/contract/photos";
import { formatTwd } from "../lib/format";
import { pageMeta, productJsonLd, summarize } from "../lib/seo";
import type { loader as rootLoader } from "../root";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return pageMeta(matches, { title: "找不到商品", description: "找不到這項商品。" });
  const { product } = data;
  const price = formatTwd(product.unitPrice);
  return pageMeta(matches, {
    title: product.name,
    description: summarize(`${product.name}，${price}。${product.description}${product.available ? "" : "（已售完）"}`),
    canonicalPath: `/products/${product.id}`,
    image: sharePhoto(product),
    type: "product",
  });
};

export const loader = ({ params, context }: LoaderFunctionArgs) => loadProductPage(context.cloudflare, params.id);

export default function ProductPage() {
  const { product } = useLoaderData<typeof loader>();
  const shell = useRouteLoaderData<typeof rootLoader>("root");
  return (
    <>
      <nav aria-label="麵包屑" className="mb-4 text-sm">
        <ol className="flex flex-wrap gap-1 text-stone-700">
          <li>
            <Link to="/" className="underline underline-offset-2 hover:text-brand-800">
              全部商品
            </Link>
            <span aria-hidden="true"> ／ </span>
          </li>
          <li aria-current="page">{product.name}</li>
        </ol>
      </nav>
      <article className="grid gap-6 md:grid-cols-2 md:gap-10">
        <ProductPhotoBox product={product} slot="product" priority rounded />
        <div className="flex flex-col gap-4">
          <h1 className="text-2xl font-bold sm:text-3xl">{product.name}</h1>
          <Price amount={product.unitPrice} as="p" className="text-2xl font-bold text-brand-800" />
          {product.available && product.stockLabel ? (
            <p className="font-semibold text-red-700" data-stock="">
              {product.stockLabel}
            </p>
          ) : null}
          {product.description ? <p className="whitespace-pre-line text-stone-800">{product.description}</p> : null}
          <AddToCartForm product={product} withQuantity />
        </div>
      </article>
      {shell ? <JsonLd data={productJsonLd(product, shell.siteUrl)} /> : null}
    </>
  );
}
