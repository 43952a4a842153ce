/**
 * An email at every step, through the local stack and its SES stand-in (aws-ses-v2-local, whose mailbox the tests
 * read): what each event sends, in Traditional Chinese text and HTML, exactly once per event even when ECPay's
 * notifications and the owner's clicks repeat. The outbox worker runs every 300 ms in the test stack.
 */
import { describe, expect, it } from "vitest";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import type { StoredMail } from "../local/ses";
import { formatTaipeiDate, formatTaipeiDateTime } from "../src/ecpay";
import { runOutbox } from "../src/services/outbox";
import {
  admin,
  ecpayForm,
  eventually,
  mailTo,
  orderRequest,
  paidNotification,
  sleep,
  storefront,
  uniqueEmail,
  unsigned,
  useStackEnvironment,
} from "./support";

const OWNER = "owner@example.tw";
/** Long enough for several worker runs: a duplicate would have been sent by then. */
const SETTLE_MS = 1_500;

async function place(paymentMethod: "credit" | "atm" | "cod") {
  const email = uniqueEmail(paymentMethod);
  const request = orderRequest({ paymentMethod, customer: { ...orderRequest().customer, email } });
  const res = await storefront.post("/order", request);
  expect(res.status).toBe(201);
  return {
    order: res.body.order,
    email,
    merchantTradeNo: res.body.payment?.fields.MerchantTradeNo as string | undefined,
  };
}

async function mailsWith(to: string, subjectPart: string, count = 1): Promise<StoredMail[]> {
  return eventually(async () => {
    const found = (await mailTo(to)).filter((m) => m.subject.includes(subjectPart));
    return found.length >= count ? found : undefined;
  });
}

const ownerMailsFor = async (orderId: string) => (await mailTo(OWNER)).filter((m) => m.subject.includes(orderId));

describe("emails", () => {
  it("confirms a pay-on-arrival order to the shopper (with the lookup link) and tells the owner, once each", async () => {
    const { order, email } = await place("cod");
    const [received] = await mailsWith(email, `訂單 ${order.id} 已成立`);
    expect(received!.from).toBe("shop@example.tw");
    expect(received!.subject).toBe(`【小島良品】訂單 ${order.id} 已成立`);
    expect(received!.body.text).toContain(`http://127.0.0.1:8788/orders/${order.id}`);
    expect(received!.body.text).toContain("貨到付款");
    expect(received!.body.html).toContain(`<a href="http://127.0.0.1:8788/orders/${order.id}">`);
    await eventually(async () => ((await ownerMailsFor(order.id)).length > 0 ? true : undefined));
    await sleep(SETTLE_MS);
    expect(await mailTo(email)).toHaveLength(1);
    const owner = await ownerMailsFor(order.id);
    expect(owner).toHaveLength(1);
    expect(owner[0]!.body.text).toContain(order.customer.phone);
    expect(owner[0]!.body.text).toContain(`/admin/orders/${order.id}`);
  });

  it("sends the payment email once under 20 duplicate ReturnURL posts at once, and the owner's once", async () => {
    const { order, email, merchantTradeNo } = await place("credit");
    await mailsWith(email, "已成立");
    const body = ecpayForm(paidNotification(merchantTradeNo!, order.total));
    const answers = await Promise.all(Array.from({ length: 20 }, () => unsigned.post("/ecpay", body)));
    expect(answers.every((a) => a.text === "1|OK")).toBe(true);
    const [paid] = await mailsWith(email, "付款完成");
    expect(paid!.body.text).toContain(`NT$${order.total.toLocaleString("en-US")}`);
    // ECPay keeps resending for a while; the owner clicks reconcile too.
    await Promise.all([unsigned.post("/ecpay", body), admin.post(`/admin/orders/${order.id}/reconcile`)]);
    await sleep(SETTLE_MS);
    expect((await mailTo(email)).map((m) => m.subject)).toEqual([
      `【小島良品】訂單 ${order.id} 已成立`,
      `【小島良品】訂單 ${order.id} 付款完成`,
    ]);
    expect(await ownerMailsFor(order.id)).toHaveLength(1);
  });

  it("confirms an ATM order with the bank code, account and deadline once the account is issued", async () => {
    const { order, email, merchantTradeNo } = await place("atm");
    const deadline = new Date(Date.now() + 3 * 86_400_000);
    const info = {
      MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
      MerchantTradeNo: merchantTradeNo!,
      StoreID: "",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: "2611270000000042",
      TradeAmt: String(order.total),
      PaymentType: "ATM_TAISHIN",
      TradeDate: formatTaipeiDateTime(new Date()),
      BankCode: "812",
      vAccount: "9103522850420042",
      ExpireDate: formatTaipeiDate(deadline),
      CustomField1: "",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    };
    // Nothing before the account exists: the confirmation must carry it.
    await sleep(SETTLE_MS);
    expect(await mailTo(email)).toHaveLength(0);
    const body = ecpayForm(info);
    await Promise.all(Array.from({ length: 5 }, () => unsigned.post("/ecpay/payment-info", body)));
    const [received] = await mailsWith(email, "請於期限內轉帳");
    const [y, m, d] = formatTaipeiDate(deadline).split("/");
    for (const text of [
      "銀行代碼：812",
      "轉帳帳號：9103522850420042",
      `繳費期限：${y} 年 ${Number(m)} 月 ${Number(d)} 日`,
    ]) {
      expect(received!.body.text).toContain(text);
      expect(received!.body.html).toContain(text);
    }
    await sleep(SETTLE_MS);
    expect(await mailTo(email)).toHaveLength(1);
  });

  it("tells the shopper the carrier, the tracking number and where to follow it, once however often the owner clicks", async () => {
    const { order, email } = await place("cod");
    const ship = { to: "shipped", shipment: { carrier: "tcat", trackingNumber: "901234567890" } };
    await Promise.all([1, 2, 3].map(() => admin.post(`/admin/orders/${order.id}/transition`, ship)));
    const [shipped] = await mailsWith(email, "已出貨");
    expect(shipped!.body.text).toContain("物流業者：黑貓宅急便");
    expect(shipped!.body.text).toContain("物流單號：901234567890");
    expect(shipped!.body.html).toContain("https://www.t-cat.com.tw/Inquire/TraceDetail.aspx?BillID=901234567890");
    await sleep(SETTLE_MS);
    expect((await mailTo(email)).filter((m) => m.subject.includes("已出貨"))).toHaveLength(1);
  });

  it("sends once when several outbox runs race the stack's own worker", async () => {
    useStackEnvironment();
    const { order, email } = await place("cod");
    await Promise.all(Array.from({ length: 6 }, () => runOutbox()));
    await mailsWith(email, "已成立");
    await sleep(SETTLE_MS);
    expect(await mailTo(email)).toHaveLength(1);
    expect(await ownerMailsFor(order.id)).toHaveLength(1);
  });

  it("tells the shopper an order was cancelled, and why, with what they typed escaped in HTML", async () => {
    const { order, email } = await place("credit");
    await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled", note: "缺貨 <b>抱歉</b>" });
    const [cancelled] = await mailsWith(email, "已取消");
    expect(cancelled!.body.text).toContain("原因：店家說明：缺貨 <b>抱歉</b>");
    expect(cancelled!.body.html).toContain("缺貨 &lt;b&gt;抱歉&lt;/b&gt;");
    expect(cancelled!.body.html).not.toContain("<b>抱歉</b>");
  });
});
