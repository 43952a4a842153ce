import { describe, expect, it } from "vitest";
import { formatTaipeiDate, formatTaipeiDateTime } from "../src/ecpay";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import { admin, ecpayForm, orderRequest, paidNotification, stack, storefront, unsigned } from "./support";

async function placeOrder(paymentMethod: "credit" | "atm" = "credit") {
  const request = orderRequest({ paymentMethod });
  const res = await storefront.post("/order", request);
  expect(res.status).toBe(201);
  return {
    order: res.body.order,
    fields: res.body.payment.fields as Record<string, string>,
    phone: request.customer.phone,
  };
}

async function orderNow(id: string, phone: string) {
  return (await storefront.get(`/order?id=${id}&phone=${phone}`)).body.order;
}

function atmInfo(
  merchantTradeNo: string,
  amount: number,
  expireDate = formatTaipeiDate(new Date(Date.now() + 3 * 86_400_000)),
) {
  return {
    MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
    MerchantTradeNo: merchantTradeNo,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: "2611270000000001",
    TradeAmt: String(amount),
    PaymentType: "ATM_TAISHIN",
    TradeDate: formatTaipeiDateTime(new Date()),
    BankCode: "812",
    vAccount: "9103522850420637",
    ExpireDate: expireDate,
    CustomField1: "",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };
}

describe("ECPay ReturnURL (POST /ecpay)", () => {
  it("pays the order once and acknowledges every duplicate", async () => {
    const { order, fields, phone } = await placeOrder();
    const body = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total));
    const answers = await Promise.all(Array.from({ length: 10 }, () => unsigned.post("/ecpay", body)));
    expect(answers.map((a) => a.text)).toEqual(Array(10).fill("1|OK"));
    const paid = await orderNow(order.id, phone);
    expect(paid.status).toBe("paid");
    expect(paid.history.filter((h: { to: string }) => h.to === "paid")).toHaveLength(1);
    expect(paid.payment).toMatchObject({ paymentType: "Credit_CreditCard", simulated: false });

    const retry = ecpayForm(
      paidNotification(fields.MerchantTradeNo!, order.total, { RtnMsg: "paid", TradeNo: paid.payment.tradeNo }),
    );
    expect((await unsigned.post("/ecpay", retry)).text).toBe("1|OK");
    expect((await orderNow(order.id, phone)).history).toHaveLength(2);
  });

  it("refuses a bad CheckMacValue, a wrong amount and an unknown order, changing nothing", async () => {
    const { order, fields, phone } = await placeOrder();
    const good = paidNotification(fields.MerchantTradeNo!, order.total);
    const tampered = new URLSearchParams(ecpayForm(good));
    tampered.set("TradeAmt", "1");
    expect((await unsigned.post("/ecpay", tampered.toString())).text).toMatch(/^0\|/);
    expect(
      (await unsigned.post("/ecpay", ecpayForm(good, { hashKey: "wrongwrongwrong1", hashIV: "wrongwrongwrong1" })))
        .text,
    ).toMatch(/^0\|CheckMacValue/);
    expect((await unsigned.post("/ecpay", ecpayForm({ ...good, TradeAmt: "1" }))).text).toBe("0|amount mismatch");
    expect((await unsigned.post("/ecpay", ecpayForm({ ...good, MerchantTradeNo: "L26010100001AAA" }))).text).toBe("0|unknown order");
    expect((await unsigned.post("/ecpay", ecpayForm({ ...good, MerchantTradeNo: "L26010100000001AAA" }))).text).toBe("0|unknown order");
    expect((await unsigned.post("/ecpay", ecpayForm({ ...good, MerchantID: "2000132" }))).text).toMatch(/^0\|/);
    expect((await unsigned.post("/ecpay", "garbage")).text).toMatch(/^0\|/);
    expect((await orderNow(order.id, phone)).status).toBe("created");
  });

  it("refuses a notification signed with MD5 and leaves the order unpaid (payments are SHA256 only)", async () => {
    const { order, fields, phone } = await placeOrder();
    const md5 = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total), ECPAY_STAGE_MERCHANT, "md5");
    expect((await unsigned.post("/ecpay", md5)).text).toBe("0|CheckMacValue error");
    expect((await orderNow(order.id, phone)).status).toBe("created");
  });

  it("acknowledges a failed attempt without paying", async () => {
    const { order, fields, phone } = await placeOrder();
    const failed = ecpayForm(
      paidNotification(fields.MerchantTradeNo!, order.total, { RtnCode: "10100248", RtnMsg: "拒絕交易" }),
    );
    expect((await unsigned.post("/ecpay", failed)).text).toBe("1|OK");
    expect((await orderNow(order.id, phone)).status).toBe("created");
  });

  it("records a simulated payment (SimulatePaid=1) and, outside production, pays with it", async () => {
    const { order, fields, phone } = await placeOrder();
    const simulated = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total, { SimulatePaid: "1" }));
    expect((await unsigned.post("/ecpay", simulated)).text).toBe("1|OK");
    const after = await orderNow(order.id, phone);
    expect(after.status).toBe("paid");
    expect(after.payment.simulated).toBe(true);
  });
});

describe("ECPay PaymentInfoURL (POST /ecpay/payment-info)", () => {
  it("stores the virtual account and moves the ATM order to awaiting_payment, then ReturnURL pays it", async () => {
    const { order, fields, phone } = await placeOrder("atm");
    const info = ecpayForm(atmInfo(fields.MerchantTradeNo!, order.total));
    expect((await unsigned.post("/ecpay/payment-info", info)).text).toBe("1|OK");
    expect((await unsigned.post("/ecpay/payment-info", info)).text).toBe("1|OK");
    const waiting = await orderNow(order.id, phone);
    expect(waiting.status).toBe("awaiting_payment");
    expect(waiting.payment.atm).toMatchObject({ bankCode: "812", account: "9103522850420637" });
    expect(waiting.history).toHaveLength(2);

    const paid = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total, { PaymentType: "ATM_TAISHIN" }));
    expect((await unsigned.post("/ecpay", paid)).text).toBe("1|OK");
    expect((await orderNow(order.id, phone)).status).toBe("paid");
  });

  it("still ends paid when ReturnURL overtakes PaymentInfoURL", async () => {
    const { order, fields, phone } = await placeOrder("atm");
    const paid = ecpayForm(paidNotification(fields.MerchantTradeNo!, order.total, { PaymentType: "ATM_TAISHIN" }));
    expect((await unsigned.post("/ecpay", paid)).text).toBe("1|OK");
    expect(
      (await unsigned.post("/ecpay/payment-info", ecpayForm(atmInfo(fields.MerchantTradeNo!, order.total)))).text,
    ).toBe("1|OK");
    const after = await orderNow(order.id, phone);
    expect(after.status).toBe("paid");
    expect(after.payment.atm.account).toBe("9103522850420637");
  });

  it("rejects a bad MAC", async () => {
    const { order, fields } = await placeOrder("atm");
    const form = new URLSearchParams(ecpayForm(atmInfo(fields.MerchantTradeNo!, order.total)));
    form.set("vAccount", "0000000000000000");
    expect((await unsigned.post("/ecpay/payment-info", form.toString())).text).toMatch(/^0\|CheckMacValue/);
  });
});

describe("through the ECPay sandbox", () => {
  it("a credit card payment at the sandbox reaches ReturnURL and pays the order", async () => {
    const { order, fields, phone } = await placeOrder();
    const checkout = await fetch(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    expect(checkout.status).toBe(200);
    expect(await checkout.text()).toContain(fields.MerchantTradeNo);
    const pay = await fetch(`${stack().ecpayUrl}/__sandbox/trades/${fields.MerchantTradeNo}/pay`, { method: "POST" });
    expect(pay.ok).toBe(true);
    await expect.poll(async () => (await orderNow(order.id, phone)).status, { timeout: 5000 }).toBe("paid");
  });

  it("reconcile asks QueryTradeInfo and pays an order whose callback never came", async () => {
    const { order, fields, phone } = await placeOrder();
    await fetch(`${stack().ecpayUrl}/__sandbox/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ suppressCallbacks: true }),
    });
    try {
      await fetch(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
      expect(
        (await fetch(`${stack().ecpayUrl}/__sandbox/trades/${fields.MerchantTradeNo}/pay`, { method: "POST" })).ok,
      ).toBe(true);
      expect((await orderNow(order.id, phone)).status).toBe("created");
    } finally {
      await fetch(`${stack().ecpayUrl}/__sandbox/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ suppressCallbacks: false }),
      });
    }
    const reconciled = await admin.post(`/admin/orders/${order.id}/reconcile`);
    expect(reconciled.status).toBe(200);
    expect(reconciled.body.order.status).toBe("paid");
    expect(reconciled.body.order.history.at(-1)).toMatchObject({ to: "paid", by: "system" });
    expect((await admin.post(`/admin/orders/${order.id}/reconcile`)).body.outcome).toMatch(/already paid/);
  });

  it("reconcile leaves an unpaid order alone and refuses a pay-on-arrival order", async () => {
    const { order } = await placeOrder();
    await fetch(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams((await storefront.post("/order", orderRequest())).body.payment.fields).toString(),
    });
    const unpaid = await admin.post(`/admin/orders/${order.id}/reconcile`);
    expect(unpaid.status).toBe(200);
    expect(unpaid.body.order.status).toBe("created");
    const cod = (await storefront.post("/order", orderRequest({ paymentMethod: "cod" }))).body.order;
    expect((await admin.post(`/admin/orders/${cod.id}/reconcile`)).status).toBe(400);
  });

  it("reconcile cancels an ATM order left unpaid past its deadline", async () => {
    const { order, fields, phone } = await placeOrder("atm");
    const yesterday = formatTaipeiDate(new Date(Date.now() - 2 * 86_400_000));
    await unsigned.post("/ecpay/payment-info", ecpayForm(atmInfo(fields.MerchantTradeNo!, order.total, yesterday)));
    expect((await orderNow(order.id, phone)).status).toBe("awaiting_payment");
    const res = await admin.post(`/admin/orders/${order.id}/reconcile`);
    expect(res.status).toBe(200);
    expect(res.body.order.status).toBe("cancelled");
    expect(res.body.outcome).toMatch(/expired/);
  });
});
