/**
 * Triggered by S3 when a file lands under `uploads/` (aws/template.yaml, ProcessUploadFunction). An error is thrown
 * on to Lambda, which retries the event (twice, asynchronously); a refused file is an outcome, not an error.
 */
import type { S3Event } from "aws-lambda";
import { UPLOAD_PREFIX, uploadIdSchema } from "../contract";
import { logger } from "../lib/logger";
import { processUpload } from "../services/process-upload";

export const handler = async (event: S3Event): Promise<void> => {
  for (const record of event.Records ?? []) {
    // Keys arrive URL-encoded in S3 event notifications (a space as "+").
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const uploadId = uploadIdSchema.safeParse(key.slice(UPLOAD_PREFIX.length));
    if (!key.startsWith(UPLOAD_PREFIX) || !uploadId.success) {
      logger.warn("process-upload: not an upload key, ignored", { key });
      continue;
    }
    await processUpload(uploadId.data);
  }
};
