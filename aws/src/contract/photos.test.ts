import { describe, expect, it } from "vitest";
import { applyUploadOutcome, frameOf, photoSource, sharePhoto, sniffImage, variantWidths } from "./photos";
import type { ProductImage } from "./images";

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const image: ProductImage = {
  id: "0123456789abcdef0123456789abcdef",
  width: 1440,
  height: 1080,
  widths: [320, 480, 640, 960, 1200, 1440],
};

describe("photo rules shared by the function, the BFF and the pages", () => {
  it("recognises files by their first bytes, not their names", () => {
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe1]))).toBe("jpeg");
    expect(sniffImage(latin1("\x89PNG\r\n\x1a\n...."))).toBe("png");
    expect(sniffImage(latin1("RIFF\0\0\0\0WEBPVP8 "))).toBe("webp");
    expect(sniffImage(latin1("\0\0\0\x18ftypheic\0\0\0\0"))).toBe("heic");
    expect(sniffImage(latin1("\0\0\0\x18ftypmif1\0\0\0\0"))).toBe("heic");
    expect(sniffImage(latin1("%PDF-1.7"))).toBe("unknown");
    expect(sniffImage(new Uint8Array())).toBe("unknown");
  });

  it("never plans a variant wider than the photo, nor a near-copy of the largest", () => {
    expect(variantWidths(3024)).toEqual([320, 480, 640, 960, 1200, 1440]);
    expect(variantWidths(1000)).toEqual([320, 480, 640, 1000]);
    expect(variantWidths(200)).toEqual([200]);
    expect(frameOf(3024, 4032)).toEqual({ width: 3024, height: 2268 });
    expect(frameOf(4000, 1000)).toEqual({ width: 1333, height: 1000 });
  });

  it("gives pages srcset, size and a fallback; a pre-variant file as it is; a placeholder otherwise", () => {
    expect(photoSource({ image })).toEqual({
      kind: "variants",
      src: `/images/${image.id}-640.webp`,
      srcSet: [320, 480, 640, 960, 1200, 1440].map((w) => `/images/${image.id}-${w}.webp ${w}w`).join(", "),
      width: 1440,
      height: 1080,
    });
    expect(photoSource({ imageKey: "images/abc.png" })).toEqual({ kind: "as-uploaded", src: "/images/abc.png" });
    expect(photoSource({ imageUpload: { uploadId: "f".repeat(32) } })).toEqual({ kind: "none", processing: true });
    expect(photoSource({ imageUpload: { uploadId: "f".repeat(32), problem: "heic" } })).toEqual({
      kind: "none",
      processing: false,
    });
    expect(photoSource({})).toEqual({ kind: "none", processing: false });
  });

  it("points link previews at the 1200-px JPEG (or the largest one there is)", () => {
    expect(sharePhoto({ image })).toEqual({ path: `/images/${image.id}-1200.jpg`, width: 1200, height: 900 });
    expect(sharePhoto({ image: { ...image, width: 800, height: 600, widths: [320, 480, 640, 800] } })).toMatchObject({
      path: `/images/${image.id}-800.jpg`,
    });
    expect(sharePhoto({ imageKey: "images/abc.png" })).toEqual({ path: "/images/abc.png" });
    expect(sharePhoto({})).toBeUndefined();
  });

  it("gives an upload's outcome to the products waiting for it, once", () => {
    const uploadId = "a".repeat(32);
    const products = [
      { id: "waiting", imageKey: "images/old.png", imageUpload: { uploadId } },
      { id: "other", image },
    ];
    const ready = applyUploadOutcome(products, uploadId, { state: "ready", image });
    expect(ready).toEqual([
      { id: "waiting", image },
      { id: "other", image },
    ]);
    expect(applyUploadOutcome(ready!, uploadId, { state: "ready", image })).toBeNull();
    const refused = applyUploadOutcome(products, uploadId, { state: "rejected", problem: "unreadable" });
    expect(refused?.[0]).toEqual({
      id: "waiting",
      imageKey: "images/old.png",
      imageUpload: { uploadId, problem: "unreadable" },
    });
    expect(applyUploadOutcome(refused!, uploadId, { state: "ready", image })).toBeNull();
  });
});
