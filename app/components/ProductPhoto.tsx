/**
 * A product's photo wherever pages show one (catalog, product page, cart, admin): the WebP variants with `srcset`
 * and the slot's `sizes`, `width`/`height` so nothing shifts, a pre-variant file as it was stored, or the placeholder
 * while a new photo is processed (never a broken image). Which file is which lives in contract/photos.ts.
 */
import type { Product } from "../../aws/src/contract";
import { type PhotoSource, photoSource } from "../../aws/src/contract/photos";

/**
 * How wide each slot is, for `sizes`. The layout: `main` is max-w-6xl (1152 px) with 16-px padding; the catalog is
 * 1 / 2 / 3 columns (gap 24 px) from 0 / 640 / 1024 px; the product page 2 columns (gap 40 px) from 768 px.
 */
export const PHOTO_SIZES = {
  catalog:
    "(min-width: 1152px) 357px, (min-width: 1024px) calc((100vw - 80px) / 3), (min-width: 640px) calc((100vw - 56px) / 2), calc(100vw - 32px)",
  product: "(min-width: 1152px) 540px, (min-width: 768px) calc((100vw - 72px) / 2), calc(100vw - 32px)",
  cart: "96px",
  adminList: "64px",
  adminForm: "240px",
} as const;

/** The photo fields of a product (a cart line carries the same). */
export type PhotoFields = Pick<Product, "image" | "imageKey" | "imageUpload">;

export function ProductPhoto({
  product,
  alt,
  slot,
  width,
  height,
  priority = false,
  className,
  placeholder,
}: {
  product: PhotoFields;
  alt: string;
  slot: keyof typeof PHOTO_SIZES;
  /** The slot's intrinsic size (4:3) for a pre-variant file, whose size is not known. */
  width: number;
  height: number;
  /** The first visible photo: fetched eagerly with high priority; every other one waits until it is near. */
  priority?: boolean;
  className?: string;
  /** What to show when there is no photo (yet); nothing when omitted. */
  placeholder?: (source: Extract<PhotoSource, { kind: "none" }>) => React.ReactNode;
}) {
  const source = photoSource(product);
  if (source.kind === "none") return placeholder ? placeholder(source) : null;
  const loading = {
    loading: priority ? ("eager" as const) : ("lazy" as const),
    fetchPriority: priority ? ("high" as const) : ("auto" as const),
    decoding: "async" as const,
  };
  if (source.kind === "as-uploaded") {
    return <img src={source.src} alt={alt} width={width} height={height} className={className} {...loading} />;
  }
  return (
    <img
      src={source.src}
      srcSet={source.srcSet}
      sizes={PHOTO_SIZES[slot]}
      alt={alt}
      width={source.width}
      height={source.height}
      className={className}
      {...loading}
    />
  );
}

/** The placeholder every storefront slot shows without a photo: says whether one is on its way. */
export function PhotoPlaceholder({ processing, className = "" }: { processing: boolean; className?: string }) {
  return (
    <div className={`flex h-full items-center justify-center text-sm text-stone-600 ${className}`} aria-hidden="true">
      {processing ? "圖片準備中" : "暫無圖片"}
    </div>
  );
}

/**
 * The storefront's 4:3 photo box (catalog card, product page): the photo or its placeholder, greyed with a "售完"
 * badge when the product is sold out. overflow-hidden: a box with an aspect ratio otherwise grows to its content's own
 * ratio once the photo has loaded (a square photo in a 4:3 slot), pushing the text below it down — a layout shift.
 */
export function ProductPhotoBox({
  product,
  slot,
  priority,
  rounded = false,
}: {
  product: PhotoFields & { name: string; available: boolean };
  slot: "catalog" | "product";
  priority: boolean;
  /** Rounded corners: the product page's box stands alone; the card's sits inside the card's own. */
  rounded?: boolean;
}) {
  return (
    <div className={`relative aspect-[4/3] overflow-hidden ${rounded ? "rounded-xl " : ""}bg-stone-100`}>
      <ProductPhoto
        product={product}
        alt={product.name}
        slot={slot}
        width={800}
        height={600}
        priority={priority}
        className={product.available ? "h-full w-full object-cover" : "h-full w-full object-cover opacity-60 grayscale"}
        placeholder={({ processing }) => <PhotoPlaceholder processing={processing} />}
      />
      {product.available ? null : (
        <span className="absolute left-3 top-3 rounded-full bg-stone-900 px-3 py-1 text-sm font-bold text-white">
          售完
        </span>
      )}
    </div>
  );
}
