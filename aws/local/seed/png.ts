/**
 * A tiny PNG encoder for the seed pictures, so the sample catalog has real images without shipping binaries.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type Rgb = [number, number, number];

/** Encodes an RGB image given a pixel function. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as Rgb;

/** A product still life: a soft vertical gradient with a round shape and its shadow. */
export function productPicture(background: [Rgb, Rgb], subject: Rgb, size = 480): Buffer {
  const cx = size / 2;
  const cy = size * 0.46;
  const radius = size * 0.27;
  return encodePng(size, size, (x, y) => {
    let colour = mix(background[0], background[1], y / size);
    const shadow = ((x - cx) / (radius * 1.1)) ** 2 + ((y - size * 0.78) / (radius * 0.22)) ** 2;
    if (shadow < 1) colour = mix(colour, [0, 0, 0], 0.18 * (1 - shadow));
    const d = Math.hypot(x - cx, y - cy) / radius;
    if (d < 1) {
      // Light from the upper left gives the shape some volume.
      const light = Math.max(0, 1 - Math.hypot(x - (cx - radius * 0.35), y - (cy - radius * 0.35)) / (radius * 1.6));
      colour = mix(subject, [255, 255, 255], light * 0.55);
    }
    return colour;
  });
}
