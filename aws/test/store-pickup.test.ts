/**
 * Store pickup end to end through the local stack and the ECPay Logistics stand-in (ADR 0027): the store map, the
 * owner's shipments (single, repeated, bulk), the slip, and ECPay's status notifications moving the order —
 * arrived, picked up (pay on pickup: paid), not collected and returned (cancelled, stock back) — applied once each,
 * in any order; the "arrived, pick up by …" email sent once however often ECPay repeats the notification; the owner's
 * "check now" (ECPay's query) when the notifications stall; forged, foreign or SHA256-signed notifications refused
 * with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order, SiteStatus } from "../src/contract";
import { LOGISTICS_MAC, checkMacValue, parseFormBody } from "../src/ecpay";
import { LOGISTICS_STAGE_MERCHANTS } from "../src/ecpay/logistics";
import {
  admin,
  logisticsNotificationFields,
  eventually,
  mailTo,
  sleep,
  orderRequest,
  patchSite,
  setStock,
  stack,
  stockOf,
  storefront,
  uniqueEmail,
  unsigned,
} from "./support";

const { B2C, C2C } = LOGISTICS_STAGE_MERCHANTS;
const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
let before: SiteStatus;

beforeAll(async () => {
  before = await patchSite({
    pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } },
    einvoice: false,
  });
});
afterAll(async () => {
  await patchSite({ pickup: before.pickup ?? null, einvoice: before.einvoice ?? false });
});

async function pickupOrder(overrides: Parameters<typeof orderRequest>[0] = {}): Promise<Order> {
  const res = await storefront.post(
    "/order",
    orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod", ...overrides }),
  );
  expect(res.status, res.text).toBe(201);
  return res.body.order;
}

const getOrder = async (id: string): Promise<Order> => (await admin.get(`/admin/orders/${id}`)).body.order;

async function hook(order: Order, action: "advance" | "return" | "resend" | "status", body?: unknown): Promise<any> {
  const res = await fetch(`${stack().ecpayUrl}/__sandbox/logistics/${order.logistics?.allPayLogisticsId}/${action}`, {
    method: "POST",
    ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function ship(order: Order): Promise<Order> {
  const res = await admin.post("/admin/shipments", { ids: [order.id] });
  expect(res.status, res.text).toBe(200);
  expect(res.body.results[0], JSON.stringify(res.body)).toMatchObject({ id: order.id, ok: true });
  return res.body.results[0].order;
}

describe("the store map", () => {
  it("is a signed form for the chain's subtype that posts the store back to the storefront with the checkout's token", async () => {
    const res = await storefront.post("/cvs/map", { chain: "unimart", payOnPickup: true, token: "tok_abcdefgh" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.action).toBe(`${stack().ecpayUrl}/Express/map`);
    expect(res.body.fields).toMatchObject({
      MerchantID: C2C.merchantId,
      LogisticsSubType: "UNIMARTC2C",
      IsCollection: "Y",
      ExtraData: "tok_abcdefgh",
    });
    expect(res.body.fields.ServerReplyURL).toBe("http://127.0.0.1:8788/checkout/store");
    const map = await fetch(res.body.action, { method: "POST", body: new URLSearchParams(res.body.fields) });
    const page = await map.text();
    expect(map.status).toBe(200);
    expect(page).toContain('value="131386"');
    expect(page).toContain('value="tok_abcdefgh"');
  });

  it("refuses a chain the account does not carry, and a token that is not one", async () => {
    await patchSite({ pickup: { account: "B2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
    try {
      expect(
        (await storefront.post("/cvs/map", { chain: "okmart", payOnPickup: false, token: "tok_abcdefgh" })).status,
      ).toBe(400);
    } finally {
      await patchSite({ pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
    }
    expect(
      (await storefront.post("/cvs/map", { chain: "unimart", payOnPickup: false, token: "<script>" })).status,
    ).toBe(400);
  });
});

describe("pay on pickup, from the shipment to picked up", () => {
  let order: Order;

  it("the owner creates the shipment: shipped, with ECPay's id and the slip's numbers; a second click changes nothing", async () => {
    order = await ship(await pickupOrder());
    expect(order.status).toBe("shipped");
    expect(order.logistics).toMatchObject({
      state: "created",
      subType: "UNIMARTC2C",
      collect: true,
      goodsAmount: order.total,
      stage: "created",
    });
    expect(order.logistics?.cvsPaymentNo).toMatch(/^G\d{7}$/);
    expect(order.shipment).toMatchObject({ carrier: "unimart" });
    const again = await ship(order);
    expect(again.history).toHaveLength(order.history.length);
    const sandboxShipments = (await (await fetch(`${stack().ecpayUrl}/__sandbox/logistics`)).json()) as {
      merchantTradeNo: string;
      collectionAmount: number;
    }[];
    const mine = sandboxShipments.filter((s) => s.merchantTradeNo === order.logistics?.merchantTradeNo);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.collectionAmount).toBe(order.total);
  });

  it("prints the slip", async () => {
    const res = await admin.post("/admin/shipments/print", { ids: [order.id] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.action).toBe(`${stack().ecpayUrl}/Express/PrintUniMartC2COrderInfo`);
    const page = await (
      await fetch(res.body.action, { method: "POST", body: new URLSearchParams(res.body.fields) })
    ).text();
    expect(page).toContain(`data-logistics-id="${order.logistics?.allPayLogisticsId}"`);
  });

  it("ECPay's notifications move it: dropped off, at the DC, arrived (pick up by…), picked up and paid", async () => {
    for (const code of ["2068", "2030"]) {
      const r = await hook(order, "advance");
      expect(r.delivery).toMatchObject({ acknowledged: true, body: "1|OK" });
      expect(r.shipment.status).toBe(code);
    }
    expect((await getOrder(order.id)).logistics?.stage).toBe("in_transit");
    await hook(order, "advance");
    const arrived = await getOrder(order.id);
    expect(arrived.logistics).toMatchObject({ stage: "at_store", statusCode: "2073" });
    expect(arrived.logistics?.pickupBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(arrived.status).toBe("shipped");
    const r = await hook(order, "advance");
    expect(r.delivery.acknowledged).toBe(true);
    const picked = await getOrder(order.id);
    expect(picked.status).toBe("paid");
    expect(picked.logistics?.stage).toBe("picked_up");
    expect(picked.history.at(-1)).toMatchObject({ from: "shipped", to: "paid", by: "ecpay" });
    order = picked;
  });

  it("a repeated notification and a late one are acknowledged and change nothing", async () => {
    const resent = await hook(order, "resend");
    expect(resent.delivery).toMatchObject({ acknowledged: true });
    await sleep(1_100); // another UpdateStatusDate (ECPay's times have whole seconds): a distinct, late event
    const late = await hook(order, "status", { code: "2073" });
    expect(late.delivery).toMatchObject({ acknowledged: true });
    const after = await getOrder(order.id);
    expect(after.status).toBe("paid");
    expect(after.logistics?.stage).toBe("picked_up");
    expect(after.history).toHaveLength(order.history.length);
    // Each notification recorded once.
    expect(after.logistics?.events?.filter((e) => e.code === "2067")).toHaveLength(1);
    expect(after.logistics?.events?.filter((e) => e.code === "2073")).toHaveLength(2); // the late one is another event (another time)
  });
});

/** A pickup order whose emails go to an address of its own. */
async function pickupOrderMailedTo(email: string): Promise<Order> {
  return pickupOrder({ customer: { ...orderRequest().customer, email } });
}

/** Long enough for several outbox runs (every 300 ms in the tests): a duplicate email would have been sent by then. */
const SETTLE_MS = 1_500;

async function arrivedMails(order: Order, email: string) {
  return (await mailTo(email)).filter((m) => m.subject.includes(order.id) && m.subject.includes("已到店"));
}

describe('the "arrived at the store, pick up by …" email', () => {
  it("is sent once, with the store and the last day, however often and in whatever order ECPay repeats the notification", async () => {
    const email = uniqueEmail("arrived");
    const order = await ship(await pickupOrderMailedTo(email));
    await hook(order, "advance"); // 2068 dropped off
    await hook(order, "advance"); // 2030 at the DC
    const arrived = await hook(order, "advance"); // 2073 at the store
    expect(arrived.delivery).toMatchObject({ code: "2073", acknowledged: true });
    const resent = await Promise.all(Array.from({ length: 5 }, () => hook(order, "resend")));
    expect(resent.every((r) => r.delivery?.acknowledged)).toBe(true);
    await hook(order, "status", { code: "2030" }); // an older status arriving late
    const atStore = await getOrder(order.id);
    expect(atStore.logistics).toMatchObject({ stage: "at_store", statusCode: "2073" });
    const [mail] = await eventually(async () => {
      const found = await arrivedMails(order, email);
      return found.length > 0 ? found : undefined;
    });
    await sleep(SETTLE_MS);
    expect(await arrivedMails(order, email)).toHaveLength(1);
    expect(mail?.body.text).toContain("建盛門市");
    expect(mail?.body.text).toContain("台北市南港區三重路19-2號");
    const [, month, day] = atStore.logistics!.pickupBy!.split("-").map(Number);
    expect(mail?.subject).toMatch(new RegExp(`${month}\\D+${day}\\D`));
    expect(mail?.body.text).toContain(`取貨時請在門市付 NT$${order.total.toLocaleString("en-US")}`);
  });
});

describe("the owner's check when ECPay's notifications stall", () => {
  const logisticsConfig = (body: Record<string, unknown>) =>
    fetch(`${stack().ecpayUrl}/__sandbox/logistics/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const check = (id: string) => admin.post(`/admin/orders/${id}/shipment/check`, {});
  afterAll(async () => {
    await logisticsConfig({ suppressCallbacks: false });
  });

  it("applies ECPay's current status once: arrived (one email), then picked up and paid; asking again or the delayed notification changes nothing", async () => {
    const email = uniqueEmail("stalled");
    const order = await ship(await pickupOrderMailedTo(email));
    await logisticsConfig({ suppressCallbacks: true });
    for (let i = 0; i < 3; i++) expect((await hook(order, "advance")).delivery).toBeNull(); // to 2073, unheard
    expect((await getOrder(order.id)).logistics?.stage).toBe("created");

    const first = await check(order.id);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ statusCode: "2073", changed: true });
    expect(first.body.order.logistics).toMatchObject({ stage: "at_store", statusCode: "2073" });
    expect(first.body.order.logistics.pickupBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(first.body.order.status).toBe("shipped");
    const again = await Promise.all(Array.from({ length: 3 }, () => check(order.id)));
    expect(again.map((r) => [r.status, r.body.changed])).toEqual(Array(3).fill([200, false]));

    await logisticsConfig({ suppressCallbacks: false });
    const delayed = await hook(order, "resend"); // ECPay's own 2073 notification, late
    expect(delayed.delivery).toMatchObject({ acknowledged: true });
    const afterDelayed = await getOrder(order.id);
    expect(afterDelayed.logistics?.stage).toBe("at_store");
    expect(afterDelayed.history).toHaveLength(first.body.order.history.length);
    await eventually(async () => ((await arrivedMails(order, email)).length > 0 ? true : undefined));
    await sleep(SETTLE_MS);
    expect(await arrivedMails(order, email)).toHaveLength(1);

    await logisticsConfig({ suppressCallbacks: true });
    expect((await hook(order, "advance")).shipment.status).toBe("2067"); // picked up, unheard
    const picked = await check(order.id);
    expect(picked.status, picked.text).toBe(200);
    expect(picked.body).toMatchObject({ statusCode: "2067", changed: true });
    expect(picked.body.order.status).toBe("paid");
    expect(picked.body.order.logistics.stage).toBe("picked_up");
    expect(picked.body.order.history.at(-1)).toMatchObject({ from: "shipped", to: "paid", by: "ecpay" });
    const paidAgain = await check(order.id);
    expect(paidAgain.body.changed).toBe(false);
    expect(paidAgain.body.order.history).toHaveLength(picked.body.order.history.length);
  });

  it("refuses an order without a logistics order at ECPay (409) and an unknown one (404), changing nothing", async () => {
    const home = await storefront.post("/order", orderRequest({ paymentMethod: "cod" }));
    expect(home.status, home.text).toBe(201);
    const before = await getOrder(home.body.order.id);
    const refused = await check(before.id);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.message).toContain("綠界物流單");
    expect(await getOrder(before.id)).toEqual(before);
    const notShipped = await pickupOrder();
    expect((await check(notShipped.id)).status).toBe(409);
    const unknown = await check("261204-0000-0000");
    expect(unknown.status, unknown.text).toBe(404);
  });
});

describe("refused notifications change nothing", () => {
  it("a forged MAC, another merchant's keys, SHA256, an unknown shipment, a wrong amount", async () => {
    const order = await ship(await pickupOrder());
    const fields = logisticsNotificationFields(order, {
      code: "2067",
      message: "消費者成功取件",
      at: "2026/12/04 12:00:00",
    });
    const form = (
      f: Record<string, string>,
      keys: { hashKey: string; hashIV: string } = C2C,
      alg: "md5" | "sha256" = LOGISTICS_MAC,
    ) => new URLSearchParams({ ...f, CheckMacValue: checkMacValue(f, keys, alg) }).toString();
    const cases: [string, string][] = [
      [form(fields).replace(/CheckMacValue=[0-9A-F]{4}/, "CheckMacValue=0000"), "CheckMacValue"],
      [form(fields, B2C), "CheckMacValue"],
      [form({ ...fields, MerchantID: B2C.merchantId }, B2C), "CheckMacValue"],
      [form(fields, C2C, "sha256"), "CheckMacValue"],
      [form({ ...fields, AllPayLogisticsID: "1" }), "unknown shipment"],
      [form({ ...fields, GoodsAmount: "1" }), "amount mismatch"],
      [form({ ...fields, MerchantTradeNo: "L2601010000100A" }), "unknown order"],
    ];
    for (const [body, reason] of cases) {
      const res = await unsigned.post("/ecpay/logistics", body);
      expect(res.status).toBe(200);
      expect(res.text.startsWith("0|"), body).toBe(true);
      expect(res.text).toContain(reason);
    }
    const after = await getOrder(order.id);
    expect(after.status).toBe("shipped");
    expect(after.logistics?.events ?? []).toHaveLength(0);
    // The genuine one goes through.
    expect((await unsigned.post("/ecpay/logistics", form(fields))).text).toBe("1|OK");
    expect((await getOrder(order.id)).status).toBe("paid");
  });

  it("the payment callback still refuses an MD5 MAC", async () => {
    const fields = { MerchantID: "3002607", MerchantTradeNo: "L2601010000100A", RtnCode: "1", TradeAmt: "100" };
    const res = await unsigned.post(
      "/ecpay",
      new URLSearchParams({
        ...fields,
        CheckMacValue: checkMacValue(fields, { hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs" }, "md5"),
      }).toString(),
    );
    expect(res.text).toContain("CheckMacValue");
  });
});

describe("not collected", () => {
  it("goes back to the shop: the order is cancelled and its units are back on sale", async () => {
    await setStock("pineapple-cake", 50);
    const order = await ship(await pickupOrder({ items: [{ productId: "pineapple-cake", quantity: 2 }] }));
    expect(await stockOf("pineapple-cake")).toBe(48);
    for (let i = 0; i < 3; i++) await hook(order, "advance");
    await hook(order, "return");
    expect((await getOrder(order.id)).logistics?.stage).toBe("returning");
    await hook(order, "return");
    const after = await getOrder(order.id);
    expect(after.status).toBe("cancelled");
    expect(after.logistics?.stage).toBe("returned");
    expect(await eventually(async () => ((await stockOf("pineapple-cake")) === 50 ? true : undefined))).toBe(true);
    await setStock("pineapple-cake", null);
  });
});

describe("ECPay Logistics down", () => {
  it("the owner is told (502, per order), nothing is shipped, and no second logistics order is made meanwhile", async () => {
    const config = (body: unknown) =>
      fetch(`${stack().ecpayUrl}/__sandbox/logistics/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const order = await pickupOrder();
    await config({ createOutage: "unavailable" });
    try {
      const res = await admin.post("/admin/shipments", { ids: [order.id] });
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toMatchObject({ ok: false, code: "upstream_error" });
      const after = await getOrder(order.id);
      expect(after.status).toBe("created");
      expect(after.logistics).toMatchObject({ state: "requested" });
      // Asked again at once: ECPay may have it, so the claim holds (a new number only after a pause).
      const again = await admin.post("/admin/shipments", { ids: [order.id] });
      expect(again.body.results[0]).toMatchObject({ ok: false, code: "conflict" });
    } finally {
      await config({ createOutage: "none" });
    }
  });
});

describe("shipments in bulk", () => {
  it("each order succeeds or fails on its own; unpaid card orders are not shipped", async () => {
    const a = await pickupOrder();
    const b = await pickupOrder();
    const unpaid = await pickupOrder({ paymentMethod: "credit" });
    const home = (await storefront.post("/order", orderRequest({ paymentMethod: "cod" }))).body.order as Order;
    const res = await admin.post("/admin/shipments", { ids: [a.id, b.id, unpaid.id, home.id] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, false, false]);
    expect(res.body.results[2]).toMatchObject({ code: "invalid_transition" });
    const print = await admin.post("/admin/shipments/print", { ids: [a.id, b.id] });
    expect(print.status).toBe(200);
    expect(print.body.fields.AllPayLogisticsID.split(",")).toHaveLength(2);
    expect((await admin.post("/admin/shipments/print", { ids: [a.id, unpaid.id] })).status).toBe(400);
    expect((await admin.post("/admin/shipments", { ids: [] })).status).toBe(400);
    expect((await admin.post("/admin/shipments", { ids: [a.id, a.id] })).status).toBe(400);
  });

  it("ECPay refusing the store is kept for the owner, who may try again", async () => {
    const order = await pickupOrder({ pickupStore: { ...STORE, id: "999999" } });
    const res = await admin.post("/admin/shipments", { ids: [order.id] });
    expect(res.body.results[0]).toMatchObject({ ok: false, code: "bad_request" });
    expect(res.body.results[0].message).toContain("查無此門市");
    const after = await getOrder(order.id);
    expect(after.status).toBe("created");
    expect(after.logistics).toMatchObject({ state: "failed" });
    // Parse check that what the map would post is what we keep (nine fields, no MAC).
    expect(parseFormBody("CVSStoreID=131386&ExtraData=tok_1").CVSStoreID).toBe("131386");
  });
});
