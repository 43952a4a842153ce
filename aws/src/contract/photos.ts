/**
 * Product photos: the limits, names and rules the function, the BFF and the pages share (docs/decisions/
 * 0019-product-photos.md). Free of zod (like values.ts), so pages and browser code can import it; the schemas are in
 * images.ts.
 *
 * The owner's file goes to S3 under a short-lived upload key (`uploads/<uploadId>`) with a presigned POST the API
 * issues; a function triggered by that upload checks it, makes the variants the pages need and records the outcome
 * under `upload-status/<uploadId>.json`. Variants are content-addressed (`images/<imageId>-<width>.webp`), so they
 * are cached for ever; the original is kept private under `originals/`.
 */
import type { PendingImage, ProductImage } from "./images";

/** The largest file the owner may upload: a phone's 12–50 MP JPEG is 3–12 MB. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
/** Decoding refuses anything larger (decompression bombs); phones save 12–50 MP, 108/200 MP sensors bin to 12 MP. */
export const MAX_INPUT_PIXELS = 100_000_000;
/** How long the presigned POST may be used. */
export const UPLOAD_EXPIRES_SECONDS = 300;

/** Widths of the WebP variants, before dropping those wider than the photo (never upscale). */
export const VARIANT_WIDTHS = [320, 480, 640, 960, 1200, 1440] as const;
/** Link previews (Open Graph) and JSON-LD: a JPEG, because crawlers document JPEG/PNG only. */
export const SHARE_WIDTH = 1200;
/** Every page shows product photos in a 4:3 frame, so the variants are cut to it (the centre, as the pages did). */
export const ASPECT = { width: 4, height: 3 } as const;

/** Why a file was refused; the admin turns each into a sentence the owner can act on. */
export const UPLOAD_PROBLEMS = ["not_an_image", "heic", "too_large", "too_many_pixels", "unreadable"] as const;
export type UploadProblem = (typeof UPLOAD_PROBLEMS)[number];

export const UPLOAD_PREFIX = "uploads/";
export const STATUS_PREFIX = "upload-status/";
export const ORIGINALS_PREFIX = "originals/";

export const uploadKey = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;
export const statusKey = (uploadId: string) => `${STATUS_PREFIX}${uploadId}.json`;

// ---------------------------------------------------------------------------------------------
// Rules shared by the function and the BFF

export type SniffedFormat = "jpeg" | "png" | "webp" | "heic" | "unknown";

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));

/** What the first bytes say the file is (its name and declared type are not trusted). Needs the first 16 bytes. */
export function sniffImage(bytes: Uint8Array): SniffedFormat {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP") return "webp";
  // ISO base media file with a HEIF brand: what iPhones save by default (HEIC) and its relatives.
  if (
    ascii(bytes, 4, 8) === "ftyp" &&
    /^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif|avis)$/.test(ascii(bytes, 8, 12))
  )
    return "heic";
  return "unknown";
}

/** Widths of the variants of a photo that is `width` px wide once cut to 4:3: never wider than the photo. */
export function variantWidths(width: number): number[] {
  const largest = Math.min(width, VARIANT_WIDTHS.at(-1) as number);
  // A step within 10 % of the largest variant would be a near-copy of it.
  const widths: number[] = VARIANT_WIDTHS.filter((w) => w * 1.1 < largest);
  widths.push(largest);
  return widths;
}

/** The photo's 4:3 frame: the largest centred 4:3 rectangle inside `width × height`. */
export function frameOf(width: number, height: number): { width: number; height: number } {
  const byWidth = { width, height: Math.round((width * ASPECT.height) / ASPECT.width) };
  if (byWidth.height <= height) return byWidth;
  return { width: Math.round((height * ASPECT.width) / ASPECT.height), height };
}

export const variantHeight = (image: Pick<ProductImage, "width" | "height">, width: number) =>
  Math.round((width * image.height) / image.width);

export const variantKey = (imageId: string, width: number) => `images/${imageId}-${width}.webp`;
/** The link-preview JPEG: the widest variant width up to SHARE_WIDTH. */
export function shareWidth(image: Pick<ProductImage, "widths">): number {
  const fitting = image.widths.filter((w) => w <= SHARE_WIDTH);
  return fitting.at(-1) ?? (image.widths[0] as number);
}
export const shareKey = (image: Pick<ProductImage, "id" | "widths">) => `images/${image.id}-${shareWidth(image)}.jpg`;

/** What processing decided about an upload, as far as the catalog cares. */
export type UploadOutcome = { state: "ready"; image: ProductImage } | { state: "rejected"; problem: UploadProblem };

interface ImageFields {
  imageKey?: string | undefined;
  image?: ProductImage | undefined;
  imageUpload?: PendingImage | undefined;
}

/**
 * Gives the products waiting for `uploadId` its outcome: the processed photo (replacing any earlier or pre-variant
 * one), or the reason it was refused. Answers null when no product waits for it (nothing to write). Both the
 * processing function and the admin apply it, whichever learns the outcome after the product was saved.
 */
export function applyUploadOutcome<P extends ImageFields>(
  products: P[],
  uploadId: string,
  outcome: UploadOutcome,
): P[] | null {
  if (!products.some((p) => p.imageUpload?.uploadId === uploadId && !p.imageUpload.problem)) return null;
  return products.map((product) => {
    if (product.imageUpload?.uploadId !== uploadId || product.imageUpload.problem) return product;
    const { imageUpload: _pending, imageKey: _legacy, image: _previous, ...rest } = product;
    if (outcome.state === "ready") return { ...rest, image: outcome.image } as P;
    // Refused: keep whatever the product showed before, and say why in the admin.
    return { ...product, imageUpload: { uploadId, problem: outcome.problem } };
  });
}

// ---------------------------------------------------------------------------------------------
// What the pages show: one home for a product photo's URLs (app/components/ProductImage.tsx, SEO tags)

/** How a product's photo is shown: variants with `srcset`, a pre-variant file as it is, or the placeholder. */
export type PhotoSource =
  | { kind: "variants"; src: string; srcSet: string; width: number; height: number }
  | { kind: "as-uploaded"; src: string }
  | { kind: "none"; processing: boolean };

/** The `src` for browsers that pick no `srcset` candidate: a middle width, enough for most slots. */
const FALLBACK_WIDTH = 640;

export function photoSource(product: ImageFields): PhotoSource {
  const { image } = product;
  if (image) {
    const fallback = image.widths.find((w) => w >= FALLBACK_WIDTH) ?? image.width;
    return {
      kind: "variants",
      src: `/${variantKey(image.id, fallback)}`,
      srcSet: image.widths.map((w) => `/${variantKey(image.id, w)} ${w}w`).join(", "),
      width: image.width,
      height: image.height,
    };
  }
  if (product.imageKey) return { kind: "as-uploaded", src: `/${product.imageKey}` };
  return { kind: "none", processing: Boolean(product.imageUpload && !product.imageUpload.problem) };
}

/** The picture for link previews and JSON-LD (a path on the shop's origin), with its size when known. */
export function sharePhoto(product: ImageFields): { path: string; width?: number; height?: number } | undefined {
  const { image } = product;
  if (image) {
    const width = shareWidth(image);
    return { path: `/${shareKey(image)}`, width, height: variantHeight(image, width) };
  }
  return product.imageKey ? { path: `/${product.imageKey}` } : undefined;
}
