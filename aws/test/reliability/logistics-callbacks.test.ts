/**
 * ECPay Logistics' status notifications under duplication, reordering and load, on the shared stack (ADR 0027): 20
 * identical "picked up" posts at once make one transition to paid; a whole timeline sent three times over in a
 * shuffled order ends in the same place as sent once in order; many pickup orders' notifications at once are all
 * acknowledged and applied once each; the owner's "check now" (ECPay's query) racing ECPay's repeated notification
 * makes one transition too. The notifications are built and MD5-signed here as ECPay sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order, SiteStatus } from "../../src/contract";
import { LOGISTICS_MAC, checkMacValue } from "../../src/ecpay";
import { LOGISTICS_STAGE_MERCHANTS } from "../../src/ecpay/logistics";
import { logisticsNotificationFields, orderRequest, patchSite, stack } from "../support";
import { apiClient } from "./support";

const { C2C } = LOGISTICS_STAGE_MERCHANTS;
const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
const TIMELINE = ["2068", "2030", "2073", "2067"];
const LOAD_ORDERS = Number(process.env.RELIABILITY_SCALE ?? 1) > 1 ? 40 : 12;
let site: SiteStatus;

beforeAll(async () => {
  site = await patchSite({ pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
});
afterAll(async () => {
  await patchSite({ pickup: site.pickup ?? null });
});

const admin = () => apiClient(stack(), "admin");
const ecpay = () => apiClient(stack(), "unsigned");
const orderNow = async (id: string): Promise<Order> => (await admin().get(`/admin/orders/${id}`)).body.order;

async function shippedPickupOrders(n: number): Promise<Order[]> {
  const storefront = apiClient(stack(), "storefront");
  const placed = await Promise.all(
    Array.from({ length: n }, () =>
      storefront.post("/order", orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod" })),
    ),
  );
  const ids = placed.map((p) => p.body.order.id as string);
  const orders: Order[] = [];
  for (let i = 0; i < ids.length; i += 20) {
    const res = await admin().post("/admin/shipments", { ids: ids.slice(i, i + 20) });
    for (const r of res.body.results) {
      expect(r.ok, JSON.stringify(r)).toBe(true);
      orders.push(r.order);
    }
  }
  return orders;
}

/** The notification ECPay sends for this code, at a time of its own (one second apart per step). */
function notification(order: Order, code: string, step: number): string {
  const fields = logisticsNotificationFields(order, {
    code,
    message: `status ${code}`,
    at: `2026/12/04 12:00:${String(step).padStart(2, "0")}`,
  });
  return new URLSearchParams({ ...fields, CheckMacValue: checkMacValue(fields, C2C, LOGISTICS_MAC) }).toString();
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe("duplicate, reordered and concurrent logistics notifications", () => {
  it("20 identical 'picked up' posts at once: one transition to paid, every answer 1|OK", async () => {
    const [order] = await shippedPickupOrders(1);
    const body = notification(order!, "2067", 9);
    const answers = await Promise.all(Array.from({ length: 20 }, () => ecpay().post("/ecpay/logistics", body)));
    expect(answers.map((a) => [a.status, a.text])).toEqual(Array(20).fill([200, "1|OK"]));
    const after = await orderNow(order!.id);
    expect(after.status).toBe("paid");
    expect(after.history.filter((h) => h.to === "paid")).toHaveLength(1);
    expect(after.logistics?.events).toHaveLength(1);
  });

  it("the whole timeline three times over, shuffled, ends where it ends sent once in order", async () => {
    const [order] = await shippedPickupOrders(1);
    const bodies = shuffle(
      TIMELINE.flatMap((code, step) => Array.from({ length: 3 }, () => notification(order!, code, step))),
    );
    for (let i = 0; i < bodies.length; i += 4) {
      const answers = await Promise.all(bodies.slice(i, i + 4).map((b) => ecpay().post("/ecpay/logistics", b)));
      expect(answers.every((a) => a.text === "1|OK")).toBe(true);
    }
    const after = await orderNow(order!.id);
    expect(after.status).toBe("paid");
    expect(after.logistics?.stage).toBe("picked_up");
    expect(after.history.filter((h) => h.to === "paid")).toHaveLength(1);
    expect(after.logistics?.events?.map((e) => e.code).sort()).toEqual([...TIMELINE].sort());
  });

  it("10 owner's checks racing 10 copies of ECPay's delayed 'picked up': one transition to paid, every answer a success", async () => {
    const [order] = await shippedPickupOrders(1);
    const sandbox = (path: string, body: unknown) =>
      fetch(`${stack().ecpayUrl}/__sandbox/logistics/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await sandbox("config", { suppressCallbacks: true });
    try {
      for (const code of TIMELINE) {
        const r = (await (await sandbox(`${order!.logistics!.allPayLogisticsId}/advance`, {})).json()) as {
          shipment: { status: string };
        };
        expect(r.shipment.status).toBe(code);
      }
    } finally {
      await sandbox("config", { suppressCallbacks: false });
    }
    const body = notification(order!, "2067", 9);
    const [checks, posts] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => admin().post(`/admin/orders/${order!.id}/shipment/check`, {}))),
      Promise.all(Array.from({ length: 10 }, () => ecpay().post("/ecpay/logistics", body))),
    ]);
    expect(checks.map((c) => [c.status, c.body?.statusCode])).toEqual(Array(10).fill([200, "2067"]));
    expect(posts.map((a) => [a.status, a.text])).toEqual(Array(10).fill([200, "1|OK"]));
    expect(checks.filter((c) => c.body.changed).length).toBeLessThanOrEqual(1);
    const after = await orderNow(order!.id);
    expect(after.status).toBe("paid");
    expect(after.logistics?.stage).toBe("picked_up");
    expect(after.history.filter((h) => h.to === "paid")).toHaveLength(1);
    // The check's reading and ECPay's notification are two records of 2067 at most, each once.
    expect(after.logistics?.events?.filter((e) => e.code === "2067").length).toBeLessThanOrEqual(2);
  });

  it(`${LOAD_ORDERS} pickup orders' timelines at once, each notification twice: all acknowledged, all paid once`, async () => {
    const orders = await shippedPickupOrders(LOAD_ORDERS);
    const bodies = shuffle(
      orders.flatMap((o) =>
        TIMELINE.flatMap((code, step) => [notification(o, code, step), notification(o, code, step)]),
      ),
    );
    const started = Date.now();
    const answers: string[] = [];
    for (let i = 0; i < bodies.length; i += 24) {
      answers.push(
        ...(await Promise.all(bodies.slice(i, i + 24).map((b) => ecpay().post("/ecpay/logistics", b)))).map(
          (a) => a.text,
        ),
      );
    }
    const ms = Date.now() - started;
    expect(answers.filter((a) => a !== "1|OK")).toEqual([]);
    for (const o of orders) {
      const after = await orderNow(o.id);
      expect(after.status, o.id).toBe("paid");
      expect(after.history.filter((h) => h.to === "paid")).toHaveLength(1);
      expect(after.logistics?.events).toHaveLength(TIMELINE.length);
    }
    console.log(`logistics notifications: ${bodies.length} posts for ${orders.length} orders in ${ms} ms`);
  });
});
