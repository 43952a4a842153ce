/**
 * The AWS calls of a deploy, each safe to repeat: read what exists, create only what is missing, never overwrite.
 * `AwsTarget.endpoint` points every client at an AWS emulator (the rehearsal's moto server) instead of AWS.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { StepError } from "./environments";

export interface AwsTarget {
  region: string;
  /** An AWS emulator's URL; unset for AWS itself. */
  endpoint?: string;
}

function clientConfig(target: AwsTarget) {
  return { region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}) };
}

export const clients = {
  cloudformation: (t: AwsTarget) => new CloudFormationClient(clientConfig(t)),
  iam: (t: AwsTarget) => new IAMClient(clientConfig(t)),
  s3: (t: AwsTarget) =>
    new S3Client({
      ...clientConfig(t),
      ...(t.endpoint ? { forcePathStyle: true } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    }),
  ssm: (t: AwsTarget) => new SSMClient(clientConfig(t)),
  sts: (t: AwsTarget) => new STSClient(clientConfig(t)),
};

const errorName = (error: unknown) => (error as { name?: string }).name ?? "";
const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export async function callerAccount(target: AwsTarget): Promise<string> {
  const identity = await clients.sts(target).send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new StepError("AWS answered GetCallerIdentity without an account");
  return identity.Account;
}

/** The stack's outputs, or null when the stack does not exist. */
export async function stackOutputs(target: AwsTarget, stackName: string): Promise<Record<string, string> | null> {
  try {
    const { Stacks } = await clients.cloudformation(target).send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (!stack) return null;
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// ECPay credentials in SSM

export const ECPAY_PARAMETERS = ["merchant-id", "hash-key", "hash-iv"] as const;
export type EcpayParameter = (typeof ECPAY_PARAMETERS)[number];
/**
 * ECPay gives each protocol its own merchant keys (ADR 0027): payments (AIO), Logistics and B2C e-invoices. Each set
 * lives under its own SSM path, which only the functions of that protocol may read (aws/template.yaml).
 */
export const ECPAY_KEY_SETS = ["ecpay", "ecpay-logistics", "ecpay-einvoice"] as const;
export type EcpayKeySet = (typeof ECPAY_KEY_SETS)[number];

export function ecpayParameterName(env: string, set: EcpayKeySet, name: EcpayParameter): string {
  return `/shop/${env}/${set}/${name}`;
}

/** Which of the nine ECPay SecureStrings exist, by full name (values are not read). */
export async function existingEcpayParameters(target: AwsTarget, env: string): Promise<Set<string>> {
  const names = ECPAY_KEY_SETS.flatMap((set) => ECPAY_PARAMETERS.map((n) => ecpayParameterName(env, set, n)));
  const { Parameters } = await clients.ssm(target).send(new GetParametersCommand({ Names: names }));
  return new Set((Parameters ?? []).map((p) => p.Name ?? "").filter((name) => names.includes(name)));
}

const SET_DESCRIPTIONS: Record<EcpayKeySet, string> = {
  ecpay: "payments (AIO)",
  "ecpay-logistics": "Logistics (store pickup)",
  "ecpay-einvoice": "B2C e-invoices",
};

/** Stores a SecureString only if it does not exist yet (Overwrite: false: a concurrent run cannot replace it). */
export async function putEcpayParameter(
  target: AwsTarget,
  env: string,
  set: EcpayKeySet,
  name: EcpayParameter,
  value: string,
): Promise<void> {
  try {
    await clients.ssm(target).send(
      new PutParameterCommand({
        Name: ecpayParameterName(env, set, name),
        Type: "SecureString",
        Value: value,
        Overwrite: false,
        Description: `ECPay ${SET_DESCRIPTIONS[set]} ${name} for the ${env} shop (read by the order API's Lambdas)`,
      }),
    );
  } catch (error) {
    if (errorName(error) === "ParameterAlreadyExists") return;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Starter content

export interface ContentObject {
  key: string;
  body: string;
  contentType: string;
  cacheControl: string;
}

/** Puts each object only where none exists (If-None-Match: *, checked by S3 atomically). Returns what it created. */
export async function seedObjects(
  target: AwsTarget,
  bucket: string,
  objects: ContentObject[],
): Promise<{ created: string[]; kept: string[] }> {
  const s3 = clients.s3(target);
  const created: string[] = [];
  const kept: string[] = [];
  for (const object of objects) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
          CacheControl: object.cacheControl,
          IfNoneMatch: "*",
        }),
      );
      created.push(object.key);
    } catch (error) {
      if (errorName(error) === "PreconditionFailed" || statusOf(error) === 412 || statusOf(error) === 409) {
        kept.push(object.key);
        continue;
      }
      throw error;
    }
  }
  return { created, kept };
}

/** Deletes every version and delete marker, so CloudFormation can delete the (versioned) bucket. */
export async function emptyBucket(target: AwsTarget, bucket: string): Promise<number> {
  const s3 = clients.s3(target);
  let deleted = 0;
  for (;;) {
    let listed: ListObjectVersionsCommandOutput;
    try {
      listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    } catch (error) {
      if (errorName(error) === "NoSuchBucket") return deleted;
      throw error;
    }
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) return deleted;
    const result = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
    );
    if (result.Errors?.length) {
      const first = result.Errors[0];
      throw new StepError(`could not empty ${bucket}: ${first?.Key} ${first?.Code} ${first?.Message}`);
    }
    deleted += objects.length;
  }
}

// ---------------------------------------------------------------------------------------------
// The invoking users' access keys

export async function accessKeyIds(target: AwsTarget, userName: string): Promise<string[]> {
  const { AccessKeyMetadata } = await clients.iam(target).send(new ListAccessKeysCommand({ UserName: userName }));
  return (AccessKeyMetadata ?? []).map((k) => k.AccessKeyId ?? "").filter(Boolean);
}

export async function createAccessKey(
  target: AwsTarget,
  userName: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { AccessKey } = await clients.iam(target).send(new CreateAccessKeyCommand({ UserName: userName }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey)
    throw new StepError(`IAM created no usable key for ${userName}`);
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

export async function deleteAccessKeys(target: AwsTarget, userName: string): Promise<number> {
  let ids: string[];
  try {
    ids = await accessKeyIds(target, userName);
  } catch (error) {
    if (errorName(error) === "NoSuchEntityException" || errorName(error) === "NoSuchEntity") return 0;
    throw error;
  }
  for (const id of ids)
    await clients.iam(target).send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }));
  return ids.length;
}
