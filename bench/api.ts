/**
 * The order API through the local stack (SigV4 verified, IAM checked, the real handlers on dynalite and s3rver):
 *
 * - ordering: orders/s and p50/p99 of POST /order against a signed ping (GET /) through the same local API, one at a
 *   time (latency) and with 16 in flight (throughput);
 * - usage per route: what one call costs in AWS terms — DynamoDB requests and capacity units (asked of dynalite with
 *   ReturnConsumedCapacity, plus the write the phone LSI costs in DynamoDB), S3 GETs/PUTs, log bytes, response bytes
 *   — counted by proxies between the functions and the stores (aws/local/faults). bench/cost.ts prices these.
 *
 * The BFF-inclusive ordering benchmark (checkout through the storefront) is a slot in bench/storefront.ts.
 */
import { AwsClient } from "aws4fetch";
import {
  dynamodbInput,
  dynamodbOperation,
  type ProxiedRequest,
  type ProxiedResponse,
  routeStackThrough,
} from "../aws/local/faults";
import type { LogCapture } from "../aws/local/lambda-runtime";
import { DEV_PRINCIPALS, type LocalStack, localRuntime, startLocalStack } from "../aws/local/stack";
import { type LoadResult, load, median, round } from "./stats";

export interface OrderingReport {
  latency: { ping: LoadResult; order: LoadResult; p50Ratio: number; p99Ratio: number };
  throughput: { concurrency: number; ping: LoadResult; order: LoadResult; ratio: number };
}

export interface RouteUsage {
  route: string;
  calls: number;
  /** Per call. */
  dynamodbRequests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Of writeUnits: what the lsi-phone index adds (DynamoDB charges index writes; dynalite does not report them). */
  indexWriteUnits: number;
  s3Gets: number;
  s3Puts: number;
  appLogBytes: number;
  responseBytes: number;
  localP50Ms: number;
}

export interface ApiReport {
  ordering: OrderingReport;
  usage: RouteUsage[];
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);
const CAPACITY_OPS = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"]);

/** Capacity accounting from the proxied DynamoDB traffic. */
class CapacityMeter {
  read = 0;
  write = 0;
  indexWrite = 0;

  transform = (request: ProxiedRequest): Buffer | undefined => {
    if (!CAPACITY_OPS.has(dynamodbOperation(request))) return undefined;
    const input = dynamodbInput(request);
    if (!input) return undefined;
    return Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: "TOTAL" }));
  };

  exchange = (request: ProxiedRequest, response: ProxiedResponse) => {
    const op = dynamodbOperation(request);
    if (!CAPACITY_OPS.has(op)) return;
    const input = dynamodbInput(request) ?? {};
    let units = 0;
    try {
      units = Number(JSON.parse(response.body.toString("utf8"))?.ConsumedCapacity?.CapacityUnits ?? 0);
    } catch {}
    // A refused conditional write still costs DynamoDB at least one write unit; dynalite reports nothing for it.
    if (WRITES.has(op) && response.status !== 200) units = Math.max(units, 1);
    if (WRITES.has(op)) {
      this.write += units;
      // Order items carry `phone`, the sort key of lsi-phone (projection ALL): DynamoDB writes the index entry too.
      const partition = String(input.Item?.ordertype?.S ?? input.Key?.ordertype?.S ?? "");
      if (partition.startsWith("order#") && response.status === 200) {
        this.write += units;
        this.indexWrite += units;
      }
    } else {
      this.read += units;
    }
  };

  reset() {
    this.read = 0;
    this.write = 0;
    this.indexWrite = 0;
  }
}

/**
 * Counts the bytes of the functions' log lines (JSON log lines and EMF metric lines), as CloudWatch Logs would ingest
 * them: read from the stack's per-function log groups (aws/local/lambda-runtime.ts).
 */
class LogMeter {
  bytes = 0;
  private from = 0;

  constructor(private readonly logs: LogCapture) {}

  start() {
    this.from = this.logs.lines().length;
  }

  stop() {
    for (const line of this.logs.lines().slice(this.from)) this.bytes += Buffer.byteLength(line.line) + 1;
  }
}

let serial = 0;
function order(paymentMethod: "credit" | "atm" | "cod") {
  serial += 1;
  const phone = `09${String((Date.now() + serial * 7919) % 100_000_000).padStart(8, "0")}`;
  return {
    idempotencyKey: `bench-${process.pid}-${Date.now().toString(36)}-${serial}`.padEnd(16, "x"),
    items: [
      { productId: "dongding-oolong", quantity: 2 },
      { productId: "pineapple-cake", quantity: 1 },
    ],
    customer: { name: "王小明", phone, email: "xiaoming@example.tw", address: "100 臺北市中正區重慶南路一段 122 號" },
    paymentMethod,
  };
}

function clients(stack: LocalStack) {
  const sign = (principal: { accessKeyId: string; secretAccessKey: string }) =>
    new AwsClient({ ...principal, service: "execute-api", region: stack.region, retries: 0 });
  const storefront = sign(DEV_PRINCIPALS.storefront);
  const admin = sign(DEV_PRINCIPALS.admin);
  const call = async (client: AwsClient, method: string, path: string, body?: unknown) => {
    const res = await client.fetch(`${stack.apiUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  return {
    ping: () => call(storefront, "GET", "/"),
    createOrder: (method: "credit" | "atm" | "cod") => call(storefront, "POST", "/order", order(method)),
    getOrder: (id: string, phone: string) => call(storefront, "GET", `/order?id=${id}&phone=${phone}`),
    admin: (method: string, path: string, body?: unknown) => call(admin, method, path, body),
  };
}

async function sandbox(stack: LocalStack, path: string, body?: Record<string, string>) {
  const res = await fetch(`${stack.ecpayUrl}${path}`, {
    method: "POST",
    ...(body
      ? { body: new URLSearchParams(body).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } }
      : {}),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status}`);
  await res.text();
}

export async function benchApi(
  options: { latencyRuns?: number; throughputRuns?: number; usageCalls?: number } = {},
): Promise<ApiReport> {
  const latencyRuns = options.latencyRuns ?? 300;
  const throughputRuns = options.throughputRuns ?? 600;
  const usageCalls = options.usageCalls ?? 20;
  const concurrency = 16;

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const stack = await startLocalStack({ ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 } });
  const capacity = new CapacityMeter();
  const routes = await routeStackThrough(stack, {
    dynamodb: { transformRequest: capacity.transform, onExchange: capacity.exchange },
  });
  const api = clients(stack);
  try {
    // Warm every path once (module import, SDK clients, TCP connections), as a warm Lambda container would be.
    for (let i = 0; i < 30; i++) {
      await api.ping();
      await api.createOrder("credit");
    }

    const created = (r: { status: number }) => r.status === 201;
    const ok = (r: { status: number }) => r.status === 200;
    const pingLatency = await load(latencyRuns, 1, async () => ok(await api.ping()));
    const orderLatency = await load(latencyRuns, 1, async () => created(await api.createOrder("credit")));
    const pingThroughput = await load(throughputRuns, concurrency, async () => ok(await api.ping()));
    const orderThroughput = await load(throughputRuns, concurrency, async () =>
      created(await api.createOrder("credit")),
    );
    const ordering: OrderingReport = {
      latency: {
        ping: pingLatency,
        order: orderLatency,
        p50Ratio: round(orderLatency.p50Ms / pingLatency.p50Ms, 2),
        p99Ratio: round(orderLatency.p99Ms / pingLatency.p99Ms, 2),
      },
      throughput: {
        concurrency,
        ping: pingThroughput,
        order: orderThroughput,
        ratio: round(orderThroughput.perSecond / pingThroughput.perSecond, 3),
      },
    };

    // Usage per route: run each K times with the meters reset, divide.
    const logs = new LogMeter(localRuntime(stack).logs);
    const usage: RouteUsage[] = [];
    const measure = async (route: string, prepare: () => Promise<() => Promise<{ status: number; text: string }>>) => {
      const calls: (() => Promise<{ status: number; text: string }>)[] = [];
      for (let i = 0; i < usageCalls; i++) calls.push(await prepare());
      routes.dynamodb.resetCounts();
      routes.s3.resetCounts();
      capacity.reset();
      logs.bytes = 0;
      let responseBytes = 0;
      const latencies: number[] = [];
      logs.start();
      try {
        for (const call of calls) {
          const t0 = performance.now();
          const res = await call();
          latencies.push(performance.now() - t0);
          if (res.status >= 400) throw new Error(`${route}: ${res.status} ${res.text.slice(0, 200)}`);
          responseBytes += Buffer.byteLength(res.text);
        }
      } finally {
        logs.stop();
      }
      const per = (n: number) => round(n / usageCalls, 2);
      const s3 = Object.entries(routes.s3.counts);
      usage.push({
        route,
        calls: usageCalls,
        dynamodbRequests: Object.fromEntries(Object.entries(routes.dynamodb.counts).map(([op, n]) => [op, per(n)])),
        readUnits: per(capacity.read),
        writeUnits: per(capacity.write),
        indexWriteUnits: per(capacity.indexWrite),
        s3Gets: per(s3.filter(([k]) => k.startsWith("GET")).reduce((a, [, n]) => a + n, 0)),
        s3Puts: per(s3.filter(([k]) => k.startsWith("PUT")).reduce((a, [, n]) => a + n, 0)),
        appLogBytes: per(logs.bytes),
        responseBytes: per(responseBytes),
        localP50Ms: round(median(latencies), 1),
      });
    };

    const placed = async (method: "credit" | "atm" | "cod") => {
      const res = await api.createOrder(method);
      if (res.status !== 201) throw new Error(`createOrder: ${res.status} ${res.text}`);
      const body = res.json();
      return {
        id: body.order.id as string,
        phone: body.order.customer.phone as string,
        fields: body.payment?.fields as Record<string, string>,
      };
    };

    await measure("GET / (ping)", async () => () => api.ping());
    await measure("POST /order (credit)", async () => () => api.createOrder("credit"));
    await measure("POST /order (atm)", async () => () => api.createOrder("atm"));
    await measure("POST /order (cod)", async () => () => api.createOrder("cod"));
    await measure("GET /order", async () => {
      const o = await placed("cod");
      return () => api.getOrder(o.id, o.phone);
    });
    // ECPay's calls, made by the sandbox: paying a credit trade delivers ReturnURL; an ATM checkout, PaymentInfoURL.
    await measure("POST /ecpay (ReturnURL)", async () => {
      const o = await placed("credit");
      await sandbox(stack, "/Cashier/AioCheckOut/V5", o.fields);
      return async () => {
        await sandbox(stack, `/__sandbox/trades/${o.fields.MerchantTradeNo}/pay`);
        return { status: 200, text: "1|OK" };
      };
    });
    await measure("POST /ecpay/payment-info", async () => {
      const o = await placed("atm");
      return async () => {
        await sandbox(stack, "/Cashier/AioCheckOut/V5", o.fields);
        return { status: 200, text: "1|OK" };
      };
    });
    await measure("GET /admin/orders/{id}", async () => {
      const o = await placed("cod");
      return () => api.admin("GET", `/admin/orders/${o.id}`);
    });
    await measure("POST /admin/orders/{id}/transition", async () => {
      const o = await placed("cod");
      return () => api.admin("POST", `/admin/orders/${o.id}/transition`, { to: "shipped" });
    });
    await measure(
      "GET /admin/orders (default: 90 days, 50 per page)",
      async () => () => api.admin("GET", "/admin/orders"),
    );

    // Every usage call above that reaches a handler is one Lambda invocation, except the sandbox-driven ones, where
    // the measured call is the notification itself (the checkout post and the pay hook are ECPay's side).
    return { ordering, usage };
  } finally {
    await routes.close();
    await stack.close();
  }
}
