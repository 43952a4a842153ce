/**
 * Edge tests (the `*.test.ts` files under worker/ and app/: the adapters, and the features' rules and page
 * functions next to their modules): run inside workerd (the runtime Pages uses) via vitest-pool-workers, so fetch, the Cache
 * API, Web Crypto and AbortSignal behave as in production. Run with
 *   npx vitest run --config vitest.workers.config.ts
 * Kept apart from vite.config.ts (the Remix build) and from the Node test config.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // Same date as wrangler.toml; nothing here reads wrangler.toml because it is a Pages config.
      miniflare: { compatibilityDate: "2026-04-26", d1Databases: ["RATE_LIMIT_DB"] },
    }),
  ],
  test: {
    name: "edge",
    include: ["worker/**/*.test.ts", "app/**/*.test.ts"],
    // @remix-run/cloudflare is CommonJS only; loaded as is inside workerd its require() of
    // @remix-run/server-runtime comes back undefined. Pre-bundled to ESM (as the Remix build does) it works.
    deps: { optimizer: { ssr: { enabled: true, include: ["@remix-run/cloudflare"] } } },
  },
});
