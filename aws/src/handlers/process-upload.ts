/**
 * Triggered by S3 when a file lands under `uploads/` (aws/template.yaml, ProcessUploadFunction). Every line of a run
 * carries its request id and the key (`route: "s3 uploads/<id>"`), and each upload ends with one line saying how it
 * went. An error is logged and thrown on to Lambda, which retries the event (twice, asynchronously); a refused file
 * is an outcome, not an error.
 */
import type { Context, S3Event } from "aws-lambda";
import { UPLOAD_PREFIX, uploadIdSchema } from "../contract";
import { logger, withLogContext } from "../lib/logger";
import { processUpload } from "../services/process-upload";

export const handler = async (event: S3Event, context: Context): Promise<void> => {
  for (const record of event.Records ?? []) {
    // Keys arrive URL-encoded in S3 event notifications (a space as "+").
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    await withLogContext({ requestId: context?.awsRequestId, route: `s3 ${key}` }, async () => {
      const uploadId = uploadIdSchema.safeParse(key.slice(UPLOAD_PREFIX.length));
      if (!key.startsWith(UPLOAD_PREFIX) || !uploadId.success) {
        logger.warn("not an upload key, ignored", { outcome: "ignored" });
        return;
      }
      const started = Date.now();
      try {
        const status = await processUpload(uploadId.data);
        logger.info("upload processed", {
          outcome: status.state,
          ...(status.state === "rejected" ? { problem: status.problem } : {}),
          durationMs: Date.now() - started,
        });
      } catch (error) {
        logger.error("upload processing failed", {
          outcome: "internal_error",
          error,
          durationMs: Date.now() - started,
        });
        throw error;
      }
    });
  }
};
