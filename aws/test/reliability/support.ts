/**
 * Helpers for the reliability suite: API clients for any stack (the shared one from global-setup, or one a test
 * file starts for itself to inject faults), and counting what the stores hold.
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { AwsClient } from "aws4fetch";
import fc from "fast-check";
import { errorResponseSchema } from "../../src/contract";
import { FaultPlan, type FaultProxy, routeStackThrough } from "../../local/faults";
import { localS3Client } from "../../local/s3-buckets";
import { DEV_PRINCIPALS, type LocalStack, startLocalStack } from "../../local/stack";

export type StackUrls = Omit<LocalStack, "close">;

export interface Answer<T = any> {
  status: number;
  contentType: string;
  body: T;
  text: string;
}

export interface ApiClient {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  get(path: string): Promise<Answer>;
  post(path: string, body?: unknown): Promise<Answer>;
  put(path: string, body: unknown): Promise<Answer>;
}

/**
 * A client that signs as the storefront or the owner (or sends unsigned requests, as ECPay does). A string body is
 * sent as is (form-encoded unless a content-type is given); anything else as JSON.
 */
export function apiClient(
  stack: Pick<StackUrls, "apiUrl" | "region">,
  as: "storefront" | "admin" | "unsigned",
): ApiClient {
  const signer =
    as === "unsigned"
      ? null
      : new AwsClient({ ...DEV_PRINCIPALS[as], service: "execute-api", region: stack.region, retries: 0 });
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??=
        typeof body === "string" ? "application/x-www-form-urlencoded" : "application/json";
    }
    const url = `${stack.apiUrl}${path}`;
    const response = signer ? await signer.fetch(url, init) : await fetch(url, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", body: parsed, text };
  };
  return {
    request,
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body ?? (as === "admin" ? {} : undefined)),
    put: (path, body) => request("PUT", path, body),
  };
}

export function documentClient(stack: Pick<StackUrls, "dynamodbEndpoint" | "region">): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: stack.region,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    }),
  );
}

export interface TableCounts {
  /** Items under `order#YYYYMM` partitions. */
  orders: number;
  /** Idempotency records (`idem#<key>`). */
  idempotency: number;
  total: number;
}

/** Counts every item in the orders table (a full scan: fine for a local table). */
export async function countItems(
  stack: Pick<StackUrls, "dynamodbEndpoint" | "region" | "tableName">,
): Promise<TableCounts> {
  const client = documentClient(stack);
  const counts: TableCounts = { orders: 0, idempotency: 0, total: 0 };
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: stack.tableName,
          ProjectionExpression: "ordertype",
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const type = String(item.ordertype);
        counts.total += 1;
        if (type.startsWith("order#")) counts.orders += 1;
        else if (type.startsWith("idem#")) counts.idempotency += 1;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return counts;
}

/** Every order item in the table with the given phone numbers (a scan; the phone is a plain attribute). */
export async function ordersByPhone(
  stack: Pick<StackUrls, "dynamodbEndpoint" | "region" | "tableName">,
  phones: ReadonlySet<string>,
): Promise<Record<string, any>[]> {
  const client = documentClient(stack);
  const found: Record<string, any>[] = [];
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: stack.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const item of page.Items ?? []) {
        if (String(item.ordertype).startsWith("order#") && phones.has(String(item.phone))) found.push(item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return found;
}

/** Keys and ETags of every object in the content bucket. */
export async function bucketSnapshot(
  stack: Pick<StackUrls, "s3Endpoint" | "bucketName">,
): Promise<Map<string, string>> {
  const s3 = localS3Client(stack.s3Endpoint);
  const objects = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: stack.bucketName, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) objects.set(object.Key ?? "", object.ETag ?? "");
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
  return objects;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export async function sandboxConfig(
  ecpayUrl: string,
  config: {
    suppressCallbacks?: boolean;
    retryDelaysMs?: number[];
    queryOutage?: "none" | "unavailable" | "rate-limited";
  },
) {
  const res = await fetch(`${ecpayUrl}/__sandbox/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`sandbox config: ${res.status} ${await res.text()}`);
}

/** Posts the checkout form to the sandbox as the shopper's browser would. */
export async function sandboxCheckout(ecpayUrl: string, fields: Record<string, string>): Promise<void> {
  const res = await fetch(`${ecpayUrl}/Cashier/AioCheckOut/V5`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  if (res.status !== 200) throw new Error(`sandbox checkout: ${res.status} ${(await res.text()).slice(0, 300)}`);
}

export async function sandboxPay(ecpayUrl: string, merchantTradeNo: string): Promise<void> {
  const res = await fetch(`${ecpayUrl}/__sandbox/trades/${merchantTradeNo}/pay`, { method: "POST" });
  if (!res.ok) throw new Error(`sandbox pay: ${res.status} ${await res.text()}`);
}

export interface SandboxDelivery {
  kind: "ReturnURL" | "PaymentInfoURL";
  merchantTradeNo: string;
  attempt: number;
  status: number | null;
  body: string | null;
  acknowledged: boolean;
}

export async function sandboxDeliveries(ecpayUrl: string, merchantTradeNo: string): Promise<SandboxDelivery[]> {
  const all = (await (await fetch(`${ecpayUrl}/__sandbox/deliveries`)).json()) as SandboxDelivery[];
  return all.filter((d) => d.merchantTradeNo === merchantTradeNo);
}

export interface FaultStack {
  stack: LocalStack;
  /** Function faults (before/after a handler runs). */
  plan: FaultPlan;
  /** Proxies between the functions and dynalite / s3rver (the stack's own endpoints stay direct). */
  dynamodb: FaultProxy;
  s3: FaultProxy;
  storefront: ApiClient;
  admin: ApiClient;
  close(): Promise<void>;
}

/**
 * A local stack of this test file's own, in its own process, with every fault hook wired: nothing injected here can
 * reach the shared stack of global-setup.
 */
export async function startFaultStack(
  options: { ecpayRetryDelaysMs?: number[]; s3RetryDelaysMs?: number[] } = {},
): Promise<FaultStack> {
  const plan = new FaultPlan();
  const stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ...(options.ecpayRetryDelaysMs ? { ecpayRetryDelaysMs: options.ecpayRetryDelaysMs } : {}),
    ...(options.s3RetryDelaysMs ? { s3RetryDelaysMs: options.s3RetryDelaysMs } : {}),
    apiFaults: plan,
  });
  const routes = await routeStackThrough(stack);
  return {
    stack,
    plan,
    dynamodb: routes.dynamodb,
    s3: routes.s3,
    storefront: apiClient(stack, "storefront"),
    admin: apiClient(stack, "admin"),
    close: async () => {
      await routes.close();
      await stack.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Generated bad input against the API's routes (the property suites): how many inputs, replaying a run, the verdicts

/** RELIABILITY_SCALE (5 in `npm run test:reliability`) times as many generated inputs as `npm test` sends. */
export const RELIABILITY_SCALE = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1));
const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

/** `n` inputs at this scale. */
export const runs = (n: number) => Math.round(n * RELIABILITY_SCALE);

/**
 * Sends each generated input to a route and checks the answer, fast-check shrinking a failure and replaying the run
 * given FC_SEED=<n>; `tried` counts the inputs sent per route, for the suite to print.
 */
export function apiFuzzer() {
  const tried: Record<string, number> = {};
  async function fuzz<T>(
    route: string,
    arbitrary: fc.Arbitrary<T>,
    numRuns: number,
    send: (input: T) => Promise<Answer>,
    check: (answer: Answer, input: T) => void,
  ): Promise<void> {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        const answer = await send(input);
        tried[route] = (tried[route] ?? 0) + 1;
        check(answer, input);
      }),
      { numRuns, ...(FC_SEED !== undefined ? { seed: FC_SEED } : {}) },
    );
  }
  return { tried, fuzz };
}

/** A 4xx (one of `allowed`, when given) whose body says why: our `{ error: { code, message } }`, or API Gateway's `{ message }`. */
export function rejected(answer: Answer, allowed?: number[]): void {
  if (answer.status < 400 || answer.status > 499 || (allowed && !allowed.includes(answer.status))) {
    throw new Error(`expected ${allowed?.join("/") ?? "a 4xx"}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  const ours = errorResponseSchema.safeParse(answer.body);
  const reason = ours.success ? ours.data.error.message : (answer.body as { message?: unknown })?.message;
  if (typeof reason !== "string" || reason.trim() === "")
    throw new Error(`4xx without a reason: ${answer.text.slice(0, 300)}`);
}

/** ECPay callbacks answer HTTP 200 with `0|reason` for anything they will not act on. */
export function nacked(answer: Answer): void {
  if (answer.status !== 200 || !/^0\|\S/.test(answer.text)) {
    throw new Error(`expected 200 "0|…", got ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
}
