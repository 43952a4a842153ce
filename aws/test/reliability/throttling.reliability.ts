/**
 * DynamoDB throttling and S3 slow-downs between the functions and the stores (`npm run test:reliability` only: the
 * SDK's back-off for throttling starts at 500 ms, so these take seconds). The SDK clients in aws/src/lib/clients.ts
 * make five attempts; a throttle that outlasts them fails the request cleanly, and the shopper's retry with the same
 * idempotency key then places the order once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamodbThrottling, forDynamodb, s3Unavailable } from "../../local/faults";
import { orderRequest } from "../support";
import { countItems, eventually, type FaultStack, ordersByPhone, startFaultStack } from "./support";

let faults: FaultStack;

beforeAll(async () => {
  faults = await startFaultStack();
});

afterAll(async () => {
  await faults?.close();
});

const storedFor = (phone: string) => ordersByPhone(faults.stack, new Set([phone]));

describe("DynamoDB throttling", () => {
  it.each([1, 2, 3])(
    "%i throttled writes in a row are retried by the SDK and the order goes through once",
    async (n) => {
      const { dynamodb, storefront } = faults;
      const request = orderRequest();
      const before = dynamodb.faulted.PutItem ?? 0;
      dynamodb.failNext({ match: forDynamodb("PutItem"), times: n, respond: dynamodbThrottling });
      const answer = await storefront.post("/order", request);
      expect(answer.status).toBe(201);
      expect((dynamodb.faulted.PutItem ?? 0) - before).toBe(n);
      expect(await storedFor(request.customer.phone)).toHaveLength(1);
      console.log(`[reliability] DynamoDB: ${n} throttled PutItem(s) absorbed by SDK retries; 1 order stored`);
    },
  );

  it("a throttle that outlasts the SDK's five attempts fails the request with nothing stored; the retry places the order once", async () => {
    const { dynamodb, storefront, stack } = faults;
    const request = orderRequest();
    const before = await countItems(stack);
    dynamodb.failNext({ match: forDynamodb("PutItem"), times: 5, respond: dynamodbThrottling });
    const started = performance.now();
    const first = await storefront.post("/order", request);
    const ms = Math.round(performance.now() - started);
    // Five attempts with the SDK's throttling back-off (500 ms base, doubling, jittered) can outlast the function's
    // 10 s Timeout: then API Gateway answers the timeout (500 "Internal Server Error") instead of our internal_error.
    expect(first.status).toBe(500);
    expect([
      JSON.stringify({ error: { code: "internal_error", message: "Internal error; it has been logged" } }),
      JSON.stringify({ message: "Internal Server Error" }),
    ]).toContain(first.text);
    // The local API does not stop a timed-out handler (Lambda would): let it use up its last attempt first.
    await eventually(async () => (dynamodb.pendingFaults() === 0 ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await countItems(stack)).toEqual(before);

    expect((await storefront.post("/order", request)).status).toBe(201);
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
    console.log(
      `[reliability] DynamoDB: 5 throttled PutItems (all the SDK's attempts) → 500 after ${ms} ms ` +
        `(${first.body?.error ? "handler's internal_error" : "function Timeout"}), nothing stored; retry → 1 order`,
    );
  });

  it("throttled reads for the shopper's lookup are retried", async () => {
    const { dynamodb, storefront } = faults;
    const request = orderRequest({ paymentMethod: "cod" });
    const { order } = (await storefront.post("/order", request)).body;
    dynamodb.failNext({ match: forDynamodb("GetItem"), times: 3, respond: dynamodbThrottling });
    const lookup = await storefront.get(`/order?id=${order.id}&phone=${request.customer.phone}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body.order.id).toBe(order.id);
  });
});

describe("S3 slowing down for the order API", () => {
  it("503 SlowDown on the catalog and site reads is retried and the order goes through once", async () => {
    const { s3, storefront } = faults;
    const request = orderRequest({ paymentMethod: "cod" });
    s3.failNext({ match: (r) => r.method === "GET", times: 2, respond: s3Unavailable });
    const answer = await storefront.post("/order", request);
    expect(answer.status).toBe(201);
    expect(s3.pendingFaults()).toBe(0);
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
  });
});
