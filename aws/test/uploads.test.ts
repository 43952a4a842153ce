/**
 * Product photos through the local stack as in AWS: the API's presigned POST, S3 (s3rver with the POST policy
 * enforced), the processing function triggered by the upload, the outcome read back through the API, and the
 * catalog a product saved meanwhile receives. The storefront's side is tested with the admin form (app/lib).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cmykJpeg, heicFile, notAnImage, oversizeJpeg, phonePhoto, pngBomb, truncatedJpeg } from "../local/seed/photos";
import type { ProductImage } from "../src/contract";
import { admin, eventually, postToS3, s3Client, settledUpload, stack, storefront } from "./support";

const s3 = s3Client();
afterAll(() => s3.destroy());

const Bucket = () => stack().bucketName;
const exists = async (Key: string) => {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: Bucket(), Key }));
    return true;
  } catch {
    return false;
  }
};
const read = async (Key: string) =>
  Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: Bucket(), Key }))).Body!.transformToByteArray());
const keysUnder = async (Prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: Bucket(), Prefix }))).Contents ?? []).map((o) => o.Key!);

async function upload(bytes: Uint8Array) {
  const created = await admin.post("/admin/uploads");
  expect(created.status).toBe(201);
  const posted = await postToS3(created.body, bytes);
  return { uploadId: created.body.uploadId as string, posted };
}

describe("presigned uploads", () => {
  it("hands the owner a POST for one short-lived key under uploads/, limited to 20 MB", async () => {
    const created = await admin.post("/admin/uploads");
    expect(created.status).toBe(201);
    const { uploadId, url, fields, maxBytes, expiresAt } = created.body;
    expect(uploadId).toMatch(/^[0-9a-f]{32}$/);
    expect(url).toBe(`${stack().s3Endpoint}/${Bucket()}`);
    expect(fields.key).toBe(`uploads/${uploadId}`);
    expect(maxBytes).toBe(20 * 1024 * 1024);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(250_000);
    const policy = JSON.parse(Buffer.from(fields.Policy, "base64").toString());
    expect(policy.conditions).toContainEqual(["content-length-range", 1, 20 * 1024 * 1024]);
    expect(policy.conditions).toContainEqual({ key: `uploads/${uploadId}` });
  });

  it("is for the owner only", async () => {
    expect((await storefront.post("/admin/uploads", {})).status).toBe(403);
    expect((await storefront.get("/admin/uploads/0123456789abcdef0123456789abcdef")).status).toBe(403);
  });

  it("answers 404 for an upload that never happened and 400 for a malformed id", async () => {
    expect((await admin.get("/admin/uploads/0123456789abcdef0123456789abcdef")).status).toBe(404);
    expect((await admin.get("/admin/uploads/not-an-id")).status).toBe(400);
  });
});

describe("a 12-megapixel phone photo with GPS and rotation, uploaded and processed on upload", () => {
  let uploadId: string;
  let image: ProductImage;
  let catalogRevision: string;
  beforeAll(async () => {
    catalogRevision = (await admin.get("/admin/products")).body.revision;
    const sent = await upload(await phonePhoto({ seed: 21 }));
    expect(sent.posted.status).toBe(204);
    uploadId = sent.uploadId;
    const status = await settledUpload(uploadId);
    expect(status.body.state).toBe("ready");
    image = status.body.image;
  }, 90_000);

  it("is ready with its variants, upright (portrait photo → 1440 × 1080 cut)", () => {
    expect(image).toMatchObject({ width: 1440, height: 1080, widths: [320, 480, 640, 960, 1200, 1440] });
  });

  it("stores every variant at its width, immutable, without EXIF", async () => {
    for (const width of image.widths) {
      const key = `images/${image.id}-${width}.webp`;
      const object = await s3.send(new GetObjectCommand({ Bucket: Bucket(), Key: key }));
      expect(object.ContentType).toBe("image/webp");
      expect(object.CacheControl).toBe("public, max-age=31536000, immutable");
      const metadata = await sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
      expect([metadata.width, metadata.height, metadata.exif, metadata.orientation]).toEqual([
        width,
        Math.round((width * 3) / 4),
        undefined,
        undefined,
      ]);
    }
    const share = await sharp(await read(`images/${image.id}-1200.jpg`)).metadata();
    expect([share.format, share.width, share.exif]).toEqual(["jpeg", 1200, undefined]);
  });

  it("keeps the original under originals/ (private) and removes the upload", async () => {
    const originals = await keysUnder(`originals/${image.id}`);
    expect(originals).toEqual([`originals/${image.id}.jpg`]);
    expect((await sharp(await read(originals[0]!)).metadata()).exif).toBeDefined();
    expect(await exists(`uploads/${uploadId}`)).toBe(false);
  });

  it("leaves the catalog alone when no product waits for it (the admin saves the product itself)", async () => {
    expect((await admin.get("/admin/products")).body.revision).toBe(catalogRevision);
  });
});

describe("bad files: refused with their reason, nothing stored, the catalog unchanged", () => {
  let catalogRevision: string;
  beforeAll(async () => {
    catalogRevision = (await admin.get("/admin/products")).body.revision;
  });
  afterAll(async () => {
    expect((await admin.get("/admin/products")).body.revision).toBe(catalogRevision);
  });

  const cases: [string, () => Promise<Buffer> | Buffer, string][] = [
    ["a file that is not an image", notAnImage, "not_an_image"],
    ["a truncated JPEG", truncatedJpeg, "unreadable"],
    ["a 30,000 × 30,000 PNG (decompression bomb)", pngBomb, "too_many_pixels"],
    ["a HEIC photo", heicFile, "heic"],
  ];
  for (const [name, make, problem] of cases) {
    it(name, async () => {
      const imagesBefore = (await keysUnder("images/")).length;
      const sent = await upload(await make());
      expect(sent.posted.status).toBe(204);
      const status = await settledUpload(sent.uploadId);
      expect(status.body).toMatchObject({ state: "rejected", problem });
      expect(status.body.message.length).toBeGreaterThan(10);
      expect(await exists(`uploads/${sent.uploadId}`)).toBe(false);
      expect((await keysUnder("images/")).length).toBe(imagesBefore);
    });
  }

  it("a 25 MB file: S3 refuses the POST itself (EntityTooLarge), so nothing is stored or processed", async () => {
    const sent = await upload(await oversizeJpeg());
    expect(sent.posted.status).toBe(400);
    expect(sent.posted.text).toContain("EntityTooLarge");
    expect(await exists(`uploads/${sent.uploadId}`)).toBe(false);
    expect((await admin.get(`/admin/uploads/${sent.uploadId}`)).status).toBe(404);
  });

  it("a CMYK JPEG is not refused: it is converted to sRGB", async () => {
    const sent = await upload(await cmykJpeg());
    const status = await settledUpload(sent.uploadId);
    expect(status.body.state).toBe("ready");
    const variant = await sharp(await read(`images/${status.body.image.id}-640.webp`)).metadata();
    expect([variant.space, variant.channels]).toEqual(["srgb", 3]);
  });
});

describe("a product saved while its photo is processing", () => {
  it("gets the photo from the function (and loses its pre-variant imageKey); a refused file is noted instead", async () => {
    const { products, revision } = (await admin.get("/admin/products")).body;
    const good = await admin.post("/admin/uploads");
    const bad = await admin.post("/admin/uploads");
    const waiting = [
      { id: "photo-pending-good", uploadId: good.body.uploadId },
      { id: "photo-pending-bad", uploadId: bad.body.uploadId },
    ];
    const added = [
      ...products,
      ...waiting.map((w, i) => ({
        id: w.id,
        name: `待處理照片 ${i}`,
        description: "",
        unitPrice: 100,
        available: true,
        sortOrder: 90_000 + i,
        imageKey: "images/0123456789abcdef0123456789abcdef.png",
        imageUpload: { uploadId: w.uploadId },
      })),
    ];
    const saved = await admin.put("/admin/products", { products: added, revision });
    expect(saved.status).toBe(200);
    try {
      expect((await postToS3(good.body, await phonePhoto({ seed: 22, width: 1600, height: 1200 }))).status).toBe(204);
      expect((await postToS3(bad.body, await truncatedJpeg())).status).toBe(204);
      const goodStatus = await settledUpload(good.body.uploadId);
      expect(goodStatus.text).toContain("ready");
      expect((await settledUpload(bad.body.uploadId)).body.state).toBe("rejected");
      // The outcome is recorded before the catalog is written (and two runs racing for it pause between attempts).
      const after = await eventually(async () => {
        const products = (await admin.get("/admin/products")).body.products as Record<string, any>[];
        const applied = products.filter(
          (p) => p.id.startsWith("photo-pending-") && (p.image || p.imageUpload?.problem),
        );
        return applied.length === 2 ? products : undefined;
      });
      const goodProduct = after.find((p) => p.id === "photo-pending-good")!;
      expect(goodProduct.image).toMatchObject({ width: 1200, height: 900 });
      expect(goodProduct.imageUpload).toBeUndefined();
      expect(goodProduct.imageKey).toBeUndefined();
      const badProduct = after.find((p) => p.id === "photo-pending-bad")!;
      expect(badProduct.imageUpload).toEqual({ uploadId: bad.body.uploadId, problem: "unreadable" });
      expect(badProduct.imageKey).toBe("images/0123456789abcdef0123456789abcdef.png");
    } finally {
      const current = (await admin.get("/admin/products")).body;
      const restored = current.products.filter((p: { id: string }) => !p.id.startsWith("photo-pending-"));
      expect((await admin.put("/admin/products", { products: restored, revision: current.revision })).status).toBe(200);
    }
  }, 90_000);
});

describe("generated bad files (fast-check)", () => {
  it("random bytes, bare or behind a JPEG, PNG, WebP or HEIC signature, are refused and store no image", async () => {
    const fc = await import("fast-check");
    const signatures = [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from("\x89PNG\r\n\x1a\n", "latin1"),
      Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1"),
      Buffer.from("\0\0\0\x18ftypheic", "latin1"),
    ];
    const imagesBefore = (await keysUnder("images/")).length;
    const originalsBefore = (await keysUnder("originals/")).length;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signatures),
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        async (signature, noise) => {
          const sent = await upload(Buffer.concat([signature, noise]));
          expect(sent.posted.status).toBe(204);
          const status = await settledUpload(sent.uploadId);
          expect(status.body.state).toBe("rejected");
          expect(await exists(`uploads/${sent.uploadId}`)).toBe(false);
        },
      ),
      { numRuns: 12 },
    );
    expect((await keysUnder("images/")).length).toBe(imagesBefore);
    expect((await keysUnder("originals/")).length).toBe(originalsBefore);
  }, 120_000);
});
