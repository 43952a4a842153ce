/** Shared fixtures for the edge tests (they run inside workerd). */
import type { FetchLike } from "../aws.server";
import { type Env, parseEnv } from "../env";

/** The local defaults from wrangler.toml plus the six secrets, as the start script passes them. */
export const RAW_TEST_ENV = {
  APP_ENV: "local",
  ORDER_API_URL: "http://127.0.0.1:3001",
  AWS_REGION: "ap-northeast-1",
  S3_BUCKET_URL: "http://127.0.0.1:4569/shop-local-content-000000000000",
  SITE_URL: "http://127.0.0.1:8788",
  CACHE_TTL_SECONDS: "30",
  ECPAY_GATEWAY_ORIGIN: "http://127.0.0.1:3002",
  STOREFRONT_ACCESS_KEY_ID: "local-storefront",
  STOREFRONT_SECRET_ACCESS_KEY: "local-storefront-secret",
  ADMIN_ACCESS_KEY_ID: "local-admin",
  ADMIN_SECRET_ACCESS_KEY: "local-admin-secret",
  SESSION_SECRET: "a-local-session-secret-of-32-chars!!",
  ADMIN_PASSWORD_HASH: "not-a-real-hash",
  /** Tests that count anything use the D1 binding of vitest.workers.config.ts; the rest never query. */
  RATE_LIMIT_DB: {
    prepare(): never {
      throw new Error("this test has no D1 database; use env.RATE_LIMIT_DB from cloudflare:workers");
    },
  },
} as const;

export function testEnv(overrides: Record<string, unknown> = {}): Env {
  return parseEnv({ ...RAW_TEST_ENV, ...overrides });
}

export interface RecordedRequest {
  request: Request;
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export type Reply = Response | Error | ((request: Request) => Response | Promise<Response>);

/**
 * A transport that records what it is sent and answers from a script: one reply per call, the last one
 * repeating. An Error reply simulates a network failure.
 */
export function scriptedTransport(...replies: Reply[]): { fetch: FetchLike; calls: RecordedRequest[] } {
  const calls: RecordedRequest[] = [];
  const fetch: FetchLike = async (request) => {
    calls.push({
      request,
      method: request.method,
      url: new URL(request.url),
      headers: new Headers(request.headers),
      body: await request.clone().text(),
    });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (reply === undefined) throw new Error("scriptedTransport: no reply scripted");
    if (reply instanceof Error) throw reply;
    if (typeof reply === "function") return reply(request);
    // A Response body can be read once; hand out a copy so a repeating reply still works.
    return reply.clone();
  };
  return { fetch, calls };
}

/** Never answers; rejects only when the request's signal aborts (the client's deadline). */
export const hangingTransport: FetchLike = (request) =>
  new Promise((_, reject) => {
    request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
  });

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  });
}
