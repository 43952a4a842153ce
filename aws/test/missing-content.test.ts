/**
 * A new environment's bucket is empty until the first deploy seeds it (or the owner saves the admin forms): a missing
 * catalog.json is an empty catalog and a missing site.json a closed shop, never a 500 and never an open shop.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetClients } from "../src/lib/clients";
import { resetConfigCache } from "../src/lib/config";
import { loadTemplateSync, principalPolicies, createResolveContext, resolveValue } from "../local/template";
import { admin, orderRequest, s3Client, stack, storefront } from "./support";

const KEYS = ["catalog.json", "site.json"] as const;

describe("missing content is a state, not a failure", () => {
  const saved = new Map<string, { body: string; contentType?: string; cacheControl?: string }>();

  beforeAll(async () => {
    const s3 = s3Client();
    for (const key of KEYS) {
      const object = await s3.send(new GetObjectCommand({ Bucket: stack().bucketName, Key: key }));
      saved.set(key, {
        body: await object.Body!.transformToString(),
        ...(object.ContentType ? { contentType: object.ContentType } : {}),
        ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}),
      });
      await s3.send(new DeleteObjectCommand({ Bucket: stack().bucketName, Key: key }));
    }
  });

  afterAll(async () => {
    const s3 = s3Client();
    for (const [key, object] of saved) {
      await s3.send(
        new PutObjectCommand({
          Bucket: stack().bucketName,
          Key: key,
          Body: object.body,
          ContentType: object.contentType,
          CacheControl: object.cacheControl,
        }),
      );
    }
  });

  it("answers the admin an empty catalog and a closed site, each with no revision yet", async () => {
    const products = await admin.get("/admin/products");
    expect(products.status).toBe(200);
    expect(products.body).toEqual({ products: [], revision: null });

    const site = await admin.get("/admin/site");
    expect(site.status).toBe(200);
    expect(site.body).toMatchObject({ open: false, revision: null });
  });

  it("refuses orders as a closed shop (503 site_closed), and stores nothing", async () => {
    const refused = await storefront.post("/order", orderRequest({ paymentMethod: "cod" }));
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("site_closed");
  });

  it("lets the owner create both objects from nothing (revision null = only if still absent)", async () => {
    const created = await admin.put("/admin/site", { open: false, closedMessage: "準備中", revision: null });
    expect(created.status).toBe(200);
    expect(created.body.revision).toMatch(/^"/);
    // A second create from "nothing" is now a stale edit.
    expect((await admin.put("/admin/site", { open: true, revision: null })).status).toBe(409);
    await s3Client().send(new DeleteObjectCommand({ Bucket: stack().bucketName, Key: "site.json" }));
  });

  it("logs one clear line per missing key and container, not one per request", async () => {
    // The content module in this process, pointed at the same bucket the local API uses.
    const env = { ...process.env };
    Object.assign(process.env, {
      ENV: "local",
      TABLE_NAME: stack().tableName,
      BUCKET_NAME: stack().bucketName,
      ECPAY_GATEWAY_URL: stack().ecpayUrl,
      STOREFRONT_URL: "http://127.0.0.1:8788",
      S3_ENDPOINT: stack().s3Endpoint,
      AWS_REGION: stack().region,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    });
    resetConfigCache();
    resetClients();
    // The logger writes one JSON line per call to stdout (aws/src/lib/logger.ts).
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split("\n")
          .filter((line) => line.startsWith("{")),
      );
      return true;
    });
    try {
      const content = await import("../src/lib/content");
      expect(await content.readCatalog()).toEqual({ products: [] });
      expect(await content.readCatalog()).toEqual({ products: [] });
      expect((await content.readSiteStatus()).open).toBe(false);
      expect((await content.readSiteStatus()).open).toBe(false);
      const entries = lines.map((line) => JSON.parse(line));
      expect(entries).toHaveLength(2);
      expect(entries.map((e) => [e.level, e.key])).toEqual([
        ["WARN", "catalog.json"],
        ["WARN", "site.json"],
      ]);
      expect(entries[0].message).toContain("reads as empty");
      expect(entries[1].message).toContain("reads as closed");
    } finally {
      spy.mockRestore();
      process.env = env;
      resetConfigCache();
      resetClients();
    }
  });
});

describe("the template lets every reader of catalog.json / site.json list the bucket", () => {
  // Without s3:ListBucket, S3 answers a missing key with AccessDenied (a 500 here), not NoSuchKey.
  const template = loadTemplateSync();
  const bucketArn = "arn:aws:s3:::shop-stag-content-000000000000";

  function statementsOf(document: unknown): { Action: string | string[]; Resource: unknown }[] {
    const statement = (document as { Statement: unknown }).Statement;
    return (Array.isArray(statement) ? statement : [statement]) as { Action: string | string[]; Resource: unknown }[];
  }
  const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  const readsContent = (s: { Action: string | string[]; Resource: unknown }) =>
    actions(s).includes("s3:GetObject") && /catalog\.json|site\.json/.test(JSON.stringify(s.Resource));
  // Resolved, because a function the bucket notifies names it by its pattern rather than by !Ref (a cycle otherwise).
  const resolveCtx = createResolveContext(template, { parameters: { Env: "stag" } });
  const listsBucket = (s: { Action: string | string[]; Resource: unknown }) =>
    actions(s).includes("s3:ListBucket") &&
    ([] as unknown[]).concat(resolveValue(s.Resource, resolveCtx)).includes(bucketArn);

  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === "AWS::Serverless::Function");
  const readers = functions.filter(([, r]) =>
    ((r.Properties?.Policies ?? []) as unknown[]).some(
      (p) => typeof p === "object" && statementsOf(p).some(readsContent),
    ),
  );

  it("finds the functions that read content", () => {
    expect(readers.map(([id]) => id)).toEqual(
      expect.arrayContaining(["CreateOrderFunction", "AdminGetProductsFunction", "AdminGetSiteFunction"]),
    );
  });

  it.each(readers.map(([id]) => id))("%s may s3:ListBucket on the content bucket", (id) => {
    const policies = template.Resources[id]?.Properties?.Policies as unknown[];
    expect(policies.some((p) => statementsOf(p).some(listsBucket))).toBe(true);
  });

  it("the storefront principal (which reads both at the edge) may list the bucket", () => {
    const ctx = createResolveContext(template, { parameters: { Env: "stag" } });
    const storefrontUser = principalPolicies(template, ctx).StorefrontInvoker;
    expect(
      storefrontUser?.statements.some((s) => s.actions.includes("s3:ListBucket") && s.resources.includes(bucketArn)),
    ).toBe(true);
  });
});
