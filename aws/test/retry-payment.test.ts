import { describe, expect, it } from "vitest";
import { admin, ecpayForm, orderRequest, paidNotification, stack, storefront, unsigned } from "./support";

async function placeOrder(paymentMethod: "credit" | "atm" | "cod" = "credit") {
  const request = orderRequest({ paymentMethod });
  const res = await storefront.post("/order", request);
  expect(res.status).toBe(201);
  return {
    order: res.body.order,
    fields: res.body.payment?.fields as Record<string, string>,
    phone: request.customer.phone,
  };
}

const sandbox = (path: string, init: RequestInit = {}) => fetch(`${stack().ecpayUrl}${path}`, init);

/** The shopper's browser posting the checkout form to ECPay (the sandbox records the trade). */
async function postToEcpay(fields: Record<string, string>) {
  const res = await sandbox("/Cashier/AioCheckOut/V5", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  expect(res.ok).toBe(true);
}

async function setCallbacks(suppressCallbacks: boolean) {
  await sandbox("/__sandbox/config", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ suppressCallbacks }),
  });
}

describe("pay again (POST /order/payment)", () => {
  it("issues a new MerchantTradeNo for an abandoned card payment, and either number's payment pays the order once", async () => {
    const { order, fields, phone } = await placeOrder();
    await postToEcpay(fields);
    expect((await sandbox(`/__sandbox/trades/${fields.MerchantTradeNo}/abandon`, { method: "POST" })).ok).toBe(true);

    const again = await storefront.post("/order/payment", { id: order.id, phone });
    expect(again.status).toBe(200);
    const next = again.body.payment.fields as Record<string, string>;
    expect(next.MerchantTradeNo).not.toBe(fields.MerchantTradeNo);
    expect(next.TotalAmount).toBe(String(order.total));
    expect(again.body.order.payment).toMatchObject({
      merchantTradeNo: next.MerchantTradeNo,
      attempts: [fields.MerchantTradeNo],
    });
    // The new attempt goes through ECPay like the first and is paid there.
    await postToEcpay(next);
    expect((await sandbox(`/__sandbox/trades/${next.MerchantTradeNo}/pay`, { method: "POST" })).ok).toBe(true);
    await expect
      .poll(async () => (await storefront.get(`/order?id=${order.id}&phone=${phone}`)).body.order.status, {
        timeout: 5000,
      })
      .toBe("paid");

    // A late notification for the first number is still this order's, and pays nothing twice.
    const late = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total));
    expect((await unsigned.post("/ecpay", late)).text).toBe("1|OK");
    const after = (await storefront.get(`/order?id=${order.id}&phone=${phone}`)).body.order;
    expect(after.history.filter((h: { to: string }) => h.to === "paid")).toHaveLength(1);

    // Paid: nothing left to pay.
    const done = await storefront.post("/order/payment", { id: order.id, phone });
    expect(done.status).toBe(200);
    expect(done.body.payment).toBeNull();
    expect(done.body.order.status).toBe("paid");
  });

  it("records a payment ECPay took but never reported, instead of sending the shopper to pay twice", async () => {
    const { order, fields, phone } = await placeOrder();
    await setCallbacks(true);
    try {
      await postToEcpay(fields);
      expect((await sandbox(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`, { method: "POST" })).ok).toBe(true);
    } finally {
      await setCallbacks(false);
    }
    const again = await storefront.post("/order/payment", { id: order.id, phone });
    expect(again.status).toBe(200);
    expect(again.body.payment).toBeNull();
    expect(again.body.order.status).toBe("paid");
    expect(again.body.order.history.at(-1)).toMatchObject({ to: "paid", by: "system" });
  });

  it("answers a double click with one new number at a time, never losing an earlier one", async () => {
    const { order, fields, phone } = await placeOrder("atm");
    const answers = await Promise.all([1, 2, 3].map(() => storefront.post("/order/payment", { id: order.id, phone })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stored = (await admin.get(`/admin/orders/${order.id}`)).body.order;
    const numbers = [stored.payment.merchantTradeNo, ...stored.payment.attempts];
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(stored.payment.attempts[0]).toBe(fields.MerchantTradeNo);
    for (const a of answers) expect(numbers).toContain(a.body.payment.fields.MerchantTradeNo);
  });

  it("refuses what cannot be paid again: pay on arrival (400), a wrong phone (404, as for the lookup), a bad body (400)", async () => {
    const cod = await placeOrder("cod");
    expect((await storefront.post("/order/payment", { id: cod.order.id, phone: cod.phone })).status).toBe(400);
    const { order } = await placeOrder();
    const wrong = await storefront.post("/order/payment", { id: order.id, phone: "0900000000" });
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe("not_found");
    expect((await storefront.post("/order/payment", { id: "nonsense" })).status).toBe(400);
  });

  it("is a storefront route: unsigned calls get 403", async () => {
    const { order, phone } = await placeOrder();
    expect((await unsigned.post("/order/payment", { id: order.id, phone })).status).toBe(403);
  });
});
