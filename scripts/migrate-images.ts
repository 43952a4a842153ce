/**
 * Gives every product whose photo predates variants (an `imageKey`, stored as uploaded) its variants, through the
 * same path as the admin form: each photo is read from the bucket, uploaded with a presigned POST, processed by the
 * function the upload triggers, and the catalog is written once, on condition of the revision it was read at.
 * Pages work before (they show `imageKey` as it is), during and after (they show `image` with `srcset`). Safe to
 * run again: products that have `image` are skipped, and a product changed meanwhile keeps the owner's change.
 *
 *   npm run images:migrate                     # against `npm start` (local stack on its default ports)
 *   npm run images:migrate -- --dry-run        # only lists what it would do
 *   ORDER_API_URL=https://… S3_BUCKET_URL=https://s3.ap-northeast-1.amazonaws.com/shop-prod-content-… \
 *   ADMIN_ACCESS_KEY_ID=… ADMIN_SECRET_ACCESS_KEY=… npm run images:migrate     # a deployed environment
 *
 * The admin keys are the owner-admin IAM user's (the storefront's ADMIN_* secrets): they may call the admin routes
 * and read `images/*`, nothing more. The files under the old keys stay in the bucket (a rollback still finds them);
 * the command lists them at the end with the command that removes them, because they still carry their EXIF.
 */
import { AwsClient } from "aws4fetch";
import { type Product, type ProductImage, type SentPhoto, sendPhoto } from "../aws/src/contract";
import { ApiCallError, adminApi } from "./lib/admin-api";

export interface MigrateOptions {
  apiUrl: string;
  /** Path-style URL of the content bucket, e.g. `https://s3.ap-northeast-1.amazonaws.com/<bucket>`. */
  bucketUrl: string;
  region: string;
  admin: { accessKeyId: string; secretAccessKey: string };
  /** Signs S3 reads; defaults to `admin` (s3rver accepts only its own key). */
  s3?: { accessKeyId: string; secretAccessKey: string };
  dryRun?: boolean;
  /** How long to wait for one photo's processing. */
  waitMs?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface MigrateReport {
  migrated: { id: string; from: string; image: ProductImage }[];
  failed: { id: string; from: string; reason: string }[];
  /** Products that already had variants, or no photo. */
  skipped: number;
  /** Old keys no product uses any more. */
  unusedLegacyKeys: string[];
}

type AdminProducts = { products: Product[]; revision: string | null };

export async function migrateImages(options: MigrateOptions): Promise<MigrateReport> {
  const log = options.log ?? (() => {});
  const api = adminApi({ apiUrl: options.apiUrl, region: options.region, keys: options.admin });
  const s3 = new AwsClient({ ...(options.s3 ?? options.admin), service: "s3", region: options.region, retries: 2 });
  const call = api.call;

  const { products } = await call<AdminProducts>("GET", "/admin/products");
  const legacy = products.filter((p) => p.imageKey && !p.image);
  const report: MigrateReport = {
    migrated: [],
    failed: [],
    skipped: products.length - legacy.length,
    unusedLegacyKeys: [],
  };
  log(`${products.length} products; ${legacy.length} with a photo stored before variants`);
  if (options.dryRun || legacy.length === 0) {
    for (const p of legacy) log(`  would migrate ${p.id} (${p.imageKey})`);
    return report;
  }

  // One upload per distinct old photo (two products may share one).
  const keys = [...new Set(legacy.map((p) => p.imageKey as string))];
  const outcomes = new Map<string, SentPhoto | { state: "error"; reason: string }>();
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      try {
        const object = await s3.fetch(`${options.bucketUrl.replace(/\/$/, "")}/${key}`);
        if (!object.ok) throw new Error(`reading ${key} answered ${object.status}`);
        const bytes = new Blob([await object.arrayBuffer()]);
        const sent = await sendPhoto(api.photos, bytes, {
          waitMs: options.waitMs ?? 120_000,
          filename: key.split("/").pop() ?? "photo",
        });
        outcomes.set(key, sent);
        log(`  ${key}: ${sent.state}${sent.state === "ready" ? ` (${sent.image.widths.join(", ")} px)` : ""}`);
      } catch (error) {
        outcomes.set(key, { state: "error", reason: error instanceof Error ? error.message : String(error) });
        log(`  ${key}: failed: ${(outcomes.get(key) as { reason: string }).reason}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 3, keys.length) }, worker));

  // Apply to the catalog as it is now; a conflicting save in the meantime means: read again and re-apply.
  for (let attempt = 1; ; attempt++) {
    const current = await call<AdminProducts>("GET", "/admin/products");
    report.migrated = [];
    report.failed = [];
    const next = current.products.map((product) => {
      if (!product.imageKey || product.image) return product;
      const outcome = outcomes.get(product.imageKey);
      if (outcome?.state !== "ready") {
        if (outcome) report.failed.push({ id: product.id, from: product.imageKey, reason: describe(outcome) });
        return product;
      }
      report.migrated.push({ id: product.id, from: product.imageKey, image: outcome.image });
      const { imageKey: _old, ...rest } = product;
      return { ...rest, image: outcome.image };
    });
    if (report.migrated.length === 0) break;
    try {
      await call("PUT", "/admin/products", { products: next, revision: current.revision });
      const stillUsed = new Set(next.map((p) => p.imageKey).filter(Boolean));
      report.unusedLegacyKeys = keys.filter((key) => !stillUsed.has(key));
      break;
    } catch (error) {
      if (!(error instanceof ApiCallError && error.status === 409) || attempt >= 5) throw error;
      log("  the catalog changed meanwhile; applying again to the new revision");
    }
  }
  return report;
}

function describe(outcome: SentPhoto | { state: "error"; reason: string }): string {
  switch (outcome.state) {
    case "rejected":
      return `${outcome.problem}: ${outcome.message}`;
    case "refused":
      return `S3 refused the upload (${outcome.code})`;
    case "processing":
      return "still processing; run the command again later";
    case "error":
      return outcome.reason;
    default:
      return outcome.state;
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const env = process.env;
  const local = !env.ORDER_API_URL;
  const options: MigrateOptions = {
    apiUrl: env.ORDER_API_URL ?? `http://127.0.0.1:${env.API_PORT ?? 3001}`,
    bucketUrl: env.S3_BUCKET_URL ?? `http://127.0.0.1:${env.S3_PORT ?? 4569}/shop-local-content-000000000000`,
    region: env.AWS_REGION ?? "ap-northeast-1",
    admin: {
      accessKeyId: env.ADMIN_ACCESS_KEY_ID ?? (local ? "local-admin" : ""),
      secretAccessKey: env.ADMIN_SECRET_ACCESS_KEY ?? (local ? "local-admin-secret" : ""),
    },
    ...(local ? { s3: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } } : {}),
    dryRun: process.argv.includes("--dry-run"),
    log: (line) => console.log(line),
  };
  if (!options.admin.accessKeyId || !options.admin.secretAccessKey) {
    throw new Error(
      "Set ADMIN_ACCESS_KEY_ID and ADMIN_SECRET_ACCESS_KEY (the owner-admin key) for a deployed environment",
    );
  }
  console.log(`Order API ${options.apiUrl}, bucket ${options.bucketUrl}${options.dryRun ? " (dry run)" : ""}`);
  const report = await migrateImages(options);
  console.log(`migrated ${report.migrated.length}, failed ${report.failed.length}, skipped ${report.skipped}`);
  for (const failure of report.failed) console.log(`  ${failure.id}: ${failure.reason}`);
  if (report.unusedLegacyKeys.length > 0) {
    const bucket = options.bucketUrl.replace(/\/$/, "").split("/").pop();
    console.log("These files are no longer used and still carry their EXIF (GPS included); once the shop looks right:");
    for (const key of report.unusedLegacyKeys) console.log(`  aws s3 rm s3://${bucket}/${key}`);
  }
  if (report.failed.length > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
