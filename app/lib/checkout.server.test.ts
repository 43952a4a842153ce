import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Catalog, type CreateOrderRequest, createOrderRequestSchema, type Order } from "../../aws/src/contract";
import { cartCookieHeader, readCart, readRememberedOrders } from "../../worker/cookies.server";
import { answer, fakeShop, json, type Reply, scriptedTransport, testEnv } from "../../worker/test/helpers";
import {
  buildOrderRequest,
  type CheckoutActionData,
  type CheckoutPageData,
  type CheckoutSnapshot,
  checkoutFormSchema,
  decodeItems,
  decodeTotals,
  encodeItems,
  encodeTotals,
  totalFor,
  idempotencyKeyFor,
  loadCheckoutPage,
  newCheckoutToken,
  placeOrder,
  submitCheckout,
} from "./checkout.server";

const env = testEnv();

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const TOKEN = "AAAAAAAAAAAAAAAAAAAAAA";
const form = {
  checkoutToken: TOKEN,
  items: "dongding-oolong:2,pineapple-cake:1",
  expectedTotal: "1280",
  name: " 王小明 ",
  phone: "0912-345-678",
  email: "ming@example.tw",
  postalCode: "100",
  address: "臺北市中正區重慶南路一段 122 號",
  paymentMethod: "credit",
  note: "",
};

const order: Order = {
  id: "261127-00001",
  status: "created",
  createdAt: "2026-11-27T02:00:00.000Z",
  lines: [
    { productId: "dongding-oolong", name: "凍頂烏龍茶", unitPrice: 450, quantity: 2, lineTotal: 900 },
    { productId: "pineapple-cake", name: "土鳳梨酥", unitPrice: 380, quantity: 1, lineTotal: 380 },
  ],
  total: 1280,
  paymentMethod: "credit",
  customer: {
    name: "王小明",
    phone: "0912345678",
    email: "ming@example.tw",
    address: "100 臺北市中正區重慶南路一段 122 號",
  },
  payment: { merchantTradeNo: "L2611270000100" },
  history: [{ at: "2026-11-27T02:00:00.000Z", from: null, to: "created", by: "shopper" }],
};
const payment = { action: "http://127.0.0.1:3002/Cashier/AioCheckOut/V5", fields: { MerchantID: "3002607" } };

function bff(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  return {
    bff: { env, ctx: { waitUntil: () => {} }, fetch: transport.fetch, retryBaseDelayMs: 0 },
    calls: transport.calls,
  };
}
const apiError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  json({ error: { code, message, ...extra } }, { status });

describe("the idempotency key", () => {
  const snapshot: CheckoutSnapshot = {
    checkoutToken: TOKEN,
    items: [{ productId: "dongding-oolong", quantity: 2 }],
    expectedTotal: { credit: 900, atm: 900, cod: 900 },
  };

  it("is the same for the same rendering of the form, and fits the contract", async () => {
    const key = await idempotencyKeyFor(env.SESSION_SECRET, snapshot);
    expect(await idempotencyKeyFor(env.SESSION_SECRET, { ...snapshot })).toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("changes with the token, the items, the total and the secret", async () => {
    const key = await idempotencyKeyFor(env.SESSION_SECRET, snapshot);
    const variants = [
      idempotencyKeyFor(env.SESSION_SECRET, { ...snapshot, checkoutToken: "BAAAAAAAAAAAAAAAAAAAAA" }),
      idempotencyKeyFor(env.SESSION_SECRET, { ...snapshot, items: [{ productId: "dongding-oolong", quantity: 3 }] }),
      idempotencyKeyFor(env.SESSION_SECRET, { ...snapshot, expectedTotal: { credit: 900, atm: 900, cod: 930 } }),
      idempotencyKeyFor("another-secret-that-is-32-chars-long!", snapshot),
    ];
    for (const other of await Promise.all(variants)) expect(other).not.toBe(key);
  });

  it("comes from a fresh 128-bit token per rendering", () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newCheckoutToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe("the totals snapshot", () => {
  it("is one number when every payment method pays the same, and one per method otherwise", () => {
    expect(encodeTotals({ credit: 1280, atm: 1280, cod: 1280 })).toBe("1280");
    expect(decodeTotals("1280")).toEqual({ credit: 1280, atm: 1280, cod: 1280 });
    const differing = { credit: 1380, atm: 1380, cod: 1410 };
    expect(encodeTotals(differing)).toBe("credit:1380,atm:1380,cod:1410");
    expect(decodeTotals(encodeTotals(differing))).toEqual(differing);
  });

  it("carries store pickup's totals when the shop offers it, and picks the one for the shopper's choice", () => {
    const totals = { credit: 1380, atm: 1380, cod: 1410, "cvs-credit": 1340, "cvs-atm": 1340, "cvs-cod": 1370 };
    const encoded = encodeTotals(totals);
    expect(encoded).toBe("credit:1380,atm:1380,cod:1410,cvs-credit:1340,cvs-atm:1340,cvs-cod:1370");
    expect(decodeTotals(encoded)).toEqual(totals);
    expect(totalFor(totals, "cvs", "cod")).toBe(1370);
    expect(totalFor(totals, "home", "cod")).toBe(1410);
    // A page from before store pickup: the home total stands in.
    expect(totalFor({ credit: 900, atm: 900, cod: 930 }, "cvs", "atm")).toBe(900);
    expect(decodeTotals("cvs-credit:1,cvs-atm:1,cvs-cod:1")).toBeNull();
  });

  it.each([
    "",
    "-1",
    "1.5",
    "abc",
    "credit:1",
    "credit:1,atm:1,cod:1,cod:2",
    "credit:1,atm:1,card:1",
    "credit:1:2,atm:1,cod:1",
    "99999999999",
  ])("rejects %j", (value) => {
    expect(decodeTotals(value)).toBeNull();
  });
});

describe("the items snapshot", () => {
  it("round-trips", () => {
    const items = [
      { productId: "dongding-oolong", quantity: 2 },
      { productId: "pineapple-cake", quantity: 99 },
    ];
    expect(encodeItems(items)).toBe("dongding-oolong:2,pineapple-cake:99");
    expect(decodeItems(encodeItems(items))).toEqual(items);
  });

  it.each(["", "tea", "tea:0", "tea:100", "tea:1.5", "tea:1:2", "Tea:1", "tea:1,tea:2", "tea:1,"])(
    "rejects %j",
    (value) => {
      expect(decodeItems(value)).toBeNull();
    },
  );
});

describe("the form", () => {
  it("keeps the postal code apart for the shopper and joins it into the contract's address", async () => {
    const parsed = checkoutFormSchema.parse(form);
    const request = buildOrderRequest(
      parsed,
      {
        checkoutToken: TOKEN,
        items: [{ productId: "dongding-oolong", quantity: 2 }],
        expectedTotal: { credit: 900, atm: 900, cod: 930 },
      },
      "k".repeat(43),
    );
    expect(request.customer).toEqual({
      name: "王小明",
      phone: "0912345678",
      email: "ming@example.tw",
      address: "100 臺北市中正區重慶南路一段 122 號",
    });
    expect(request).not.toHaveProperty("note");
    // The total the page showed for the chosen method (credit), not the pay-on-arrival one.
    expect(request.expectedTotal).toBe(900);
    expect(
      buildOrderRequest(
        { ...parsed, paymentMethod: "cod" },
        { checkoutToken: TOKEN, items: [], expectedTotal: { credit: 900, atm: 900, cod: 930 } },
        "k".repeat(43),
      ).expectedTotal,
    ).toBe(930);
    expect(createOrderRequestSchema.safeParse(request).success).toBe(true);
  });

  it("explains every problem in Traditional Chinese, field by field", async () => {
    const { bff: b, calls } = bff(json({}));
    const outcome = await placeOrder(b, {
      ...form,
      name: "",
      phone: "12345",
      email: "ming@",
      postalCode: "10",
      address: "台北",
      paymentMethod: "bitcoin",
      note: "好".repeat(501),
    });
    expect(outcome).toMatchObject({
      kind: "invalid",
      errors: {
        name: "請填寫收件人姓名",
        phone: "請輸入 09 開頭的 10 位手機號碼",
        email: "Email 格式不正確，例如 name@example.com",
        postalCode: "請填寫 3 碼或 5、6 碼的郵遞區號",
        address: "請填寫完整地址，例如：臺北市中正區重慶南路一段 122 號",
        paymentMethod: "請選擇付款方式",
        note: "備註最多 500 個字",
      },
    });
    // What was typed comes back for the form, and nothing reached the API.
    expect(outcome.kind === "invalid" && outcome.values.phone).toBe("12345");
    expect(calls).toHaveLength(0);
  });

  it("treats a form without a valid snapshot as out of date", async () => {
    const { bff: b, calls } = bff(json({}));
    for (const broken of [
      { checkoutToken: "short" },
      { items: "tea:0" },
      { expectedTotal: "abc" },
      { items: undefined },
    ]) {
      expect(await placeOrder(b, { ...form, ...broken })).toMatchObject({ kind: "stale_form" });
    }
    expect(calls).toHaveLength(0);
  });
});

describe("placing the order", () => {
  it("sends the form's items and total with the derived key, and hands back the gateway form", async () => {
    const { bff: b, calls } = bff(json({ order, payment }, { status: 201 }));
    const outcome = await placeOrder(b, form);
    expect(outcome).toEqual({ kind: "placed", order, payment });
    const sent = JSON.parse(calls[0]!.body) as CreateOrderRequest;
    expect(sent.items).toEqual([
      { productId: "dongding-oolong", quantity: 2 },
      { productId: "pineapple-cake", quantity: 1 },
    ]);
    expect(sent.expectedTotal).toBe(1280);
    expect(sent.idempotencyKey).toBe(
      await idempotencyKeyFor(env.SESSION_SECRET, {
        checkoutToken: TOKEN,
        items: sent.items,
        expectedTotal: { credit: 1280, atm: 1280, cod: 1280 },
      }),
    );
  });

  it("sends the same key and body when the same form is posted again (double-click, retry, Back)", async () => {
    const { bff: b, calls } = bff(json({ order, payment }, { status: 201 }));
    await placeOrder(b, form);
    await placeOrder(b, { ...form });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toBe(calls[0]!.body);
  });

  it("does not hand the browser to a gateway the CSP would not allow", async () => {
    const { bff: b } = bff(
      json({ order, payment: { ...payment, action: "https://elsewhere.example/pay" } }, { status: 201 }),
    );
    expect(await placeOrder(b, form)).toEqual({ kind: "placed", order, payment: null });
  });

  it("maps a changed price to the new total", async () => {
    const { bff: b } = bff(apiError(409, "price_changed", "價格已更新", { currentTotal: 1350 }));
    expect(await placeOrder(b, form)).toMatchObject({ kind: "price_changed", currentTotal: 1350 });
  });

  it("maps sold-out products, naming them", async () => {
    const { bff: b } = bff(
      apiError(409, "product_unavailable", "商品已售完：pineapple-cake", {
        fields: { "items.pineapple-cake": "unavailable" },
      }),
    );
    expect(await placeOrder(b, form)).toMatchObject({ kind: "items_unavailable", productIds: ["pineapple-cake"] });
  });

  it("maps a reused key with another body to 'already submitted'", async () => {
    const { bff: b } = bff(apiError(409, "idempotency_mismatch", "This idempotencyKey was already used"));
    const outcome = await placeOrder(b, form);
    expect(outcome.kind).toBe("already_submitted");
    expect(outcome.kind === "already_submitted" && outcome.message).toContain("已經送出過訂單");
  });

  it("maps the API's field errors onto the form's fields", async () => {
    const { bff: b } = bff(apiError(400, "bad_request", "請檢查欄位", { fields: { "customer.address": "地址太短" } }));
    expect(await placeOrder(b, form)).toMatchObject({ kind: "invalid", errors: { address: "地址太短" } });
    const { bff: items } = bff(
      apiError(400, "bad_request", "請檢查欄位", { fields: { items: "each product may appear once" } }),
    );
    expect(await placeOrder(items, form)).toMatchObject({ kind: "stale_form" });
  });

  it("maps a closed shop and an unavailable API", async () => {
    const { bff: closed } = bff(apiError(503, "site_closed", "店主休假中"));
    expect(await placeOrder(closed, form)).toEqual({ kind: "closed", message: "店主休假中" });
    const { bff: down, calls } = bff(apiError(502, "upstream_error", "DynamoDB"));
    expect(await placeOrder(down, form)).toMatchObject({
      kind: "failed",
      message: "訂單系統暫時無法使用，請稍後再試。",
    });
    expect(calls).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The page functions, against a fake edge (S3 content, the order API, cookies as a browser sends them back)

const SITE = "http://127.0.0.1:8788";
const catalog: Catalog = {
  products: [
    { id: "dongding-oolong", name: "凍頂烏龍茶", description: "", unitPrice: 450, available: true, sortOrder: 1 },
    { id: "pineapple-cake", name: "土鳳梨酥", description: "", unitPrice: 380, available: true, sortOrder: 2 },
    { id: "nougat", name: "牛軋糖", description: "", unitPrice: 220, available: false, sortOrder: 3 },
  ],
};
const cart = {
  items: [
    { productId: "dongding-oolong", quantity: 2 },
    { productId: "pineapple-cake", quantity: 1 },
  ],
};

const page = (cookie: string | null) =>
  new Request(`${SITE}/checkout`, { headers: cookie ? { Cookie: cookie.split(";")[0]! } : {} });
const submit = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  new Request(`${SITE}/checkout`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: SITE, ...headers },
    body: new URLSearchParams(fields),
  });
const setCookies = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");

describe("the checkout page", () => {
  it("renders a fresh snapshot (token, the items on sale, the total shown) for an orderable cart", async () => {
    const shop = await fakeShop({ site: { open: true }, catalog });
    const cookie = await cartCookieHeader(shop.bff.env, cart);
    const first = await loadCheckoutPage(shop.bff, page(cookie));
    const second = await loadCheckoutPage(shop.bff, page(cookie));
    expect(first.snapshot).toMatchObject({ items: "dongding-oolong:2,pineapple-cake:1", expectedTotal: "1280" });
    expect(first.snapshot?.checkoutToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second.snapshot?.checkoutToken).not.toBe(first.snapshot?.checkoutToken);
    expect(first.recentOrderId).toBeNull();
  });

  it("prices the owner's fees into each payment method's total and says how far free shipping is", async () => {
    const site = { open: true, shipping: { home: { fee: 100, freeShippingThreshold: 1600, codSurcharge: 30 } } };
    const shop = await fakeShop({ site, catalog });
    const data = await loadCheckoutPage(shop.bff, page(await cartCookieHeader(shop.bff.env, cart)));
    expect(data.snapshot).toMatchObject({
      expectedTotal: "credit:1380,atm:1380,cod:1410",
      totals: { credit: 1380, atm: 1380, cod: 1410 },
    });
    expect(data.cart.charges).toMatchObject({ shippingFee: 100, toFreeShipping: 320, codSurcharge: 30 });
  });

  it("offers nothing to order for an empty cart or one with sold-out lines", async () => {
    const shop = await fakeShop({ site: { open: true }, catalog });
    expect((await loadCheckoutPage(shop.bff, page(null))).snapshot).toBeNull();
    const soldOut = await cartCookieHeader(shop.bff.env, { items: [{ productId: "nougat", quantity: 1 }] });
    const data: CheckoutPageData = await loadCheckoutPage(shop.bff, page(soldOut));
    expect(data.snapshot).toBeNull();
    expect(data.cart.soldOut).toEqual(["nougat"]);
  });
});

describe("submitting the checkout form", () => {
  it("places the order, empties the cart, remembers the order and hands off to ECPay", async () => {
    const shop = await fakeShop({ catalog, api: () => json({ order, payment }, { status: 201 }) });
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(200);
    expect(result.data).toEqual({
      kind: "handoff",
      orderId: order.id,
      paymentMethod: "credit",
      total: 1280,
      action: payment.action,
      fields: payment.fields,
    });
    const browser = new Request(SITE, { headers: { Cookie: setCookies(result.headers) } });
    expect(await readCart(shop.bff.env, browser)).toEqual({ items: [] });
    expect(await readRememberedOrders(shop.bff.env, browser)).toEqual([{ id: order.id, phone: "0912345678" }]);
    const sent = JSON.parse(shop.apiCalls()[0]!.body) as CreateOrderRequest;
    expect(sent.items).toEqual(cart.items);
  });

  it("tells the API the storefront origin only when the shopper is on another deployment than SITE_URL (a preview)", async () => {
    const shop = await fakeShop({ catalog, api: () => json({ order, payment }, { status: 201 }) });
    await answer(submitCheckout(shop.bff, submit(form)));
    const preview = "https://feature-x.taiwan-shop.pages.dev";
    const onPreview = new Request(`${preview}/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: preview },
      body: new URLSearchParams(form),
    });
    await answer(submitCheckout(shop.bff, onPreview));
    const [onSite, fromPreview] = shop.apiCalls().map((call) => JSON.parse(call.body) as CreateOrderRequest);
    expect(onSite?.origin).toBeUndefined();
    expect(fromPreview?.origin).toBe(preview);
  });

  it("says where to order when the API does not accept this deployment's origin, and logs it for the owner", async () => {
    const refusal = {
      error: {
        code: "bad_request",
        message: "origin https://old.example is not one of this shop's storefronts",
        fields: { origin: "not an allowed storefront origin" },
      },
    };
    const shop = await fakeShop({ catalog, api: () => json(refusal, { status: 400 }) });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(400);
    expect(result.data).toMatchObject({ kind: "retry", message: "這個網址無法付款結帳，請改到本店的正式網址下單。" });
    expect(error.mock.calls.map(([line]) => JSON.parse(String(line)))).toContainEqual({
      at: "checkout",
      problem: "origin_not_allowed",
    });
    error.mockRestore();
  });

  it("sends a pay-on-arrival order straight to its page", async () => {
    const cod = { ...order, paymentMethod: "cod" as const, payment: undefined };
    const shop = await fakeShop({ catalog, api: () => json({ order: cod, payment: null }, { status: 201 }) });
    const result = await answer(submitCheckout(shop.bff, submit({ ...form, paymentMethod: "cod" })));
    expect(result.status).toBe(303);
    expect(result.headers.get("Location")).toBe(`/orders/${order.id}`);
  });

  it("gives the form back with the fields to fix (422) and sends nothing", async () => {
    const shop = await fakeShop({ catalog });
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit({ ...form, phone: "12345" })));
    expect(result.status).toBe(422);
    expect(result.data).toMatchObject({
      kind: "retry",
      errors: { phone: "請輸入 09 開頭的 10 位手機號碼" },
      values: { phone: "12345", name: " 王小明 " },
      snapshot: { checkoutToken: TOKEN, items: form.items, expectedTotal: "1280" },
    });
    expect(shop.apiCalls()).toHaveLength(0);
  });

  it("asks to confirm a changed total with a new token (409)", async () => {
    const shop = await fakeShop({
      catalog,
      api: () => apiError(409, "price_changed", "價格已更新", { currentTotal: 1380 }),
    });
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(409);
    expect(result.data).toMatchObject({ kind: "retry", newTotal: 1380, snapshot: { expectedTotal: "1380" } });
    expect(result.data.kind === "retry" && result.data.snapshot?.checkoutToken).not.toBe(TOKEN);
  });

  it("after a fee change, prices every method again from fresh copies and sends the chosen method's total", async () => {
    const site = { open: true, shipping: { home: { fee: 120, codSurcharge: 40 } } };
    const shop = await fakeShop({
      site,
      catalog,
      api: () => apiError(409, "price_changed", "價格已更新", { currentTotal: 1440 }),
    });
    const submitted = { ...form, expectedTotal: "credit:1380,atm:1380,cod:1410", paymentMethod: "cod" };
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(submitted)));
    expect(result.status).toBe(409);
    expect(result.data).toMatchObject({
      kind: "retry",
      newTotal: 1440,
      snapshot: { expectedTotal: "credit:1400,atm:1400,cod:1440" },
    });
    const sent = JSON.parse(shop.apiCalls()[0]!.body) as CreateOrderRequest;
    expect(sent.expectedTotal).toBe(1410);
  });

  it("says which product sold out and what is left, and sends the shopper back to the cart (409)", async () => {
    const shop = await fakeShop({
      catalog,
      api: () =>
        apiError(409, "sold_out", "「土鳳梨酥」已售完；「凍頂烏龍茶」庫存不足，只剩 1 件", {
          remaining: { "pineapple-cake": 0, "dongding-oolong": 1 },
        }),
    });
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(409);
    expect(result.data).toMatchObject({
      kind: "retry",
      message: "「土鳳梨酥」已售完；「凍頂烏龍茶」庫存不足，只剩 1 件。請回到購物車調整數量後再結帳。",
      snapshot: null,
      backToCart: true,
    });
  });

  it("keeps the same token when the API is unavailable, so pressing again cannot order twice (503)", async () => {
    const shop = await fakeShop({ catalog, api: () => new Response("busy", { status: 503 }) });
    const result = await answer<CheckoutActionData>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(503);
    expect(result.data).toMatchObject({ kind: "retry", snapshot: { checkoutToken: TOKEN } });
  });

  it("answers a closed shop with the closed page (503)", async () => {
    const shop = await fakeShop({ catalog, api: () => apiError(503, "site_closed", "盤點中，明天恢復營業。") });
    const result = await answer<{ reason: string; message: string }>(submitCheckout(shop.bff, submit(form)));
    expect(result.status).toBe(503);
    expect(result.data).toEqual({ reason: "closed", message: "盤點中，明天恢復營業。" });
  });

  it("refuses a post from another site (403) without calling the API", async () => {
    const shop = await fakeShop({ catalog, api: () => json({ order, payment }, { status: 201 }) });
    const result = await answer(submitCheckout(shop.bff, submit(form, { "Sec-Fetch-Site": "cross-site" })));
    expect(result.status).toBe(403);
    expect(shop.apiCalls()).toHaveLength(0);
  });
});
