/**
 * Faults survived, injected through a local stack this file starts for itself (in its own test process, so its
 * faults never touch the shared stack): functions that crash before or after their work, a DynamoDB error between
 * the two writes of an order, ECPay notifications that fail the first time or never come (throttling, whose SDK
 * back-off takes seconds, is in throttling.reliability.ts). After each fault the order ends exactly as it would have without it: nothing lost, nothing doubled.
 */
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dynamodbError, dynamodbInput, forDynamodb, s3Unavailable } from "../../local/faults";
import { createOrderResponseSchema } from "../../src/contract";
import { orderKeyFromId } from "../../src/domain/order-id";
import { phonePhoto } from "../../local/seed/photos";
import { orderRequest, postToS3 } from "../support";
import {
  type ApiClient,
  countItems,
  documentClient,
  eventually,
  type FaultStack,
  ordersByPhone,
  sandboxCheckout,
  sandboxConfig,
  sandboxDeliveries,
  sandboxPay,
  startFaultStack,
} from "./support";

const RETRY_DELAYS_MS = [100, 200, 300, 400];
/** Lambda retries a failed asynchronous run twice (about 1 and 2 minutes later in AWS). */
const PHOTO_RETRY_DELAYS_MS = [1500, 1500];

let faults: FaultStack;
let stack: FaultStack["stack"];
let plan: FaultStack["plan"];
let dynamodb: FaultStack["dynamodb"];
let s3: FaultStack["s3"];
let storefront: ApiClient;
let admin: ApiClient;

beforeAll(async () => {
  faults = await startFaultStack({ ecpayRetryDelaysMs: RETRY_DELAYS_MS, s3RetryDelaysMs: PHOTO_RETRY_DELAYS_MS });
  ({ stack, plan, dynamodb, s3, storefront, admin } = faults);
});

afterAll(async () => {
  await faults?.close();
});

beforeEach(() => {
  plan.clear();
  plan.injected.length = 0;
  s3.clearFaults();
  expect(dynamodb.pendingFaults()).toBe(0);
});

async function storedFor(phone: string) {
  return ordersByPhone(stack, new Set([phone]));
}

async function idempotencyRecord(key: string) {
  const client = documentClient(stack);
  try {
    return (
      await client.send(new GetCommand({ TableName: stack.tableName, Key: { ordertype: `idem#${key}`, idsk: 0 } }))
    ).Item;
  } finally {
    client.destroy();
  }
}

async function orderNow(id: string) {
  return (await admin.get(`/admin/orders/${id}`)).body.order;
}

describe("a function that fails", () => {
  it("after its write: the caller sees 500, and the retry with the same key returns the same single order", async () => {
    const request = orderRequest();
    plan.failNext("CreateOrderFunction", "after");
    const first = await storefront.post("/order", request);
    expect(first.status).toBe(500);
    expect(first.body).toEqual({ message: "Internal Server Error" });
    expect(plan.injected.at(-1)).toMatchObject({ functionId: "CreateOrderFunction", when: "after" });
    const written = await storedFor(request.customer.phone);
    expect(written).toHaveLength(1);

    const retry = await storefront.post("/order", request);
    expect(retry.status).toBe(201);
    const { order, payment } = createOrderResponseSchema.parse(retry.body);
    expect(order.id).toBe(written[0]?.id);
    expect(payment?.fields.MerchantTradeNo).toBe(written[0]?.payment.merchantTradeNo);
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
  });

  it("after its write, with S3 down by the time of the retry: the retry still returns the order (it needs no catalog)", async () => {
    const request = orderRequest();
    plan.failNext("CreateOrderFunction", "after");
    expect((await storefront.post("/order", request)).status).toBe(500);
    const written = await storedFor(request.customer.phone);
    expect(written).toHaveLength(1);

    s3.failNext({ times: Number.POSITIVE_INFINITY, respond: s3Unavailable });
    try {
      const retry = await storefront.post("/order", request);
      expect(retry.status).toBe(201);
      expect(retry.body.order.id).toBe(written[0]?.id);
      // A new order cannot be priced without the catalog: refused, nothing stored.
      const fresh = orderRequest({ paymentMethod: "cod" });
      expect((await storefront.post("/order", fresh)).status).toBeGreaterThanOrEqual(500);
      expect(await storedFor(fresh.customer.phone)).toHaveLength(0);
    } finally {
      s3.clearFaults();
    }
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
  });

  it("before it ran: nothing is stored, and the retry creates the order once", async () => {
    const before = await countItems(stack);
    const request = orderRequest({ paymentMethod: "cod" });
    plan.failNext("CreateOrderFunction", "before");
    expect((await storefront.post("/order", request)).status).toBe(500);
    expect(await countItems(stack)).toEqual(before);
    expect((await storefront.post("/order", request)).status).toBe(201);
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
  });

  it("between its two writes (key claimed, order not written): the retry heals it under the claimed id", async () => {
    const request = orderRequest();
    dynamodb.failNext({
      match: (r) => forDynamodb("PutItem")(r) && String(dynamodbInput(r)?.Item?.ordertype?.S).startsWith("order#"),
      times: 1,
      respond: dynamodbError("InternalFailure", "injected: the order write never happened"),
    });
    const first = await storefront.post("/order", request);
    expect(first.status).toBe(500);
    expect(first.body.error.code).toBe("internal_error");
    const claim = await idempotencyRecord(request.idempotencyKey);
    expect(claim?.orderId).toMatch(/^\d{6}-\d{4}-\d{4}$/);
    expect(await storedFor(request.customer.phone)).toHaveLength(0);

    const retry = await storefront.post("/order", request);
    expect(retry.status).toBe(201);
    expect(retry.body.order.id).toBe(claim?.orderId);
    expect(await storedFor(request.customer.phone)).toHaveLength(1);
  });
});

describe("ECPay notifications that fail or never come", () => {
  async function creditOrderAtSandbox(paymentMethod: "credit" | "atm" = "credit") {
    const request = orderRequest({ paymentMethod });
    const res = await storefront.post("/order", request);
    expect(res.status).toBe(201);
    const { order, payment } = createOrderResponseSchema.parse(res.body);
    return { order, fields: payment!.fields, merchantTradeNo: payment!.fields.MerchantTradeNo! };
  }

  /** Waits until a delivery is acknowledged, then for longer than the remaining retry schedule. */
  async function settledDeliveries(merchantTradeNo: string, kind: "ReturnURL" | "PaymentInfoURL") {
    await eventually(async () => {
      const all = await sandboxDeliveries(stack.ecpayUrl, merchantTradeNo);
      return all.some((d) => d.kind === kind && d.acknowledged) ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS.at(-1)! + 150));
    return (await sandboxDeliveries(stack.ecpayUrl, merchantTradeNo)).filter((d) => d.kind === kind);
  }

  it("a ReturnURL whose function failed after paying is retried by ECPay and absorbed: paid once, retries stop", async () => {
    const { order, fields, merchantTradeNo } = await creditOrderAtSandbox();
    await sandboxCheckout(stack.ecpayUrl, fields);
    plan.failNext("EcpayReturnFunction", "after");
    await sandboxPay(stack.ecpayUrl, merchantTradeNo);

    const deliveries = await settledDeliveries(merchantTradeNo, "ReturnURL");
    expect(deliveries.map((d) => [d.attempt, d.status, d.acknowledged])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
    const paid = await orderNow(order.id);
    expect(paid.status).toBe("paid");
    expect(paid.history.filter((h: { to: string }) => h.to === "paid")).toHaveLength(1);
    expect(paid.history).toHaveLength(2);
  });

  it("a ReturnURL answered 0|… (DynamoDB failed) is retried and then pays the order", async () => {
    const { order, fields, merchantTradeNo } = await creditOrderAtSandbox();
    await sandboxCheckout(stack.ecpayUrl, fields);
    dynamodb.failNext({
      match: forDynamodb("GetItem"),
      times: 1,
      respond: dynamodbError("InternalFailure", "injected"),
    });
    await sandboxPay(stack.ecpayUrl, merchantTradeNo);

    const deliveries = await settledDeliveries(merchantTradeNo, "ReturnURL");
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toMatchObject({ status: 200, acknowledged: false });
    expect(deliveries[0]?.body).toMatch(/^0\|/);
    expect(deliveries[1]).toMatchObject({ status: 200, body: "1|OK", acknowledged: true });
    const paid = await orderNow(order.id);
    expect(paid.status).toBe("paid");
    expect(paid.history).toHaveLength(2);
  });

  it("an ATM PaymentInfoURL that failed before running is retried: awaiting payment, then paid", async () => {
    const { order, fields, merchantTradeNo } = await creditOrderAtSandbox("atm");
    plan.failNext("EcpayPaymentInfoFunction", "before");
    await sandboxCheckout(stack.ecpayUrl, fields);
    const info = await settledDeliveries(merchantTradeNo, "PaymentInfoURL");
    expect(info.map((d) => [d.status, d.acknowledged])).toEqual([
      [500, false],
      [200, true],
    ]);
    expect((await orderNow(order.id)).status).toBe("awaiting_payment");

    await sandboxPay(stack.ecpayUrl, merchantTradeNo);
    await settledDeliveries(merchantTradeNo, "ReturnURL");
    const paid = await orderNow(order.id);
    expect(paid.status).toBe("paid");
    expect(paid.history.map((h: { to: string }) => h.to)).toEqual(["created", "awaiting_payment", "paid"]);
  });

  it("when ECPay never calls back, reconcile (QueryTradeInfo) pays credit and ATM orders", async () => {
    await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: true });
    try {
      for (const method of ["credit", "atm"] as const) {
        const { order, fields, merchantTradeNo } = await creditOrderAtSandbox(method);
        await sandboxCheckout(stack.ecpayUrl, fields);
        await sandboxPay(stack.ecpayUrl, merchantTradeNo);
        expect(await sandboxDeliveries(stack.ecpayUrl, merchantTradeNo)).toEqual([]);
        expect((await orderNow(order.id)).status).toBe("created");

        const reconciled = await admin.post(`/admin/orders/${order.id}/reconcile`);
        expect(reconciled.status).toBe(200);
        expect(reconciled.body.order.status).toBe("paid");
        expect(reconciled.body.outcome).toMatch(/paid/);
        // Reconciling again changes nothing.
        const again = await admin.post(`/admin/orders/${order.id}/reconcile`);
        expect(again.body.order.history).toHaveLength(2);
      }
    } finally {
      await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: false });
    }
  });
});

describe("after every fault", () => {
  it("every order has exactly one idempotency record pointing at it, and every record points at an order", async () => {
    const client = documentClient(stack);
    try {
      const items = (await client.send(new ScanCommand({ TableName: stack.tableName }))).Items ?? [];
      const orderIds = items.filter((i) => String(i.ordertype).startsWith("order#")).map((i) => String(i.id));
      const claimed = items.filter((i) => String(i.ordertype).startsWith("idem#")).map((i) => String(i.orderId));
      expect(orderIds.length).toBeGreaterThan(5);
      expect([...claimed].sort()).toEqual([...orderIds].sort());
      for (const id of orderIds) expect(orderKeyFromId(id)).toBeTruthy();
    } finally {
      client.destroy();
    }
  });
});

describe("photo processing fails, and Lambda's retry completes it", () => {
  /** A product saved while its photo is being processed (what the admin saves when processing is slow). */
  async function productWaitingFor(id: string): Promise<{ uploadId: string; upload: any }> {
    const created = await admin.post("/admin/uploads");
    expect(created.status).toBe(201);
    const { products, revision } = (await admin.get("/admin/products")).body as any;
    const product = { id, name: "剛拍的照片", description: "", unitPrice: 300, available: true, sortOrder: 99_000 };
    const saved = await admin.put("/admin/products", {
      products: [...products, { ...product, imageUpload: { uploadId: created.body.uploadId } }],
      revision,
    });
    expect(saved.status).toBe(200);
    return { uploadId: created.body.uploadId, upload: created.body };
  }
  const productNamed = async (id: string) =>
    ((await admin.get("/admin/products")).body as any).products.find((p: { id: string }) => p.id === id);

  it("a run that crashes before working leaves the product on its placeholder; the retry gives it the photo", async () => {
    const { uploadId, upload } = await productWaitingFor("photo-fault-before");
    plan.failNext("ProcessUploadFunction", "before");
    const posted = await postToS3(upload, await phonePhoto({ seed: 41, width: 1600, height: 1200 }));
    expect(posted.status).toBe(204);
    await eventually(async () => (plan.injected.length > 0 ? true : undefined));
    // Between the failed run and the retry: still processing, the product has no photo yet.
    expect((await admin.get(`/admin/uploads/${uploadId}`)).body).toMatchObject({ state: "processing" });
    expect(await productNamed("photo-fault-before")).toMatchObject({ imageUpload: { uploadId } });
    expect((await productNamed("photo-fault-before")).image).toBeUndefined();
    const done = await eventually(async () => (await productNamed("photo-fault-before")).image, 20_000, 100);
    expect(done).toMatchObject({ width: 1200, height: 900 });
    expect((await productNamed("photo-fault-before")).imageUpload).toBeUndefined();
  }, 60_000);

  it("a run that crashes after its work is retried without harm: same photo, given once", async () => {
    const { uploadId, upload } = await productWaitingFor("photo-fault-after");
    plan.failNext("ProcessUploadFunction", "after");
    expect((await postToS3(upload, await phonePhoto({ seed: 42, width: 1600, height: 1200 }))).status).toBe(204);
    const status = await eventually(async () => {
      const answer = (await admin.get(`/admin/uploads/${uploadId}`)).body as any;
      return answer.state === "ready" ? answer : undefined;
    }, 20_000);
    // The retry finds the upload gone and only re-applies the recorded outcome.
    await eventually(async () => (plan.injected.length > 0 && plan.pending() === 0 ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await productNamed("photo-fault-after")).image).toEqual(status.image);
  }, 60_000);
});
