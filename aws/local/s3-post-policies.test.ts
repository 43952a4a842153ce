import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostCondition, presignPost } from "../src/lib/post-policy";
import { localS3Client } from "./s3-buckets";
import { enforcePostPolicies } from "./s3-post-policies";

const Bucket = "post-policies";
const REGION = "ap-northeast-1";
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
let s3rver: S3rver;
let directory: string;
let client: S3Client;
let url: string;
const events: { eventName: string; key: string }[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "s3-post-"));
  s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  enforcePostPolicies(s3rver, { region: REGION, secretFor: (key) => (key === "S3RVER" ? "S3RVER" : undefined) });
  s3rver.on("event", (e) => events.push(...e.Records.map((r) => ({ eventName: r.eventName, key: r.s3.object.key }))));
  const address = await s3rver.run();
  url = `http://127.0.0.1:${address.port}/${Bucket}`;
  client = localS3Client(`http://127.0.0.1:${address.port}`);
  await client.send(new CreateBucketCommand({ Bucket }));
});

afterAll(async () => {
  client?.destroy();
  await s3rver?.close();
  await rm(directory, { recursive: true, force: true });
});

const MAX = 1000;
function upload(key: string, options: { conditions?: PostCondition[]; now?: Date; region?: string } = {}) {
  return presignPost({
    bucket: Bucket,
    key,
    region: options.region ?? REGION,
    credentials,
    conditions: options.conditions ?? [["content-length-range", 1, MAX]],
    expiresInSeconds: 300,
    ...(options.now ? { now: options.now } : {}),
  }).fields;
}

async function post(
  fields: Record<string, string>,
  file: Uint8Array,
): Promise<{ status: number; code?: string; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file], { type: "application/octet-stream" }), "photo.jpg");
  const response = await fetch(url, { method: "POST", body: form });
  const text = await response.text();
  return {
    status: response.status,
    text,
    ...(/<Code>([^<]+)<\/Code>/.exec(text) ? { code: /<Code>([^<]+)<\/Code>/.exec(text)![1] } : {}),
  };
}

const stored = async (Key: string) => {
  try {
    await client.send(new HeadObjectCommand({ Bucket, Key }));
    return true;
  } catch {
    return false;
  }
};

describe("S3 POST uploads on the local S3", () => {
  it("stores a file posted with a valid policy, and emits ObjectCreated:Post", async () => {
    const bytes = new Uint8Array(MAX).fill(7);
    const ok = await post(upload("uploads/ok"), bytes);
    expect(ok.text).toBe("");
    expect(ok.status).toBe(204);
    const object = await client.send(new GetObjectCommand({ Bucket, Key: "uploads/ok" }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(Buffer.from(bytes))).toBe(true);
    expect(events).toContainEqual({ eventName: "ObjectCreated:Post", key: "uploads/ok" });
  });

  it("refuses a file over content-length-range with EntityTooLarge, and one under it with EntityTooSmall", async () => {
    expect(await post(upload("uploads/big"), new Uint8Array(MAX + 1))).toMatchObject({
      status: 400,
      code: "EntityTooLarge",
    });
    const small = upload("uploads/small", { conditions: [["content-length-range", 10, MAX]] });
    expect(await post(small, new Uint8Array(9))).toMatchObject({ status: 400, code: "EntityTooSmall" });
    expect(await stored("uploads/big")).toBe(false);
    expect(await stored("uploads/small")).toBe(false);
  });

  it("refuses an expired policy", async () => {
    const fields = upload("uploads/late", { now: new Date(Date.now() - 301_000) });
    const answer = await post(fields, new Uint8Array(10));
    expect(answer).toMatchObject({ status: 403, code: "AccessDenied" });
    expect(answer.text).toContain("Policy expired");
    expect(await stored("uploads/late")).toBe(false);
  });

  it("refuses another key than the policy's, a changed policy, and a forged signature", async () => {
    const fields = upload("uploads/mine");
    const otherKey = await post({ ...fields, key: "images/theirs.webp" }, new Uint8Array(10));
    expect(otherKey).toMatchObject({ status: 403, code: "AccessDenied" });
    expect(otherKey.text).toContain("Policy Condition failed");

    const policy = JSON.parse(Buffer.from(fields.Policy!, "base64").toString());
    policy.conditions = policy.conditions.map((c: unknown) =>
      Array.isArray(c) && c[0] === "content-length-range" ? ["content-length-range", 1, 10 * MAX] : c,
    );
    const widened = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString("base64") };
    expect(await post(widened, new Uint8Array(MAX + 1))).toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });

    const signature = fields["X-Amz-Signature"]!;
    const flipped = `${signature.slice(0, 30)}${signature[30] === "0" ? "1" : "0"}${signature.slice(31)}`;
    expect(await post({ ...fields, "X-Amz-Signature": flipped }, new Uint8Array(10))).toMatchObject({
      status: 403,
      code: "SignatureDoesNotMatch",
    });
    expect(await stored("uploads/mine")).toBe(false);
    expect(await stored("images/theirs.webp")).toBe(false);
  });

  it("refuses form fields the policy does not cover, and a post with no policy", async () => {
    const extra = await post({ ...upload("uploads/extra"), "Content-Type": "text/html" }, new Uint8Array(10));
    expect(extra).toMatchObject({ status: 403, code: "AccessDenied" });
    expect(extra.text).toContain("Extra input fields: content-type");
    expect(await post({ key: "uploads/anonymous" }, new Uint8Array(10))).toMatchObject({
      status: 403,
      code: "AccessDenied",
    });
    expect(await stored("uploads/extra")).toBe(false);
    expect(await stored("uploads/anonymous")).toBe(false);
  });

  it("refuses credentials scoped to another region, or an unknown key", async () => {
    expect(await post(upload("uploads/region", { region: "us-east-1" }), new Uint8Array(10))).toMatchObject({
      status: 400,
      code: "AuthorizationQueryParametersError",
    });
    const fields = upload("uploads/who");
    const stranger = { ...fields, "X-Amz-Credential": fields["X-Amz-Credential"]!.replace("S3RVER", "AKIASTRANGER") };
    expect(await post(stranger, new Uint8Array(10))).toMatchObject({ status: 403, code: "InvalidAccessKeyId" });
  });

  it("refuses a body without Content-Length (S3 takes no chunked POST)", async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload("uploads/chunked"))) form.append(name, value);
    form.append("file", new Blob([new Uint8Array(10)]), "photo.jpg");
    const body = new Response(form);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": body.headers.get("content-type")! },
      body: body.body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(411);
    expect(await response.text()).toContain("MissingContentLength");
    expect(await stored("uploads/chunked")).toBe(false);
  });
});
