/**
 * Stock that never oversells, through the local stack (the real handlers on dynalite, or moto in CI): concurrent
 * orders against a count, cancellations giving units back exactly once, replays taking nothing, the owner's
 * conditional edit, and the outbox worker settling what a stopped request or path left behind.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderKeyFromId } from "../src/domain/order-id";
import { changeStatus } from "../src/lib/orders-repo";
import { holdStock, stockKey } from "../src/lib/stock-repo";
import { checkHolds } from "../src/services/stock";
import {
  admin,
  dynamoClient,
  idempotencyKey,
  orderRequest,
  setStock,
  stack,
  stockOf,
  storefront,
  useStackEnvironment,
} from "./support";

/**
 * 200 orders for 50 units on dynalite (`npm test`). Against another DynamoDB (CI's moto, which serves one request at a
 * time at ~10 ms each) a fifth of it, with the same proportions: 200 orders there outlast the functions' timeout
 * hundreds of times and the run by minutes, and serial moto proves no more about atomicity than 40 orders do.
 */
const LOAD = process.env.TEST_DYNAMODB_ENDPOINT
  ? { orders: 40, stock: 10, cancel: 2, more: 6, racing: 10 }
  : { orders: 200, stock: 50, cancel: 10, more: 30, racing: 40 };

const PRODUCT = "pineapple-cake";
const OTHER = "dongding-oolong";

async function orderItem(id: string) {
  const result = await dynamoClient().send(
    new GetCommand({ TableName: stack().tableName, Key: orderKeyFromId(id)!, ConsistentRead: true }),
  );
  return result.Item as { stockHeld?: Record<string, number>; stockState?: string } | undefined;
}

async function stockItem(productId: string) {
  const result = await dynamoClient().send(
    new GetCommand({ TableName: stack().tableName, Key: stockKey(productId), ConsistentRead: true }),
  );
  return result.Item as
    | { stock?: number; holds?: Record<string, { q: number; o: string; a: string; t: number }> }
    | undefined;
}

/**
 * As a shopper (or the BFF) does after a 5xx: the same request again, with backing off. Under load against moto (one
 * request at a time) some of 200 concurrent orders outlast the function's 10 s timeout; a timed-out request may still
 * have taken its units, which its retry must then find rather than take again.
 */
async function placeUntilAnswered(request: ReturnType<typeof one>, seen: Record<number, number> = {}) {
  let answer = await storefront.post("/order", request);
  for (let attempt = 1; answer.status >= 500 && attempt < 12; attempt++) {
    seen[answer.status] = (seen[answer.status] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, 200 * 2 ** attempt)));
    answer = await storefront.post("/order", request);
  }
  return answer;
}

const one = (productId = PRODUCT, quantity = 1) =>
  orderRequest({ paymentMethod: "cod", items: [{ productId, quantity }] });

beforeAll(() => useStackEnvironment());
afterAll(async () => {
  await setStock(PRODUCT, null);
  await setStock(OTHER, null);
});

describe(`${LOAD.orders} concurrent orders for ${LOAD.stock} in stock`, () => {
  it(`makes exactly ${LOAD.stock} orders, refuses the rest with a 409 naming the product, never goes below zero; cancelling ${LOAD.cancel} makes exactly ${LOAD.cancel} orderable`, {
    timeout: 120_000,
  }, async () => {
    await setStock(PRODUCT, LOAD.stock);
    const requests = Array.from({ length: LOAD.orders }, () => one());
    const serverErrors: Record<number, number> = {};
    const answers = await Promise.all(requests.map((r) => placeUntilAnswered(r, serverErrors)));
    if (Object.keys(serverErrors).length > 0)
      console.log(`[stock] 5xx absorbed by same-key retries: ${JSON.stringify(serverErrors)}`);

    const placed = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(placed).toHaveLength(LOAD.stock);
    expect(refused).toHaveLength(LOAD.orders - LOAD.stock);
    for (const answer of refused) {
      expect(answer.body.error).toMatchObject({ code: "sold_out", remaining: { [PRODUCT]: 0 } });
      expect(answer.body.error.message).toContain("土鳳梨酥");
      expect(answer.body.error.fields).toEqual({ [`items.${PRODUCT}`]: "已售完" });
    }
    expect(await stockOf(PRODUCT)).toBe(0);
    const item = await stockItem(PRODUCT);
    // Each written order records the unit it holds; no hold of these requests is left on the product's item.
    const ours = new Set(requests.map((r) => r.idempotencyKey));
    expect(Object.keys(item?.holds ?? {}).filter((key) => ours.has(key))).toEqual([]);
    for (const answer of placed) expect((await orderItem(answer.body.order.id))?.stockHeld).toEqual({ [PRODUCT]: 1 });

    // Replays of every placed order, all at once, take nothing.
    const placedRequests = requests.filter((_, i) => answers[i]!.status === 201);
    const replays = await Promise.all(placedRequests.map((r) => placeUntilAnswered(r)));
    expect(replays.map((a) => a.status)).toEqual(Array(LOAD.stock).fill(201));
    expect(replays.map((a) => a.body.order.id)).toEqual(placed.map((a) => a.body.order.id));
    expect(await stockOf(PRODUCT)).toBe(0);

    // The owner cancels some (each cancel sent twice at once): exactly that many units come back.
    const cancelled = placed.slice(0, LOAD.cancel).map((a) => a.body.order.id as string);
    const cancels = await Promise.all(
      cancelled.flatMap((id) =>
        [1, 2].map(() => admin.post(`/admin/orders/${id}/transition`, { to: "cancelled", note: "測試取消" })),
      ),
    );
    expect(cancels.map((a) => a.status)).toEqual(Array(2 * LOAD.cancel).fill(200));
    expect(await stockOf(PRODUCT)).toBe(LOAD.cancel);

    // More shoppers at once: exactly as many as were cancelled get one.
    const second = await Promise.all(Array.from({ length: LOAD.more }, () => placeUntilAnswered(one())));
    expect(second.filter((a) => a.status === 201)).toHaveLength(LOAD.cancel);
    expect(second.filter((a) => a.status === 409)).toHaveLength(LOAD.more - LOAD.cancel);
    expect(await stockOf(PRODUCT)).toBe(0);

    // Cancelling an already cancelled order again gives nothing back twice.
    await admin.post(`/admin/orders/${cancelled[0]}/transition`, { to: "cancelled" });
    expect(await stockOf(PRODUCT)).toBe(0);
  });
});

describe("copies of each order racing each other for a count", () => {
  it(`${LOAD.racing} orders sent 4 times each at once for ${LOAD.racing / 2} units: never two orders for one request, ${LOAD.racing / 2} orders, each unit taken once`, {
    timeout: 120_000,
  }, async () => {
    await setStock(PRODUCT, LOAD.racing / 2);
    const requests = Array.from({ length: LOAD.racing }, () => one());
    const answers = await Promise.all(
      requests.flatMap((r, i) => [1, 2, 3, 4].map(() => placeUntilAnswered(r).then((a) => ({ i, a })))),
    );
    const ordersByRequest = new Map<number, Set<string>>();
    for (const { i, a } of answers) {
      expect([201, 409]).toContain(a.status);
      if (a.status === 201) ordersByRequest.set(i, (ordersByRequest.get(i) ?? new Set()).add(a.body.order.id));
    }
    // Never two orders for one request, and exactly as many orders as units. (A copy may still be told "sold out"
    // while another copy of the same request got the last unit: each answer was true when given.)
    for (const ids of ordersByRequest.values()) expect(ids.size).toBe(1);
    expect(ordersByRequest.size).toBe(LOAD.racing / 2);
    expect(await stockOf(PRODUCT)).toBe(0);
  });
});

describe("a multi-line order that cannot be had in full", () => {
  it("fails whole, names what is short and how many are left, and keeps nothing reserved", async () => {
    await setStock(PRODUCT, 5);
    await setStock(OTHER, 2);
    const request = orderRequest({
      paymentMethod: "credit",
      items: [
        { productId: PRODUCT, quantity: 3 },
        { productId: OTHER, quantity: 3 },
      ],
    });
    const res = await storefront.post("/order", request);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("sold_out");
    expect(res.body.error.message).toBe("「凍頂烏龍茶 150g」庫存不足，只剩 2 件");
    expect(res.body.error.remaining).toEqual({ [OTHER]: 2 });
    expect(await stockOf(PRODUCT)).toBe(5);
    expect(await stockOf(OTHER)).toBe(2);
    expect((await stockItem(PRODUCT))?.holds?.[request.idempotencyKey]).toBeUndefined();

    // The same form, retried after the owner restocked: now it goes through, taking each unit once.
    await setStock(OTHER, 10);
    const again = await storefront.post("/order", request);
    expect(again.status).toBe(201);
    expect(await stockOf(PRODUCT)).toBe(2);
    expect(await stockOf(OTHER)).toBe(7);
    expect((await storefront.post("/order", request)).body.order.id).toBe(again.body.order.id);
    expect(await stockOf(OTHER)).toBe(7);
  });

  it("lets untracked products through beside tracked ones", async () => {
    await setStock(PRODUCT, 1);
    await setStock(OTHER, null);
    const res = await storefront.post(
      "/order",
      orderRequest({
        items: [
          { productId: PRODUCT, quantity: 1 },
          { productId: OTHER, quantity: 50 },
        ],
      }),
    );
    expect(res.status).toBe(201);
    expect(await stockOf(PRODUCT)).toBe(0);
    expect(await stockOf(OTHER)).toBeNull();
  });
});

describe("the owner's stock edit", () => {
  it("is conditional on the count the page showed: of two tabs, the second is refused with the count now", async () => {
    await setStock(PRODUCT, 10);
    const tabA = await admin.put(`/admin/stock/${PRODUCT}`, { stock: 15, expected: 10 });
    const tabB = await admin.put(`/admin/stock/${PRODUCT}`, { stock: 12, expected: 10 });
    expect(tabA).toMatchObject({ status: 200, body: { productId: PRODUCT, stock: 15 } });
    expect(tabB.status).toBe(409);
    expect(tabB.body.error).toMatchObject({ code: "conflict", currentStock: 15 });
    expect(await stockOf(PRODUCT)).toBe(15);

    // A sale between showing the page and saving is not overwritten either.
    await storefront.post("/order", one(PRODUCT, 2));
    const stale = await admin.put(`/admin/stock/${PRODUCT}`, { stock: 20, expected: 15 });
    expect(stale.body.error).toMatchObject({ code: "conflict", currentStock: 13 });
  });

  it("stops and starts tracking, and refuses bad counts with a reason and nothing written", async () => {
    await setStock(PRODUCT, 3);
    expect((await admin.put(`/admin/stock/${PRODUCT}`, { stock: null, expected: 3 })).status).toBe(200);
    expect(await stockOf(PRODUCT)).toBeNull();
    for (const body of [
      { stock: -1, expected: null },
      { stock: 1.5, expected: null },
      { stock: 1_000_001, expected: null },
      { stock: "7", expected: null },
      { stock: 5 },
    ]) {
      const res = await admin.put(`/admin/stock/${PRODUCT}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields).toBeDefined();
    }
    expect((await admin.put("/admin/stock/no-such-product", { stock: 1, expected: null })).status).toBe(404);
    expect((await admin.put("/admin/stock/Bad_Id", { stock: 1, expected: null })).status).toBe(400);
    expect(await stockOf(PRODUCT)).toBeNull();
    expect((await storefront.get("/stock")).body.stock[PRODUCT]).toBeUndefined();
  });
});

describe("what a stopped request or path leaves behind", () => {
  it("gives back the units of a cancelled order whose canceller stopped before releasing them (the outbox worker does it, once)", async () => {
    await setStock(PRODUCT, 4);
    const res = await storefront.post("/order", one(PRODUCT, 3));
    expect(await stockOf(PRODUCT)).toBe(1);
    // The status change alone, as a path that stopped right after it would leave it (it queues the email).
    const changed = await changeStatus(res.body.order.id, {
      from: "created",
      to: "cancelled",
      by: "reconciler",
      note: "expired",
    });
    expect(changed?.status).toBe("cancelled");
    await expectEventually(async () => (await stockOf(PRODUCT)) === 4);
    expect((await orderItem(res.body.order.id))?.stockState).toBe("released");
    // Asking again (the owner's cancel, the worker's checks) gives nothing back twice.
    expect((await admin.post(`/admin/orders/${res.body.order.id}/transition`, { to: "cancelled" })).status).toBe(200);
    await checkHolds(PRODUCT, Date.now() + 30 * 60 * 1000);
    expect(await stockOf(PRODUCT)).toBe(4);
  });

  it("releases units held for an order that was never written, once its grace is over, unless a retry confirmed them", async () => {
    await setStock(PRODUCT, 5);
    const orphan = idempotencyKey();
    const retried = idempotencyKey();
    const taken = Date.now();
    expect(await holdStock(PRODUCT, orphan, "hash-1", 2, "261201-00001", "attempt-1", taken)).toEqual({
      kind: "reserved",
    });
    expect(await holdStock(PRODUCT, retried, "hash-2", 1, "261201-00002", "attempt-2", taken)).toEqual({
      kind: "reserved",
    });
    expect(await stockOf(PRODUCT)).toBe(2);

    // Within the grace nothing moves.
    expect((await checkHolds(PRODUCT, taken + 60_000)).released).toBe(0);
    // The second request's retry comes back later and confirms its hold (a new attempt), so the sweep keeps it.
    expect(await holdStock(PRODUCT, retried, "hash-2", 1, "261201-00002", "attempt-3", taken + 20 * 60_000)).toEqual({
      kind: "already",
    });
    // The same key with another body never shares (or re-stamps) that hold.
    expect(
      await holdStock(PRODUCT, retried, "another-body", 1, "261201-00003", "attempt-4", taken + 20 * 60_000),
    ).toEqual({ kind: "mismatch" });
    const later = await checkHolds(PRODUCT, taken + 20 * 60_000);
    expect(later.released).toBe(1);
    expect(await stockOf(PRODUCT)).toBe(4);
    const holds = (await stockItem(PRODUCT))?.holds ?? {};
    expect(holds[orphan]).toBeUndefined();
    expect(holds[retried]).toMatchObject({ q: 1, a: "attempt-3" });
  });

  it("answers the storefront's stock read with tracked products only", async () => {
    await setStock(PRODUCT, 7);
    await setStock(OTHER, null);
    const res = await storefront.get("/stock");
    expect(res.status).toBe(200);
    expect(res.body.stock[PRODUCT]).toBe(7);
    expect(OTHER in res.body.stock).toBe(false);
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("not within the time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
