/**
 * Product photos (ADR 0017), measured beside baselines in the same run:
 *
 * - `benchPhotoProcessing`: what processing one 12-megapixel phone photo costs (lib/photos.ts: orientation, 4:3
 *   frame, six WebP variants and a share JPEG) against only decoding the same JPEG, and what it produces (bytes per
 *   variant against the file as uploaded).
 * - `benchCodecs`: does AVIF pay for itself? Each variant width encoded as WebP at the quality the shop ships, and as
 *   AVIF at the lowest quality that looks at least as good (SSIM on luma against the same pixels), with the encode
 *   time and bytes of each; mozjpeg at the same SSIM as the old-format baseline.
 *
 * The catalog with five phone photos (bytes of images a 390-px phone loads, Lighthouse) is in bench/storefront.ts.
 */
import sharp, { type OutputInfo, type Sharp } from "sharp";
import { phonePhoto } from "../aws/local/seed/photos";
import { processPhoto, WEBP_QUALITY } from "../aws/src/lib/photos";
import { median, round } from "./stats";

export interface PhotoProcessingReport {
  input: { width: number; height: number; bytes: number };
  /** Milliseconds, median of the runs, and the baseline (decode only) in the same runs. */
  processMs: number;
  decodeOnlyMs: number;
  runs: number;
  outputs: { key: string; bytes: number }[];
}

export interface CodecRow {
  width: number;
  ssimTarget: number;
  webp: { quality: number; bytes: number; encodeMs: number; ssim: number };
  avif: { quality: number; bytes: number; encodeMs: number; ssim: number } | null;
  jpeg: { quality: number; bytes: number; encodeMs: number; ssim: number } | null;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

export async function benchPhotoProcessing(options: { runs?: number } = {}): Promise<PhotoProcessingReport> {
  const runs = options.runs ?? 5;
  const input = await phonePhoto({ seed: 7 });
  const metadata = await sharp(input).metadata();
  const process: number[] = [];
  const decode: number[] = [];
  let outputs: { key: string; bytes: number }[] = [];
  await processPhoto(input); // warm libvips
  for (let i = 0; i < runs; i++) {
    // Alternate, so a change of machine load hits both alike.
    decode.push((await timed(() => sharp(input).rotate().raw().toBuffer())).ms);
    const run = await timed(() => processPhoto(input));
    process.push(run.ms);
    outputs = run.value.outputs.map((o) => ({ key: o.key.replace(/^images\/[0-9a-f]+-/, ""), bytes: o.body.length }));
  }
  return {
    input: { width: metadata.width ?? 0, height: metadata.height ?? 0, bytes: input.length },
    processMs: round(median(process), 0),
    decodeOnlyMs: round(median(decode), 0),
    runs,
    outputs,
  };
}

/** SSIM on luma over 8 × 8 windows (stride 4), the usual constants; `a` and `b` are same-size RGB(A) buffers. */
export function ssim(a: Buffer, b: Buffer, width: number, height: number, channels: number): number {
  const luma = (buffer: Buffer) => {
    const y = new Float64Array(width * height);
    for (let i = 0; i < y.length; i++) {
      const p = i * channels;
      y[i] = 0.299 * buffer[p]! + 0.587 * buffer[p + 1]! + 0.114 * buffer[p + 2]!;
    }
    return y;
  };
  const [x, y] = [luma(a), luma(b)];
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let top = 0; top + 8 <= height; top += 4) {
    for (let left = 0; left + 8 <= width; left += 4) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let r = top; r < top + 8; r++) {
        for (let c = left; c < left + 8; c++) {
          const u = x[r * width + c]!;
          const v = y[r * width + c]!;
          sx += u;
          sy += v;
          sxx += u * u;
          syy += v * v;
          sxy += u * v;
        }
      }
      const n = 64;
      const mx = sx / n;
      const my = sy / n;
      const vx = sxx / n - mx * mx;
      const vy = syy / n - my * my;
      const cov = sxy / n - mx * my;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      windows++;
    }
  }
  return total / windows;
}

type Encoder = (image: Sharp, quality: number) => Sharp;
const ENCODERS: Record<"webp" | "avif" | "jpeg", Encoder> = {
  webp: (image, quality) => image.webp({ quality, effort: 4 }),
  avif: (image, quality) => image.avif({ quality, effort: 4 }),
  jpeg: (image, quality) => image.jpeg({ quality, mozjpeg: true }),
};

async function encodeAt(
  pixels: { data: Buffer; info: OutputInfo },
  encoder: Encoder,
  quality: number,
): Promise<{ quality: number; bytes: number; encodeMs: number; ssim: number }> {
  const raw = { raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels } };
  const { value: encoded, ms } = await timed(() => encoder(sharp(pixels.data, raw), quality).toBuffer());
  const decoded = await sharp(encoded).removeAlpha().raw().toBuffer();
  return {
    quality,
    bytes: encoded.length,
    encodeMs: round(ms, 0),
    ssim: round(ssim(pixels.data, decoded, pixels.info.width, pixels.info.height, pixels.info.channels), 4),
  };
}

/** The lowest quality (binary search, 10–95) whose SSIM reaches `target`, or null if none does. */
async function lowestQualityReaching(
  pixels: { data: Buffer; info: OutputInfo },
  encoder: Encoder,
  target: number,
) {
  let low = 10;
  let high = 95;
  let best: Awaited<ReturnType<typeof encodeAt>> | null = null;
  while (low <= high) {
    const quality = Math.floor((low + high) / 2);
    const attempt = await encodeAt(pixels, encoder, quality);
    if (attempt.ssim >= target) {
      best = attempt;
      high = quality - 1;
    } else {
      low = quality + 1;
    }
  }
  // Time the chosen setting again, so search order does not colour the figure.
  return best ? encodeAt(pixels, encoder, best.quality) : null;
}

export async function benchCodecs(options: { widths?: number[]; seed?: number } = {}): Promise<CodecRow[]> {
  const photo = await phonePhoto({ seed: options.seed ?? 8 });
  const rows: CodecRow[] = [];
  for (const width of options.widths ?? [640, 1200]) {
    // The pixels a variant is encoded from: upright, the 4:3 frame, at this width (as lib/photos.ts makes them).
    const pixels = await sharp(photo)
      .rotate()
      .resize({ width, height: Math.round((width * 3) / 4), fit: "cover" })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const webp = await encodeAt(pixels, ENCODERS.webp, WEBP_QUALITY);
    rows.push({
      width,
      ssimTarget: webp.ssim,
      webp,
      avif: await lowestQualityReaching(pixels, ENCODERS.avif, webp.ssim),
      jpeg: await lowestQualityReaching(pixels, ENCODERS.jpeg, webp.ssim),
    });
  }
  return rows;
}
