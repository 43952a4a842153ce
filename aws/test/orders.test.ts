import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { createOrderResponseSchema, errorResponseSchema } from "../src/contract";
import { PAYMENT_MAC, verifyCheckMacValue } from "../src/ecpay";
import { orderKeyFromId } from "../src/domain/order-id";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import { requestFingerprint } from "../src/services/create-order";
import { dynamoClient, orderRequest, stack, storefront, unsigned } from "./support";

describe("POST /order", () => {
  it("prices a credit order from the catalog and returns a signed ECPay checkout form", async () => {
    const request = orderRequest();
    const res = await storefront.post("/order", request);
    expect(res.status).toBe(201);
    const { order, payment } = createOrderResponseSchema.parse(res.body);
    expect(order.status).toBe("created");
    expect(order.total).toBe(2 * 450 + 380);
    expect(order.lines.map((l) => [l.productId, l.unitPrice, l.lineTotal])).toEqual([
      ["dongding-oolong", 450, 900],
      ["pineapple-cake", 380, 380],
    ]);
    expect(order.id).toMatch(/^\d{6}-\d{4}-\d{4}$/);
    expect(order.history).toEqual([expect.objectContaining({ from: null, to: "created", by: "shopper" })]);

    expect(payment?.action).toBe(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`);
    const fields = payment!.fields;
    expect(verifyCheckMacValue(fields, ECPAY_STAGE_MERCHANT, PAYMENT_MAC)).toBe(true);
    expect(fields).toMatchObject({
      MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
      TotalAmount: String(order.total),
      ChoosePayment: "Credit",
      EncryptType: "1",
      ReturnURL: `${stack().apiUrl}/ecpay`,
      OrderResultURL: `http://127.0.0.1:8788/orders/${order.id}/return`,
    });
    expect(fields.MerchantTradeNo).toMatch(/^L\d{14}[0-9A-Z]{3}$/);
    expect(fields.ItemName).toBe("凍頂烏龍茶 150g 450元 x 2#土鳳梨酥 10 入 380元 x 1");
  });

  it("ignores any price the browser sends and stores exactly one item", async () => {
    const request = { ...orderRequest(), total: 1, unitPrice: 1 } as unknown as ReturnType<typeof orderRequest>;
    const res = await storefront.post("/order", request);
    expect(res.status).toBe(201);
    const { order } = createOrderResponseSchema.parse(res.body);
    expect(order.total).toBe(1280);
    const stored = await dynamoClient().send(
      new GetCommand({ TableName: stack().tableName, Key: orderKeyFromId(order.id)! }),
    );
    expect(stored.Item?.total).toBe(1280);
    expect(stored.Item?.phone).toBe(request.customer.phone);
  });

  it("answers an ATM order with a PaymentInfoURL and a pay-on-arrival order without payment", async () => {
    const atm = createOrderResponseSchema.parse(
      (await storefront.post("/order", orderRequest({ paymentMethod: "atm" }))).body,
    );
    expect(atm.payment?.fields).toMatchObject({
      ChoosePayment: "ATM",
      PaymentInfoURL: `${stack().apiUrl}/ecpay/payment-info`,
    });
    const cod = await storefront.post("/order", orderRequest({ paymentMethod: "cod" }));
    expect(cod.status).toBe(201);
    expect(cod.body.payment).toBeNull();
    expect(cod.body.order.payment).toBeUndefined();
  });

  it("returns the same order for a retried idempotency key, and 409 when the body differs", async () => {
    const request = orderRequest();
    const first = await storefront.post("/order", request);
    const again = await storefront.post("/order", request);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(again.body.payment).toEqual(first.body.payment);

    const changed = await storefront.post("/order", { ...request, items: [{ productId: "dried-mango", quantity: 1 }] });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("idempotency_mismatch");
  });

  it("never answers with another shopper's order when its key's claim points at an id that order took", async () => {
    // The window this recreates: request A claimed order id X for its key, found X taken by another order (ids are
    // five random digits a day) and is about to move its claim; a retry of A reading the claim now sees X.
    const other = await storefront.post("/order", orderRequest({ paymentMethod: "cod" }));
    const takenId = other.body.order.id as string;
    const request = orderRequest({ paymentMethod: "cod" });
    await dynamoClient().send(
      new PutCommand({
        TableName: stack().tableName,
        Item: {
          ordertype: `idem#${request.idempotencyKey}`,
          idsk: 0,
          orderId: takenId,
          bodyHash: requestFingerprint(request),
          createdAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );

    const placed = await storefront.post("/order", request);
    expect(placed.status).toBe(201);
    expect(placed.body.order.id).not.toBe(takenId);
    expect(placed.body.order.customer).toEqual(request.customer);
    const again = await storefront.post("/order", request);
    expect(again.body.order.id).toBe(placed.body.order.id);
    const claim = await dynamoClient().send(
      new GetCommand({ TableName: stack().tableName, Key: { ordertype: `idem#${request.idempotencyKey}`, idsk: 0 } }),
    );
    expect(claim.Item?.orderId).toBe(placed.body.order.id);
  });

  it("creates exactly one order when the same request arrives many times at once", async () => {
    const request = orderRequest({ paymentMethod: "cod" });
    const answers = await Promise.all(Array.from({ length: 12 }, () => storefront.post("/order", request)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    expect(new Set(answers.map((a) => a.body.order.id)).size).toBe(1);
  });

  it("stores every one of many simultaneous orders under its own id", async () => {
    const requests = Array.from({ length: 40 }, () => orderRequest({ paymentMethod: "cod" }));
    const answers = await Promise.all(requests.map((r) => storefront.post("/order", r)));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    const ids = answers.map((a) => a.body.order.id as string);
    expect(new Set(ids).size).toBe(40);
    const client = dynamoClient();
    for (const [i, id] of ids.entries()) {
      const item = await client.send(new GetCommand({ TableName: stack().tableName, Key: orderKeyFromId(id)! }));
      expect(item.Item?.idempotencyKey).toBe(requests[i]!.idempotencyKey);
    }
  });

  it("answers 409 with the current total when the shopper saw another total", async () => {
    const res = await storefront.post("/order", orderRequest({ expectedTotal: 999 }));
    expect(res.status).toBe(409);
    expect(errorResponseSchema.parse(res.body).error).toMatchObject({ code: "price_changed", currentTotal: 1280 });
    const ok = await storefront.post("/order", orderRequest({ expectedTotal: 1280 }));
    expect(ok.status).toBe(201);
  });

  it("refuses unknown and sold-out products with a 4xx and a reason", async () => {
    const unknown = await storefront.post(
      "/order",
      orderRequest({ items: [{ productId: "no-such-thing", quantity: 1 }] }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toContain("no-such-thing");
    const soldOut = await storefront.post(
      "/order",
      orderRequest({ items: [{ productId: "peanut-nougat", quantity: 1 }] }),
    );
    expect(soldOut.status).toBe(422);
    expect(soldOut.body.error.code).toBe("product_unavailable");
  });

  it.each([
    [
      "a phone that is not a Taiwan mobile",
      { customer: { ...orderRequest().customer, phone: "0212345678" } },
      "customer.phone",
    ],
    ["zero quantity", { items: [{ productId: "dongding-oolong", quantity: 0 }] }, "items.0.quantity"],
    ["an empty cart", { items: [] }, "items"],
    ["an unknown payment method", { paymentMethod: "bitcoin" }, "paymentMethod"],
    ["a short idempotency key", { idempotencyKey: "abc" }, "idempotencyKey"],
    ["a fractional expected total", { expectedTotal: 12.5 }, "expectedTotal"],
  ])("rejects %s with 400 and the field", async (_label, patch, field) => {
    const res = await storefront.post("/order", { ...orderRequest(), ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
    expect(Object.keys(res.body.error.fields)).toContain(field);
  });

  it("rejects a body that is not JSON with 400", async () => {
    const res = await storefront.post("/order", "not json");
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it("is closed to unsigned callers", async () => {
    const res = await unsigned.post("/order", orderRequest());
    expect(res.status).toBe(403);
  });
});

describe("GET /order", () => {
  it("shows the order only with the matching phone, and the same 404 otherwise", async () => {
    const request = orderRequest({ paymentMethod: "cod" });
    const { order } = (await storefront.post("/order", request)).body;
    const found = await storefront.get(`/order?id=${order.id}&phone=${request.customer.phone}`);
    expect(found.status).toBe(200);
    expect(found.body.order).toEqual(order);
    expect(found.body.order.idempotencyKey).toBeUndefined();

    const wrongPhone = await storefront.get(`/order?id=${order.id}&phone=0900000000`);
    const noOrder = await storefront.get(`/order?id=010101-00001&phone=${request.customer.phone}`);
    const garbage = await storefront.get("/order?id=x&phone=y");
    for (const miss of [wrongPhone, noOrder, garbage]) {
      expect(miss.status).toBe(404);
      expect(miss.body).toEqual(wrongPhone.body);
    }
  });
});

describe("GET /", () => {
  it("answers a signed ping", async () => {
    const res = await storefront.get("/");
    expect(res).toMatchObject({ status: 200, body: { ok: true, env: "local" } });
    expect((await unsigned.get("/")).status).toBe(403);
  });
});
