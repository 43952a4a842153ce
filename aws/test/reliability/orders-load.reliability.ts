/**
 * Load held: 200 orders placed at once, then every one retried three times with its idempotency key, all at once;
 * and 200 more where each order's original and its three retries race each other (800 requests in flight).
 * Exactly 200 orders must be stored each time, under 200 distinct ids, every retry returning its original order.
 *
 * The local API runs every invocation in one Node process and enforces the functions' 10 s Timeout, so on a busy
 * machine (or against moto, a single-threaded DynamoDB) some of 800 concurrent requests time out (500), as an
 * overloaded Lambda would. Callers then do what a shopper does: repeat with the same idempotency key, backing off
 * (up to 10 times). The figures report how many 5xx were absorbed that way; the counts must hold regardless.
 *
 * Both run through the signed API and through the BFF (the storefront's checkout form, see placers.ts): there a
 * "retry" is the same form posted again, so the BFF must derive the same idempotency key from it.
 *
 * Stock is tracked on one product during the first runs (a count far above what is ordered): after the orders and
 * their 600 retries the count must have gone down by exactly the units ordered — no retry takes units twice, and none
 * is lost. Not in the races: there 400 requests at once write that one product's item, which dynalite (and DynamoDB,
 * per item) serialises; on this 2-core machine they outlast the functions' timeout and the retries pile up. Racing
 * copies of one order against a count are tested at a smaller scale in aws/test/stock.test.ts.
 *
 * Runs in `npm run test:reliability` (the shared stack and storefront from global-setup). Figures: docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CreateOrderRequest } from "../../src/contract";
import { orderRequest, setShipping, setStock, stockOf } from "../support";
import { apiOrderPlacer, bffOrderPlacer, type OrderPlacer, type PlacedOrder } from "./placers";
import { Shopper } from "./shopper";
import { countItems, eventually, ordersByPhone } from "./support";

const ORDERS = 200;
const RETRIES = 3;
/** A shopper's patience: repeated with backing off (0.2 s doubling to 3 s) until answered, at most this many times. */
const ATTEMPTS_ON_5XX = 10;

// Through the signed API, and through the storefront's checkout form (the BFF) when the suite started one.
const storefront = inject("storefront");
const placers: OrderPlacer[] = [
  apiOrderPlacer(inject("stack")),
  ...(storefront ? [bffOrderPlacer(storefront.url)] : []),
];

/** Places the order, repeating it with the same key after a 5xx (as the shopper's "try again" does). */
interface Seen {
  serverErrors: number;
  /** 5xx answers by body: API Gateway's for a function error or timeout, or our internal_error. */
  reasons: Record<string, number>;
}

async function placeUntilAnswered(placer: OrderPlacer, request: CreateOrderRequest, seen: Seen) {
  let answer: PlacedOrder = { status: 0 };
  for (let attempt = 1; attempt <= ATTEMPTS_ON_5XX; attempt++) {
    answer = await placer.place(request);
    if (answer.status < 500) return answer;
    seen.serverErrors += 1;
    const reason = `${answer.status} ${answer.reason ?? ""}`;
    seen.reasons[reason] = (seen.reasons[reason] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, 200 * 2 ** (attempt - 1))));
  }
  return answer;
}

/** The product whose stock is tracked during the runs, and the units a batch orders of it. */
const COUNTED = "dried-mango";
const STOCK = 100_000;
const unitsOf = (batch: CreateOrderRequest[]) =>
  batch.reduce((sum, r) => sum + r.items.filter((i) => i.productId === COUNTED).reduce((n, i) => n + i.quantity, 0), 0);

/**
 * Fees are set during the runs: every order carries its fee lines (a card or ATM order below the threshold pays the
 * delivery fee, a pay-on-arrival order also the surcharge), and through the BFF each form's total includes them.
 */
const FEES = { fee: 100, freeShippingThreshold: 1_500, codSurcharge: 30 };
let feesBefore: Awaited<ReturnType<typeof setShipping>>;
beforeAll(async () => {
  await setStock(COUNTED, STOCK);
  feesBefore = await setShipping({ home: FEES });
  // The storefront's copy of site.json is up to its TTL old: wait until its cart shows the fee, or every form rendered
  // before would (rightly) meet a price change.
  if (storefront) {
    const shopper = new Shopper(storefront.url);
    await shopper.addToCart("dongding-oolong", 1);
    await eventually(async () => ((await shopper.get("/cart")).text.includes("運費") ? true : undefined), 20_000, 250);
  }
}, 60_000);
afterAll(async () => {
  await setStock(COUNTED, null);
  await setShipping(feesBefore);
});

/** The fee lines an order of this subtotal and payment method must carry, as the owner set them. */
function expectFees(order: Record<string, any>) {
  const expected = [
    ...(order.subtotal >= FEES.freeShippingThreshold ? [] : [{ kind: "shipping", amount: FEES.fee }]),
    ...(order.paymentMethod === "cod" ? [{ kind: "cod_surcharge", amount: FEES.codSurcharge }] : []),
  ];
  expect((order.fees as { kind: string; amount: number }[]).map(({ kind, amount }) => ({ kind, amount }))).toEqual(
    expected,
  );
  expect(order.total).toBe(order.subtotal + expected.reduce((sum, fee) => sum + fee.amount, 0));
}

function requests(): CreateOrderRequest[] {
  // Mixed payment methods, one to three lines, every order with its own phone and key.
  return Array.from({ length: ORDERS }, (_, i) =>
    orderRequest({
      paymentMethod: (["credit", "atm", "cod"] as const)[i % 3],
      ...(i % 2 ? { items: [{ productId: "dried-mango", quantity: 1 + (i % 5) }] } : {}),
    }),
  );
}

describe.each(placers)("load through the $name", (placer) => {
  it(`stores exactly ${ORDERS} orders placed concurrently, and still ${ORDERS} after ${RETRIES} concurrent retries of each`, async () => {
    const stack = inject("stack");
    const before = await countItems(stack);
    const stockBefore = (await stockOf(COUNTED)) as number;
    const batch = requests();
    const seen: Seen = { serverErrors: 0, reasons: {} };

    const started = performance.now();
    const first = await Promise.all(batch.map((r) => placeUntilAnswered(placer, r, seen)));
    const firstMs = performance.now() - started;
    expect(first.filter((a) => a.status !== 201)).toEqual([]);
    const ids = first.map((a) => a.orderId);
    expect(new Set(ids).size).toBe(ORDERS);

    // Every request again, three times, all at once (a BFF or shopper repeating after a timeout).
    const retryStarted = performance.now();
    const retries = await Promise.all(
      batch.flatMap((r, i) =>
        Array.from({ length: RETRIES }, () => placeUntilAnswered(placer, r, seen).then((a) => ({ i, a }))),
      ),
    );
    const retryMs = performance.now() - retryStarted;
    expect(retries.filter(({ a }) => a.status !== 201)).toEqual([]);
    for (const { i, a } of retries) expect(a.orderId).toBe(ids[i]);

    const after = await countItems(stack);
    expect(after.orders - before.orders).toBe(ORDERS);
    expect(after.idempotency - before.idempotency).toBe(ORDERS);
    const stored = await ordersByPhone(stack, new Set(batch.map((r) => r.customer.phone)));
    expect(stored).toHaveLength(ORDERS);
    expect(new Set(stored.map((item) => item.id))).toEqual(new Set(ids));
    for (const order of stored) expectFees(order);
    expect(await stockOf(COUNTED)).toBe(stockBefore - unitsOf(batch));

    console.log(
      `[reliability] ${placer.name}: ${ORDERS} concurrent orders in ${Math.round(firstMs)} ms, ` +
        `${ORDERS * RETRIES} concurrent retries in ${Math.round(retryMs)} ms (${seen.serverErrors} 5xx absorbed by ` +
        `same-key retries ${JSON.stringify(seen.reasons)}); stored ${after.orders - before.orders} orders, ${new Set(ids).size} distinct ids, lost 0, doubled 0`,
    );
  });
});

describe.each(placers)("races through the $name", (placer) => {
  it(`stores exactly ${ORDERS} orders when each arrives ${1 + RETRIES} times at once (retries racing the original)`, async () => {
    const stack = inject("stack");
    const before = await countItems(stack);
    await setStock(COUNTED, null);
    const batch = requests();
    const seen: Seen = { serverErrors: 0, reasons: {} };
    const started = performance.now();
    const answers = await Promise.all(
      batch.flatMap((r, i) =>
        Array.from({ length: 1 + RETRIES }, () => placeUntilAnswered(placer, r, seen).then((a) => ({ i, a }))),
      ),
    );
    const ms = performance.now() - started;
    expect(answers.filter(({ a }) => a.status !== 201)).toEqual([]);
    const idsByRequest = new Map<number, Set<string | undefined>>();
    for (const { i, a } of answers) idsByRequest.set(i, (idsByRequest.get(i) ?? new Set()).add(a.orderId));
    for (const ids of idsByRequest.values()) expect(ids.size).toBe(1);
    const ids = new Set([...idsByRequest.values()].map((s) => [...s][0]));
    expect(ids.size).toBe(ORDERS);

    const after = await countItems(stack);
    expect(after.orders - before.orders).toBe(ORDERS);
    expect(after.idempotency - before.idempotency).toBe(ORDERS);
    console.log(
      `[reliability] ${placer.name}: ${ORDERS * (1 + RETRIES)} concurrent requests for ${ORDERS} orders in ` +
        `${Math.round(ms)} ms (${seen.serverErrors} 5xx absorbed by same-key retries ${JSON.stringify(seen.reasons)}) → ` +
        `${after.orders - before.orders} stored, ${ids.size} distinct ids`,
    );
  });
});

if (!storefront) {
  // RELIABILITY_STOREFRONT=0 runs the suite without the storefront.
  describe("load through the BFF checkout action", () => {
    it.skip(`${ORDERS} concurrent orders through the storefront checkout (storefront not started)`, () => {});
  });
}
