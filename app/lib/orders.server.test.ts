import { env as workerEnv } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../aws/src/contract";
import type { BffContext } from "../../worker/context";
import { MAX_REMEMBERED_ORDERS, readRememberedOrders } from "../../worker/cookies.server";
import {
  answer,
  type FakeShop,
  fakeShop,
  interleavedD1,
  json,
  type Reply,
  scriptedTransport,
  testEnv,
} from "../../worker/test/helpers";
import {
  forgetOrderHeader,
  LOOKUP_CLIENT_RULE,
  LOOKUP_PHONE_RULE,
  type LookupActionData,
  loadOrderPage,
  lookupOrder,
  NOT_FOUND_MESSAGE,
  type OrderPageData,
  type PayAgainActionData,
  payAgain,
  rememberedOrder,
  rememberOrderHeader,
  returnFromGateway,
  submitOrderLookup,
} from "./orders.server";

const RATE_LIMIT_DB = (workerEnv as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;
const env = testEnv({ RATE_LIMIT_DB });

beforeEach(async () => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  // Several tests look up the fixture's phone number: each starts its per-phone count from zero.
  await RATE_LIMIT_DB.prepare("DELETE FROM rate_limits WHERE name = ?1")
    .bind(LOOKUP_PHONE_RULE.name)
    .run()
    .catch(() => {});
});
afterEach(() => vi.restoreAllMocks());

const order: Order = {
  id: "261127-04831",
  status: "paid",
  createdAt: "2026-11-27T02:00:00.000Z",
  lines: [{ productId: "dongding-oolong", name: "凍頂烏龍茶", unitPrice: 450, quantity: 1, lineTotal: 450 }],
  total: 450,
  paymentMethod: "credit",
  customer: {
    name: "王小明",
    phone: "0912345678",
    email: "ming@example.tw",
    address: "100 臺北市中正區重慶南路一段 122 號",
  },
  history: [{ at: "2026-11-27T02:00:00.000Z", from: null, to: "created", by: "shopper" }],
};
const notFound = () => json({ error: { code: "not_found", message: "查無此訂單" } }, { status: 404 });

/** A random IPv6 /64 of the documentation prefix, so each test counts its own client. */
const randomNetwork = () => {
  const hextet = () => Math.floor(Math.random() * 0xffff).toString(16);
  return `2001:db8:${hextet()}:${hextet()}`;
};

/** A phone number of its own for each test (the per-phone counter is shared by the whole file). */
const randomPhone = () => `09${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

function setup(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  const background: Promise<unknown>[] = [];
  const bff: BffContext = {
    env,
    ctx: { waitUntil: (promise) => void background.push(promise) },
    fetch: transport.fetch,
    retryBaseDelayMs: 0,
  };
  const client = `${randomNetwork()}::1`;
  const request = (address = client) =>
    new Request("http://127.0.0.1:8788/orders", { method: "POST", headers: { "CF-Connecting-IP": address } });
  /** Waits for what the lookups left running (refunds of counted attempts). */
  const settled = () => Promise.all(background.splice(0));
  return { bff, calls: transport.calls, request, settled };
}

/** The next request from a browser that received `setCookie` (it replaces the whole cookie). */
function withCookie(setCookie: string): Request {
  return new Request("http://127.0.0.1:8788/orders/x", { headers: { Cookie: setCookie.split(";")[0]! } });
}

describe("remembered orders", () => {
  it("keeps the newest orders first, at most five, in a signed __Host- cookie", async () => {
    let request = new Request("http://127.0.0.1:8788/");
    for (let i = 1; i <= MAX_REMEMBERED_ORDERS + 2; i++) {
      const header = await rememberOrderHeader(env, request, { id: `261127-0000${i}`, phone: "0912345678" });
      expect(header).toMatch(/^__Host-orders=.*HttpOnly.*Secure.*SameSite=Lax/);
      request = withCookie(header);
    }
    const refs = await readRememberedOrders(env, request);
    expect(refs.map((r) => r.id)).toEqual([
      "261127-00007",
      "261127-00006",
      "261127-00005",
      "261127-00004",
      "261127-00003",
    ]);
    expect(await rememberedOrder(env, request, "261127-00005")).toEqual({ id: "261127-00005", phone: "0912345678" });
    expect(await rememberedOrder(env, request, "261127-00001")).toBeUndefined();

    // Remembering one again moves it to the front instead of duplicating it.
    const again = withCookie(await rememberOrderHeader(env, request, { id: "261127-00004", phone: "0912345678" }));
    expect((await readRememberedOrders(env, again)).map((r) => r.id)).toEqual([
      "261127-00004",
      "261127-00007",
      "261127-00006",
      "261127-00005",
      "261127-00003",
    ]);
    const forgotten = withCookie(await forgetOrderHeader(env, again, "261127-00006"));
    expect((await readRememberedOrders(env, forgotten)).map((r) => r.id)).not.toContain("261127-00006");
  });
});

describe("order lookup", () => {
  it("finds an order by id and phone as the shopper typed them", async () => {
    const { bff, calls, request } = setup(json({ order }));
    const outcome = await lookupOrder(bff, request(), { id: " 261127-04831 ", phone: "0912-345-678" });
    expect(outcome).toEqual({ kind: "found", order, ref: { id: "261127-04831", phone: "0912345678" } });
    expect(calls[0]!.url.searchParams.get("phone")).toBe("0912345678");
  });

  it("checks the format first, without asking the API or counting a miss", async () => {
    const { bff, calls, request } = setup(json({ order }));
    expect(await lookupOrder(bff, request(), { id: "4831", phone: "12345" })).toEqual({
      kind: "invalid",
      errors: { id: "訂單編號格式為 YYMMDD-NNNN-NNNN", phone: "請輸入 09 開頭的 10 位手機號碼" },
    });
    expect(await lookupOrder(bff, request(), {})).toMatchObject({
      kind: "invalid",
      errors: { id: "請填寫訂單編號", phone: "請填寫手機號碼" },
    });
    expect(calls).toHaveLength(0);
  });

  it("answers the same not-found for any miss, and after ten misses refuses even the right phone", async () => {
    const { bff, calls, request } = setup(notFound());
    for (let i = 0; i < LOOKUP_CLIENT_RULE.limit; i++) {
      expect(
        await lookupOrder(bff, request(), { id: "261127-04831", phone: `09000000${String(i).padStart(2, "0")}` }),
      ).toEqual({
        kind: "not_found",
        message: NOT_FOUND_MESSAGE,
      });
    }
    const refused = await lookupOrder(bff, request(), { id: "261127-04831", phone: "0912345678" });
    expect(refused).toMatchObject({
      kind: "throttled",
      message: "查詢失敗次數過多，為保護訂購人資料，請 15 分鐘後再試。",
    });
    expect(refused.kind === "throttled" && refused.retryAfterSeconds).toBeGreaterThan(890);
    // The refused attempt never reached the API.
    expect(calls).toHaveLength(LOOKUP_CLIENT_RULE.limit);
  });

  it("does not count the API being down as a miss", async () => {
    const { bff, request, settled } = setup(
      json({ error: { code: "internal_error", message: "boom" } }, { status: 500 }),
    );
    for (let i = 0; i < LOOKUP_CLIENT_RULE.limit + 2; i++) {
      expect(await lookupOrder(bff, request(), { id: "261127-04831", phone: "0912345678" })).toMatchObject({
        kind: "failed",
      });
      await settled();
    }
  });

  it("takes the id as typed on a phone: no dashes, spaces, full-width digits", async () => {
    const current: Order = { ...order, id: "261127-4831-0926" };
    for (const typed of [
      "26112748310926",
      "261127 4831 0926",
      "２６１１２７－４８３１－０９２６",
      "261127-4831-0926",
    ]) {
      const { bff, calls, request } = setup(json({ order: current }));
      expect(await lookupOrder(bff, request(), { id: typed, phone: "0912345678" }), typed).toMatchObject({
        kind: "found",
        ref: { id: "261127-4831-0926" },
      });
      expect(calls[0]!.url.searchParams.get("id")).toBe("261127-4831-0926");
    }
    const { bff, request } = setup(json({ order }));
    expect(await lookupOrder(bff, request(), { id: "26112704831", phone: "0912345678" })).toMatchObject({
      kind: "found",
      ref: { id: "261127-04831" },
    });
  });

  it("counts the addresses of one IPv6 /64 as one client: twelve misses from twelve of them end refused", async () => {
    const { bff, calls, request } = setup(notFound());
    const network = randomNetwork();
    const kinds: string[] = [];
    for (let host = 1; host <= 12; host++) {
      kinds.push((await lookupOrder(bff, request(`${network}::${host}`), { id: order.id, phone: randomPhone() })).kind);
    }
    expect(kinds).toEqual([...Array(10).fill("not_found"), "throttled", "throttled"]);
    expect(calls).toHaveLength(10);
  });

  it("refuses a phone number's eleventh guess in ten minutes, from anywhere: thirty guesses from thirty networks", async () => {
    const { bff, calls, request } = setup(notFound());
    const phone = randomPhone();
    const outcomes = [];
    for (let i = 0; i < 30; i++)
      outcomes.push(await lookupOrder(bff, request(`${randomNetwork()}::1`), { id: order.id, phone }));
    expect(outcomes.map((o) => o.kind)).toEqual([...Array(10).fill("not_found"), ...Array(20).fill("throttled")]);
    expect(calls).toHaveLength(LOOKUP_PHONE_RULE.limit);
    const last = outcomes.at(-1)!;
    expect(last.kind === "throttled" && last.retryAfterSeconds).toBeGreaterThan(590);
    expect(last.kind === "throttled" && last.retryAfterSeconds).toBeLessThanOrEqual(LOOKUP_PHONE_RULE.windowSeconds);
  });

  it("counts before it asks: of 20 guesses sent at once, however D1 interleaves them, at most 10 reach the API", async () => {
    const transport = scriptedTransport(notFound());
    const bff: BffContext = {
      env: testEnv({ RATE_LIMIT_DB: interleavedD1(RATE_LIMIT_DB, 20) }),
      ctx: { waitUntil: () => {} },
      fetch: transport.fetch,
      retryBaseDelayMs: 0,
    };
    const client = `${randomNetwork()}::1`;
    const request = () => new Request("http://127.0.0.1:8788/orders", { headers: { "CF-Connecting-IP": client } });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => lookupOrder(bff, request(), { id: order.id, phone: randomPhone() })),
    );
    expect(transport.calls.length).toBeLessThanOrEqual(LOOKUP_CLIENT_RULE.limit);
    expect(outcomes.filter((o) => o.kind === "not_found")).toHaveLength(transport.calls.length);
    expect(outcomes.filter((o) => o.kind === "throttled")).toHaveLength(20 - transport.calls.length);
  });

  it("does not count a found order: a shopper who looks up their own order again and again is never refused", async () => {
    const { bff, request, settled } = setup(json({ order }));
    // Each refund is written a moment after its lookup (REFUND_DELAY_MS): settled() waits for it, as a shopper would.
    for (let i = 0; i < LOOKUP_CLIENT_RULE.limit + 2; i++) {
      expect((await lookupOrder(bff, request(), { id: order.id, phone: "0912345678" })).kind).toBe("found");
      await settled();
    }
  }, 20_000);

  it("refuses to look up at all while the counter cannot be read", async () => {
    const broken = testEnv({
      RATE_LIMIT_DB: {
        prepare() {
          throw new Error("D1 is down");
        },
      },
    });
    const { calls, request } = setup(json({ order }));
    const bff: BffContext = { env: broken, ctx: { waitUntil: () => {} }, fetch: async () => json({ order }) };
    expect(await lookupOrder(bff, request(), { id: "261127-04831", phone: "0912345678" })).toEqual({
      kind: "failed",
      message: "訂單查詢暫時無法使用，請稍後再試。",
    });
    expect(calls).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The page functions, against a fake edge (the order API, cookies as a browser sends them back)

const SITE = "http://127.0.0.1:8788";
const unpaid: Order = { ...order, status: "created", payment: { merchantTradeNo: "L2611270483100" } };
const handoff = { action: "http://127.0.0.1:3002/Cashier/AioCheckOut/V5", fields: { MerchantTradeNo: "L2" } };

async function shopWith(api: (request: Request, body: string) => Response | Promise<Response>) {
  return fakeShop({ api, env: { RATE_LIMIT_DB } });
}
const remembered = async (shop: { bff: BffContext }, id = order.id) =>
  (await rememberOrderHeader(shop.bff.env, new Request(SITE), { id, phone: "0912345678" })).split(";")[0]!;
/** The order's page as a browser opens it: one that remembers the order (its cookie), or one that does not. */
async function openOrderPage(shop: FakeShop, { remembered: remembers = true } = {}) {
  const headers: Record<string, string> = remembers ? { Cookie: await remembered(shop) } : {};
  return answer<OrderPageData>(
    loadOrderPage(shop.bff, new Request(`${SITE}/orders/${order.id}`, { headers }), order.id),
  );
}
const lookupPost = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  new Request(`${SITE}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: SITE,
      "CF-Connecting-IP": crypto.randomUUID(),
      ...headers,
    },
    body: new URLSearchParams(fields),
  });

describe("the order page", () => {
  it("shows an order this browser remembers, fresh from the API, never cached", async () => {
    const shop = await shopWith(() => json({ order }));
    const page = await openOrderPage(shop);
    expect(page.data).toEqual({ kind: "order", order });
    expect(page.headers.get("Cache-Control")).toBe("private, no-store");
    expect(shop.apiCalls()[0]!.url.searchParams.get("phone")).toBe("0912345678");
  });

  it("opens an order this browser remembers while typed lookups for its phone are refused", async () => {
    const shop = await shopWith((request) => {
      const query = new URL(request.url).searchParams;
      return query.get("id") === order.id && query.get("phone") === "0912345678" ? json({ order }) : notFound();
    });
    // Someone else guesses with the shopper's phone until it is refused…
    for (let i = 0; i < LOOKUP_PHONE_RULE.limit + 1; i++) {
      await lookupOrder(shop.bff, new Request(SITE, { headers: { "CF-Connecting-IP": `${randomNetwork()}::1` } }), {
        id: `261127-${String(i).padStart(4, "0")}-0000`,
        phone: "0912345678",
      });
    }
    expect((await lookupOrder(shop.bff, new Request(SITE), { id: order.id, phone: "0912345678" })).kind).toBe(
      "throttled",
    );
    // …and the shopper's own browser still opens the order it remembers.
    const page = await openOrderPage(shop);
    expect(page.data).toEqual({ kind: "order", order });
  });

  it("asks for the phone number without a remembered order, and forgets one the API no longer finds", async () => {
    const shop = await shopWith(() => notFound());
    const ask = await openOrderPage(shop, { remembered: false });
    expect(ask.data).toEqual({ kind: "ask", orderId: order.id, message: null });
    expect(shop.apiCalls()).toHaveLength(0);

    const forgotten = await openOrderPage(shop);
    expect(forgotten.data.kind).toBe("ask");
    const browser = new Request(SITE, { headers: { Cookie: forgotten.headers.get("Set-Cookie")!.split(";")[0]! } });
    expect(await readRememberedOrders(shop.bff.env, browser)).toEqual([]);
  });

  it("answers 404 to an id that is not one, and 503 with Retry-After when the API is down", async () => {
    const shop = await shopWith(() => new Response("busy", { status: 503 }));
    expect((await answer(loadOrderPage(shop.bff, new Request(`${SITE}/orders/nope`), "nope"))).status).toBe(404);
    const down = await openOrderPage(shop);
    expect(down.status).toBe(503);
    expect(down.headers.get("Retry-After")).toBe("30");
  });
});

describe("the lookup form", () => {
  it("remembers a match and redirects to its page", async () => {
    const shop = await shopWith(() => json({ order }));
    const found = await answer(
      submitOrderLookup(shop.bff, lookupPost("/orders", { id: order.id, phone: "0912 345 678" })),
    );
    expect(found.status).toBe(303);
    expect(found.headers.get("Location")).toBe(`/orders/${order.id}`);
    const browser = new Request(SITE, { headers: { Cookie: found.headers.get("Set-Cookie")!.split(";")[0]! } });
    expect(await readRememberedOrders(shop.bff.env, browser)).toEqual([{ id: order.id, phone: "0912345678" }]);
  });

  it("marks the fields to fix (422), and says not found the same way for a wrong id or phone (404)", async () => {
    const shop = await shopWith(() => notFound());
    const invalid = await answer<LookupActionData>(
      submitOrderLookup(shop.bff, lookupPost("/orders", { id: "4831", phone: "0912345678" })),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.data.errors).toEqual({ id: "訂單編號格式為 YYMMDD-NNNN-NNNN" });
    expect(invalid.data.values).toEqual({ id: "4831", phone: "0912345678" });
    const missing = await answer<LookupActionData>(
      submitOrderLookup(shop.bff, lookupPost(`/orders/${order.id}`, { phone: "0912345678" }), order.id),
    );
    expect(missing).toMatchObject({ status: 404, data: { message: NOT_FOUND_MESSAGE } });
    expect(missing.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("refuses a post from another site (403) without asking the API", async () => {
    const shop = await shopWith(() => json({ order }));
    const refused = await answer(
      submitOrderLookup(shop.bff, lookupPost("/orders", { id: order.id, phone: "0912345678" }, { Origin: "null" })),
    );
    expect(refused.status).toBe(403);
    expect(shop.apiCalls()).toHaveLength(0);
  });
});

describe("paying again", () => {
  const pay = async (shop: { bff: BffContext }, cookie?: string) =>
    answer<PayAgainActionData>(
      payAgain(
        shop.bff,
        new Request(`${SITE}/orders/${order.id}/pay`, {
          method: "POST",
          headers: { Origin: SITE, ...(cookie ? { Cookie: cookie } : {}) },
        }),
        order.id,
      ),
    );

  it("hands off to ECPay with the new attempt for a remembered order", async () => {
    const shop = await shopWith(() => json({ order: unpaid, payment: handoff }));
    const result = await pay(shop, await remembered(shop));
    expect(result.data).toEqual({
      kind: "handoff",
      handoff: { orderId: order.id, paymentMethod: "credit", total: 450, ...handoff },
    });
    expect(JSON.parse(shop.apiCalls()[0]!.body)).toEqual({ id: order.id, phone: "0912345678" });
  });

  it("asks for the preview's own origin when paying again on a preview", async () => {
    const shop = await shopWith(() => json({ order: unpaid, payment: handoff }));
    const preview = "https://feature-x.taiwan-shop.pages.dev";
    await answer(
      payAgain(
        shop.bff,
        new Request(`${preview}/orders/${order.id}/pay`, {
          method: "POST",
          headers: { Origin: preview, Cookie: await remembered(shop) },
        }),
        order.id,
      ),
    );
    expect(JSON.parse(shop.apiCalls()[0]!.body)).toEqual({ id: order.id, phone: "0912345678", origin: preview });
  });

  it("goes back to the order page when there is nothing to pay or the order is not remembered", async () => {
    const shop = await shopWith(() => json({ order, payment: null }));
    for (const cookie of [await remembered(shop), undefined]) {
      const result = await pay(shop, cookie);
      expect(result.status).toBe(303);
      expect(result.headers.get("Location")).toBe(`/orders/${order.id}`);
    }
    expect(shop.apiCalls()).toHaveLength(1);
  });

  it("says why when the API cannot start an attempt (409 / 503)", async () => {
    const tooMany = await shopWith(() =>
      json({ error: { code: "conflict", message: "付款嘗試次數已達上限" } }, { status: 409 }),
    );
    expect(await pay(tooMany, await remembered(tooMany))).toMatchObject({
      status: 409,
      data: { kind: "failed", message: "付款嘗試次數已達上限" },
    });
    const down = await shopWith(() => new Response("busy", { status: 502 }));
    expect((await pay(down, await remembered(down))).status).toBe(503);
  });
});

describe("the return from ECPay", () => {
  it("turns the gateway's cross-site POST into a GET of the order page, reading nothing posted", () => {
    const back = returnFromGateway(order.id);
    expect(back.status).toBe(303);
    expect(back.headers.get("Location")).toBe(`/orders/${order.id}`);
    expect(() => returnFromGateway("../admin")).toThrow();
  });
});
