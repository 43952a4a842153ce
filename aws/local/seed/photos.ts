/**
 * Photos as an owner's phone makes them, generated in code so no multi-megabyte file sits in the repository:
 * smooth colour fields with fine detail and sensor-like noise (so they compress like photos: a 12-megapixel JPEG at
 * quality 92 is about 3 MB), saved sideways with EXIF orientation 6 as phones do, with make, model and the GPS
 * position where they were taken. Plus the files an owner should never get through: a CMYK JPEG (converted, not
 * refused), a JPEG cut short, a decompression bomb, a HEIC file, a 25 MB file and something that is no image.
 *
 * Used by the tests, the benchmarks and the end-to-end tests.
 */
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { PNG_SIGNATURE, pngChunk } from "./png";

export interface PhonePhotoOptions {
  /** Different seeds give different pictures; the same seed gives the same bytes. */
  seed?: number;
  /** Stored (sensor) size; 4032 × 3024 is a 12-megapixel phone photo. */
  width?: number;
  height?: number;
  /** EXIF orientation; 6 = the camera was held upright, the pixels are stored turned 90° (how phones save them). */
  orientation?: 1 | 3 | 6 | 8;
  quality?: number;
}

/** Where the test photos were "taken": Lugu, Nantou (23°43'25.2"N 120°45'21.6"E), written as EXIF rationals. */
export const TEST_GPS = {
  GPSLatitudeRef: "N",
  GPSLatitude: "23/1 43/1 252/10",
  GPSLongitudeRef: "E",
  GPSLongitude: "120/1 45/1 216/10",
} as const;

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * The picture itself (upright pixels, no metadata): `width × height` RGB, warmer in its upper half and cooler in its
 * lower half (light from above), which is also how the tests tell an upright variant from a sideways one.
 */
async function scene(seed: number, width: number, height: number): Promise<Buffer> {
  const random = xorshift(seed * 7919 + 17);
  const base = [40 + random() * 180, 40 + random() * 180, 40 + random() * 180];
  // Detail at every scale, weaker the finer it is (as in photographs: light and shapes, then surfaces, then grain),
  // built as a pyramid: a 16 × 12 field of colours, scaled up smoothly, with finer variation added at each step.
  let size = { width: 16, height: 12 };
  let pixels = Buffer.alloc(size.width * size.height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = clamp((base[i % 3] as number) + (random() - 0.5) * 200);
  for (const [divisor, amplitude] of [[64, 60], [16, 30], [4, 12]] as const) {
    const next = { width: Math.max(16, Math.round(width / divisor)), height: Math.max(12, Math.round(height / divisor)) };
    pixels = await sharp(pixels, { raw: { ...size, channels: 3 } }).resize(next.width, next.height, { kernel: "cubic" }).raw().toBuffer();
    for (let i = 0; i < pixels.length; i++) pixels[i] = clamp((pixels[i] as number) + (random() - 0.5) * amplitude);
    size = next;
  }
  pixels = await sharp(pixels, { raw: { ...size, channels: 3 } }).resize(width, height, { kernel: "cubic" }).raw().toBuffer();
  // Sensor noise at full resolution (what makes a phone's JPEG weigh megabytes), and light from above.
  let s = seed >>> 0 || 1;
  const half = width * 3 * Math.floor(height / 2);
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const channel = i % 3;
    const light = i < half ? (channel === 0 ? 50 : channel === 2 ? -30 : 0) : channel === 2 ? 50 : channel === 0 ? -30 : 0;
    pixels[i] = clamp((pixels[i] as number) + light + (((s >>> 16) & 255) / 255 - 0.5) * 20);
  }
  return pixels;
}

const clamp = (value: number) => Math.max(0, Math.min(255, value));

/** Clockwise turn from the upright picture to the stored pixels, for each EXIF orientation used here. */
const STORED_TURN = { 1: 0, 3: 180, 6: 270, 8: 90 } as const;

/**
 * A JPEG as a phone saves it: the sensor's `width × height` pixels, turned as the camera was held, EXIF orientation,
 * make and model, and the GPS position. Upright it is `height × width` for orientations 6 and 8.
 */
export async function phonePhoto(options: PhonePhotoOptions = {}): Promise<Buffer> {
  const { seed = 1, width = 4032, height = 3024, orientation = 6, quality = 92 } = options;
  const turned = orientation >= 5;
  const upright = { width: turned ? height : width, height: turned ? width : height };
  const pixels = await scene(seed, upright.width, upright.height);
  return sharp(pixels, { raw: { ...upright, channels: 3 } })
    .rotate(STORED_TURN[orientation])
    .jpeg({ quality })
    .withExif({
      IFD0: { Make: "Apple", Model: "iPhone 13", Software: "17.1" },
      IFD3: { ...TEST_GPS },
    })
    .withMetadata({ orientation })
    .toBuffer();
}

/** The same kind of picture as PNG or WebP (a screenshot, a photo saved by another app), no metadata. */
export async function photoAs(format: "png" | "webp", options: PhonePhotoOptions = {}): Promise<Buffer> {
  const { seed = 2, width = 1600, height = 1200 } = options;
  const image = sharp(await scene(seed, width, height), { raw: { width, height, channels: 3 } });
  return format === "png" ? image.png().toBuffer() : image.webp({ quality: 90 }).toBuffer();
}

/** A JPEG in CMYK, as print-oriented software saves them: to be converted to sRGB, not refused. */
export async function cmykJpeg(options: PhonePhotoOptions = {}): Promise<Buffer> {
  const { seed = 3, width = 1600, height = 1200 } = options;
  return sharp(await scene(seed, width, height), { raw: { width, height, channels: 3 } })
    .toColourspace("cmyk")
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A phone photo whose transfer stopped part-way: the JPEG has no end and most of its scan is missing. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await phonePhoto({ seed: 4, width: 1600, height: 1200 });
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/**
 * A decompression bomb: a valid PNG of `size × size` one-bit pixels, all zero. 30,000 × 30,000 is 900 megapixels
 * (2.7 GB as RGB) in about 110 KB of file.
 */
export function pngBomb(size = 30_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // colour type: greyscale
  const rowBytes = Math.ceil(size / 8) + 1; // filter byte + packed pixels
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.alloc(rowBytes * size), { level: 9 })),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/** The start of an iPhone HEIC file (ISO base media `ftyp` box, brand `heic`, then its `meta` box) and filler. */
export function heicFile(): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from("ftypheic", "latin1"),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from("mif1MiHEheic", "latin1"),
  ]);
  const meta = Buffer.concat([
    Buffer.from([0, 0, 0x10, 0]),
    Buffer.from("meta", "latin1"),
    Buffer.alloc(0x1000 - 8, 7),
  ]);
  return Buffer.concat([ftyp, meta, Buffer.alloc(200_000, 0x5a)]);
}

/** A real JPEG padded past the 20 MB limit (what a 50 MP photo at top quality can weigh). */
export async function oversizeJpeg(bytes = 25 * 1024 * 1024): Promise<Buffer> {
  const photo = await phonePhoto({ seed: 5, width: 1600, height: 1200 });
  return Buffer.concat([photo, Buffer.alloc(Math.max(0, bytes - photo.length), 0)]);
}

/** Not an image at all: a PDF's first bytes with a `.jpg` name is what the owner might pick by mistake. */
export function notAnImage(): Buffer {
  return Buffer.from("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
}
