/**
 * The request context every edge function receives, declared once:
 *   - `CloudflareContext`: what Remix's load context holds on this platform (`context.cloudflare` in loaders,
 *     actions and entry.server);
 *   - `BffContext`: what page functions and adapters need from it. Loaders pass `context.cloudflare` as is; tests
 *     pass a hand-made object with fakes for the seams.
 *
 * Kept apart from `load-context.ts` on purpose: vite.config.ts imports getLoadContext and is type-checked by the
 * Node tsconfig, where the workerd globals used here (IncomingRequestCfProperties, ExecutionContext, Cache) do not
 * exist. This file is only part of the edge program.
 */
import type { FetchLike } from "./aws.server";
import type { Env } from "./env";
import type { IsolateState } from "./shared-read";

interface CloudflareContext {
  env: Env;
  cf?: IncomingRequestCfProperties;
  ctx: Pick<ExecutionContext, "waitUntil" | "passThroughOnException">;
  /** The isolate's shared reads and their bookkeeping, one for the Pages Function and Remix (./load-context.ts). */
  isolate: IsolateState;
}

export interface BffContext {
  env: Env;
  /** Lets background work (cache refreshes) outlive the response. */
  ctx: Pick<ExecutionContext, "waitUntil">;
  /** Test seams; production uses the runtime's fetch, `caches.default` and the clock. */
  fetch?: FetchLike;
  cache?: Cache;
  now?: () => number;
  /**
   * Where the isolate keeps the reads its requests share (./shared-read.ts). Every request's context carries the
   * isolate's one; tests may leave it out (the module's own is used).
   */
  isolate?: IsolateState;
  /** Tests shorten the backoff between retries. */
  retryBaseDelayMs?: number;
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
