/**
 * The scheduled reconciler through a local stack of this file's own (its ECPay sandbox is told to drop callbacks or
 * to fail, which must not reach the shared stack): lost callbacks end paid after one pass, a pass racing duplicate
 * callbacks pays once, expired ATM orders and card orders unpaid too long are cancelled, ECPay down changes nothing
 * and the next pass catches up, and a pass is bounded. Passes run the way EventBridge runs them (a scheduled event
 * through the local scheduler or the local Lambda Invoke endpoint), and their metrics are read from the function's
 * local log group.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import { runInFunction } from "../local/lambda-runtime";
import { summariseEmf } from "../local/metrics-view";
import { type LocalStack, localRuntime, startLocalStack } from "../local/stack";
import { createOrderResponseSchema, type Order } from "../src/contract";
import { formatTaipeiDate, formatTaipeiDateTime } from "../src/ecpay";
import { recordPayment } from "../src/lib/orders-repo";
import { reconcileOrder } from "../src/services/admin-orders";
import { type PassSummary, reconcilePass } from "../src/services/reconciler";
import { retryPayment } from "../src/services/retry-payment";
import {
  type ApiClient,
  apiClient,
  documentClient,
  sandboxCheckout,
  sandboxConfig,
  sandboxPay,
} from "./reliability/support";
import { ecpayForm, orderRequest, paidNotification, storeAsLegacyOrder } from "./support";

const RECONCILER = "shop-local-reconciler";

let stack: LocalStack;
let storefront: ApiClient;
let admin: ApiClient;
let ecpay: ApiClient;

beforeAll(async () => {
  stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0, lambda: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ecpayRetryDelaysMs: [100, 200],
    // Passes run when a test says so (the default); attempts are old enough at once, ECPay is asked without pauses.
    functionEnv: { RECONCILE_MIN_AGE_MINUTES: "0", RECONCILE_QUERY_GAP_MS: "0", RECONCILE_MAX_QUERIES: "500" },
  });
  storefront = apiClient(stack, "storefront");
  admin = apiClient(stack, "admin");
  ecpay = apiClient(stack, "unsigned");
});

afterAll(async () => {
  await stack?.close();
});

afterEach(async () => {
  await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: false, queryOutage: "none" });
  process.env.RECONCILE_UNPAID_MAX_AGE_HOURS = "72";
  process.env.RECONCILE_MAX_QUERIES = "500";
});

/** One pass as EventBridge runs it: a scheduled event through the local scheduler; answers the pass's summary. */
async function scheduledPass(): Promise<PassSummary> {
  const run = await localRuntime(stack).scheduler.invoke("ReconcilerFunction");
  expect(run.outcome).toBe("ok");
  return run.result as PassSummary;
}

/** A pass called directly (for two at once), its output in the reconciler's log group like a scheduled one's. */
function directPass(options: Parameters<typeof reconcilePass>[0] = {}): Promise<PassSummary> {
  return runInFunction(localRuntime(stack).logs, { functionName: RECONCILER, requestId: randomUUID() }, () =>
    reconcilePass(options),
  );
}

/** Sums of the reconciler's metrics since `from` (an index into its log group), by `Name|dimensions`. */
function metricsSince(from: number): Record<string, number> {
  const docs = localRuntime(stack)
    .logs.lines(RECONCILER)
    .slice(from)
    .flatMap((line) => (line.json ? [line.json] : []));
  return Object.fromEntries(summariseEmf(docs).map((row) => [`${row.name}|${row.dimensions}`, row.sum]));
}
const logMark = () => localRuntime(stack).logs.lines(RECONCILER).length;

async function placeOrder(paymentMethod: "credit" | "atm") {
  const request = orderRequest({ paymentMethod });
  const res = await storefront.post("/order", request);
  expect(res.status).toBe(201);
  const { order, payment } = createOrderResponseSchema.parse(res.body);
  return {
    order,
    phone: request.customer.phone,
    fields: payment!.fields,
    merchantTradeNo: payment!.fields.MerchantTradeNo!,
  };
}

/** Placed, posted to ECPay and paid there, with every notification dropped on the way. */
async function paidWithCallbacksLost(paymentMethod: "credit" | "atm") {
  await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: true });
  const placed = await placeOrder(paymentMethod);
  await sandboxCheckout(stack.ecpayUrl, placed.fields);
  await sandboxPay(stack.ecpayUrl, placed.merchantTradeNo);
  return placed;
}

async function orderNow(id: string): Promise<Order> {
  const res = await admin.get(`/admin/orders/${id}`);
  expect(res.status).toBe(200);
  return res.body.order as Order;
}

async function sandboxTrade(merchantTradeNo: string) {
  const trades = (await (await fetch(`${stack.ecpayUrl}/__sandbox/trades`)).json()) as {
    merchantTradeNo: string;
    tradeNo: string;
    paymentType: string;
  }[];
  const trade = trades.find((t) => t.merchantTradeNo === merchantTradeNo);
  if (!trade) throw new Error(`no sandbox trade ${merchantTradeNo}`);
  return trade;
}

async function sandboxQueries(): Promise<number> {
  return ((await (await fetch(`${stack.ecpayUrl}/__sandbox/stats`)).json()) as { queries: number }).queries;
}

const paidEntries = (order: Order) => order.history.filter((h) => h.to === "paid");

describe("the reconciler with every ECPay callback lost", () => {
  it("pays card and ATM orders paid at ECPay after one pass, and a second pass changes nothing", async () => {
    const card = await paidWithCallbacksLost("credit");
    const atm = await paidWithCallbacksLost("atm");
    const delivered = (await (await fetch(`${stack.ecpayUrl}/__sandbox/deliveries`)).json()) as {
      merchantTradeNo: string;
    }[];
    expect(
      delivered.filter((d) => d.merchantTradeNo === card.merchantTradeNo || d.merchantTradeNo === atm.merchantTradeNo),
    ).toEqual([]);
    expect((await orderNow(card.order.id)).status).toBe("created");
    expect((await orderNow(atm.order.id)).status).toBe("created");

    const mark = logMark();
    const summary = await scheduledPass();
    expect(summary.paid).toEqual(expect.arrayContaining([card.order.id, atm.order.id]));
    for (const { order } of [card, atm]) {
      const now = await orderNow(order.id);
      expect(now.status).toBe("paid");
      expect(paidEntries(now)).toHaveLength(1);
      expect(now.history.at(-1)).toMatchObject({ from: "created", to: "paid", by: "reconciler" });
      expect(now.history.at(-1)?.note).toMatch(/^Paid per ECPay QueryTradeInfo/);
      expect(now.payment?.tradeNo).toBe((await sandboxTrade(order.payment!.merchantTradeNo)).tradeNo);
    }
    const metrics = metricsSince(mark);
    expect(metrics["PaymentsFoundByReconciler|Env=local"]).toBe(summary.paid.length);
    expect(metrics["PaymentsConfirmed|Env=local By=reconciler"]).toBe(summary.paid.length);
    expect(metrics["ReconcilerRuns|Env=local"]).toBe(1);
    expect(metrics["ReconcilerFailures|Env=local"]).toBeUndefined();

    const again = await scheduledPass();
    expect(again.paid).toEqual([]);
    for (const { order } of [card, atm]) expect((await orderNow(order.id)).history).toHaveLength(2);
  });

  it("one pass racing 20 duplicate callbacks pays once", async () => {
    const { order, merchantTradeNo } = await paidWithCallbacksLost("credit");
    const trade = await sandboxTrade(merchantTradeNo);
    const notification = ecpayForm(paidNotification(merchantTradeNo, order.total, { TradeNo: trade.tradeNo }));
    const mark = logMark();
    const [pass, ...answers] = await Promise.all([
      scheduledPass(),
      ...Array.from({ length: 20 }, () => ecpay.post("/ecpay", notification)),
    ]);
    expect(answers.map((a) => a.text)).toEqual(Array(20).fill("1|OK"));
    const now = await orderNow(order.id);
    expect(now.status).toBe("paid");
    expect(paidEntries(now)).toHaveLength(1);
    expect(now.history).toHaveLength(2);
    // Whoever won, the payment was counted once: by the pass or by one callback.
    const byPass = pass!.paid.includes(order.id) ? 1 : 0;
    expect(metricsSince(mark)["PaymentsConfirmed|Env=local By=reconciler"] ?? 0).toBe(byPass);
    const callbackLines = localRuntime(stack)
      .logs.lines("shop-local-ecpay-return")
      .filter((l) => l.json?.orderId === order.id && l.json?.PaymentsConfirmed !== undefined);
    expect(callbackLines.length + byPass).toBe(1);
  });

  it("two passes at once pay once", async () => {
    const { order } = await paidWithCallbacksLost("atm");
    const [a, b] = await Promise.all([directPass(), directPass()]);
    expect([...a.paid, ...b.paid].filter((id) => id === order.id)).toHaveLength(1);
    expect(paidEntries(await orderNow(order.id))).toHaveLength(1);
  });

  it("runs from the local Lambda Invoke endpoint with a real EventBridge scheduled event (npm run reconcile)", async () => {
    const { order } = await paidWithCallbacksLost("credit");
    const mark = logMark();
    const res = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/${RECONCILER}/invocations`, {
      method: "POST",
      body: "",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amz-function-error")).toBeNull();
    const summary = (await res.json()) as PassSummary;
    expect(summary.paid).toContain(order.id);
    const lines = localRuntime(stack).logs.lines(RECONCILER).slice(mark);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.json, line.line).toBeDefined();
      expect(line.json).toMatchObject({ requestId: line.requestId, route: `schedule ${RECONCILER}` });
    }
    expect(lines.find((l) => l.json?.orderId === order.id && l.json?.outcome === "paid")).toBeDefined();
    const unknown = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/shop-local-nothing/invocations`, {
      method: "POST",
      body: "",
    });
    expect(unknown.status).toBe(404);
  });
});

describe("the reconciler and orders stored before ids grew to eight digits", () => {
  it("finds a legacy five-digit card order and pays it when ECPay says its 15-character number was paid", async () => {
    const placed = await placeOrder("credit");
    const client = documentClient(stack);
    let legacy: Order;
    try {
      legacy = await storeAsLegacyOrder(client, stack.tableName, placed.order, placed.phone);
    } finally {
      client.destroy();
    }
    const legacyNo = legacy.payment!.merchantTradeNo;
    expect(legacyNo).toMatch(/^L\d{11}OLD$/);
    const { queryTrade } = await import("../src/services/ecpay-query");
    const summary = await directPass({
      query: async (no, at, timeoutMs) =>
        no === legacyNo
          ? {
              tradeStatus: "1",
              tradeAmt: legacy.total,
              tradeNo: "2611270000000099",
              paymentType: "Credit_CreditCard",
              paymentDate: formatTaipeiDateTime(at),
              merchantTradeNo: no,
              raw: {},
            }
          : queryTrade(no, at, timeoutMs),
    });
    expect(summary.paid).toContain(legacy.id);
    expect((await orderNow(legacy.id)).status).toBe("paid");
  });
});

describe("the reconciler cancelling what will never be paid", () => {
  it("cancels an ATM order past its transfer deadline", async () => {
    await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: true });
    const { order, fields, merchantTradeNo } = await placeOrder("atm");
    await sandboxCheckout(stack.ecpayUrl, fields);
    // The account was issued three days ago and its last day was yesterday (Taipei).
    const yesterday = formatTaipeiDate(new Date(Date.now() - 86_400_000));
    const info = ecpayForm({
      MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
      MerchantTradeNo: merchantTradeNo,
      StoreID: "",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: (await sandboxTrade(merchantTradeNo)).tradeNo,
      TradeAmt: String(order.total),
      PaymentType: "ATM_TAISHIN",
      TradeDate: formatTaipeiDateTime(new Date()),
      BankCode: "812",
      vAccount: "9103522850420637",
      ExpireDate: yesterday,
      CustomField1: "",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    });
    expect((await ecpay.post("/ecpay/payment-info", info)).text).toBe("1|OK");
    expect((await orderNow(order.id)).status).toBe("awaiting_payment");

    const mark = logMark();
    const summary = await scheduledPass();
    expect(summary.cancelled).toContain(order.id);
    const now = await orderNow(order.id);
    expect(now.status).toBe("cancelled");
    expect(now.history.at(-1)).toMatchObject({ from: "awaiting_payment", to: "cancelled", by: "reconciler" });
    expect(now.history.at(-1)?.note).toContain(yesterday);
    expect(metricsSince(mark)["ReconcilerCancellations|Env=local Reason=atm_expired"]).toBe(1);
  });

  it("cancels a card order left unpaid past the age, after which pay again refuses it", async () => {
    const { order, phone, fields } = await placeOrder("credit");
    await sandboxCheckout(stack.ecpayUrl, fields);
    // Still young: a pass asks, finds nothing paid and leaves it.
    expect((await scheduledPass()).cancelled).not.toContain(order.id);
    expect((await orderNow(order.id)).status).toBe("created");

    process.env.RECONCILE_UNPAID_MAX_AGE_HOURS = String(0.5 / 3600); // half a second
    await new Promise((resolve) => setTimeout(resolve, 600));
    const summary = await scheduledPass();
    expect(summary.cancelled).toContain(order.id);
    const now = await orderNow(order.id);
    expect(now.status).toBe("cancelled");
    expect(now.history.at(-1)).toMatchObject({ from: "created", to: "cancelled", by: "reconciler" });
    expect(now.history.at(-1)?.note).toMatch(/^Nothing paid at ECPay/);

    const again = await storefront.post("/order/payment", { id: order.id, phone });
    expect(again.status).toBe(200);
    expect(again.body.payment).toBeNull();
    expect(again.body.order.status).toBe("cancelled");
  });

  it("does not cancel an order whose shopper started paying again meanwhile", async () => {
    const { order, phone, fields } = await placeOrder("credit");
    await sandboxCheckout(stack.ecpayUrl, fields);
    process.env.RECONCILE_UNPAID_MAX_AGE_HOURS = String(0.5 / 3600);
    await new Promise((resolve) => setTimeout(resolve, 600));
    // The pass read the order on its first number; the shopper pays again before the pass writes.
    let retried = false;
    const summary = await directPass({
      query: async (no, at, timeoutMs) => {
        const { queryTrade } = await import("../src/services/ecpay-query");
        const answer = await queryTrade(no, at, timeoutMs);
        if (!retried) {
          retried = true;
          process.env.RECONCILE_UNPAID_MAX_AGE_HOURS = "72";
          const res = await storefront.post("/order/payment", { id: order.id, phone });
          expect(res.body.payment).not.toBeNull();
        }
        return answer;
      },
    });
    expect(summary.cancelled).not.toContain(order.id);
    const now = await orderNow(order.id);
    expect(now.status).toBe("created");
    expect(now.payment?.attempts).toEqual([fields.MerchantTradeNo]);
  });
});

describe("the reconciler when ECPay is down", () => {
  it("ends the pass cleanly, reports the failure, changes nothing; the next pass catches up", async () => {
    const card = await paidWithCallbacksLost("credit");
    const atm = await paidWithCallbacksLost("atm");
    await sandboxConfig(stack.ecpayUrl, { queryOutage: "unavailable" });
    const before = await sandboxQueries();
    const mark = logMark();
    const down = await scheduledPass();
    expect(down.stopped).toBe("ecpay_unavailable");
    expect(down.paid).toEqual([]);
    expect(down.cancelled).toEqual([]);
    // Three failures in a row end the pass: ECPay is not hammered.
    expect((await sandboxQueries()) - before).toBe(3);
    const metrics = metricsSince(mark);
    expect(metrics["ReconcilerFailures|Env=local Kind=ecpay_unavailable"]).toBe(1);
    expect(metrics["ReconcilerRuns|Env=local"]).toBe(1);
    for (const { order } of [card, atm]) expect((await orderNow(order.id)).status).toBe("created");

    await sandboxConfig(stack.ecpayUrl, { queryOutage: "none" });
    const next = await scheduledPass();
    expect(next.stopped).toBeUndefined();
    expect(next.paid).toEqual(expect.arrayContaining([card.order.id, atm.order.id]));
    for (const { order } of [card, atm]) expect((await orderNow(order.id)).status).toBe("paid");
  });

  it("stops asking for 30 minutes when ECPay answers HTTP 403 (too fast)", async () => {
    const { order } = await paidWithCallbacksLost("credit");
    await sandboxConfig(stack.ecpayUrl, { queryOutage: "rate-limited" });
    const mark = logMark();
    const limited = await scheduledPass();
    expect(limited.stopped).toBe("ecpay_rate_limited");
    expect(limited.queries).toBe(1);
    await sandboxConfig(stack.ecpayUrl, { queryOutage: "none" });
    const before = await sandboxQueries();
    const cooling = await scheduledPass();
    expect(cooling.stopped).toBe("cooling_down");
    expect(await sandboxQueries()).toBe(before);
    expect(metricsSince(mark)["ReconcilerFailures|Env=local Kind=ecpay_rate_limited"]).toBe(1);
    expect((await orderNow(order.id)).status).toBe("created");

    // Thirty minutes later (the back-off item gone) the next pass pays it.
    const client = documentClient(stack);
    try {
      await client.send(
        new DeleteCommand({ TableName: stack.tableName, Key: { ordertype: "ops#reconciler", idsk: 0 } }),
      );
    } finally {
      client.destroy();
    }
    expect((await scheduledPass()).paid).toContain(order.id);
  });

  it("makes at most the configured number of ECPay calls per pass", async () => {
    const placed = [
      await paidWithCallbacksLost("credit"),
      await paidWithCallbacksLost("credit"),
      await paidWithCallbacksLost("credit"),
    ];
    process.env.RECONCILE_MAX_QUERIES = "2";
    const before = await sandboxQueries();
    const first = await scheduledPass();
    expect(first.queries).toBe(2);
    expect(first.stopped).toBe("query_budget");
    expect((await sandboxQueries()) - before).toBe(2);
    expect(first.paid).toHaveLength(2);
    const second = await scheduledPass();
    expect(second.paid).toHaveLength(1);
    for (const { order } of placed) expect((await orderNow(order.id)).status).toBe("paid");
  });
});

describe("simulated payments", () => {
  it("in production, a trade a simulated ReturnURL recorded is never paid by the reconciler", async () => {
    const { order, merchantTradeNo } = await paidWithCallbacksLost("atm");
    const trade = await sandboxTrade(merchantTradeNo);
    // What the production ReturnURL handler does with SimulatePaid=1: record the trade, pay nothing.
    expect(
      await recordPayment(
        order.id,
        { tradeNo: trade.tradeNo, paymentType: trade.paymentType, simulated: true },
        "tradeNo",
      ),
    ).toBe(true);
    const mark = logMark();
    const prod = await directPass({ env: "prod" });
    expect(prod.attention).toContain(order.id);
    expect(prod.paid).not.toContain(order.id);
    expect((await orderNow(order.id)).status).toBe("created");
    expect(metricsSince(mark)["PaymentsNeedingAttention|Env=local Reason=simulated_in_production"]).toBe(1);
    // Later passes still ask and still refuse, but tell the owner nothing new (one alarm, not one per pass), even two at once.
    const later = await Promise.all([directPass({ env: "prod" }), directPass({ env: "prod" })]);
    for (const pass of later) expect(pass.attention).toContain(order.id);
    expect(metricsSince(mark)["PaymentsNeedingAttention|Env=local Reason=simulated_in_production"]).toBe(1);
    expect((await orderNow(order.id)).status).toBe("created");
    // Outside production the same answer pays it (that is how ATM is tested at ECPay's staging).
    expect((await directPass()).paid).toContain(order.id);
  });

  it("in production, neither the owner's reconcile nor pay again pays a trade a simulated ReturnURL recorded", async () => {
    // An ATM order "paid" with the back office's 模擬付款; no account reached the shop, so pay again is offered.
    await sandboxConfig(stack.ecpayUrl, { suppressCallbacks: true });
    const { order, merchantTradeNo, fields } = await placeOrder("atm");
    await sandboxCheckout(stack.ecpayUrl, fields);
    const trade = await sandboxTrade(merchantTradeNo);
    expect((await fetch(`${stack.ecpayUrl}/Payment/${trade.tradeNo}/simulate`, { method: "POST" })).status).toBe(200);
    // What the production ReturnURL handler does with SimulatePaid=1: record the trade, pay nothing.
    // (QueryTradeInfo's reply carries no SimulatePaid: it reports that trade as plainly paid.)
    expect(
      await recordPayment(
        order.id,
        { tradeNo: trade.tradeNo, paymentType: trade.paymentType, simulated: true },
        "tradeNo",
      ),
    ).toBe(true);

    const reconciled = await reconcileOrder(order.id, new Date(), "prod");
    expect(reconciled.outcome).toMatch(/simulated payment \(模擬付款/);
    expect((await orderNow(order.id)).status).toBe("created");

    const again = await retryPayment(await orderNow(order.id), new Date(), "prod");
    expect(again.payable).toBe(true);
    expect(again.order.status).toBe("created");
    expect(again.order.payment?.merchantTradeNo).not.toBe(merchantTradeNo);
    expect(again.order.payment?.attempts).toContain(merchantTradeNo);
    expect(paidEntries(await orderNow(order.id))).toHaveLength(0);
    // …and the scheduled reconciler, asking about the earlier attempt too, flags it rather than paying.
    expect((await directPass({ env: "prod" })).attention).toContain(order.id);
    expect((await orderNow(order.id)).status).toBe("created");

    // Outside production the same answers pay (that is how ATM is tested at ECPay's staging).
    expect((await reconcileOrder(order.id, new Date(), "stag")).order.status).toBe("created"); // the new attempt: unpaid
    expect((await directPass()).paid).toContain(order.id);
    expect((await orderNow(order.id)).status).toBe("paid");
  });
});
