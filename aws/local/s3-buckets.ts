/**
 * Creates the template's S3 buckets, by their resolved names, in a local S3 (s3rver). Settings such as versioning,
 * encryption and public-access blocks are not emulated: s3rver ignores them (and checks no signatures).
 */
import { CreateBucketCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createResolveContext, DEFAULT_TEMPLATE_PATH, loadTemplate } from "./template";

export interface EnsureBucketsOptions {
  endpoint: string;
  region?: string;
  templatePath?: string;
  /** Template parameters; Env defaults to "local". */
  parameters?: Record<string, string>;
  accountId?: string;
  /** s3rver accepts only S3RVER/S3RVER. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface EnsuredBucket {
  logicalId: string;
  bucketName: string;
  created: boolean;
}

/** An S3 client for s3rver: path-style URLs, and checksums only when required (else uploads keep chunk framing). */
export function localS3Client(
  endpoint: string,
  options: Pick<EnsureBucketsOptions, "region" | "credentials"> = {},
): S3Client {
  return new S3Client({
    endpoint,
    region: options.region ?? "ap-northeast-1",
    credentials: options.credentials ?? { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as { name?: string }).name === "NotFound") return false;
    throw error;
  }
}

export async function ensureBuckets(options: EnsureBucketsOptions): Promise<EnsuredBucket[]> {
  const template = await loadTemplate(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  const ctx = createResolveContext(template, {
    parameters: { Env: "local", ...options.parameters },
    ...(options.region ? { region: options.region } : {}),
    ...(options.accountId ? { accountId: options.accountId } : {}),
  });
  const client = localS3Client(options.endpoint, options);
  const ensured: EnsuredBucket[] = [];
  try {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::S3::Bucket") continue;
      const bucketName = ctx.resources[logicalId] as string;
      // A bucket without BucketName gets a generated name in AWS; locally its logical id stands in (see template.ts).
      const exists = await bucketExists(client, bucketName);
      if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucketName }));
      ensured.push({ logicalId, bucketName, created: !exists });
    }
  } finally {
    client.destroy();
  }
  return ensured;
}
