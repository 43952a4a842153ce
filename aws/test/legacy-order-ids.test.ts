/**
 * Orders stored before ids grew to eight digits (`YYMMDD-NNNNN`, MerchantTradeNo of 15 characters) keep working for
 * the shopper's lookup, the owner's admin and ECPay's callbacks and pay-again. The legacy order is written into the
 * table as the old code stored it: a copy of a fresh order under the five-digit key.
 */
import { describe, expect, it } from "vitest";
import type { Order } from "../src/contract";
import { taipeiDate } from "../src/domain/taipei-time";
import {
  admin,
  dynamoClient,
  ecpayForm,
  orderRequest,
  paidNotification,
  stack,
  storeAsLegacyOrder,
  storefront,
  unsigned,
} from "./support";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

async function storeLegacyOrder(paymentMethod: "credit" | "cod" = "credit"): Promise<{ order: Order; phone: string }> {
  const request = orderRequest({ paymentMethod });
  const placed = await storefront.post("/order", request);
  expect(placed.status).toBe(201);
  const order = await storeAsLegacyOrder(dynamoClient(), stack().tableName, placed.body.order, request.customer.phone);
  return { order, phone: request.customer.phone };
}

describe("legacy five-digit order ids", () => {
  it("are found by the shopper's lookup (and only with the right phone) and by the owner", async () => {
    const { order, phone } = await storeLegacyOrder();
    expect(order.id).toMatch(/^\d{6}-\d{5}$/);
    const found = await storefront.get(`/order?id=${order.id}&phone=${phone}`);
    expect(found.status).toBe(200);
    expect(found.body.order.id).toBe(order.id);
    expect((await storefront.get(`/order?id=${order.id}&phone=0900000000`)).status).toBe(404);
    const owned = await admin.get(`/admin/orders/${order.id}`);
    expect(owned.status).toBe(200);
    expect(owned.body.order.id).toBe(order.id);
  });

  it("are listed with current ids by date and by phone, with paging across both", async () => {
    const { order: legacy, phone } = await storeLegacyOrder("cod");
    const request = orderRequest({ paymentMethod: "cod" });
    request.customer.phone = phone;
    const current = (await storefront.post("/order", request)).body.order as Order;
    // Three orders of this phone: the legacy one, the fresh order it was copied from, and `current`.
    const byPhone = (await admin.get(`/admin/orders?phone=${phone}`)).body.orders.map((o: Order) => o.id);
    expect(byPhone).toHaveLength(3);
    expect(byPhone).toEqual(expect.arrayContaining([current.id, legacy.id]));

    const { year, month, day } = taipeiDate(new Date(legacy.createdAt));
    const date = `${year}-${pad(month)}-${pad(day)}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { orders: Order[]; nextCursor: string | null } } = await admin.get(
        `/admin/orders?from=${date}&to=${date}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.orders.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 10_000);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(legacy.id);
    expect(seen).toContain(current.id);
    // Current ids come first (they are all newer than any legacy id).
    const firstLegacy = seen.findIndex((id) => /^\d{6}-\d{5}$/.test(id));
    expect(seen.slice(firstLegacy).every((id) => /^\d{6}-\d{5}$/.test(id))).toBe(true);
  });

  it("are paid by ECPay's ReturnURL for their 15-character MerchantTradeNo", async () => {
    const { order, phone } = await storeLegacyOrder();
    const body = ecpayForm(paidNotification(order.payment!.merchantTradeNo, order.total));
    expect((await unsigned.post("/ecpay", body)).text).toBe("1|OK");
    expect((await storefront.get(`/order?id=${order.id}&phone=${phone}`)).body.order.status).toBe("paid");
  });

  it("can pay again: the new MerchantTradeNo is legacy-shaped and maps back to the order", async () => {
    const { order, phone } = await storeLegacyOrder();
    const again = await storefront.post("/order/payment", { id: order.id, phone });
    expect(again.status).toBe(200);
    const next = again.body.payment.fields.MerchantTradeNo as string;
    expect(next).toMatch(new RegExp(`^L${order.id.replace("-", "")}[0-9A-Z]{3}$`));
    const paid = ecpayForm(paidNotification(next, order.total));
    expect((await unsigned.post("/ecpay", paid)).text).toBe("1|OK");
    expect((await storefront.get(`/order?id=${order.id}&phone=${phone}`)).body.order.status).toBe("paid");
  });
});
