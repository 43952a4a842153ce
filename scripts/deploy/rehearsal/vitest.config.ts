import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run deploy:rehearse`: the first deploy of staging, run by the same code an owner runs
 * (scripts/deploy/main.ts first), against moto's server (CloudFormation, S3, IAM, SSM, …) instead of AWS and a
 * recorded stand-in instead of wrangler's Cloudflare account calls. Needs .ci/.venv (bash .ci/sam-checks.sh makes it).
 */
export default defineConfig({
  test: {
    name: "rehearsal",
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    environment: "node",
    include: ["scripts/deploy/rehearsal/*.rehearsal.ts"],
    // One AWS account and one Cloudflare account, changed step by step: the tests run in order.
    sequence: { concurrent: false },
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
