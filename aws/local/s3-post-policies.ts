/**
 * S3 POST Object (browser-based uploads) as S3 checks it, in front of s3rver. s3rver 3.7 stores any multipart POST:
 * it reads no policy, checks no signature, no expiry and no size limit, so a product photo of 25 MB, an expired or
 * tampered upload form, or a post to another key would all be stored locally while S3 refuses them. This middleware
 * runs before s3rver's router and answers what S3 answers
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
 *
 * - no `Content-Length` → 411 MissingContentLength (S3 takes no chunked POST);
 * - no policy → 403 AccessDenied (the bucket takes no anonymous writes);
 * - a signature that is not the policy's (SigV4, checked with the local credentials) → 403 SignatureDoesNotMatch;
 * - an expired policy, a failed condition, or a form field no condition covers → 403 AccessDenied "Invalid
 *   according to Policy: …";
 * - a file outside `content-length-range` → 400 EntityTooLarge / EntityTooSmall.
 *
 * What passes goes on to s3rver unchanged (which stores it and emits the ObjectCreated:Post event). Only path-style
 * `POST /<bucket>`, the way the local clients address s3rver.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type S3rver from "s3rver";
import { signPolicy } from "../src/lib/post-policy";

type Middleware = S3rver["middleware"][number];
type Context = Parameters<Middleware>[0];

export interface PostPolicyOptions {
  /** The secret for an access key id (s3rver's only key is S3RVER/S3RVER). */
  secretFor(accessKeyId: string): string | undefined;
  region: string;
  /** A body larger than this is refused before it is read (S3 takes up to 5 GB; the local stack needs far less). */
  maxBodyBytes?: number;
  now?: () => Date;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  extra?: Record<string, string | number>;
}

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

const policyRefusal = (why: string): Refused =>
  new Refused({ status: 403, code: "AccessDenied", message: `Invalid according to Policy: ${why}` });

const FILENAME_VARIABLE = "$" + "{filename}";

/** Form fields no policy condition needs to cover. */
const EXEMPT = new Set(["policy", "x-amz-signature", "file"]);

export function enforcePostPolicies(server: S3rver, options: PostPolicyOptions): void {
  const maxBodyBytes = options.maxBodyBytes ?? 100 * 1024 * 1024;
  const middleware: Middleware = async (ctx, next) => {
    const bucket = postObjectBucket(ctx);
    if (!bucket) return next();
    try {
      const length = ctx.get("content-length");
      if (!/^\d+$/.test(length)) {
        throw new Refused({
          status: 411,
          code: "MissingContentLength",
          message: "You must provide the Content-Length HTTP header.",
        });
      }
      if (Number(length) > maxBodyBytes) {
        throw new Refused({
          status: 400,
          code: "MaxPostPreDataLengthExceeded",
          message: "Your POST request is too large",
        });
      }
      const body = await readAll(ctx);
      const form = await new Response(body, { headers: { "content-type": ctx.get("content-type") } }).formData();
      await checkPost(bucket, form, options);
      // s3rver reads the request itself: give it the same bytes again, with the request's own line and headers.
      const original = ctx.req as IncomingMessage;
      const replay = Object.assign(Readable.from([body]), {
        url: original.url,
        method: original.method,
        headers: original.headers,
        httpVersion: original.httpVersion,
        socket: original.socket,
      });
      ctx.req = replay;
      ctx.request.req = replay;
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return fail(ctx, error.refusal, bucket);
    }
    return next();
  };
  server.middleware.unshift(middleware);
}

function postObjectBucket(ctx: Context): string | undefined {
  if (ctx.method !== "POST" || !ctx.get("content-type").toLowerCase().startsWith("multipart/form-data"))
    return undefined;
  if (Object.keys(ctx.query).length > 0) return undefined;
  const parts = ctx.path.split("/").filter(Boolean);
  return parts.length === 1 ? decodeURIComponent(parts[0] as string) : undefined;
}

async function readAll(ctx: Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Throws the refusal S3 would answer, or returns when S3 would store the file. */
async function checkPost(bucket: string, form: FormData, options: PostPolicyOptions): Promise<void> {
  // Field names are case-insensitive in S3 POST forms and policies.
  const fields = new Map<string, string>();
  let file: File | undefined;
  for (const [name, value] of form) {
    if (name.toLowerCase() === "file") {
      if (typeof value !== "string") file = value;
      continue;
    }
    if (typeof value === "string") fields.set(name.toLowerCase(), value);
  }
  const policyBase64 = fields.get("policy");
  if (!policyBase64) throw new Refused({ status: 403, code: "AccessDenied", message: "Access Denied" });
  if (!file) {
    throw new Refused({
      status: 400,
      code: "InvalidArgument",
      message: "POST requires exactly one file upload per request.",
    });
  }

  // Signature V4 over the policy, with the scope the credential names.
  const credential = (fields.get("x-amz-credential") ?? "").split("/");
  const [accessKeyId = "", day = "", region = "", service, terminal] = credential;
  const date = fields.get("x-amz-date") ?? "";
  if (
    fields.get("x-amz-algorithm") !== "AWS4-HMAC-SHA256" ||
    credential.length !== 5 ||
    service !== "s3" ||
    terminal !== "aws4_request" ||
    !date.startsWith(day)
  ) {
    throw new Refused({
      status: 400,
      code: "InvalidRequest",
      message: "Missing or malformed X-Amz-Algorithm, X-Amz-Credential or X-Amz-Date",
    });
  }
  if (region !== options.region) {
    throw new Refused({
      status: 400,
      code: "AuthorizationQueryParametersError",
      message: `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${options.region}'`,
    });
  }
  const secret = options.secretFor(accessKeyId);
  if (!secret) {
    throw new Refused({
      status: 403,
      code: "InvalidAccessKeyId",
      message: "The AWS Access Key Id you provided does not exist in our records.",
    });
  }
  const expected = Buffer.from(signPolicy(policyBase64, secret, day, region));
  const given = Buffer.from(fields.get("x-amz-signature") ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Refused({
      status: 403,
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    });
  }

  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyBase64, "base64").toString("utf8"));
  } catch {
    throw new Refused({ status: 400, code: "InvalidPolicyDocument", message: "Invalid Policy: Invalid JSON." });
  }
  const expiration = Date.parse(String(policy.expiration));
  if (!Number.isFinite(expiration) || !Array.isArray(policy.conditions)) {
    throw new Refused({
      status: 400,
      code: "InvalidPolicyDocument",
      message: "Invalid Policy: expiration and conditions are required.",
    });
  }
  if (expiration <= (options.now?.() ?? new Date()).getTime()) throw policyRefusal("Policy expired.");

  // S3 puts the file's name where the key says `${filename}`.
  const key = (fields.get("key") ?? "").replace(FILENAME_VARIABLE, file.name);
  const values = new Map(fields);
  values.set("key", key);
  values.set("bucket", bucket);
  const covered = new Set<string>(["bucket"]);
  for (const condition of policy.conditions as unknown[]) {
    if (Array.isArray(condition) && condition[0] === "content-length-range") {
      const [, min, max] = condition as [string, number, number];
      if (file.size > max) {
        throw new Refused({
          status: 400,
          code: "EntityTooLarge",
          message: "Your proposed upload exceeds the maximum allowed size",
          extra: { ProposedSize: file.size, MaxSizeAllowed: max },
        });
      }
      if (file.size < min) {
        throw new Refused({
          status: 400,
          code: "EntityTooSmall",
          message: "Your proposed upload is smaller than the minimum allowed size",
          extra: { ProposedSize: file.size, MinSizeAllowed: min },
        });
      }
      continue;
    }
    const [operator, rawName, expected] = Array.isArray(condition)
      ? (condition as [string, string, string])
      : (["eq", ...Object.entries(condition as Record<string, string>)[0]!] as [string, string, string]);
    const name = rawName.replace(/^\$/, "").toLowerCase();
    covered.add(name);
    const actual = values.get(name) ?? "";
    const holds =
      operator === "eq" ? actual === expected : operator === "starts-with" ? actual.startsWith(expected) : false;
    if (!holds) throw policyRefusal(`Policy Condition failed: ${JSON.stringify([operator, `$${name}`, expected])}`);
  }
  const extra = [...fields.keys()].filter(
    (name) => !EXEMPT.has(name) && !name.startsWith("x-ignore-") && !covered.has(name),
  );
  if (extra.length > 0) throw policyRefusal(`Extra input fields: ${extra.join(", ")}`);
}

function fail(ctx: Context, { status, code, message, extra }: Refusal, bucket: string): void {
  const details = Object.entries(extra ?? {})
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join("");
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${details}` +
    `<Resource>/${bucket}</Resource><RequestId>${randomUUID()}</RequestId></Error>`;
}
