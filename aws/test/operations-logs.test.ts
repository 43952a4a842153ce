/**
 * What the functions log, read the way Lambda would keep it (per-function log groups of a local stack this file
 * starts, with the JSON log format's rules: aws/local/lambda-runtime.ts): a whole purchase leaves no shopper's phone,
 * email, name or address in any line, every line is a JSON object with level, request id and route, every request
 * ends with one line saying how it went, and the log level is a setting that never silences the metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionLogLine } from "../local/lambda-runtime";
import { checkEmf, isEmf } from "../local/metrics-view";
import { type LocalStack, localRuntime, startLocalStack } from "../local/stack";
import { createOrderResponseSchema, type CreateOrderRequest } from "../src/contract";
import { type ApiClient, apiClient, sandboxCheckout, sandboxPay } from "./reliability/support";
import { idempotencyKey } from "./support";

let stack: LocalStack;
let storefront: ApiClient;
let admin: ApiClient;

beforeAll(async () => {
  stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0, lambda: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ecpayRetryDelaysMs: [100, 200],
    // Every line the code can write, debug included.
    logLevel: "DEBUG",
    functionEnv: { RECONCILE_MIN_AGE_MINUTES: "0", RECONCILE_QUERY_GAP_MS: "0" },
  });
  storefront = apiClient(stack, "storefront");
  admin = apiClient(stack, "admin");
});

afterAll(async () => {
  await stack?.close();
});

const lines = (): FunctionLogLine[] => localRuntime(stack).logs.lines();

/** A shopper whose details are easy to spot in any form they could be logged in. */
function shopper(n: number): CreateOrderRequest["customer"] {
  return {
    name: `林美玲${n}號`,
    phone: `0987${String(654320 + n).padStart(6, "0")}`,
    email: `meiling.lin.${n}@example.tw`,
    address: `${n}00 臺北市大安區忠孝東路四段 ${n}${n} 號 7 樓`,
  };
}

/** The forms a personal value could take in a log line: as is, JSON-escaped, URL-encoded, digits only. */
function forms(value: string): string[] {
  const out = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  if (/^\d+$/.test(value)) out.add(`${value.slice(0, 4)}-${value.slice(4, 7)}-${value.slice(7)}`);
  return [...out];
}

describe("a whole purchase's log lines", () => {
  const customers = [shopper(1), shopper(2), shopper(3)];

  it("hold no phone, email, name or address of the shopper", async () => {
    const before = lines().length;
    const [card, atm, cod] = customers as [
      CreateOrderRequest["customer"],
      CreateOrderRequest["customer"],
      CreateOrderRequest["customer"],
    ];
    const items = [{ productId: "dongding-oolong", quantity: 1 }];

    // Card: placed, posted to ECPay, paid (ReturnURL), looked up by the shopper, shipped by the owner.
    const cardOrder = await storefront.post("/order", {
      idempotencyKey: idempotencyKey(),
      items,
      customer: card,
      paymentMethod: "credit",
    });
    expect(cardOrder.status).toBe(201);
    const cardPlaced = createOrderResponseSchema.parse(cardOrder.body);
    await sandboxCheckout(stack.ecpayUrl, cardPlaced.payment!.fields);
    await sandboxPay(stack.ecpayUrl, cardPlaced.payment!.fields.MerchantTradeNo!);
    await expect
      .poll(
        async () => (await storefront.get(`/order?id=${cardPlaced.order.id}&phone=${card.phone}`)).body.order?.status,
      )
      .toBe("paid");
    expect((await admin.post(`/admin/orders/${cardPlaced.order.id}/transition`, { to: "shipped" })).status).toBe(200);

    // ATM: placed, account issued (PaymentInfoURL), paid again…, paid (simulated at ECPay's stage), reconciled.
    const atmOrder = await storefront.post("/order", {
      idempotencyKey: idempotencyKey(),
      items,
      customer: atm,
      paymentMethod: "atm",
    });
    const atmPlaced = createOrderResponseSchema.parse(atmOrder.body);
    await sandboxCheckout(stack.ecpayUrl, atmPlaced.payment!.fields);
    expect((await storefront.post("/order/payment", { id: atmPlaced.order.id, phone: atm.phone })).status).toBe(200);
    await sandboxPay(stack.ecpayUrl, atmPlaced.payment!.fields.MerchantTradeNo!);
    await expect
      .poll(async () => (await admin.get(`/admin/orders/${atmPlaced.order.id}`)).body.order?.status)
      .toBe("paid");
    expect((await admin.post(`/admin/orders/${atmPlaced.order.id}/reconcile`)).status).toBe(200);

    // Pay on arrival, the same order twice (an idempotent replay), and the owner finding it by phone.
    const codRequest = { idempotencyKey: idempotencyKey(), items, customer: cod, paymentMethod: "cod" as const };
    expect((await storefront.post("/order", codRequest)).status).toBe(201);
    expect((await storefront.post("/order", codRequest)).status).toBe(201);
    expect((await admin.get(`/admin/orders?phone=${cod.phone}`)).body.orders).toHaveLength(1);

    // What goes wrong: a wrong phone, an invalid email, a key reused for another order, an unknown order.
    expect((await storefront.get(`/order?id=${cardPlaced.order.id}&phone=${cod.phone}`)).status).toBe(404);
    const bad = await storefront.post("/order", {
      idempotencyKey: idempotencyKey(),
      items,
      customer: { ...card, email: `${card.email}@@` },
      paymentMethod: "credit",
    });
    expect(bad.status).toBe(400);
    expect((await storefront.post("/order", { ...codRequest, customer: card })).status).toBe(409);

    // And a reconciler pass over all of it.
    expect((await localRuntime(stack).scheduler.invoke("ReconcilerFunction")).outcome).toBe("ok");

    const purchase = lines().slice(before);
    const functions = new Set(purchase.map((l) => l.functionName));
    for (const fn of [
      "create-order",
      "get-order",
      "retry-payment",
      "ecpay-return",
      "ecpay-payment-info",
      "admin-list-orders",
      "admin-get-order",
      "admin-transition",
      "admin-reconcile",
      "reconciler",
    ]) {
      expect(functions, fn).toContain(`shop-local-${fn}`);
    }
    expect(purchase.length).toBeGreaterThan(25);
    if (process.env.SHOW_LOGS) console.log(purchase.map((l) => l.line).join("\n"));
    const leaks: string[] = [];
    for (const customer of customers) {
      for (const [field, value] of Object.entries(customer)) {
        for (const form of forms(value)) {
          for (const line of purchase)
            if (line.line.includes(form)) leaks.push(`${field} in ${line.functionName}: ${line.line}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe("every line", () => {
  it("is a JSON object (not stringified JSON) with a level, a request id and the route", () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(0);
    for (const line of all) {
      expect(line.json, line.line).toBeDefined();
      const json = line.json as Record<string, unknown>;
      expect(["DEBUG", "INFO", "WARN", "ERROR"], line.line).toContain(json.level);
      expect(json.requestId, line.line).toBe(line.requestId);
      expect(typeof json.route, line.line).toBe("string");
      if (typeof json.message === "string" && json.message.startsWith("{")) {
        expect.fail(`stringified JSON in message: ${line.line}`);
      }
    }
  });

  it("of a request ends with one line saying how it went, with the order id when there is one", () => {
    const done = lines().filter((l) => l.json?.message === "request done" || l.json?.message === "request failed");
    const byRequest = new Map<string, number>();
    for (const line of done) byRequest.set(line.requestId, (byRequest.get(line.requestId) ?? 0) + 1);
    expect([...byRequest.values()].every((n) => n === 1)).toBe(true);
    for (const line of done) {
      expect(line.json, line.line).toMatchObject({
        status: expect.any(Number),
        outcome: expect.any(String),
        durationMs: expect.any(Number),
      });
    }
    const placed = done.filter((l) => l.json?.route === "POST /order" && l.json?.status === 201);
    expect(placed.length).toBeGreaterThanOrEqual(3);
    for (const line of placed) expect(line.json?.orderId, line.line).toMatch(/^\d{6}-\d{4}-\d{4}$/);
    expect(placed.map((l) => l.json?.outcome)).toEqual(expect.arrayContaining(["created", "replayed"]));
    const callbacks = done.filter((l) => l.json?.route === "POST /ecpay");
    expect(callbacks.map((l) => l.json?.outcome)).toContain("paid");
    const refused = done.filter((l) => l.json?.route === "POST /order" && l.json?.status === 400);
    expect(refused.map((l) => [l.json?.outcome, l.json?.invalidFields])).toEqual([["bad_request", ["customer.email"]]]);
  });

  it("that carries metrics is valid EMF", () => {
    const emf = lines().flatMap((l) => (isEmf(l.json) ? [l.json] : []));
    expect(emf.length).toBeGreaterThan(5);
    for (const doc of emf) expect(checkEmf(doc), JSON.stringify(doc)).toEqual([]);
  });
});

describe("the log level", () => {
  it("is the function's setting: below it nothing is kept, and metric lines still are", async () => {
    const previous = process.env.AWS_LAMBDA_LOG_LEVEL;
    process.env.AWS_LAMBDA_LOG_LEVEL = "ERROR";
    try {
      const before = lines().length;
      const res = await storefront.post("/order", {
        idempotencyKey: idempotencyKey(),
        items: [{ productId: "dongding-oolong", quantity: 1 }],
        customer: shopper(4),
        paymentMethod: "cod",
      });
      expect(res.status).toBe(201);
      const kept = lines().slice(before);
      expect(kept.filter((l) => !isEmf(l.json))).toEqual([]);
      expect(kept.filter((l) => isEmf(l.json)).map((l) => l.json?.message)).toEqual(["metric OrdersCreated"]);
    } finally {
      process.env.AWS_LAMBDA_LOG_LEVEL = previous;
    }
  });
});
