/**
 * The owner's photo uploads (ADR 0019): the API hands out a presigned POST for one short-lived key under
 * `uploads/`, S3 enforces the size, and the processing function (services/process-upload.ts) records the outcome
 * under `upload-status/`, which the admin asks about here.
 */
import { randomBytes } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import {
  type CreateUploadResponse,
  MAX_UPLOAD_BYTES,
  statusKey,
  UPLOAD_EXPIRES_SECONDS,
  type UploadStatus,
  uploadKey,
  uploadStatusSchema,
} from "../contract";
import { s3 } from "../lib/clients";
import { lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";
import { presignPost } from "../lib/post-policy";

/** Where the BFF posts the file: the bucket's own endpoint in AWS, the local S3 when S3_ENDPOINT says so. */
function bucketUrl(bucket: string, region: string): string {
  const endpoint = process.env.S3_ENDPOINT;
  return endpoint ? `${endpoint.replace(/\/$/, "")}/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com/`;
}

export async function createUpload(now = new Date()): Promise<CreateUploadResponse> {
  const bucket = lambdaEnv().BUCKET_NAME;
  const client = s3();
  const [credentials, region] = await Promise.all([client.config.credentials(), client.config.region()]);
  const uploadId = randomBytes(16).toString("hex");
  const post = presignPost({
    bucket,
    key: uploadKey(uploadId),
    region,
    credentials,
    conditions: [["content-length-range", 1, MAX_UPLOAD_BYTES]],
    expiresInSeconds: UPLOAD_EXPIRES_SECONDS,
    now,
  });
  return {
    uploadId,
    url: bucketUrl(bucket, region),
    fields: post.fields,
    maxBytes: MAX_UPLOAD_BYTES,
    expiresAt: post.expiresAt.toISOString(),
  };
}

export const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

/** The recorded outcome; "processing" while the file waits in `uploads/`; not_found when neither exists. */
export async function uploadStatus(uploadId: string): Promise<UploadStatus> {
  const recorded = await readStatus(uploadId);
  if (recorded) return recorded;
  try {
    await s3().send(new HeadObjectCommand({ Bucket: lambdaEnv().BUCKET_NAME, Key: uploadKey(uploadId) }));
    return { uploadId, state: "processing" };
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  // The function records the outcome before it removes the upload: look once more before saying "no such upload".
  const justRecorded = await readStatus(uploadId);
  if (justRecorded) return justRecorded;
  throw new ApiError("not_found", "No such upload: it was never sent, or it expired");
}

export async function readStatus(uploadId: string): Promise<UploadStatus | undefined> {
  try {
    const object = await s3().send(new GetObjectCommand({ Bucket: lambdaEnv().BUCKET_NAME, Key: statusKey(uploadId) }));
    return uploadStatusSchema.parse(JSON.parse((await object.Body?.transformToString("utf-8")) ?? ""));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
