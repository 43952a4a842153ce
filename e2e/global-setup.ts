/**
 * Starts the local stack and the built storefront on free ports for the browser tests.
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../aws/local/stack";
import { freePort } from "../scripts/lib/processes";
import { startStorefront } from "../scripts/lib/storefront";

export interface E2eContext {
  baseUrl: string;
  /**
   * A second storefront on another origin, set up as a branch preview is on Cloudflare: APP_ENV=preview, SITE_URL
   * the first storefront's (staging's) address, the same stack behind it, and its origin on the API's allowlist.
   */
  previewUrl: string;
  apiUrl: string;
  ecpayUrl: string;
  s3Endpoint: string;
  bucketName: string;
  ownerPassword: string;
  /** The SES stand-in (its mailbox as JSON at /store). */
  sesUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  process.env.LOG_LEVEL ??= "silent";
  const ownerPassword = "e2e-owner-password";
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const previewPort = await freePort();
  const previewUrl = `http://127.0.0.1:${previewPort}`;
  const stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    storefrontUrl: baseUrl,
    allowedOrigins: [previewUrl],
    ecpayRetryDelaysMs: [500, 1000, 2000, 4000],
    // The outbox worker issues e-invoices and sends emails within a second (pickup.e2e.ts, shop-rules.e2e.ts).
    schedules: { intervalMs: 500, functions: ["OutboxWorkerFunction"] },
  });
  try {
    const storefront = await startStorefront({
      mode: "build",
      port,
      stack,
      ownerPassword,
      skipBuild: process.env.E2E_SKIP_BUILD === "1",
      quiet: !process.env.E2E_VERBOSE,
      // Short edge-cache TTL so owner changes show quickly in tests.
      extraVars: { CACHE_TTL_SECONDS: "1" },
      persistTo: await mkdtemp(path.join(tmpdir(), "shop-e2e-wrangler-")),
    });
    const preview = await startStorefront({
      mode: "build",
      port: previewPort,
      stack,
      ownerPassword,
      skipBuild: true,
      quiet: !process.env.E2E_VERBOSE,
      extraVars: { CACHE_TTL_SECONDS: "1", APP_ENV: "preview", SITE_URL: baseUrl },
      persistTo: await mkdtemp(path.join(tmpdir(), "shop-e2e-preview-wrangler-")),
    }).catch(async (error: unknown) => {
      await storefront.stop();
      throw error;
    });
    project.provide("e2e", {
      baseUrl,
      previewUrl,
      apiUrl: stack.apiUrl,
      ecpayUrl: stack.ecpayUrl,
      s3Endpoint: stack.s3Endpoint,
      bucketName: stack.bucketName,
      ownerPassword,
      sesUrl: stack.sesUrl,
    });
    return async () => {
      await preview.stop();
      await storefront.stop();
      await stack.close();
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}
