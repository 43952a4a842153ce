import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localS3Client } from "./s3-buckets";
import { makeWritesAtomic } from "./s3-consistency";

const Bucket = "consistency";
let s3rver: S3rver;
let directory: string;
let client: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "s3-consistency-"));
  s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: path.join(directory, "s3") });
  makeWritesAtomic(s3rver);
  const address = await s3rver.run();
  client = localS3Client(`http://127.0.0.1:${address.port}`);
  await client.send(new CreateBucketCommand({ Bucket }));
});

afterAll(async () => {
  client?.destroy();
  await s3rver?.close();
  await rm(directory, { recursive: true, force: true });
});

/** A body whose every byte says which version it is, of a length that differs per version. */
const version = (n: number) => Buffer.alloc(1000 + ((n * 7919) % 50_000), n % 251);

describe("read-after-write on the local S3", () => {
  it("a GET right after a PUT sees the whole new object", async () => {
    for (let n = 1; n <= 40; n++) {
      await client.send(new PutObjectCommand({ Bucket, Key: "doc", Body: version(n) }));
      const body = Buffer.from(
        await (await client.send(new GetObjectCommand({ Bucket, Key: "doc" }))).Body!.transformToByteArray(),
      );
      expect(body.equals(version(n))).toBe(true);
    }
  });

  it("reads during writes see one whole version, never a torn or mixed one", async () => {
    const writes = Array.from({ length: 30 }, (_, i) =>
      client.send(new PutObjectCommand({ Bucket, Key: "busy", Body: version(i + 1) })),
    );
    const reads = Array.from({ length: 60 }, async () => {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket, Key: "busy" }));
        return Buffer.from(await object.Body!.transformToByteArray());
      } catch {
        return undefined; // not written yet
      }
    });
    const [, seen] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
    for (const body of seen) {
      if (!body) continue;
      const n = body[0]!;
      expect(body.every((byte) => byte === n)).toBe(true);
      expect(body.length).toBe(version(n === 0 ? 251 : n).length);
    }
  });

  it("keeps its temporary files out of the bucket", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(["busy", "doc"]);
  });
});
