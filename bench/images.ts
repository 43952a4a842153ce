/**
 * Product photos (ADR 0019), measured beside baselines in the same run:
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
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { chromium } from "playwright-core";
import sharp, { type OutputInfo, type Sharp } from "sharp";
import { localS3Client } from "../aws/local/s3-buckets";
import { phonePhoto } from "../aws/local/seed/photos";
import { DEV_PRINCIPALS, startLocalStack } from "../aws/local/stack";
import { sendPhoto } from "../aws/src/contract";
import { processPhoto, WEBP_QUALITY } from "../aws/src/lib/photos";
import { adminApi } from "../scripts/lib/admin-api";
import { freePort, repoRoot } from "../scripts/lib/processes";
import { startStorefront } from "../scripts/lib/storefront";
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
async function lowestQualityReaching(pixels: { data: Buffer; info: OutputInfo }, encoder: Encoder, target: number) {
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

// ---------------------------------------------------------------------------------------------
// The catalog with five phone photos, as a phone loads it

export interface ImageTransfer {
  requests: number;
  bytes: number;
  /** Each image fetched: path and bytes on the wire (headers included). */
  files: { path: string; bytes: number }[];
}

export interface CatalogPhotosRow {
  scenario: string;
  /** Loading `/` until the network is idle (the eager images and the lazy ones the browser fetches near the viewport). */
  onLoad: ImageTransfer;
  /** Then scrolled to the end: every product's image. */
  afterScroll: ImageTransfer;
}

export interface CatalogPhotosFigures {
  screen: { width: number; height: number; deviceScaleFactor: number };
  photos: { width: number; height: number; bytes: number }[];
  /** Owner's wait per photo: presigned POST, S3, the function, the outcome (median, ms). */
  uploadMs: number;
  rows: CatalogPhotosRow[];
  /** Ratio of the variants' on-load bytes to the photos as uploaded. */
  ratioToAsUploaded: number;
  lighthouse?: { performance: number; lcp: string; lcpMs: number; imageBytes: number } | { error: string };
}

export const CATALOG_IMAGES_TARGET_BYTES = 300_000;
const SCREEN = { width: 390, height: 844, deviceScaleFactor: 3 };

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** Image bytes a 390-px phone (DPR 3, empty cache) fetches for the catalog: on load, then scrolled to the end. */
export async function catalogImageTransfer(
  baseUrl: string,
): Promise<{ onLoad: ImageTransfer; afterScroll: ImageTransfer }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({
      viewport: { width: SCREEN.width, height: SCREEN.height },
      deviceScaleFactor: SCREEN.deviceScaleFactor,
      isMobile: true,
      hasTouch: true,
      locale: "zh-TW",
    });
    const page = await context.newPage();
    const sizes: Promise<[string, number]>[] = [];
    page.on("requestfinished", (request) => {
      if (request.resourceType() !== "image") return;
      sizes.push(
        request.sizes().then((s) => [new URL(request.url()).pathname, s.responseBodySize + s.responseHeadersSize]),
      );
    });
    const snapshot = async (): Promise<ImageTransfer> => {
      const files = (await Promise.all(sizes)).map(([path, bytes]) => ({ path, bytes }));
      return { requests: files.length, bytes: files.reduce((sum, f) => sum + f.bytes, 0), files };
    };
    await page.goto(`${baseUrl}/`, { waitUntil: "networkidle" });
    const onLoad = await snapshot();
    // Scroll as a thumb does, a screen at a time, so every lazy image comes into view.
    const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
    for (let y = 0; y <= height; y += SCREEN.height / 2) {
      await page.mouse.wheel(0, SCREEN.height / 2);
      await page.waitForTimeout(150);
    }
    await page.waitForLoadState("networkidle");
    return { onLoad, afterScroll: await snapshot() };
  } finally {
    await browser.close();
  }
}

/**
 * The same catalog three ways in one run: as seeded (small generated pictures: the shop's figure so far), with five
 * 12-megapixel phone photos as the old admin stored them (served as uploaded), and with the same five photos uploaded
 * through the photo path (WebP variants, `srcset`). Then Lighthouse (mobile) on the last.
 */
export async function benchCatalogPhotos(
  options: { skipBuild?: boolean; lighthouse?: boolean; log?: (line: string) => void } = {},
): Promise<CatalogPhotosFigures> {
  const log = options.log ?? (() => {});

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const port = await freePort();
  const stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    storefrontUrl: `http://127.0.0.1:${port}`,
  });
  const persistTo = await mkdtemp(path.join(tmpdir(), "shop-bench-photos-"));
  const s3 = localS3Client(stack.s3Endpoint);
  try {
    log(options.skipBuild ? "starting the storefront (existing build)…" : "building the storefront and starting it…");
    const storefront = await startStorefront({
      mode: "build",
      port,
      stack,
      ownerPassword: "bench-owner-password",
      skipBuild: options.skipBuild ?? false,
      quiet: true,
      // A short edge TTL, so each catalog below is what the next view reads.
      extraVars: { CACHE_TTL_SECONDS: "1" },
      persistTo,
    });
    try {
      const api = adminApi({ apiUrl: stack.apiUrl, region: stack.region, keys: DEV_PRINCIPALS.admin });
      type Catalog = { products: Record<string, unknown>[]; revision: string | null };
      const setImages = async (images: (Record<string, unknown> | undefined)[]) => {
        const current = await api.call<Catalog>("GET", "/admin/products");
        const products = current.products.map((product, i) => {
          const { imageKey: _k, image: _i, imageUpload: _u, ...rest } = product;
          return { ...rest, ...(images[i] ?? {}) };
        });
        await api.call("PUT", "/admin/products", { products, revision: current.revision });
        // The edge serves a stale copy once while it refreshes: wait until a view shows the new catalog.
        const first = images[0] ?? {};
        const marker = String(
          (first.imageKey as string | undefined) ?? (first.image as { id: string } | undefined)?.id,
        );
        const until = Date.now() + 30_000;
        while (!(await (await fetch(`${storefront.url}/`)).text()).includes(marker)) {
          if (Date.now() > until) throw new Error(`the storefront never showed the new catalog (${marker})`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      };
      const rows: CatalogPhotosRow[] = [];
      const measure = async (scenario: string) => {
        log(`catalog on a ${SCREEN.width}-px phone: ${scenario}…`);
        rows.push({ scenario, ...(await catalogImageTransfer(storefront.url)) });
      };

      await measure("seed images (generated 480 × 480 PNGs)");

      log("five 12-megapixel phone photos…");
      const photos: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        // Three taken upright (stored sideways, orientation 6), two held sideways.
        photos.push(await phonePhoto({ seed: 101 + i, orientation: i % 2 === 0 ? 6 : 1 }));
      }
      const photoSizes = await Promise.all(
        photos.map(async (p) => {
          const m = await sharp(p).metadata();
          return { width: m.width ?? 0, height: m.height ?? 0, bytes: p.length };
        }),
      );

      // As the old admin stored them: the file as sent, under its content hash, served as it is.
      const asUploaded: Record<string, unknown>[] = [];
      for (const photo of photos) {
        const key = `images/${createHash("sha256").update(photo).digest("hex").slice(0, 32)}.jpg`;
        await s3.send(
          new PutObjectCommand({
            Bucket: stack.bucketName,
            Key: key,
            Body: photo,
            ContentType: "image/jpeg",
            CacheControl: "public, max-age=31536000, immutable",
          }),
        );
        asUploaded.push({ imageKey: key });
      }
      await setImages(asUploaded);
      await measure("five 12-MP phone photos, as uploaded (before)");

      const variants: Record<string, unknown>[] = [];
      const uploadMs: number[] = [];
      for (const photo of photos) {
        const started = performance.now();
        const sent = await sendPhoto(api.photos, new Blob([photo]), { waitMs: 120_000, filename: "photo.jpg" });
        uploadMs.push(performance.now() - started);
        if (sent.state !== "ready") throw new Error(`a bench photo was not processed: ${JSON.stringify(sent)}`);
        variants.push({ image: sent.image });
      }
      await setImages(variants);
      await measure("five 12-MP phone photos, WebP variants (srcset)");

      const before = rows[1]!.onLoad.bytes;
      const figures: CatalogPhotosFigures = {
        screen: SCREEN,
        photos: photoSizes,
        uploadMs: round(median(uploadMs), 0),
        rows,
        ratioToAsUploaded: round(rows[2]!.onLoad.bytes / Math.max(1, before), 3),
      };
      if (options.lighthouse ?? true) {
        log("Lighthouse (mobile) on the catalog with the five photos…");
        figures.lighthouse = await lighthouseCatalog(storefront.url);
      }
      return figures;
    } finally {
      await storefront.stop();
    }
  } finally {
    s3.destroy();
    await stack.close();
    await rm(persistTo, { recursive: true, force: true });
  }
}

/** docs/lighthouse/run.mjs on the catalog only; its JSON report read for score, LCP and image bytes. */
async function lighthouseCatalog(
  baseUrl: string,
): Promise<{ performance: number; lcp: string; lcpMs: number; imageBytes: number } | { error: string }> {
  let failure: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await promisify(execFile)(
        "node",
        [path.join(repoRoot, "docs/lighthouse/run.mjs"), baseUrl, "--pages", "catalog"],
        {
          cwd: repoRoot,
          env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" },
          timeout: 300_000,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const report = JSON.parse(await readFile(path.join(tmpdir(), "shop-lighthouse", "catalog.json"), "utf8"));
      const items = (report.audits["network-requests"]?.details?.items ?? []) as {
        resourceType?: string;
        transferSize?: number;
      }[];
      return {
        performance: Math.round((report.categories.performance?.score ?? 0) * 100),
        lcp: String(report.audits["largest-contentful-paint"]?.displayValue ?? ""),
        lcpMs: Math.round(report.audits["largest-contentful-paint"]?.numericValue ?? 0),
        imageBytes: items.filter((i) => i.resourceType === "Image").reduce((sum, i) => sum + (i.transferSize ?? 0), 0),
      };
    } catch (error) {
      failure = error;
    }
  }
  return { error: String(failure).split("\n").slice(0, 3).join(" ").slice(0, 300) };
}
