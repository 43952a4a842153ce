/**
 * A small closed-loop HTTP load generator for the storefront benchmarks: `concurrency` keep-alive connections to
 * one loopback origin, each sending its next request as soon as the previous answer has been read, until `total`
 * requests are done or `maxSeconds` have passed (whichever comes first). Only 127.0.0.1 / localhost targets are
 * accepted: the benchmarks never send load anywhere else.
 */
import { Agent, request } from "node:http";
import { percentile, round } from "./stats";

export interface HttpLoadOptions {
  url: string;
  method?: string;
  /** Fixed headers, or per request (e.g. a client address per request). */
  headers?: Record<string, string> | ((i: number) => Record<string, string>);
  /** Called per request (e.g. a fresh form body); a fixed body otherwise. */
  body?: string | ((i: number) => string);
  total: number;
  concurrency: number;
  /** Hard stop: no request is started after this many seconds. */
  maxSeconds?: number;
  /** Status codes that count as success (default 200). */
  okStatus?: readonly number[];
}

export interface HttpLoadResult {
  requests: number;
  failures: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanBytes: number;
  statuses: Record<string, number>;
}

export function assertLoopback(url: string): URL {
  const target = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) {
    throw new Error(`load is only ever sent to this machine's loopback, not ${target.hostname}`);
  }
  return target;
}

export async function httpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const target = assertLoopback(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const ok = new Set(options.okStatus ?? [200]);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + (options.maxSeconds ?? 60) * 1000;

  const one = (i: number) =>
    new Promise<number>((resolve) => {
      const body = typeof options.body === "function" ? options.body(i) : options.body;
      const headers = typeof options.headers === "function" ? options.headers(i) : options.headers;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: options.method ?? "GET",
          headers: {
            ...headers,
            ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
          },
        },
        (res) => {
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
          });
          res.on("end", () => {
            bytes += size;
            resolve(res.statusCode ?? 0);
          });
          res.on("error", () => resolve(0));
        },
      );
      req.on("error", () => resolve(0));
      req.end(body);
    });

  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.total || performance.now() > deadline) return;
      const t0 = performance.now();
      const status = await one(i);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!ok.has(status)) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, worker));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    failures,
    seconds: round(seconds, 2),
    perSecond: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    meanBytes: Math.round(bytes / Math.max(1, latencies.length)),
    statuses,
  };
}
