/**
 * The scheduled reconciler under load and faults, through a local stack of this file's own (ECPay's callbacks are
 * dropped for the whole file, QueryTradeInfo goes through a fault proxy, the functions' DynamoDB calls through
 * another):
 *
 * - load: 150 card and ATM orders whose callbacks were all lost, half of them paid at ECPay; passes with the
 *   default budget of 60 ECPay calls take turns over them (never-asked orders first, then those asked longest ago),
 *   so after ⌈150 / 60⌉ = 3 passes every order was asked about and every paid one is paid, once;
 * - faults: ECPay going down in the middle of a pass (the pass keeps what it learnt, stops after three failures and
 *   changes nothing else; the next pass catches up), one QueryTradeInfo slower than the pass's 5 s timeout, and a
 *   DynamoDB write failing while a payment is recorded;
 * - bad input from "ECPay": answers forged (a paid reply without our keys' CheckMacValue), replayed (ECPay's genuine,
 *   signed reply about another trade) or garbled (an HTML error page with HTTP 200) never pay an order: each counts
 *   as a failed call, three in a row end the pass as `ecpay_unavailable`, and nothing changes.
 *
 * Figures (printed, never asserted): docs/reliability.md, "Lost callbacks".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dynamodbError,
  dynamodbInput,
  type FaultProxy,
  forDynamodb,
  routeStackThrough,
  startFaultProxy,
} from "../../local/faults";
import { runInFunction } from "../../local/lambda-runtime";
import { summariseEmf } from "../../local/metrics-view";
import { type LocalStack, localRuntime, startLocalStack } from "../../local/stack";
import { createOrderResponseSchema, type Order } from "../../src/contract";
import { orderKeyFromId } from "../../src/domain/order-id";
import { queryTradeInfo } from "../../src/ecpay";
import { ecpayMerchant } from "../../src/lib/config";
import { resetConfigCache } from "../../src/lib/config";
import { type PassSummary, reconcilePass } from "../../src/services/reconciler";
import { orderRequest } from "../support";
import { type ApiClient, apiClient, sandboxCheckout, sandboxConfig, sandboxPay } from "./support";

const RECONCILER = "shop-local-reconciler";

let stack: LocalStack;
let storefront: ApiClient;
let admin: ApiClient;
let ecpay: FaultProxy;
let routes: Awaited<ReturnType<typeof routeStackThrough>>;

beforeAll(async () => {
  stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0, lambda: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ecpaySuppressCallbacks: true,
    // The deployed budget (60 calls) and back-off; only the minimum age is waived so fresh orders count.
    functionEnv: { RECONCILE_MIN_AGE_MINUTES: "0", RECONCILE_QUERY_GAP_MS: "0" },
  });
  storefront = apiClient(stack, "storefront");
  admin = apiClient(stack, "admin");
  // QueryTradeInfo through a fault proxy; checkouts still go straight to the sandbox, as the shopper's browser does.
  ecpay = await startFaultProxy({ target: stack.ecpayUrl, classify: (r) => r.url.split("?")[0] ?? r.url });
  process.env.ECPAY_GATEWAY_URL = ecpay.url;
  resetConfigCache();
  routes = await routeStackThrough(stack);
});

afterAll(async () => {
  await routes?.close();
  await ecpay?.close();
  await stack?.close();
});

const QUERY = "/Cashier/QueryTradeInfo/V5";
const queries = () => (ecpay.counts[QUERY] ?? 0) + (ecpay.faulted[QUERY] ?? 0);

async function pass(): Promise<{ summary: PassSummary; ms: number; asked: number }> {
  const before = queries();
  const started = performance.now();
  const run = await localRuntime(stack).scheduler.invoke("ReconcilerFunction");
  expect(run.outcome, run.error).toBe("ok");
  return { summary: run.result as PassSummary, ms: performance.now() - started, asked: queries() - before };
}

/** Orders placed (in parallel batches), posted to ECPay, and paid there when `paid(i)`; no callback reaches the API. */
async function lostCallbackOrders(count: number, paid: (i: number) => boolean) {
  const placed: { order: Order; paid: boolean }[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - start) }, async (_, j) => {
        const i = start + j;
        const res = await storefront.post("/order", orderRequest({ paymentMethod: i % 4 === 0 ? "atm" : "credit" }));
        expect(res.status).toBe(201);
        const { order, payment } = createOrderResponseSchema.parse(res.body);
        await sandboxCheckout(stack.ecpayUrl, payment!.fields);
        if (paid(i)) await sandboxPay(stack.ecpayUrl, payment!.fields.MerchantTradeNo!);
        return { order, paid: paid(i) };
      }),
    );
    placed.push(...batch);
  }
  return placed;
}

async function statusOf(id: string): Promise<Order> {
  return (await admin.get(`/admin/orders/${id}`)).body.order as Order;
}

describe("a pass over many orders whose callbacks were lost", () => {
  it("takes turns within its ECPay budget: 150 orders, 3 passes of 60 calls, every paid one paid once", async () => {
    await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: true });
    const placed = await lostCallbackOrders(150, (i) => i % 2 === 0);
    const passes = [await pass(), await pass(), await pass()];
    expect(passes.map((p) => p.asked)).toEqual([60, 60, 60]);
    expect(passes.map((p) => p.summary.stopped)).toEqual(["query_budget", "query_budget", "query_budget"]);
    const paidIds = passes.flatMap((p) => p.summary.paid);
    expect(new Set(paidIds).size).toBe(paidIds.length);
    expect(paidIds.sort()).toEqual(
      placed
        .filter((p) => p.paid)
        .map((p) => p.order.id)
        .sort(),
    );
    for (const { order, paid } of placed) {
      const now = await statusOf(order.id);
      expect(now.status).toBe(paid ? "paid" : "created");
      expect(now.history.filter((h) => h.to === "paid")).toHaveLength(paid ? 1 : 0);
    }
    // Later passes keep asking about the 75 unpaid ones in turn (they are cancelled after 72 h), and pay nothing twice.
    const fourth = await pass();
    expect(fourth.summary.paid).toEqual([]);
    expect(fourth.asked).toBe(60);

    const docs = localRuntime(stack)
      .logs.lines(RECONCILER)
      .flatMap((l) => (l.json ? [l.json] : []));
    const rows = Object.fromEntries(summariseEmf(docs).map((r) => [`${r.name}|${r.dimensions}`, r.sum]));
    expect(rows["PaymentsFoundByReconciler|Env=local"]).toBe(75);
    expect(rows["ReconcilerQueries|Env=local"]).toBe(240);
    console.log(
      `[figures] lost callbacks: 150 orders (75 paid at ECPay); 3 passes of ${passes.map((p) => p.asked).join(" + ")} QueryTradeInfo calls took ${passes.map((p) => `${Math.round(p.ms)} ms`).join(", ")} and paid ${passes.map((p) => p.summary.paid.length).join(" + ")}; a 4th pass (nothing left to pay): ${fourth.asked} calls, ${Math.round(fourth.ms)} ms`,
    );
    // The owner cancels what was never paid, so the next tests start from a quiet shop.
    for (const { order, paid } of placed) {
      if (!paid)
        expect((await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled" })).status).toBe(200);
    }
  });
});

describe("a pass when things fail", () => {
  it("ECPay down in the middle of a pass: what was learnt is kept, nothing else changes, the next pass catches up", async () => {
    const placed = await lostCallbackOrders(10, () => true);
    // The 4th QueryTradeInfo and every one after it get no answer (connection dropped).
    let seen = 0;
    ecpay.failNext({
      match: (r) => r.url.startsWith(QUERY) && ++seen > 3,
      times: Number.POSITIVE_INFINITY,
      drop: true,
    });
    const down = await pass();
    ecpay.clearFaults();
    expect(down.summary.stopped).toBe("ecpay_unavailable");
    expect(down.asked).toBe(6); // three answered, then three failures in a row
    const answeredFirst = down.summary.paid;
    const stillOpen = [];
    for (const { order } of placed) {
      const now = await statusOf(order.id);
      if (answeredFirst.includes(order.id)) expect(now.status).toBe("paid");
      else {
        expect(now.status).toBe("created");
        stillOpen.push(order.id);
      }
    }
    expect(answeredFirst.length + stillOpen.length).toBe(10);
    expect(answeredFirst.length).toBeGreaterThan(0);

    const next = await pass();
    expect(next.summary.stopped).toBeUndefined();
    expect(next.summary.paid.sort()).toEqual(stillOpen.sort());
    for (const { order } of placed)
      expect((await statusOf(order.id)).history.filter((h) => h.to === "paid")).toHaveLength(1);
  });

  it("a QueryTradeInfo slower than the pass's 5 s timeout leaves that order for the next pass and settles the rest", async () => {
    const placed = await lostCallbackOrders(4, () => true);
    ecpay.failNext({ match: (r) => r.url.startsWith(QUERY), times: 1, delayMs: 6_000 });
    const slow = await pass();
    expect(slow.summary.stopped).toBeUndefined();
    expect(slow.summary.paid).toHaveLength(3);
    expect(slow.summary.unanswered).toBe(1);
    const next = await pass();
    expect([...slow.summary.paid, ...next.summary.paid].sort()).toEqual(placed.map((p) => p.order.id).sort());
  });

  it("a DynamoDB write failing while a payment is recorded: counted as our failure, the other orders paid, the next pass finishes", async () => {
    const placed = await lostCallbackOrders(3, () => true);
    const victim = placed[1]!.order.id;
    const key = orderKeyFromId(victim)!;
    routes.dynamodb.failNext({
      match: (r) =>
        forDynamodb("UpdateItem")(r) &&
        dynamodbInput(r)?.Key?.idsk?.N === String(key.idsk) &&
        dynamodbInput(r)?.ExpressionAttributeValues?.[":to"]?.S === "paid",
      times: 1,
      respond: dynamodbError("InternalFailure", "injected: the payment write failed"),
    });
    const hurt = await runInFunction(
      localRuntime(stack).logs,
      { functionName: RECONCILER, requestId: "fault-dynamodb" },
      () => reconcilePass(),
    );
    expect(hurt.internalErrors).toBe(1);
    expect(hurt.paid.sort()).toEqual(
      placed
        .map((p) => p.order.id)
        .filter((id) => id !== victim)
        .sort(),
    );
    expect((await statusOf(victim)).status).toBe("created");
    const failure = localRuntime(stack)
      .logs.lines(RECONCILER)
      .find((l) => l.requestId === "fault-dynamodb" && l.json?.ReconcilerFailures === 1);
    expect(failure?.json?.Kind).toBe("internal");

    expect((await pass()).summary.paid).toEqual([victim]);
    expect((await statusOf(victim)).history.filter((h) => h.to === "paid")).toHaveLength(1);
  });
});

describe("a pass fed bad answers", () => {
  it("forged, replayed and garbled QueryTradeInfo answers pay nothing: three failed calls end the pass, nothing changes", async () => {
    // Three orders posted to ECPay and never paid there, and one more paid there (and settled by the owner's
    // reconcile) whose genuine, signed QueryTradeInfo reply is then replayed as the answer about the others.
    const [genuine, ...unpaid] = await lostCallbackOrders(4, (i) => i === 0);
    const merchant = await ecpayMerchant();
    let signedReply = "";
    await queryTradeInfo({
      gatewayBaseUrl: stack.ecpayUrl,
      merchantId: merchant.merchantId,
      keys: merchant,
      merchantTradeNo: genuine!.order.payment!.merchantTradeNo,
      fetchImpl: async (url, init) => {
        const res = await fetch(url, init);
        signedReply = await res.text();
        return { ok: res.ok, status: res.status, text: async () => signedReply };
      },
    });
    expect(signedReply).toContain("TradeStatus=1");
    expect((await admin.post(`/admin/orders/${genuine!.order.id}/reconcile`, {})).status).toBe(200);
    expect((await statusOf(genuine!.order.id)).status).toBe("paid");
    const before = new Map<string, Order>();
    for (const { order } of unpaid) before.set(order.id, await statusOf(order.id));

    const answers = [
      // "Paid", for the right trade and amount, signed with a made-up CheckMacValue.
      (no: string, order: Order) =>
        `MerchantID=${merchant.merchantId}&MerchantTradeNo=${no}&PaymentDate=2026/11/28 00:31:10&PaymentType=Credit_CreditCard&TradeAmt=${order.total}&TradeNo=2611280031000001&TradeStatus=1&CheckMacValue=${"A1".repeat(32)}`,
      () => signedReply,
      () => "<html><body>502 Bad Gateway</body></html>",
    ];
    let served = 0;
    ecpay.failNext({
      match: (r) => r.url.startsWith(QUERY),
      times: Number.POSITIVE_INFINITY,
      respond: (r) => {
        const no = new URLSearchParams(r.body.toString("utf8")).get("MerchantTradeNo") ?? "";
        const order = unpaid.find((p) => p.order.payment?.merchantTradeNo === no)?.order;
        const body = answers[served++ % answers.length]!(no, order ?? genuine!.order);
        return { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: Buffer.from(body) };
      },
    });
    const mark = localRuntime(stack).logs.lines(RECONCILER).length;
    const fed = await pass();
    ecpay.clearFaults();
    expect(fed.asked).toBe(3);
    expect(fed.summary).toMatchObject({ stopped: "ecpay_unavailable", paid: [], cancelled: [], attention: [] });
    for (const { order } of unpaid) expect(await statusOf(order.id)).toEqual(before.get(order.id));
    const lines = localRuntime(stack)
      .logs.lines(RECONCILER)
      .slice(mark)
      .flatMap((l) => (l.json ? [l.json] : []));
    const failedCalls = lines.filter((l) => l.message === "reconciler: QueryTradeInfo failed").map((l) => l.code);
    expect(failedCalls.sort()).toEqual(["bad-mac", "malformed", "malformed"]);
    expect(lines.find((l) => l.message === "reconciler: pass did not finish its work")).toMatchObject({
      outcome: "ecpay_unavailable",
    });
    expect(lines.find((l) => l.ReconcilerFailures === 1)).toMatchObject({ Kind: "ecpay_unavailable" });

    // ECPay's true answers afterwards: still unpaid, so nothing is paid or cancelled (the age is days away).
    const honest = await pass();
    expect(honest.summary).toMatchObject({ paid: [], cancelled: [], attention: [] });
    expect(honest.summary.stopped).toBeUndefined();
    for (const { order } of unpaid) {
      expect((await statusOf(order.id)).status).toBe("created");
      expect((await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled" })).status).toBe(200);
    }
  });
});
