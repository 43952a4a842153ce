import { env as workerEnv } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../aws/src/contract";
import type { BffContext } from "./bff-context";
import {
  forgetOrderHeader,
  LOOKUP_MISS_RULE,
  lookupOrder,
  MAX_REMEMBERED_ORDERS,
  NOT_FOUND_MESSAGE,
  readRememberedOrders,
  rememberedOrder,
  rememberOrderHeader,
} from "./order-access.server";
import { json, type Reply, scriptedTransport, testEnv } from "./test/helpers";

const RATE_LIMIT_DB = (workerEnv as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;
const env = testEnv({ RATE_LIMIT_DB });

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
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

function setup(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  const bff: BffContext = { env, ctx: { waitUntil: () => {} }, fetch: transport.fetch, retryBaseDelayMs: 0 };
  const client = `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
  const request = () =>
    new Request("http://127.0.0.1:8788/orders", { method: "POST", headers: { "CF-Connecting-IP": client } });
  return { bff, calls: transport.calls, request };
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
      errors: { id: "訂單編號格式為 YYMMDD-NNNNN", phone: "請輸入 09 開頭的 10 位手機號碼" },
    });
    expect(await lookupOrder(bff, request(), {})).toMatchObject({
      kind: "invalid",
      errors: { id: "請填寫訂單編號", phone: "請填寫手機號碼" },
    });
    expect(calls).toHaveLength(0);
  });

  it("answers the same not-found for any miss, and after ten misses refuses even the right phone", async () => {
    const { bff, calls, request } = setup(notFound());
    for (let i = 0; i < LOOKUP_MISS_RULE.limit; i++) {
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
    expect(calls).toHaveLength(LOOKUP_MISS_RULE.limit);
  });

  it("does not count the API being down as a miss", async () => {
    const { bff, request } = setup(json({ error: { code: "internal_error", message: "boom" } }, { status: 500 }));
    for (let i = 0; i < LOOKUP_MISS_RULE.limit + 2; i++) {
      expect(await lookupOrder(bff, request(), { id: "261127-04831", phone: "0912345678" })).toMatchObject({
        kind: "failed",
      });
    }
  });

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
