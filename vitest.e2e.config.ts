import { defineConfig } from "vitest/config";

/**
 * `npm run test:e2e`: the shop in headless Chromium (Debian's `chromium`, driven by playwright-core) against the
 * production storefront build under wrangler and the whole local stack, all started by e2e/global-setup.ts.
 */
export default defineConfig({
  test: {
    name: "e2e",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
