import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CreateOrderRequest, Order } from "../aws/src/contract";
import { createOrder, getOrder, ping, retryPayment } from "./order-api.server";
import { hangingTransport, json, type Reply, scriptedTransport, testEnv } from "./test/helpers";
import { parseAuthorization } from "./test/sigv4";

const env = testEnv();

// Failures are logged on purpose (operators need them); keep the test output readable.
beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function deps(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  return { deps: { env, fetch: transport.fetch, retryBaseDelayMs: 0 }, calls: transport.calls };
}

const validRequest: CreateOrderRequest = {
  idempotencyKey: "checkout-0123456789abcdef",
  items: [{ productId: "alishan-oolong", quantity: 2 }],
  customer: {
    name: "王小明",
    phone: "0912345678",
    email: "ming@example.tw",
    address: "100 臺北市中正區重慶南路一段 122 號",
  },
  paymentMethod: "credit",
  expectedTotal: 2560,
};

const order: Order = {
  id: "261127-00001",
  status: "awaiting_payment",
  createdAt: "2026-11-27T02:00:00.000Z",
  lines: [{ productId: "alishan-oolong", name: "阿里山高山烏龍茶", unitPrice: 1280, quantity: 2, lineTotal: 2560 }],
  total: 2560,
  paymentMethod: "credit",
  customer: validRequest.customer,
  history: [{ at: "2026-11-27T02:00:00.000Z", from: null, to: "awaiting_payment", by: "system" }],
};

function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return json({ error: { code, message, ...extra } }, { status });
}

describe("ping", () => {
  it("returns the parsed ping, signed as the storefront principal for execute-api", async () => {
    const { deps: d, calls } = deps(json({ ok: true, env: "local", version: "1.2.3" }));
    expect(await ping(d)).toEqual({ ok: true, data: { ok: true, env: "local", version: "1.2.3" } });
    expect(calls[0]!.url.href).toBe("http://127.0.0.1:3001/");
    expect(parseAuthorization(calls[0]!.headers.get("authorization"))).toMatchObject({
      accessKeyId: "local-storefront",
      service: "execute-api",
      region: "ap-northeast-1",
    });
  });
});

describe("retryPayment", () => {
  it("POSTs the order id and phone to /order/payment, signed, once, and parses the new hand-off", async () => {
    const handoff = {
      action: "http://127.0.0.1:3002/Cashier/AioCheckOut/V5",
      fields: { MerchantTradeNo: "L26112700001ABC" },
    };
    const { deps: d, calls } = deps(json({ order: { ...order, status: "created" }, payment: handoff }));
    const result = await retryPayment(d, order.id, "0912-345-678");
    expect(result).toMatchObject({ ok: true, data: { payment: handoff } });
    expect(calls[0]!.method).toBe("POST");
    expect(calls[0]!.url.pathname).toBe("/order/payment");
    expect(JSON.parse(calls[0]!.body)).toEqual({ id: order.id, phone: "0912345678" });
    expect(parseAuthorization(calls[0]!.headers.get("authorization"))).toMatchObject({ service: "execute-api" });

    const busy = deps(apiError(502, "upstream_error", "ECPay QueryTradeInfo failed"));
    expect(await retryPayment(busy.deps, order.id, "0912345678")).toMatchObject({ ok: false, kind: "unavailable" });
    expect(busy.calls).toHaveLength(1);
  });
});

describe("createOrder", () => {
  it("POSTs the contract's JSON to /order and parses the created order", async () => {
    const { deps: d, calls } = deps(
      json(
        { order, payment: { action: "http://127.0.0.1:3002/Cashier/AioCheckOut/V5", fields: { A: "1" } } },
        { status: 201 },
      ),
    );
    const result = await createOrder(d, validRequest);
    expect(result).toMatchObject({ ok: true, data: { order: { id: "261127-00001", total: 2560 } } });
    expect(calls[0]!.method).toBe("POST");
    expect(calls[0]!.url.pathname).toBe("/order");
    expect(calls[0]!.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(calls[0]!.body)).toEqual(validRequest);
  });

  it("rejects an invalid request locally, with field paths, without calling the API", async () => {
    const { deps: d, calls } = deps(json({}));
    const result = await createOrder(d, {
      ...validRequest,
      customer: { ...validRequest.customer, phone: "12345" },
      items: [],
    });
    expect(result).toMatchObject({ ok: false, kind: "validation" });
    expect(result.ok ? {} : result.fields).toMatchObject({
      "customer.phone": "請輸入 09 開頭的 10 位手機號碼",
      items: "購物車是空的",
    });
    expect(calls).toHaveLength(0);
  });

  it("is sent once only: a 503 is not retried, because the shopper decides whether to try again", async () => {
    const { deps: d, calls } = deps(apiError(503, "upstream_error", "DynamoDB throttled"));
    const result = await createOrder(d, validRequest);
    expect(result).toEqual({ ok: false, kind: "unavailable", message: "訂單系統暫時無法使用，請稍後再試。" });
    expect(calls).toHaveLength(1);
  });

  it("maps bad_request to validation with the API's field messages", async () => {
    const { deps: d } = deps(
      apiError(400, "bad_request", "請檢查欄位", { fields: { "customer.address": "請填寫完整地址（含郵遞區號）" } }),
    );
    expect(await createOrder(d, validRequest)).toEqual({
      ok: false,
      kind: "validation",
      code: "bad_request",
      message: "請檢查欄位",
      fields: { "customer.address": "請填寫完整地址（含郵遞區號）" },
    });
  });

  it("maps price_changed with the current total", async () => {
    const { deps: d } = deps(apiError(409, "price_changed", "價格已更新", { currentTotal: 2800 }));
    expect(await createOrder(d, validRequest)).toEqual({
      ok: false,
      kind: "price_changed",
      code: "price_changed",
      message: "價格已更新",
      currentTotal: 2800,
    });
  });

  it.each(["conflict", "idempotency_mismatch", "product_unavailable"])("maps %s to conflict", async (code) => {
    const { deps: d } = deps(apiError(409, code, "已有變動"));
    // The code travels along, so checkout can tell a sold-out product from a reused idempotency key.
    expect(await createOrder(d, validRequest)).toMatchObject({
      ok: false,
      kind: "conflict",
      code,
      message: "已有變動",
    });
  });

  it("maps site_closed, whatever the status", async () => {
    const { deps: d } = deps(apiError(503, "site_closed", "商店暫停營業"));
    expect(await createOrder(d, validRequest)).toMatchObject({
      ok: false,
      kind: "site_closed",
      message: "商店暫停營業",
    });
  });

  it("hides internal errors behind a generic message", async () => {
    const { deps: d } = deps(apiError(500, "internal_error", "TypeError: cannot read properties of undefined"));
    const result = await createOrder(d, validRequest);
    expect(result).toEqual({ ok: false, kind: "unavailable", message: "訂單系統暫時無法使用，請稍後再試。" });
  });

  it("treats API Gateway's 403 (bad signature or policy) as unavailable, not as the shopper's fault", async () => {
    const { deps: d } = deps(json({ message: "Forbidden" }, { status: 403 }));
    expect(await createOrder(d, validRequest)).toMatchObject({ ok: false, kind: "unavailable" });
  });

  it("treats a 2xx that breaks the contract as unavailable", async () => {
    const { deps: d } = deps(json({ order: { id: "nonsense" } }, { status: 201 }));
    expect(await createOrder(d, validRequest)).toMatchObject({ ok: false, kind: "unavailable" });
  });

  it("maps a network failure to unavailable", async () => {
    const { deps: d } = deps(new Error("connection refused"));
    expect(await createOrder(d, validRequest)).toMatchObject({ ok: false, kind: "unavailable" });
  });

  it("maps a timeout to unavailable with its own message", async () => {
    const result = await createOrder({ env, fetch: hangingTransport, timeoutMs: 30 }, validRequest);
    expect(result).toEqual({ ok: false, kind: "unavailable", message: "訂單系統回應逾時，請稍後再試。" });
  });
});

describe("getOrder", () => {
  it("GETs /order with the id and the normalised phone and parses the order", async () => {
    const { deps: d, calls } = deps(json({ order, payment: null }));
    const result = await getOrder(d, " 261127-00001 ", "0912-345-678");
    expect(result).toMatchObject({ ok: true, data: { order: { id: "261127-00001" } } });
    expect(calls[0]!.method).toBe("GET");
    expect(calls[0]!.url.pathname).toBe("/order");
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({ id: "261127-00001", phone: "0912345678" });
  });

  it("maps 404 not_found to not_found with the API's message", async () => {
    const { deps: d } = deps(apiError(404, "not_found", "查無此訂單"));
    expect(await getOrder(d, "261127-00001", "0912345678")).toEqual({
      ok: false,
      kind: "not_found",
      code: "not_found",
      message: "查無此訂單",
    });
  });

  it("falls back on the HTTP status when the error body is not the contract's", async () => {
    const { deps: d } = deps(new Response("<html>Not Found</html>", { status: 404 }));
    expect(await getOrder(d, "261127-00001", "0912345678")).toMatchObject({ ok: false, kind: "not_found" });
  });

  it("retries a read twice on a bare 502, then reports unavailable", async () => {
    const { deps: d, calls } = deps(new Response("Bad Gateway", { status: 502 }));
    expect(await getOrder(d, "261127-00001", "0912345678")).toMatchObject({ ok: false, kind: "unavailable" });
    expect(calls).toHaveLength(3);
  });

  it("validates the lookup locally", async () => {
    const { deps: d, calls } = deps(json({}));
    const result = await getOrder(d, "12345", "0912345678");
    expect(result).toMatchObject({ ok: false, kind: "validation", fields: { id: "訂單編號格式為 YYMMDD-NNNN-NNNN" } });
    expect(calls).toHaveLength(0);
  });
});
