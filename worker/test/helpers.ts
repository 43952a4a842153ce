/** Shared fixtures for the edge tests (they run inside workerd), of worker/ and of app/. */
import type { Catalog, SiteStatus } from "../../aws/src/contract";
import type { FetchLike } from "../aws.server";
import type { BffContext } from "../context";
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

export interface FakeShop {
  bff: BffContext;
  /** Every request the edge made: S3 reads and order API calls. */
  calls: RecordedRequest[];
  /** The order API calls only. */
  apiCalls: () => RecordedRequest[];
  /** Runs what page functions left to `ctx.waitUntil` (cache refreshes). */
  settle: () => Promise<void>;
}

/**
 * A whole edge for page-function tests: S3 serves `site.json` and `catalog.json` as given (503 for a missing one),
 * the order API answers with `api` (a 500 when none is given), and the Cache API is a fresh cache of its own.
 */
export async function fakeShop(
  options: {
    site?: SiteStatus;
    catalog?: Catalog;
    api?: (request: Request, body: string) => Response | Promise<Response>;
    env?: Record<string, unknown>;
  } = {},
): Promise<FakeShop> {
  const env = testEnv(options.env);
  const content: Record<string, unknown> = { "site.json": options.site, "catalog.json": options.catalog };
  const transport = scriptedTransport(async (request) => {
    const url = request.url;
    if (url.startsWith(`${env.S3_BUCKET_URL}/`)) {
      const value = content[url.slice(env.S3_BUCKET_URL.length + 1)];
      return value === undefined ? new Response("unavailable", { status: 503 }) : json(value);
    }
    if (url.startsWith(env.ORDER_API_URL) && options.api) return options.api(request, await request.clone().text());
    return new Response("no such service in this test", { status: 500 });
  });
  const pending: Promise<unknown>[] = [];
  const bff: BffContext = {
    env,
    ctx: { waitUntil: (promise) => pending.push(promise) },
    fetch: transport.fetch,
    cache: await caches.open(`test-${crypto.randomUUID()}`),
    retryBaseDelayMs: 0,
  };
  return {
    bff,
    calls: transport.calls,
    apiCalls: () => transport.calls.filter((call) => call.url.href.startsWith(env.ORDER_API_URL)),
    settle: async () => {
      await Promise.allSettled(pending);
    },
  };
}

/**
 * What a loader, action or page function answered, thrown or returned: a Response, Remix's `data()` (status and
 * headers in `init`), or plain data (200).
 */
export async function answer<T>(pending: Promise<unknown>) {
  let value: unknown;
  try {
    value = await pending;
  } catch (thrown) {
    value = thrown;
  }
  if (value instanceof Response) {
    const text = await value.text();
    let data: unknown = text || null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the text as it came.
    }
    return { status: value.status, headers: value.headers, data: data as T };
  }
  if (value && typeof value === "object" && "data" in value && "init" in value) {
    const { data, init } = value as { data: T; init: ResponseInit | null };
    return { status: init?.status ?? 200, headers: new Headers(init?.headers), data };
  }
  return { status: 200, headers: new Headers(), data: value as T };
}

/**
 * A D1 database whose first `parties` calls (a statement's first/run/all/raw, or a batch; schema statements aside)
 * are held until all of them have arrived, then released together: the interleaving a burst of requests gets on
 * Cloudflare, where many isolates serve one client at once and D1 is remote. Later calls go straight through.
 */
export function interleavedD1<T extends object>(db: T, parties: number): T {
  const inner = Symbol("inner statement");
  let arrived = 0;
  let release!: () => void;
  const allArrived = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gate = async () => {
    if (arrived >= parties) return;
    arrived += 1;
    if (arrived === parties) release();
    await allArrived;
  };
  const passThrough = (target: Record<PropertyKey, unknown>, property: PropertyKey) => {
    const value = target[property];
    return typeof value === "function" ? value.bind(target) : value;
  };
  const statement = (target: any, sql: string): any =>
    new Proxy(target, {
      get(_, property) {
        if (property === inner) return target;
        if (property === "bind") return (...values: unknown[]) => statement(target.bind(...values), sql);
        if (property === "first" || property === "run" || property === "all" || property === "raw") {
          return async (...args: unknown[]) => {
            // Schema statements (CREATE TABLE IF NOT EXISTS, once per database) are not part of the burst.
            if (!/^\s*CREATE\b/i.test(sql)) await gate();
            return target[property](...args);
          };
        }
        return passThrough(target, property);
      },
    });
  return new Proxy(db, {
    get(target, property) {
      const d1 = target as Record<PropertyKey, unknown> & {
        prepare(sql: string): unknown;
        batch(statements: unknown[]): Promise<unknown>;
      };
      if (property === "prepare") return (sql: string) => statement(d1.prepare(sql), sql);
      if (property === "batch") {
        return async (statements: Record<PropertyKey, unknown>[]) => {
          await gate();
          return d1.batch(statements.map((s) => s[inner] ?? s));
        };
      }
      return passThrough(d1, property);
    },
  });
}
