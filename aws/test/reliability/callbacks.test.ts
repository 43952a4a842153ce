/**
 * ECPay's notifications under duplication and reordering, on the shared stack: 20 identical ReturnURL posts at once
 * make exactly one transition to paid and are all acknowledged; for ATM, ReturnURL arriving before (or racing)
 * PaymentInfoURL still ends paid with the account details kept.
 */
import { describe, expect, it } from "vitest";
import { ECPAY_STAGE_MERCHANT } from "../../local/ecpay-sandbox/stage-merchant";
import { formatTaipeiDate, formatTaipeiDateTime } from "../../src/ecpay";
import { ecpayForm, orderRequest, paidNotification, stack } from "../support";
import { apiClient } from "./support";

const PARALLEL = 20;

async function placeOrder(paymentMethod: "credit" | "atm") {
  const storefront = apiClient(stack(), "storefront");
  const res = await storefront.post("/order", orderRequest({ paymentMethod }));
  expect(res.status).toBe(201);
  return { order: res.body.order, merchantTradeNo: res.body.payment.fields.MerchantTradeNo as string };
}

const orderNow = async (id: string) => (await apiClient(stack(), "admin").get(`/admin/orders/${id}`)).body.order;

function atmInfo(merchantTradeNo: string, amount: number) {
  return {
    MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
    MerchantTradeNo: merchantTradeNo,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: "2611270000000099",
    TradeAmt: String(amount),
    PaymentType: "ATM_TAISHIN",
    TradeDate: formatTaipeiDateTime(new Date()),
    BankCode: "812",
    vAccount: "9103522850420999",
    ExpireDate: formatTaipeiDate(new Date(Date.now() + 3 * 86_400_000)),
    CustomField1: "",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };
}

describe("duplicate and reordered ECPay notifications", () => {
  it(`${PARALLEL} identical ReturnURL posts at once: one transition to paid, every answer 1|OK`, async () => {
    const ecpay = apiClient(stack(), "unsigned");
    const { order, merchantTradeNo } = await placeOrder("credit");
    const body = ecpayForm(paidNotification(merchantTradeNo, order.total));
    const answers = await Promise.all(Array.from({ length: PARALLEL }, () => ecpay.post("/ecpay", body)));
    expect(answers.map((a) => [a.status, a.text])).toEqual(Array(PARALLEL).fill([200, "1|OK"]));
    const paid = await orderNow(order.id);
    expect(paid.status).toBe("paid");
    expect(paid.history.map((h: { to: string }) => h.to)).toEqual(["created", "paid"]);
    expect(paid.payment.tradeNo).toBe(new URLSearchParams(body).get("TradeNo"));
  });

  it(`${PARALLEL} ReturnURL retries (RtnMsg=paid) racing the first delivery change nothing more`, async () => {
    const ecpay = apiClient(stack(), "unsigned");
    const { order, merchantTradeNo } = await placeOrder("credit");
    const first = paidNotification(merchantTradeNo, order.total);
    const retry = { ...first, RtnMsg: "paid" };
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => ecpay.post("/ecpay", ecpayForm(i % 2 ? retry : first))),
    );
    expect(answers.every((a) => a.text === "1|OK")).toBe(true);
    expect((await orderNow(order.id)).history).toHaveLength(2);
  });

  it("ATM: ReturnURL before PaymentInfoURL still ends paid, with the account recorded and no step back", async () => {
    const ecpay = apiClient(stack(), "unsigned");
    const { order, merchantTradeNo } = await placeOrder("atm");
    const paid = ecpayForm(paidNotification(merchantTradeNo, order.total, { PaymentType: "ATM_TAISHIN" }));
    expect((await ecpay.post("/ecpay", paid)).text).toBe("1|OK");
    const info = ecpayForm(atmInfo(merchantTradeNo, order.total));
    expect((await ecpay.post("/ecpay/payment-info", info)).text).toBe("1|OK");
    expect((await ecpay.post("/ecpay/payment-info", info)).text).toBe("1|OK");
    const after = await orderNow(order.id);
    expect(after.status).toBe("paid");
    expect(after.history.map((h: { to: string }) => h.to)).toEqual(["created", "paid"]);
    expect(after.payment.atm).toMatchObject({ bankCode: "812", account: "9103522850420999" });
  });

  it("ATM: ReturnURL and PaymentInfoURL racing (10 of each at once) end paid exactly once", async () => {
    const ecpay = apiClient(stack(), "unsigned");
    const { order, merchantTradeNo } = await placeOrder("atm");
    const paid = ecpayForm(paidNotification(merchantTradeNo, order.total, { PaymentType: "ATM_TAISHIN" }));
    const info = ecpayForm(atmInfo(merchantTradeNo, order.total));
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        ecpay.post(i % 2 ? "/ecpay" : "/ecpay/payment-info", i % 2 ? paid : info),
      ),
    );
    expect(answers.map((a) => a.text)).toEqual(Array(PARALLEL).fill("1|OK"));
    const after = await orderNow(order.id);
    expect(after.status).toBe("paid");
    const steps = after.history.map((h: { to: string }) => h.to);
    expect(steps.filter((s: string) => s === "paid")).toHaveLength(1);
    // Either order of arrival is fine: created → paid, or created → awaiting_payment → paid.
    expect([
      ["created", "paid"],
      ["created", "awaiting_payment", "paid"],
    ]).toContainEqual(steps);
    expect(after.payment.atm.account).toBe("9103522850420999");
  });
});
