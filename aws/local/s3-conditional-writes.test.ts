import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localS3Client } from "./s3-buckets";
import { enforceConditionalWrites } from "./s3-conditional-writes";

const Bucket = "conditional-writes";
let s3rver: S3rver;
let directory: string;
let client: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "s3-conditional-"));
  s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  enforceConditionalWrites(s3rver);
  const address = await s3rver.run();
  client = localS3Client(`http://127.0.0.1:${address.port}`);
  await client.send(new CreateBucketCommand({ Bucket }));
});

afterAll(async () => {
  client?.destroy();
  await s3rver?.close();
  await rm(directory, { recursive: true, force: true });
});

const put = (Key: string, Body: string, condition: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
  client.send(new PutObjectCommand({ Bucket, Key, Body, ...condition }));

async function failure(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the write to be refused");
}

const read = async (Key: string) =>
  (await client.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString("utf-8");

describe("conditional PutObject on the local S3", () => {
  it("creates only when absent with If-None-Match: *", async () => {
    const created = await put("create-once.json", "first", { IfNoneMatch: "*" });
    expect(created.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await failure(put("create-once.json", "second", { IfNoneMatch: "*" }))).toEqual({
      name: "PreconditionFailed",
      status: 412,
    });
    expect(await read("create-once.json")).toBe("first");
  });

  it("replaces only the version named by If-Match", async () => {
    const first = await put("doc.json", "v1");
    const second = await put("doc.json", "v2", { IfMatch: first.ETag! });
    expect(await failure(put("doc.json", "stale", { IfMatch: first.ETag! }))).toEqual({
      name: "PreconditionFailed",
      status: 412,
    });
    expect(await read("doc.json")).toBe("v2");
    await put("doc.json", "v3", { IfMatch: second.ETag! });
    expect(await read("doc.json")).toBe("v3");
  });

  it("answers NoSuchKey to If-Match on a missing object", async () => {
    expect(await failure(put("missing.json", "x", { IfMatch: '"0123456789abcdef0123456789abcdef"' }))).toEqual({
      name: "NoSuchKey",
      status: 404,
    });
  });

  it("lets exactly one of many racing writers based on the same version win", async () => {
    const base = await put("race.json", "base");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => put("race.json", `writer-${i}`, { IfMatch: base.ETag! })),
    );
    const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await read("race.json")).toBe(`writer-${winners[0]}`);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as Error).name).toBe("PreconditionFailed");
    }
  });

  it("leaves unconditional writes alone", async () => {
    await put("plain.json", "a");
    await put("plain.json", "b");
    expect(await read("plain.json")).toBe("b");
  });
});
