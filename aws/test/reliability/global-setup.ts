/**
 * `npm run test:reliability`'s shared fixtures: the local stack of aws/test/global-setup.ts (same options), plus the
 * production build of the storefront, served by `wrangler pages dev` against that stack, for the tests that go
 * through the BFF (orders placed with the checkout form, bad input through the checkout and admin forms). Tests
 * that inject faults start a stack and a storefront of their own (storefront-support.ts) on the same build.
 *
 * RELIABILITY_STOREFRONT=0 leaves the storefront out (its tests then report themselves skipped);
 * STOREFRONT_SKIP_BUILD=1 reuses an existing ./build.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../../local/stack";
import { freePort, repoRoot, run } from "../../../scripts/lib/processes";
import { startStorefront } from "../../../scripts/lib/storefront";

export interface ProvidedStorefront {
  url: string;
  ownerPassword: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    storefront: ProvidedStorefront | null;
  }
}

export const storefrontEnabled = () => process.env.RELIABILITY_STOREFRONT !== "0";

/** Builds ./build for the run, as production (never React's development bundle); STOREFRONT_SKIP_BUILD=1 reuses it. */
async function buildStorefront(): Promise<void> {
  if (process.env.STOREFRONT_SKIP_BUILD !== "1") await run("npx", ["remix", "vite:build"], { NODE_ENV: "production" });
  await assertProductionBuild();
}

/** A build made under NODE_ENV=development or test ships React's development bundle (found by `npm run bench`). */
export async function assertProductionBuild(): Promise<void> {
  const assets = path.join(repoRoot, "build/client/assets");
  for (const file of (await readdir(assets)).filter((f) => f.endsWith(".js"))) {
    if ((await readFile(path.join(assets, file), "utf8")).includes("validateDOMNesting")) {
      throw new Error(`build/client/assets/${file} holds React's development build: rebuild with NODE_ENV=production`);
    }
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const port = await freePort();
  const stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ecpayRetryDelaysMs: [300, 600, 900, 1200],
    // The outbox worker sends the tests' emails within a few hundred ms.
    schedules: { intervalMs: 300, functions: ["OutboxWorkerFunction"] },
    mailRetryBaseMs: 300,
    storefrontUrl: `http://127.0.0.1:${port}`,
  });
  const { close, ...urls } = stack;
  project.provide("stack", urls);
  if (!storefrontEnabled()) {
    project.provide("storefront", null);
    return close;
  }
  const persistTo = await mkdtemp(path.join(tmpdir(), "shop-reliability-wrangler-"));
  try {
    await buildStorefront();
    const ownerPassword = "reliability-owner-password";
    const storefront = await startStorefront({
      mode: "build",
      port,
      stack,
      ownerPassword,
      skipBuild: true,
      quiet: true,
      extraVars: { CACHE_TTL_SECONDS: "1" },
      persistTo,
    });
    project.provide("storefront", { url: storefront.url, ownerPassword });
    return async () => {
      await storefront.stop();
      await close();
      await rm(persistTo, { recursive: true, force: true });
    };
  } catch (error) {
    await close();
    await rm(persistTo, { recursive: true, force: true });
    throw error;
  }
}
