import { createHash } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phonePhoto, truncatedJpeg } from "../aws/local/seed/photos";
import { DEV_PRINCIPALS } from "../aws/local/stack";
import { admin, s3Client, stack } from "../aws/test/support";
import { type MigrateOptions, migrateImages } from "./migrate-images";

const s3 = s3Client();
let original: { products: any[]; revision: string };
const legacyKey = (bytes: Buffer, ext: string) =>
  `images/${createHash("sha256").update(bytes).digest("hex").slice(0, 32)}.${ext}`;
let goodKey: string;
let badKey: string;

const options = (): MigrateOptions => ({
  apiUrl: stack().apiUrl,
  bucketUrl: `${stack().s3Endpoint}/${stack().bucketName}`,
  region: stack().region,
  admin: DEV_PRINCIPALS.admin,
  s3: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
});

beforeAll(async () => {
  original = (await admin.get("/admin/products")).body;
  // Two photos stored the old way (as uploaded, EXIF and all), and a third product sharing the first one.
  const good = await phonePhoto({ seed: 31, width: 2000, height: 1500 });
  const bad = await truncatedJpeg();
  goodKey = legacyKey(good, "jpg");
  badKey = legacyKey(bad, "jpg");
  for (const [Key, Body] of [
    [goodKey, good],
    [badKey, bad],
  ] as const) {
    await s3.send(new PutObjectCommand({ Bucket: stack().bucketName, Key, Body, ContentType: "image/jpeg" }));
  }
  const legacy = [
    { id: "legacy-photo-a", imageKey: goodKey },
    { id: "legacy-photo-b", imageKey: goodKey },
    { id: "legacy-photo-broken", imageKey: badKey },
  ].map((p, i) => ({
    ...p,
    name: `舊照片 ${i}`,
    description: "",
    unitPrice: 200,
    available: true,
    sortOrder: 95_000 + i,
  }));
  const saved = await admin.put("/admin/products", {
    products: [...original.products, ...legacy],
    revision: original.revision,
  });
  expect(saved.status).toBe(200);
}, 60_000);

afterAll(async () => {
  // Back to the catalog as it was (the seed's own photos are migrated too, and other suites expect them as seeded).
  const current = (await admin.get("/admin/products")).body;
  await admin.put("/admin/products", { products: original.products, revision: current.revision });
  s3.destroy();
});

describe("npm run images:migrate", () => {
  it("lists what it would do on a dry run, and changes nothing", async () => {
    const lines: string[] = [];
    const before = (await admin.get("/admin/products")).body.revision;
    const report = await migrateImages({ ...options(), dryRun: true, log: (l) => lines.push(l) });
    expect(report.migrated).toEqual([]);
    const seeded = original.products.filter((p) => p.imageKey && !p.image).length;
    expect(lines.filter((l) => l.includes("would migrate"))).toHaveLength(seeded + 3);
    expect((await admin.get("/admin/products")).body.revision).toBe(before);
  });

  it("gives old photos their variants through the upload path, keeps the broken one as it was, and is safe to re-run", async () => {
    const report = await migrateImages(options());
    const seeded = original.products.filter((p) => p.imageKey && !p.image).map((p) => p.id);
    expect(report.migrated.map((m) => m.id).sort()).toEqual([...seeded, "legacy-photo-a", "legacy-photo-b"].sort());
    expect(report.failed).toEqual([
      { id: "legacy-photo-broken", from: badKey, reason: expect.stringContaining("unreadable") },
    ]);
    expect(report.unusedLegacyKeys).toContain(goodKey);
    expect(report.unusedLegacyKeys).not.toContain(badKey);

    const products = (await admin.get("/admin/products")).body.products as any[];
    const [a, b, broken] = ["legacy-photo-a", "legacy-photo-b", "legacy-photo-broken"].map((id) =>
      products.find((p) => p.id === id),
    );
    expect(a.image).toMatchObject({ width: 1440, height: 1080 });
    expect(a.imageKey).toBeUndefined();
    expect(b.image).toEqual(a.image);
    expect(broken.imageKey).toBe(badKey);
    expect(broken.image).toBeUndefined();
    await s3.send(new HeadObjectCommand({ Bucket: stack().bucketName, Key: `images/${a.image.id}-640.webp` }));

    const revision = (await admin.get("/admin/products")).body.revision;
    const again = await migrateImages(options());
    expect(again.migrated).toEqual([]);
    expect((await admin.get("/admin/products")).body.revision).toBe(revision);
  }, 120_000);
});
