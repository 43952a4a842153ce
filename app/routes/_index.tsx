import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AddToCartForm } from "../components/AddToCartForm";
import { JsonLd } from "../components/JsonLd";
import { Price } from "../components/Price";
import { ProductPhotoBox } from "../components/ProductPhoto";
import { loadCatalogPage, type ShownProduct } from "../lib/catalog.server";
import { catalogJsonLd, pageMeta } from "../lib/seo";
import { SHOP_NAME, SHOP_TAGLINE } from "../lib/shop";
import type { loader as rootLoader } from "../root";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, { title: "全部商品", description: `${SHOP_NAME}：${SHOP_TAGLINE}`, canonicalPath: "/" });

export const loader = ({ context }: LoaderFunctionArgs) => loadCatalogPage(context.cloudflare);

export default function CatalogPage() {
  const { products } = useLoaderData<typeof loader>();
  const shell = useRouteLoaderData<typeof rootLoader>("root");
  return (
    <>
      <div className="mb-8">
        <h1 className="text-2xl font-bold sm:text-3xl">全部商品</h1>
        <p className="mt-2 text-stone-700">{SHOP_TAGLINE}</p>
      </div>
      {products.length === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 bg-white p-8 text-center text-stone-700">
          目前沒有上架的商品，請稍後再來看看。
        </p>
      ) : (
        <ul className="grid grid-cols-1 gap-6 sm:grid-cols-2 lg:grid-cols-3">
          {products.map((product, index) => (
            <li key={product.id}>
              <ProductCard product={product} first={index === 0} />
            </li>
          ))}
        </ul>
      )}
      {shell ? <JsonLd data={catalogJsonLd(products, shell.siteUrl)} /> : null}
    </>
  );
}

function ProductCard({ product, first }: { product: ShownProduct; first: boolean }) {
  const titleId = `product-${product.id}`;
  const href = `/products/${product.id}`;
  return (
    <article
      aria-labelledby={titleId}
      className="flex h-full flex-col overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm"
    >
      {/* The first photo is the page's largest paint on a phone; the rest load as they come near. */}
      <ProductPhotoBox product={product} slot="catalog" priority={first} />
      <div className="flex flex-1 flex-col gap-2 p-4">
        <h2 id={titleId} className="text-lg font-semibold leading-snug">
          <Link to={href} className="hover:text-brand-800 hover:underline">
            {product.name}
          </Link>
        </h2>
        {product.description ? (
          <p className="line-clamp-3 whitespace-pre-line text-sm text-stone-700">{product.description}</p>
        ) : null}
        <p className="mt-auto flex items-baseline justify-between gap-2 pt-2">
          <Price amount={product.unitPrice} className="text-lg font-bold text-brand-800" />
          {product.available && product.stockLabel ? (
            <span className="text-sm font-semibold text-red-700" data-stock="">
              {product.stockLabel}
            </span>
          ) : null}
        </p>
        <AddToCartForm product={product} />
      </div>
    </article>
  );
}
