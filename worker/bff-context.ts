/**
 * What every BFF function needs from the request. Loaders pass `context.cloudflare` as is; tests pass a
 * hand-made object with fakes for the seams below.
 */
import type { FetchLike } from "./aws.server";
import type { Env } from "./env";

export interface BffContext {
  env: Env;
  /** Lets background work (cache refreshes) outlive the response. */
  ctx: Pick<ExecutionContext, "waitUntil">;
  /** Test seams; production uses the runtime's fetch, `caches.default` and the clock. */
  fetch?: FetchLike;
  cache?: Cache;
  now?: () => number;
  /** Tests shorten the backoff between retries. */
  retryBaseDelayMs?: number;
}
