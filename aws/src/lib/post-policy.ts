/**
 * S3 presigned POST (browser-based upload, Signature Version 4): a base64 policy listing what the upload may be,
 * signed with the caller's credentials. S3 checks the signature, the expiry and every condition before it stores a
 * byte, so the size limit holds whoever sends the file. The policy itself is the string to sign
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html).
 *
 * Written here rather than taken from `@aws-sdk/s3-presigned-post`, whose releases trail the other SDK packages
 * (it would pull a second `@aws-sdk/client-s3`); the unit test reproduces AWS's published example signature.
 */
import { createHmac } from "node:crypto";

export interface PostCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One policy condition: `{ field: value }` (exact), `["starts-with", "$field", prefix]`, or a length range. */
export type PostCondition =
  | Record<string, string>
  | ["starts-with", string, string]
  | ["eq", string, string]
  | ["content-length-range", number, number];

export interface PresignPostInput {
  bucket: string;
  key: string;
  region: string;
  credentials: PostCredentials;
  /** Extra conditions (e.g. the content-length range); bucket, key and the signing fields are added. */
  conditions?: PostCondition[];
  /** Extra form fields sent with the file (each must be covered by a condition). */
  fields?: Record<string, string>;
  expiresInSeconds: number;
  now?: Date;
}

export interface PresignedPost {
  fields: Record<string, string>;
  expiresAt: Date;
}

/** `20151229T000000Z` */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

export function signingKey(secretAccessKey: string, day: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), "aws4_request");
}

/** The signature of a base64 policy, as S3 recomputes it. */
export function signPolicy(base64Policy: string, secretAccessKey: string, day: string, region: string): string {
  return createHmac("sha256", signingKey(secretAccessKey, day, region, "s3"))
    .update(base64Policy, "utf8")
    .digest("hex");
}

export function presignPost(input: PresignPostInput): PresignedPost {
  const now = input.now ?? new Date();
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const credential = `${input.credentials.accessKeyId}/${day}/${input.region}/s3/aws4_request`;
  const signingFields: Record<string, string> = {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": credential,
    "X-Amz-Date": date,
    ...(input.credentials.sessionToken ? { "X-Amz-Security-Token": input.credentials.sessionToken } : {}),
  };
  const fields = { key: input.key, ...input.fields, ...signingFields };
  const expiresAt = new Date(now.getTime() + input.expiresInSeconds * 1000);
  const policy = {
    expiration: expiresAt.toISOString(),
    conditions: [
      { bucket: input.bucket },
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      ...(input.conditions ?? []),
    ],
  };
  const base64Policy = Buffer.from(JSON.stringify(policy), "utf8").toString("base64");
  return {
    fields: {
      ...fields,
      Policy: base64Policy,
      "X-Amz-Signature": signPolicy(base64Policy, input.credentials.secretAccessKey, day, input.region),
    },
    expiresAt,
  };
}
