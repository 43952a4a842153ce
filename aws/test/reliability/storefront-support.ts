/**
 * A storefront of a test file's own, for injecting faults between the BFF and AWS: a local stack in this process
 * (startFaultStack: function faults, proxies between the functions and the stores), the production build under
 * `wrangler pages dev` (built once by global-setup.ts), and two more proxies the storefront itself goes through —
 * one in front of S3 (its content reads) and one in front of the order API (its signed calls). The proxies forward
 * the Host header unchanged, so SigV4 signatures made for the proxy's address verify at the local API.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type FaultProxy, s3Operation, startFaultProxy } from "../../local/faults";
import { freePort } from "../../../scripts/lib/processes";
import { startStorefront } from "../../../scripts/lib/storefront";
import { assertProductionBuild } from "./global-setup";
import { documentClient, type FaultStack, type StackUrls, startFaultStack } from "./support";

export interface FaultStorefront extends FaultStack {
  url: string;
  ownerPassword: string;
  /** Between the storefront and S3 (content reads). */
  storefrontS3: FaultProxy;
  /** Between the storefront and the order API. */
  storefrontApi: FaultProxy;
}

export async function startFaultStorefront(options: { ttlSeconds?: number } = {}): Promise<FaultStorefront> {
  // global-setup.ts built it; test files never rebuild (the shared storefront serves the same ./build).
  await assertProductionBuild();
  const faults = await startFaultStack();
  const closers: (() => Promise<void>)[] = [faults.close];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    const storefrontS3 = await startFaultProxy({ target: faults.stack.s3Endpoint, classify: s3Operation });
    closers.push(storefrontS3.close);
    const storefrontApi = await startFaultProxy({
      target: faults.stack.apiUrl,
      classify: (r) => `${r.method} ${r.url.split("?")[0]}`,
    });
    closers.push(storefrontApi.close);
    const persistTo = await mkdtemp(path.join(tmpdir(), "shop-reliability-faults-"));
    closers.push(() => rm(persistTo, { recursive: true, force: true }));
    const ownerPassword = "fault-owner-password";
    const storefront = await startStorefront({
      mode: "build",
      port: await freePort(),
      stack: { ...faults.stack, s3Endpoint: storefrontS3.url, apiUrl: storefrontApi.url },
      ownerPassword,
      skipBuild: true,
      quiet: true,
      extraVars: { CACHE_TTL_SECONDS: String(options.ttlSeconds ?? 1) },
      persistTo,
    });
    closers.push(storefront.stop);
    return { ...faults, url: storefront.url, ownerPassword, storefrontS3, storefrontApi, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Order items and idempotency records, with the order ids the records point at (a scan). */
export async function orderRecords(stack: Pick<StackUrls, "dynamodbEndpoint" | "region" | "tableName">) {
  const client = documentClient(stack);
  try {
    const items: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: stack.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const orders = items.filter((i) => String(i.ordertype).startsWith("order#"));
    const claims = items.filter((i) => String(i.ordertype).startsWith("idem#"));
    return {
      orders,
      claims,
      orderIds: orders.map((o) => String(o.id)).sort(),
      claimedIds: claims.map((c) => String(c.orderId)).sort(),
    };
  } finally {
    client.destroy();
  }
}
