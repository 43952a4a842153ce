/**
 * Photos under load (ADR 0019): the owner saves PRODUCTS products at once, each waiting for its own photo (what the
 * admin saves when processing is slow), then every photo is posted to S3 at the same moment. Each upload triggers
 * its own run of the processing function, and every run ends with a conditional write of the one catalog — so the
 * runs race each other for it and must re-read and retry on conflict. Every product must end with its own photo,
 * none left waiting and none given another's; each upload's outcome must be recorded once.
 *
 * Photos are 2000 × 1500 (3 MP) JPEGs with GPS EXIF and rotation, so the run fits the 2-core machine; the 12-MP
 * path is tested in aws/test/uploads.test.ts and e2e/photos.e2e.ts, and timed in `npm run bench -- --only images`.
 * Runs in `npm run test:reliability`. Figures: docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { phonePhoto } from "../../local/seed/photos";
import { postToS3 } from "../support";
import { apiClient } from "./support";

const PRODUCTS = 8;
const stack = inject("stack");
const admin = apiClient(stack, "admin");

type Upload = { uploadId: string; url: string; fields: Record<string, string> };
let original: { products: Record<string, unknown>[] };

beforeAll(async () => {
  original = (await admin.get("/admin/products")).body;
});
afterAll(async () => {
  const current = (await admin.get("/admin/products")).body;
  await admin.put("/admin/products", { products: original.products, revision: current.revision });
});

describe("photos posted at once", () => {
  it(`gives each of ${PRODUCTS} products saved at once its own photo, processed and written concurrently`, async () => {
    const uploads: Upload[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const created = await admin.post("/admin/uploads", {});
      expect(created.status).toBe(201);
      uploads.push(created.body as Upload);
    }
    const photos = await Promise.all(
      uploads.map((_, i) => phonePhoto({ seed: 500 + i, width: 2000, height: 1500, orientation: i % 2 ? 6 : 1 })),
    );
    const current = (await admin.get("/admin/products")).body;
    const waiting = uploads.map((upload, i) => ({
      id: `load-photo-${i}`,
      name: `同時上傳的照片 ${i}`,
      description: "",
      unitPrice: 100 + i,
      available: true,
      sortOrder: 95_000 + i,
      imageUpload: { uploadId: upload.uploadId },
    }));
    const saved = await admin.put("/admin/products", {
      products: [...current.products, ...waiting],
      revision: current.revision,
    });
    expect(saved.status).toBe(200);

    const started = performance.now();
    const posted = await Promise.all(uploads.map((upload, i) => postToS3(upload, photos[i]!)));
    expect(posted.map((p) => p.status)).toEqual(uploads.map(() => 204));

    // Every product gets its photo (the runs' conflicting catalog writes re-read and retry).
    const deadline = Date.now() + 150_000;
    let products: Record<string, any>[] = [];
    for (;;) {
      products = ((await admin.get("/admin/products")).body.products as Record<string, any>[]).filter((p) =>
        String(p.id).startsWith("load-photo-"),
      );
      if (products.every((p) => p.image && !p.imageUpload) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`[reliability] ${PRODUCTS} photos posted at once: all in the catalog after ${seconds.toFixed(1)} s`);
    expect(products.filter((p) => p.imageUpload).map((p) => p.id)).toEqual([]);
    expect(products).toHaveLength(PRODUCTS);

    // Each product has the photo of its own upload: the outcome the API reports for that upload.
    for (const [i, upload] of uploads.entries()) {
      const status = (await admin.get(`/admin/uploads/${upload.uploadId}`)).body;
      expect(status.state).toBe("ready");
      expect(products.find((p) => p.id === `load-photo-${i}`)!.image).toEqual(status.image);
    }
    // Different photos, different content-addressed ids.
    expect(new Set(products.map((p) => p.image.id)).size).toBe(PRODUCTS);
    // Held sideways or upright, every variant set is the 4:3 frame of the upright picture.
    for (const product of products) expect(product.image.width / product.image.height).toBeCloseTo(4 / 3, 2);
  }, 180_000);
});
