/**
 * The shop's content in S3: `catalog.json` (products and unit prices), `site.json` (open or closed, banner)
 * and `images/*`. The storefront reads the JSON objects through its edge cache; the Lambdas read them fresh,
 * because an order must be priced from the catalog as it is now.
 *
 * A missing object is a state, not a failure: a new environment's bucket starts empty, so a missing catalog reads
 * as an empty one and a missing site status as a closed shop (never open by accident), each with one log line per
 * container. This needs `s3:ListBucket` on the bucket: without it S3 answers a missing key with AccessDenied,
 * which stays an error here.
 */
import { createHash } from "node:crypto";
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  type Catalog,
  catalogSchema,
  MISSING_CATALOG,
  MISSING_SITE_STATUS,
  type SiteStatus,
  siteStatusSchema,
} from "../contract";
import { s3 } from "./clients";
import { lambdaEnv } from "./config";
import { ApiError } from "./http";
import { logger } from "./logger";

export const CATALOG_KEY = "catalog.json";
export const SITE_KEY = "site.json";

/** The edge re-validates JSON within its own TTL, so browsers and CDNs may hold it only briefly. */
export const JSON_CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=60";
/** Image keys are content hashes, so an image never changes under its key. */
export const IMAGE_CACHE_CONTROL = "public, max-age=31536000, immutable";


/** Keys already reported missing by this container: one log line each, not one per request. */
const reportedMissing = new Set<string>();

function reportMissing(key: string, meaning: string): void {
  if (reportedMissing.has(key)) return;
  reportedMissing.add(key);
  logger.warn(`${key} is not in the bucket yet: ${meaning} until the owner saves it in the admin`, {
    bucket: lambdaEnv().BUCKET_NAME,
    key,
  });
}

interface Stored {
  value: unknown | undefined;
  /** The object's ETag, or null when it does not exist. */
  revision: string | null;
}

async function readJson(key: string): Promise<Stored> {
  try {
    const object = await s3().send(new GetObjectCommand({ Bucket: lambdaEnv().BUCKET_NAME, Key: key }));
    const body = await object.Body?.transformToString("utf-8");
    reportedMissing.delete(key);
    return { value: body === undefined ? undefined : JSON.parse(body), revision: object.ETag ?? null };
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") {
      return { value: undefined, revision: null };
    }
    throw error;
  }
}

/**
 * Writes only if the object is still at `revision` (If-Match), or still absent when `revision` is null
 * (If-None-Match: *): S3 checks and writes atomically, so of two edits made from the same copy one wins and the
 * other gets 409 and can be redone on the new copy.
 */
async function writeJson(key: string, value: unknown, revision: string | null): Promise<string> {
  try {
    const written = await s3().send(
      new PutObjectCommand({
        Bucket: lambdaEnv().BUCKET_NAME,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: "application/json; charset=utf-8",
        CacheControl: JSON_CACHE_CONTROL,
        ...(revision === null ? { IfNoneMatch: "*" } : { IfMatch: revision }),
      }),
    );
    if (!written.ETag) throw new Error(`S3 answered PutObject ${key} without an ETag`);
    return written.ETag;
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new ApiError(
        "conflict",
        `${key} changed since revision ${revision ?? "(none)"} was read; reload and apply the change again`,
      );
    }
    throw error;
  }
}

/** 412 (not that version), 404 (If-Match on a deleted object) and 409 (a concurrent conditional write) all mean "changed meanwhile". */
function isConditionFailure(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return (
    e.name === "PreconditionFailed" ||
    e.name === "ConditionalRequestConflict" ||
    e.name === "NoSuchKey" ||
    status === 412 ||
    status === 409
  );
}

export async function readCatalog(): Promise<Catalog> {
  return (await readCatalogRevision()).catalog;
}

export async function readCatalogRevision(): Promise<{ catalog: Catalog; revision: string | null }> {
  const { value, revision } = await readJson(CATALOG_KEY);
  if (value === undefined) reportMissing(CATALOG_KEY, "the catalog reads as empty");
  return { catalog: value === undefined ? MISSING_CATALOG : catalogSchema.parse(value), revision };
}

export async function writeCatalog(
  catalog: Catalog,
  revision: string | null,
): Promise<{ catalog: Catalog; revision: string }> {
  const stamped = { ...catalog, updatedAt: new Date().toISOString() };
  return { catalog: stamped, revision: await writeJson(CATALOG_KEY, stamped, revision) };
}

export async function readSiteStatus(): Promise<SiteStatus> {
  return (await readSiteRevision()).site;
}

export async function readSiteRevision(): Promise<{ site: SiteStatus; revision: string | null }> {
  const { value, revision } = await readJson(SITE_KEY);
  if (value === undefined) reportMissing(SITE_KEY, "the shop reads as closed");
  return { site: value === undefined ? MISSING_SITE_STATUS : siteStatusSchema.parse(value), revision };
}

export async function writeSiteStatus(
  site: SiteStatus,
  revision: string | null,
): Promise<{ site: SiteStatus; revision: string }> {
  const stamped = { ...site, updatedAt: new Date().toISOString() };
  return { site: stamped, revision: await writeJson(SITE_KEY, stamped, revision) };
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
