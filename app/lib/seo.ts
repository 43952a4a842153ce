/**
 * Titles, descriptions, canonical links and structured data. Meta functions get SITE_URL from the root loader's
 * data (`siteUrl`), so every absolute URL points at the configured storefront origin.
 */
import type { MetaDescriptor } from "@remix-run/cloudflare";
import type { Product } from "../../aws/src/contract";
import { sharePhoto } from "../../aws/src/contract/photos";
import { SHOP_NAME } from "./shop";

interface RootMatch {
  id: string;
  data: unknown;
}

/** SITE_URL from the root loader's data, or undefined while rendering an error the root loader threw. */
function siteUrlFrom(matches: readonly RootMatch[]): string | undefined {
  const root = matches.find((m) => m.id === "root")?.data as { siteUrl?: string } | undefined;
  return root?.siteUrl;
}

interface PageMeta {
  title: string;
  description: string;
  /** Indexable pages give their path; private pages (cart, checkout, orders) are `noindex` instead. */
  canonicalPath?: string;
  /** A path on the shop's origin (sharePhoto: the 1200-px JPEG), with its size when known. */
  image?: { path: string; width?: number; height?: number } | undefined;
  type?: "website" | "product";
}

export function pageMeta(matches: readonly RootMatch[], page: PageMeta): MetaDescriptor[] {
  const title = `${page.title}｜${SHOP_NAME}`;
  const meta: MetaDescriptor[] = [{ title }, { name: "description", content: page.description }];
  const siteUrl = siteUrlFrom(matches);
  if (page.canonicalPath === undefined) {
    meta.push({ name: "robots", content: "noindex" });
    return meta;
  }
  if (siteUrl) {
    const url = `${siteUrl}${page.canonicalPath}`;
    meta.push(
      { tagName: "link", rel: "canonical", href: url },
      { property: "og:url", content: url },
      ...(page.image ? [{ property: "og:image", content: `${siteUrl}${page.image.path}` }] : []),
      ...(page.image?.width && page.image.height
        ? [
            { property: "og:image:width", content: String(page.image.width) },
            { property: "og:image:height", content: String(page.image.height) },
          ]
        : []),
    );
  }
  meta.push(
    { property: "og:site_name", content: SHOP_NAME },
    { property: "og:title", content: title },
    { property: "og:description", content: page.description },
    { property: "og:type", content: page.type ?? "website" },
    { property: "og:locale", content: "zh_TW" },
  );
  return meta;
}

/** One line of a description: newlines and runs of spaces collapsed, cut at `max` characters. */
export function summarize(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * JSON for a `<script type="application/ld+json">`: `<` is escaped so no value can close the script element
 * (`</script>`) or open a comment; U+2028/2029 for old parsers.
 */
export function jsonLdText(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function productJsonLd(product: Product, siteUrl: string) {
  const url = `${siteUrl}/products/${encodeURIComponent(product.id)}`;
  const share = sharePhoto(product);
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    "@id": url,
    name: product.name,
    description: product.description || product.name,
    sku: product.id,
    url,
    ...(share ? { image: [`${siteUrl}${share.path}`] } : {}),
    brand: { "@type": "Brand", name: SHOP_NAME },
    offers: {
      "@type": "Offer",
      url,
      // Whole New Taiwan Dollars; schema.org wants the number without currency symbols or separators.
      price: String(product.unitPrice),
      priceCurrency: "TWD",
      availability: product.available ? "https://schema.org/InStock" : "https://schema.org/OutOfStock",
      itemCondition: "https://schema.org/NewCondition",
    },
  };
}

export function catalogJsonLd(products: readonly Product[], siteUrl: string) {
  return {
    "@context": "https://schema.org",
    "@type": "ItemList",
    name: `${SHOP_NAME} 全部商品`,
    itemListElement: products.map((product, index) => ({
      "@type": "ListItem",
      position: index + 1,
      url: `${siteUrl}/products/${encodeURIComponent(product.id)}`,
      name: product.name,
    })),
  };
}
