/**
 * A small HTTP proxy for the local stand-ins (dynalite, s3rver): it forwards every request unchanged, counts them,
 * and, when told to, answers the next matching requests itself — DynamoDB throttling, an S3 outage. The benchmarks
 * use the same proxy to count the AWS requests an order costs.
 *
 * Point the functions at it with DYNAMODB_ENDPOINT / S3_ENDPOINT (see `routeStackThrough` below).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ProxyFault {
  /** Which requests the fault applies to; default every request. */
  match?: (request: ProxiedRequest) => boolean;
  /** How many matching requests get the fault (Infinity: until `clearFaults`). */
  times: number;
  /** Answer in the target's place. Without it the request is forwarded (after `delayMs`) unless `drop` is set. */
  respond?: (request: ProxiedRequest) => ProxiedResponse;
  /** Hold the request this long first (a slow upstream): then answer, drop, or forward it. */
  delayMs?: number;
  /** Close the connection without an answer (an upstream that is down or a network failure). */
  drop?: boolean;
}

export interface FaultProxyOptions {
  /** Origin to forward to, e.g. `http://127.0.0.1:4567`. */
  target: string;
  port?: number;
  /** Label under which a request is counted (default `METHOD`). */
  classify?: (request: ProxiedRequest) => string;
  /** May replace the body before it is forwarded (the benchmarks ask DynamoDB for its consumed capacity). */
  transformRequest?: (request: ProxiedRequest) => Buffer | undefined;
  /** Sees every forwarded exchange, after the response arrived. */
  onExchange?: (request: ProxiedRequest, response: ProxiedResponse) => void;
}

export interface FaultProxy {
  url: string;
  /** Forwarded requests per label. */
  counts: Record<string, number>;
  /** Requests answered by a fault instead of the target, per label. */
  faulted: Record<string, number>;
  failNext(fault: ProxyFault): void;
  /** Faults still waiting for a matching request. */
  pendingFaults(): number;
  /** Forgets every planned fault (requests already held by a delay still complete). */
  clearFaults(): void;
  /** Requests received and not answered yet (e.g. held by a delay). */
  inFlight(): number;
  resetCounts(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"]);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const classify = options.classify ?? ((r: ProxiedRequest) => r.method);
  const counts: Record<string, number> = {};
  const faulted: Record<string, number> = {};
  const faults: ProxyFault[] = [];

  const forward = (incoming: ProxiedRequest, body: Buffer): Promise<ProxiedResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers["content-length"] = String(body.length);
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = String(value);
            }
            resolve({ status: res.statusCode ?? 502, headers: responseHeaders, body: Buffer.concat(chunks) });
          });
          res.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  let inFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    inFlight += 1;
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        const incoming: ProxiedRequest = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        const label = classify(incoming);
        let response: ProxiedResponse | undefined;
        const fault = faults.find((f) => f.times > 0 && (f.match?.(incoming) ?? true));
        if (fault) {
          fault.times -= 1;
          if (fault.times === 0) faults.splice(faults.indexOf(fault), 1);
          faulted[label] = (faulted[label] ?? 0) + 1;
          if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
          if (fault.drop) {
            req.socket.destroy();
            return;
          }
          response = fault.respond?.(incoming);
        }
        if (!response) {
          counts[label] = (counts[label] ?? 0) + 1;
          try {
            response = await forward(incoming, options.transformRequest?.(incoming) ?? incoming.body);
            options.onExchange?.(incoming, response);
          } catch (error) {
            response = { status: 502, headers: {}, body: Buffer.from(`proxy: ${String(error)}`) };
          }
        }
        // The caller may have given up (a timeout) while the request was held; the upstream still did its work.
        if (res.destroyed || res.writableEnded) return;
        res.writeHead(response.status, { ...response.headers, "content-length": String(response.body.length) });
        res.end(response.body);
      } finally {
        inFlight -= 1;
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    faulted,
    failNext: (fault) => {
      faults.push({ ...fault });
    },
    pendingFaults: () => faults.reduce((sum, f) => sum + f.times, 0),
    clearFaults: () => {
      faults.length = 0;
    },
    inFlight: () => inFlight,
    resetCounts: () => {
      for (const key of Object.keys(counts)) delete counts[key];
      for (const key of Object.keys(faulted)) delete faulted[key];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB (JSON 1.0 protocol: the operation is in X-Amz-Target)

/** `PutItem`, `GetItem`, … from `X-Amz-Target: DynamoDB_20120810.PutItem`. */
export function dynamodbOperation(request: ProxiedRequest): string {
  const target = String(request.headers["x-amz-target"] ?? "");
  return target.slice(target.indexOf(".") + 1) || request.method;
}

/** The request's JSON body (DynamoDB requests are JSON); undefined when it is not JSON. */
export function dynamodbInput(request: ProxiedRequest): Record<string, any> | undefined {
  try {
    return JSON.parse(request.body.toString("utf8")) as Record<string, any>;
  } catch {
    return undefined;
  }
}

/** An error answer exactly as DynamoDB sends it (400, `__type`), e.g. `ProvisionedThroughputExceededException`. */
export function dynamodbError(type: string, message: string): () => ProxiedResponse {
  return () => ({
    status: 400,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `FAULT${Date.now()}` },
    body: Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message })),
  });
}

/** On-demand tables throttle with this (the SDK retries it with backoff). */
export const dynamodbThrottling = dynamodbError(
  "ProvisionedThroughputExceededException",
  "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
);

/** Matches requests for the given DynamoDB operations (all when none are given). */
export function forDynamodb(...operations: string[]): (request: ProxiedRequest) => boolean {
  return (request) => operations.length === 0 || operations.includes(dynamodbOperation(request));
}

// ---------------------------------------------------------------------------------------------
// S3 (path-style REST)

/** `GET catalog.json`, `PUT images/…` for path-style requests `/<bucket>/<key>`. */
export function s3Operation(request: ProxiedRequest): string {
  const path = decodeURIComponent(request.url.split("?")[0] ?? "/");
  const key = path.split("/").slice(2).join("/");
  return `${request.method} ${key.startsWith("images/") ? "images/*" : key || "(bucket)"}`;
}

/** S3's answer when it is overloaded or down for a moment (retryable). */
export function s3Unavailable(): ProxiedResponse {
  return {
    status: 503,
    headers: { "content-type": "application/xml" },
    body: Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
    ),
  };
}
