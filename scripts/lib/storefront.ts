/**
 * Runs the storefront against a local stack: the production build under `wrangler pages dev` (workerd, as on
 * Cloudflare Pages) or the Remix dev server. Shared by `npm start`, the end-to-end tests and the benchmarks.
 */
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { LocalStack } from "../../aws/local/stack";
import { DEV_PRINCIPALS } from "../../aws/local/stack";
import { hashPassword } from "../hash-password";
import { repoRoot, run, startGroup, stopGroup, waitForHttp } from "./processes";

export interface StorefrontOptions {
  mode: "build" | "dev";
  port: number;
  stack: LocalStack;
  ownerPassword: string;
  /** Skip `remix vite:build` (the caller built already). */
  skipBuild?: boolean;
  quiet?: boolean;
  extraVars?: Record<string, string>;
  /** Where workerd keeps its edge cache between runs; tie it to the stack's data so a cache never outlives its data. */
  persistTo: string;
}

export interface RunningStorefront {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The storefront's local settings and secrets; production values live in Cloudflare's secret store. */
export async function storefrontVars(
  stack: LocalStack,
  url: string,
  ownerPassword: string,
): Promise<Record<string, string>> {
  return {
    APP_ENV: "local",
    ORDER_API_URL: stack.apiUrl,
    AWS_REGION: stack.region,
    S3_BUCKET_URL: `${stack.s3Endpoint}/${stack.bucketName}`,
    SITE_URL: url,
    ECPAY_GATEWAY_ORIGIN: stack.ecpayUrl,
    ECPAY_LOGISTICS_ORIGIN: stack.ecpayUrl,
    STOREFRONT_ACCESS_KEY_ID: DEV_PRINCIPALS.storefront.accessKeyId,
    STOREFRONT_SECRET_ACCESS_KEY: DEV_PRINCIPALS.storefront.secretAccessKey,
    ADMIN_ACCESS_KEY_ID: DEV_PRINCIPALS.admin.accessKeyId,
    ADMIN_SECRET_ACCESS_KEY: DEV_PRINCIPALS.admin.secretAccessKey,
    SESSION_SECRET: "local-dev-session-secret-not-for-production",
    ADMIN_PASSWORD_HASH: await hashPassword(ownerPassword),
  };
}

export async function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  const url = `http://127.0.0.1:${options.port}`;
  const vars = { ...(await storefrontVars(options.stack, url, options.ownerPassword)), ...options.extraVars };
  let child: ChildProcess;
  if (options.mode === "build") {
    // NODE_ENV=production whatever the caller runs under: vitest sets NODE_ENV=test, and Vite then bundles React's
    // development build (3× the JavaScript, and a much slower server render).
    if (!options.skipBuild) await run("npx", ["remix", "vite:build"], { NODE_ENV: "production" });
    // --binding beats wrangler.toml [vars] and leaves any .dev.vars of the developer's alone.
    const bindings = Object.entries(vars).flatMap(([k, v]) => ["--binding", `${k}=${v}`]);
    child = startGroup(
      "npx",
      [
        "wrangler",
        "pages",
        "dev",
        "./build/client",
        "--port",
        String(options.port),
        "--ip",
        "127.0.0.1",
        "--persist-to",
        options.persistTo,
        ...bindings,
      ],
      // wrangler bundles the function with process.env.NODE_ENV = $NODE_ENV or "development" under `pages dev`
      // ("production" on deploy): without this the local "production build" server-renders with React's
      // development build, several times slower than what Cloudflare runs.
      { quiet: options.quiet ?? false, env: { NODE_ENV: "production" } },
    );
  } else {
    // The Remix dev server reads .dev.vars through wrangler's platform proxy; it is regenerated on every start.
    await writeFile(
      path.join(repoRoot, ".dev.vars"),
      `# Written by \`npm run dev\` on every start (git-ignored). Local development values only.\n${Object.entries(vars)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join("\n")}\n`,
    );
    child = startGroup(
      "npx",
      ["remix", "vite:dev", "--port", String(options.port), "--host", "127.0.0.1", "--strictPort"],
      {
        quiet: options.quiet ?? false,
      },
    );
  }
  const stop = () => stopGroup(child);
  const up = await Promise.race([
    waitForHttp(`${url}/healthz`, 90_000),
    new Promise<boolean>((resolve) => child.once("exit", () => resolve(false))),
  ]);
  if (!up) {
    await stop();
    throw new Error(`the storefront did not come up at ${url}`);
  }
  return { url, process: child, stop };
}
