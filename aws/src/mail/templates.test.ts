import { describe, expect, it } from "vitest";
import type { Order } from "../contract";
import { cancelReason, renderMail } from "./templates";

const ctx = { storefrontUrl: "https://shop.example.tw/" };
const base: Order = {
  id: "261127-04831",
  status: "created",
  createdAt: "2026-11-27T02:00:00.000Z",
  lines: [{ productId: "oolong", name: "凍頂烏龍茶 <特級>", unitPrice: 450, quantity: 2, lineTotal: 900 }],
  subtotal: 900,
  fees: [{ kind: "shipping", name: "運費", amount: 150 }],
  total: 1050,
  paymentMethod: "credit",
  customer: { name: "王<小明>", phone: "0912345678", email: "a@example.tw", address: "臺北市 & 中正區" },
  history: [{ at: "2026-11-27T02:00:00.000Z", from: null, to: "created", by: "shopper" }],
};

describe("emails", () => {
  it("lists the lines, the fee as its own line and the total, with the lookup link (text and HTML)", () => {
    const mail = renderMail("received", base, ctx);
    expect(mail.subject).toBe("【小島良品】訂單 261127-04831 已成立");
    expect(mail.text).toContain("凍頂烏龍茶 <特級> × 2　NT$900");
    expect(mail.text).toContain("運費　NT$150");
    expect(mail.text).toContain("合計　NT$1,050（信用卡）");
    expect(mail.text).toContain("https://shop.example.tw/orders/261127-04831");
    expect(mail.html).toContain("凍頂烏龍茶 &lt;特級&gt; × 2");
    expect(mail.html).toContain("王&lt;小明&gt; 您好");
    expect(mail.html).not.toContain("<特級>");
  });

  it("gives ATM details, and a pay-on-arrival amount to have ready", () => {
    const atm = renderMail(
      "received",
      {
        ...base,
        paymentMethod: "atm",
        payment: { merchantTradeNo: "L1", atm: { bankCode: "812", account: "9103", expireDate: "2026/11/30" } },
      },
      ctx,
    );
    expect(atm.text).toContain("銀行代碼：812");
    expect(atm.text).toContain("繳費期限：2026 年 11 月 30 日");
    expect(renderMail("received", { ...base, paymentMethod: "cod" }, ctx).text).toContain("收貨時請備妥 NT$1,050");
  });

  it("links the carrier's tracking page, filled in where the carrier allows it", () => {
    const shipped = (carrier: "tcat" | "hct" | "other") =>
      renderMail(
        "shipped",
        {
          ...base,
          status: "shipped",
          shipment: { carrier, trackingNumber: "9012", shippedAt: "2026-11-28T00:00:00.000Z" },
        },
        ctx,
      );
    expect(shipped("tcat").html).toContain("TraceDetail.aspx?BillID=9012");
    expect(shipped("hct").text).toContain("到新竹物流網站查詢（請輸入物流單號）");
    expect(shipped("other").text).toContain("物流業者：其他");
    expect(shipped("other").text).not.toContain("查詢");
  });

  it("says why an order was cancelled", () => {
    const cancelled = (by: "owner" | "system" | "reconciler", method: Order["paymentMethod"], note?: string): Order => ({
      ...base,
      status: "cancelled",
      paymentMethod: method,
      history: [
        ...base.history,
        { at: "2026-11-28T00:00:00.000Z", from: "created", to: "cancelled", by, ...(note ? { note } : {}) },
      ],
    });
    expect(cancelReason(cancelled("system", "atm"))).toContain("ATM 轉帳期限已過");
    expect(cancelReason(cancelled("reconciler", "atm", "ATM deadline 2026-11-27 passed unpaid"))).toContain("ATM 轉帳期限已過");
    expect(cancelReason(cancelled("reconciler", "credit", "Nothing paid at ECPay"))).toContain("付款沒有在期限內完成");
    expect(cancelReason(cancelled("owner", "cod", "缺貨"))).toBe("店家說明：缺貨");
    expect(cancelReason(cancelled("owner", "cod"))).toContain("店家已取消");
  });

  it("tells the owner who ordered and where to ship, with the admin link", () => {
    const mail = renderMail("owner_new", { ...base, paymentMethod: "cod", note: "請勿按門鈴" }, ctx);
    expect(mail.subject).toBe("【小島良品】新訂單 261127-04831（貨到付款，NT$1,050）");
    expect(mail.text).toContain("手機：0912345678");
    expect(mail.text).toContain("備註：請勿按門鈴");
    expect(mail.text).toContain("https://shop.example.tw/admin/orders/261127-04831");
  });
});

describe("store pickup and e-invoice emails (ADR 0027)", () => {
  const pickup: Order = {
    ...base,
    paymentMethod: "cod",
    deliveryMethod: "cvs",
    status: "shipped",
    customer: { name: "王小明", phone: "0912345678", email: "a@example.tw" },
    pickupStore: { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" },
    logistics: {
      merchantTradeNo: "L26112704831ABC",
      subType: "UNIMARTC2C",
      collect: true,
      goodsAmount: 1050,
      state: "created",
      requestedAt: "2026-11-27T03:00:00.000Z",
      stage: "at_store",
      pickupBy: "2026-12-04",
    },
  };

  it("says the parcel arrived at the store, until when to pick it up, and what to pay there", () => {
    const mail = renderMail("arrived", pickup, ctx);
    expect(mail.subject).toBe("【小島良品】訂單 261127-04831 已到店，請 2026 年 12 月 4 日 前取貨");
    expect(mail.text).toContain("取貨門市：7-ELEVEN 建盛門市");
    expect(mail.text).toContain("取貨時請在門市付 NT$1,050");
    expect(mail.text).toContain("逾期未取的包裹會退回店家");
  });

  it("calls pay on pickup 取貨付款, and shows the e-invoice number in the paid email", () => {
    expect(renderMail("received", { ...pickup, status: "created" }, ctx).text).toContain("合計　NT$1,050（取貨付款）");
    const paid = renderMail(
      "paid",
      { ...base, status: "paid", invoice: { status: "issued", number: "AB12345678", date: "2026-11-27 10:00:00" } },
      ctx,
    );
    expect(paid.text).toContain("電子發票號碼：AB12345678（開立日期 2026-11-27）");
  });
});
