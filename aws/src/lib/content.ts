/**
 * The shop's content in S3: `catalog.json` (products and unit prices), `site.json` (open or closed, banner)
 * and `images/*`. The storefront reads the JSON objects through its edge cache; the Lambdas read them fresh,
 * because an order must be priced from the catalog as it is now.
 */
import { createHash } from "node:crypto";
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from "@aws-sdk/client-s3";
import { type Catalog, type SiteStatus, catalogSchema, siteStatusSchema } from "../contract";
import { s3 } from "./clients";
import { lambdaEnv } from "./config";

export const CATALOG_KEY = "catalog.json";
export const SITE_KEY = "site.json";

/** The edge re-validates JSON within its own TTL, so browsers and CDNs may hold it only briefly. */
const JSON_CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=60";
/** Image keys are content hashes, so an image never changes under its key. */
const IMAGE_CACHE_CONTROL = "public, max-age=31536000, immutable";

const EMPTY_CATALOG: Catalog = { products: [] };
const DEFAULT_SITE: SiteStatus = { open: true };

async function readJson(key: string): Promise<unknown | undefined> {
  try {
    const object = await s3().send(new GetObjectCommand({ Bucket: lambdaEnv().BUCKET_NAME, Key: key }));
    const body = await object.Body?.transformToString("utf-8");
    return body === undefined ? undefined : JSON.parse(body);
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function writeJson(key: string, value: unknown): Promise<void> {
  await s3().send(
    new PutObjectCommand({
      Bucket: lambdaEnv().BUCKET_NAME,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: "application/json; charset=utf-8",
      CacheControl: JSON_CACHE_CONTROL,
    }),
  );
}

export async function readCatalog(): Promise<Catalog> {
  const raw = await readJson(CATALOG_KEY);
  return raw === undefined ? EMPTY_CATALOG : catalogSchema.parse(raw);
}

export async function writeCatalog(catalog: Catalog): Promise<Catalog> {
  const stamped = { ...catalog, updatedAt: new Date().toISOString() };
  await writeJson(CATALOG_KEY, stamped);
  return stamped;
}

export async function readSiteStatus(): Promise<SiteStatus> {
  const raw = await readJson(SITE_KEY);
  return raw === undefined ? DEFAULT_SITE : siteStatusSchema.parse(raw);
}

export async function writeSiteStatus(site: SiteStatus): Promise<SiteStatus> {
  const stamped = { ...site, updatedAt: new Date().toISOString() };
  await writeJson(SITE_KEY, stamped);
  return stamped;
}

const IMAGE_EXTENSIONS = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" } as const;

/** Stores an image under a key derived from its bytes, so re-uploading the same picture is a no-op. */
export async function writeImage(bytes: Uint8Array, contentType: keyof typeof IMAGE_EXTENSIONS): Promise<string> {
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 32);
  const key = `images/${hash}.${IMAGE_EXTENSIONS[contentType]}`;
  await s3().send(
    new PutObjectCommand({
      Bucket: lambdaEnv().BUCKET_NAME,
      Key: key,
      Body: bytes,
      ContentType: contentType,
      CacheControl: IMAGE_CACHE_CONTROL,
    }),
  );
  return key;
}
