/**
 * What the function triggered by an upload does (ADR 0019). Every step can be repeated: S3 may deliver an event
 * twice and Lambda retries a failed invocation, so the outputs are content-addressed (same bytes, same keys), the
 * outcome is recorded before the upload is removed, and a repeat that finds the upload gone only re-applies the
 * recorded outcome to the catalog.
 *
 * 1. read `uploads/<id>` and make the variants (lib/photos.ts), or learn why the file is refused;
 * 2. store the original (private), the variants (immutable) and then `upload-status/<id>.json`;
 * 3. remove the upload (nothing half-written is left: the refused file goes too);
 * 4. give the outcome to any product saved while it was processing (a conditional catalog write, retried on
 *    conflict). The admin usually waits for the outcome and saves the product with it; this step covers the
 *    product saved while processing was slow, and a retry after a failure.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { applyUploadOutcome, statusKey, type UploadStatus, uploadKey } from "../contract";
import { s3 } from "../lib/clients";
import { lambdaEnv } from "../lib/config";
import { IMAGE_CACHE_CONTROL, readCatalogRevision, writeCatalog } from "../lib/content";
import { ApiError } from "../lib/http";
import { logger } from "../lib/logger";
import { PhotoRejected, processPhoto } from "../lib/photos";
import { isMissing, readStatus } from "./uploads";

/**
 * Attempts at the catalog write when the owner saves, or other runs write, at the same moment (each conflict
 * re-reads), with a random pause growing per attempt: runs that collided once must not collide again in lockstep.
 * Eight photos posted at once, with five attempts and no pause, left three runs failing all five (the Lambda retry
 * a minute later finished them; aws/test/reliability/photos-load.reliability.ts).
 */
const CATALOG_ATTEMPTS = 10;
const CATALOG_BACKOFF_MS = 100;

export async function processUpload(uploadId: string): Promise<UploadStatus> {
  const Bucket = lambdaEnv().BUCKET_NAME;
  let bytes: Uint8Array;
  try {
    const object = await s3().send(new GetObjectCommand({ Bucket, Key: uploadKey(uploadId) }));
    bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    if (!isMissing(error)) throw error;
    // Processed before (a repeated event, or a retry after step 4 failed): finish what is left.
    const recorded = await readStatus(uploadId);
    if (!recorded) {
      logger.warn("no upload and no recorded outcome", { uploadId });
      return { uploadId, state: "processing" };
    }
    await giveToCatalog(recorded);
    return recorded;
  }

  let status: UploadStatus;
  try {
    const photo = await processPhoto(bytes);
    await Promise.all(
      [photo.original, ...photo.outputs].map((file) =>
        s3().send(
          new PutObjectCommand({
            Bucket,
            Key: file.key,
            Body: file.body,
            ContentType: file.contentType,
            ...(file === photo.original ? {} : { CacheControl: IMAGE_CACHE_CONTROL }),
          }),
        ),
      ),
    );
    status = { uploadId, state: "ready", image: photo.image };
  } catch (error) {
    if (!(error instanceof PhotoRejected)) throw error;
    logger.info("file refused", { uploadId, problem: error.problem, reason: error.message });
    status = { uploadId, state: "rejected", problem: error.problem, message: error.message };
  }
  await s3().send(
    new PutObjectCommand({
      Bucket,
      Key: statusKey(uploadId),
      Body: JSON.stringify(status),
      ContentType: "application/json; charset=utf-8",
    }),
  );
  await s3().send(new DeleteObjectCommand({ Bucket, Key: uploadKey(uploadId) }));
  await giveToCatalog(status);
  return status;
}

async function giveToCatalog(status: UploadStatus): Promise<void> {
  if (status.state === "processing") return;
  const outcome =
    status.state === "ready"
      ? ({ state: "ready", image: status.image } as const)
      : ({ state: "rejected", problem: status.problem } as const);
  for (let attempt = 1; ; attempt++) {
    const { catalog, revision } = await readCatalogRevision();
    const products = applyUploadOutcome(catalog.products, status.uploadId, outcome);
    if (!products) return;
    try {
      await writeCatalog({ ...catalog, products }, revision);
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "conflict") || attempt >= CATALOG_ATTEMPTS) throw error;
    }
    const pause = Math.random() * CATALOG_BACKOFF_MS * Math.min(8, 2 ** (attempt - 1));
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
