import { defineConfig } from "vitest/config";

/**
 * `npm test`: Node-side tests (domain, Lambda handlers through the local API, local stand-ins) and the BFF tests,
 * which run inside workerd through vitest-pool-workers (vitest.workers.config.ts).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["aws/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["aws/.aws-sam/**", "node_modules/**"],
          globalSetup: ["aws/test/global-setup.ts"],
          // The integration suites share one stack and some change the catalog or close the site.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        },
      },
      "vitest.workers.config.ts",
    ],
  },
});
