import exifReader from "exif-reader";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import {
  cmykJpeg,
  heicFile,
  notAnImage,
  oversizeJpeg,
  phonePhoto,
  photoAs,
  pngBomb,
  TEST_GPS,
  truncatedJpeg,
} from "../../local/seed/photos";
import { type ProcessedPhoto, PhotoRejected, processPhoto } from "./photos";

async function rejection(bytes: Uint8Array): Promise<PhotoRejected> {
  try {
    await processPhoto(bytes);
  } catch (error) {
    if (error instanceof PhotoRejected) return error;
    throw error;
  }
  throw new Error("expected the photo to be refused");
}

/** Mean of each channel over the rows `from`–`to` (fractions of the height) of an sRGB image. */
async function meanColour(bytes: Uint8Array, from: number, to: number): Promise<number[]> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sums = [0, 0, 0];
  let count = 0;
  for (let y = Math.floor(info.height * from); y < Math.floor(info.height * to); y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * info.channels;
      for (let c = 0; c < 3; c++) sums[c]! += data[i + c]!;
      count++;
    }
  }
  return sums.map((s) => s / count);
}

describe("a 12-megapixel phone photo, taken upright, with GPS in its EXIF", () => {
  let input: Buffer;
  let photo: ProcessedPhoto;
  beforeAll(async () => {
    input = await phonePhoto({ seed: 11 });
    photo = await processPhoto(input);
  }, 60_000);

  it("is what a phone saves: 4032 × 3024 stored sideways, orientation 6, GPS position", async () => {
    const metadata = await sharp(input).metadata();
    expect([metadata.width, metadata.height, metadata.orientation]).toEqual([4032, 3024, 6]);
    const exif = exifReader(metadata.exif!);
    expect(exif.GPSInfo?.GPSLatitude).toEqual([23, 43, 25.2]);
    expect(exif.GPSInfo?.GPSLatitudeRef).toBe(TEST_GPS.GPSLatitudeRef);
    expect(input.length).toBeGreaterThan(2_000_000);
  });

  it("gets WebP variants at every width up to 1440, upright (3024 wide) and cut to 4:3", () => {
    expect(photo.image).toMatchObject({ width: 1440, height: 1080, widths: [320, 480, 640, 960, 1200, 1440] });
    expect(photo.outputs.map((o) => o.key)).toEqual([
      ...[320, 480, 640, 960, 1200, 1440].map((w) => `images/${photo.image.id}-${w}.webp`),
      `images/${photo.image.id}-1200.jpg`,
    ]);
  });

  it("writes each variant at its width, 4:3, with no EXIF, XMP or colour profile", async () => {
    for (const output of photo.outputs) {
      const metadata = await sharp(output.body).metadata();
      const width = Number(/-(\d+)\.(webp|jpg)$/.exec(output.key)![1]);
      expect({ key: output.key, width: metadata.width, height: metadata.height }).toEqual({
        key: output.key,
        width,
        height: Math.round((width * 3) / 4),
      });
      expect(metadata.format).toBe(output.contentType === "image/webp" ? "webp" : "jpeg");
      expect(metadata.exif).toBeUndefined();
      expect(metadata.xmp).toBeUndefined();
      expect(metadata.icc).toBeUndefined();
      expect(metadata.orientation).toBeUndefined();
      // Belt and braces: no EXIF block and no GPS tag name anywhere in the bytes.
      const latin1 = Buffer.from(output.body).toString("latin1");
      expect(latin1.includes("Exif\0\0")).toBe(false);
      expect(latin1.includes("iPhone")).toBe(false);
    }
  });

  it("is upright: the warm upper half of the picture is on top, not on the left", async () => {
    for (const output of [photo.outputs[0]!, photo.outputs.at(-2)!]) {
      const [topRed, , topBlue] = await meanColour(output.body, 0, 0.4);
      const [bottomRed, , bottomBlue] = await meanColour(output.body, 0.6, 1);
      expect(topRed! - topBlue!).toBeGreaterThan(30);
      expect(bottomBlue! - bottomRed!).toBeGreaterThan(30);
    }
  });

  it("keeps the file as sent, metadata and all, as the private original", () => {
    expect(photo.original.key).toBe(`originals/${photo.image.id}.jpg`);
    expect(Buffer.from(photo.original.body).equals(input)).toBe(true);
  });

  it("names everything after the file's bytes: the same file gives the same id, another file another", async () => {
    expect((await processPhoto(input)).image.id).toBe(photo.image.id);
    const other = Buffer.from(input);
    other[other.length - 3] = (other[other.length - 3]! + 1) % 256;
    expect(imageIdDiffers(await processPhoto(other), photo)).toBe(true);
  }, 60_000);
});

const imageIdDiffers = (a: ProcessedPhoto, b: ProcessedPhoto) => a.image.id !== b.image.id;

describe("other photos", () => {
  it("never upscales: a 200 × 150 PNG gets one 200-px variant", async () => {
    const photo = await processPhoto(await photoAs("png", { width: 200, height: 150 }));
    expect(photo.image).toMatchObject({ width: 200, height: 150, widths: [200] });
    expect(photo.outputs.map((o) => o.key)).toEqual([
      `images/${photo.image.id}-200.webp`,
      `images/${photo.image.id}-200.jpg`,
    ]);
    expect(photo.original.key).toMatch(/\.png$/);
  });

  it("takes WebP, and drops a step that would be a near-copy of the largest variant", async () => {
    const photo = await processPhoto(await photoAs("webp", { width: 1000, height: 1000 }));
    expect(photo.image).toMatchObject({ width: 1000, height: 750, widths: [320, 480, 640, 1000] });
  });

  it("converts a CMYK JPEG to sRGB with its colours", async () => {
    const input = await cmykJpeg();
    expect((await sharp(input).metadata()).space).toBe("cmyk");
    const photo = await processPhoto(input);
    const variant = photo.outputs.at(-2)!.body;
    const metadata = await sharp(variant).metadata();
    expect([metadata.space, metadata.channels]).toEqual(["srgb", 3]);
    // The same picture converted by libvips directly, as a reference: within a few levels per channel.
    const reference = await sharp(input).toColourspace("srgb").resize(metadata.width, metadata.height).png().toBuffer();
    const [got, want] = await Promise.all([meanColour(variant, 0, 1), meanColour(reference, 0, 1)]);
    for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThan(6);
  });
});

describe("files refused, with the reason", () => {
  it("a JPEG cut short", async () => {
    expect((await rejection(await truncatedJpeg())).problem).toBe("unreadable");
  });

  it("a 30,000 × 30,000 PNG (decompression bomb), from its header, before decoding", async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(200_000);
    const refused = await rejection(bomb);
    expect(refused.problem).toBe("too_many_pixels");
    expect(refused.message).toContain("30000 × 30000");
  });

  it("a HEIC file, a file that is no image, and one over 20 MB", async () => {
    expect((await rejection(heicFile())).problem).toBe("heic");
    expect((await rejection(notAnImage())).problem).toBe("not_an_image");
    expect((await rejection(await oversizeJpeg())).problem).toBe("too_large");
  });

  it("bytes that claim to be a PNG but are not one", async () => {
    const fake = Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(5000, 1)]);
    expect((await rejection(fake)).problem).toBe("unreadable");
  });
});
