/**
 * The shape of Remix's load context on this platform, declared once for loaders, actions and entry.server.
 *
 * Kept apart from `load-context.ts` on purpose: vite.config.ts imports getLoadContext and is type-checked
 * by the Node tsconfig, where the workerd globals used here (IncomingRequestCfProperties, ExecutionContext)
 * do not exist. This file is only part of the edge program.
 */
import type { Env } from "./env";

export interface CloudflareContext {
  env: Env;
  cf?: IncomingRequestCfProperties;
  ctx: Pick<ExecutionContext, "waitUntil" | "passThroughOnException">;
}

declare module "@remix-run/cloudflare" {
  interface AppLoadContext {
    cloudflare: CloudflareContext;
  }

  // Single fetch changes what useLoaderData infers; this tells the types the flag is on (see vite.config.ts).
  interface Future {
    v3_singleFetch: true;
  }
}
