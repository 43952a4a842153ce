import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuckets, localS3Client } from "./s3-buckets";

let s3rver: S3rver;
let directory: string;
let endpoint: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), "s3-buckets-test-"));
  s3rver = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  const address = await s3rver.run();
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await s3rver?.close();
  await rm(directory, { recursive: true, force: true });
});

describe("ensureBuckets (s3rver)", () => {
  it("creates the content bucket under its resolved template name", async () => {
    const ensured = await ensureBuckets({ endpoint, parameters: { Env: "local" } });
    expect(ensured).toEqual([
      { logicalId: "ShopBucket", bucketName: "shop-local-content-000000000000", created: true },
    ]);
    const client = localS3Client(endpoint);
    try {
      const { Buckets } = await client.send(new ListBucketsCommand({}));
      expect(Buckets?.map((b) => b.Name)).toContain("shop-local-content-000000000000");
    } finally {
      client.destroy();
    }
  });

  it("is idempotent and keeps existing objects", async () => {
    const client = localS3Client(endpoint);
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: "shop-local-content-000000000000",
          Key: "site.json",
          Body: '{"open":true}',
          ContentType: "application/json",
        }),
      );
      const ensured = await ensureBuckets({ endpoint, parameters: { Env: "local" } });
      expect(ensured[0]?.created).toBe(false);
      const object = await client.send(
        new GetObjectCommand({ Bucket: "shop-local-content-000000000000", Key: "site.json" }),
      );
      // Stored without chunk framing thanks to the WHEN_REQUIRED checksum settings.
      expect(await object.Body?.transformToString()).toBe('{"open":true}');
    } finally {
      client.destroy();
    }
  });

  it("uses the account id in the name", async () => {
    const ensured = await ensureBuckets({ endpoint, parameters: { Env: "local" }, accountId: "123456789012" });
    expect(ensured[0]?.bucketName).toBe("shop-local-content-123456789012");
  });
});
