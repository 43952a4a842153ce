/**
 * The one way the edge talks to AWS: requests signed with SigV4 by aws4fetch, with a deadline and a
 * deliberate retry policy. Every AWS call (order API, S3) goes through createSignedClient.
 */
import { AwsClient } from "aws4fetch";

/** The transport; the runtime's fetch in production, a fake in tests. */
export type FetchLike = (request: Request) => Promise<Response>;

type AwsService = "execute-api" | "s3";

interface SignedClientOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Always explicit: given a custom domain, aws4fetch would otherwise guess an empty service and us-east-1,
   * and API Gateway would reject every signature.
   */
  service: AwsService;
  region: string;
  /**
   * Extra attempts after the first, on network errors, 429 and 5xx. Use READ_RETRIES for reads; writes get
   * WRITE_RETRIES because a retried POST may already have taken effect. Writes carry idempotency keys, so the
   * caller (e.g. the shopper pressing the button again) decides whether to repeat.
   */
  retries: number;
  /** One deadline for all attempts together, so a page never waits longer than this on AWS. */
  timeoutMs?: number;
  /** Base of the jittered exponential backoff between attempts. */
  retryBaseDelayMs?: number;
  fetch?: FetchLike;
}

export const READ_RETRIES = 2;
export const WRITE_RETRIES = 0;
export const DEFAULT_TIMEOUT_MS = 8_000;
const DEFAULT_RETRY_BASE_DELAY_MS = 100;

interface SignedRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Thrown when no response arrived at all; any HTTP response, even a 5xx, is returned instead. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    readonly kind: "timeout" | "network",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SignedClient {
  readonly service: AwsService;
  readonly region: string;
  fetch(url: string | URL, init?: SignedRequestInit): Promise<Response>;
}

export function createSignedClient(options: SignedClientOptions): SignedClient {
  const {
    service,
    region,
    retries,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    retryBaseDelayMs = DEFAULT_RETRY_BASE_DELAY_MS,
    fetch: transport = (request) => fetch(request),
  } = options;
  // aws4fetch only signs here; its own fetch() would retry POSTs ten times, not retry network errors, and
  // could not take an injected transport. `retries: 0` documents that its loop is unused.
  const signer = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    service,
    region,
    retries: 0,
  });

  return {
    service,
    region,
    async fetch(url, init = {}) {
      const deadline = AbortSignal.timeout(timeoutMs);
      const target = url.toString();
      for (let attempt = 0; ; attempt++) {
        // Signed afresh per attempt so X-Amz-Date stays current.
        const signed = await signer.sign(target, {
          method: init.method ?? "GET",
          headers: init.headers,
          body: init.body,
        });
        let response: Response | undefined;
        let failure: unknown;
        try {
          response = await transport(new Request(signed, { signal: deadline }));
        } catch (error) {
          failure = error;
        }
        if (deadline.aborted) {
          await response?.body?.cancel();
          throw new UpstreamError(
            "timeout",
            `${service} ${init.method ?? "GET"} ${redact(target)} timed out after ${timeoutMs} ms`,
            {
              cause: failure,
            },
          );
        }
        const retryable = response === undefined || response.status === 429 || response.status >= 500;
        if (!retryable) return response as Response;
        if (attempt >= retries) {
          if (response) return response;
          throw new UpstreamError(
            "network",
            `${service} ${init.method ?? "GET"} ${redact(target)} failed: ${describe(failure)}`,
            {
              cause: failure,
            },
          );
        }
        // Free the connection before waiting; the body of a failed attempt is never read.
        await response?.body?.cancel();
        const backedOff = await sleep(Math.random() * retryBaseDelayMs * 2 ** attempt, deadline);
        if (!backedOff) {
          throw new UpstreamError(
            "timeout",
            `${service} ${init.method ?? "GET"} ${redact(target)} timed out after ${timeoutMs} ms`,
          );
        }
      }
    },
  };
}

/** Resolves false instead of waiting past the deadline. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Query strings may carry personal data (GET /order?phone=…); logs keep only the path. */
function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
