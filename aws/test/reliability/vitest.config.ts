import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: the whole reliability suite — the fast parts that `npm test` also runs
 * (aws/test/reliability/*.test.ts, aws/test/*.property.test.ts) and the slow ones (*.reliability.ts), with the
 * property tests generating RELIABILITY_SCALE times as many bad inputs. Same local stack as `npm test`, plus the
 * storefront (production build under `wrangler pages dev`) for the tests through the BFF (*.reliability.ts only,
 * so `npm test` never starts it). RELIABILITY_STOREFRONT=0 leaves the storefront out.
 */
export default defineConfig({
  test: {
    name: "reliability",
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    environment: "node",
    include: [
      "aws/test/reliability/**/*.test.ts",
      "aws/test/reliability/**/*.reliability.ts",
      "aws/test/*.property.test.ts",
    ],
    // The shared stack (as aws/test/global-setup.ts starts it) and the storefront's production build served against it.
    globalSetup: ["aws/test/reliability/global-setup.ts"],
    // The suites share one stack and count what it stores.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      RELIABILITY_SCALE: process.env.RELIABILITY_SCALE ?? "5",
    },
  },
});
