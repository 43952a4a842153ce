/**
 * From the owner's photo to the files the pages need, with sharp (libvips). Decided in ADR 0019:
 *
 * - only JPEG, PNG and WebP are taken, recognised by their bytes; HEIC and anything else are refused with a reason;
 * - the pixel count is checked from the header before anything is decoded (a 30,000 × 30,000 PNG is ~100 KB of
 *   zeros that would decode to 2.7 GB), and libvips is told the same limit;
 * - a truncated or corrupt file is refused (`failOn: "error"`), not served half-grey;
 * - the EXIF orientation is applied, the photo cut to the pages' 4:3 frame and decoded once into plain sRGB pixels
 *   (CMYK and other colour spaces are converted); every output is encoded from those pixels, so no EXIF, GPS, XMP
 *   or ICC data can reach a variant;
 * - WebP variants at the widths of `variantWidths` (never wider than the photo) and one JPEG for link previews.
 *
 * The file the owner sent is kept as it came (metadata included) under `originals/`, which nobody but the
 * processing function may read, so new variants can be made later without asking for the photo again.
 */
import { createHash } from "node:crypto";
import sharp, { type Metadata, type OutputInfo } from "sharp";
import {
  frameOf,
  MAX_INPUT_PIXELS,
  MAX_UPLOAD_BYTES,
  ORIGINALS_PREFIX,
  shareKey,
  shareWidth,
  sniffImage,
  type UploadProblem,
  variantHeight,
  variantKey,
  variantWidths,
} from "../contract/photos";
import type { ProductImage } from "../contract/images";

/** Bump when the output of the same file changes (quality, widths, crop): new ids, so caches never mix the two. */
export const PIPELINE_VERSION = "photo-v1";
export const WEBP_QUALITY = 75;
export const SHARE_JPEG_QUALITY = 80;

export class PhotoRejected extends Error {
  constructor(
    readonly problem: UploadProblem,
    message: string,
  ) {
    super(message);
    this.name = "PhotoRejected";
  }
}

export interface StoredFile {
  key: string;
  body: Uint8Array;
  contentType: string;
}

export interface ProcessedPhoto {
  image: ProductImage;
  original: StoredFile;
  /** The WebP variants, smallest first, then the link-preview JPEG. */
  outputs: StoredFile[];
}

const ORIGINAL_TYPES = {
  jpeg: { ext: "jpg", contentType: "image/jpeg" },
  png: { ext: "png", contentType: "image/png" },
  webp: { ext: "webp", contentType: "image/webp" },
} as const;

const SHARP_INPUT = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" } as const;

export function imageIdOf(bytes: Uint8Array): string {
  return createHash("sha256").update(`${PIPELINE_VERSION}\n`).update(bytes).digest("hex").slice(0, 32);
}

export async function processPhoto(bytes: Uint8Array): Promise<ProcessedPhoto> {
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new PhotoRejected("too_large", `The file is ${bytes.length} bytes; at most ${MAX_UPLOAD_BYTES} are taken`);
  }
  const format = sniffImage(bytes);
  if (format === "heic") throw new PhotoRejected("heic", "HEIC/HEIF photos are not taken; send a JPEG");
  if (format === "unknown") throw new PhotoRejected("not_an_image", "The file is not a JPEG, PNG or WebP image");

  let metadata: Metadata;
  try {
    // The header only (nothing is decoded), so the size can be reported; decoding below keeps libvips' own limit.
    metadata = await sharp(bytes, { ...SHARP_INPUT, limitInputPixels: false }).metadata();
  } catch (error) {
    throw unreadable(error);
  }
  const { width, height } = metadata;
  if (!width || !height) throw new PhotoRejected("unreadable", "The image has no size");
  if (width * height > MAX_INPUT_PIXELS) {
    throw new PhotoRejected(
      "too_many_pixels",
      `The image is ${width} × ${height} pixels; at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels are taken`,
    );
  }
  // EXIF orientations 5–8 turn the picture by 90°: its upright width is the stored height.
  const turned = (metadata.orientation ?? 1) >= 5;
  const frame = frameOf(turned ? height : width, turned ? width : height);
  const widths = variantWidths(frame.width);
  const largest = widths.at(-1) as number;
  const image: ProductImage = {
    id: imageIdOf(bytes),
    width: largest,
    height: Math.round((largest * frame.height) / frame.width),
    widths,
  };

  // Decode once: upright, cut to the frame, scaled to the largest variant, plain 8-bit sRGB pixels (no metadata).
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(bytes, SHARP_INPUT)
      .rotate()
      .resize({ width: image.width, height: image.height, fit: "cover", position: "centre" })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw unreadable(error);
  }
  const raw = {
    raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels },
  } as const;
  const scaled = (w: number) => sharp(pixels.data, raw).resize(w, variantHeight(image, w));

  const outputs: StoredFile[] = [];
  for (const w of widths) {
    outputs.push({
      key: variantKey(image.id, w),
      body: await scaled(w).webp({ quality: WEBP_QUALITY, effort: 4 }).toBuffer(),
      contentType: "image/webp",
    });
  }
  outputs.push({
    key: shareKey(image),
    body: await scaled(shareWidth(image))
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: SHARE_JPEG_QUALITY, mozjpeg: true })
      .toBuffer(),
    contentType: "image/jpeg",
  });

  const type = ORIGINAL_TYPES[format];
  return {
    image,
    original: { key: `${ORIGINALS_PREFIX}${image.id}.${type.ext}`, body: bytes, contentType: type.contentType },
    outputs,
  };
}

function unreadable(error: unknown): PhotoRejected {
  const detail = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(detail)) {
    return new PhotoRejected("too_many_pixels", `The image has more than ${MAX_INPUT_PIXELS} pixels`);
  }
  return new PhotoRejected("unreadable", `The image cannot be read (damaged or cut short): ${detail.slice(0, 200)}`);
}
