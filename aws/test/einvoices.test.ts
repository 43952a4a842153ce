/**
 * E-invoices through the local stack and the e-invoice stand-in (ADR 0027): issued by the outbox worker once an
 * order is paid (card at payment, pay on pickup when collected), exactly once under duplicate callbacks, shown in the
 * paid email; voided when a paid order is cancelled, or given an allowance for the whole amount when that happens past
 * the void window; the stand-in down → the order completes and the invoice follows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateOrderRequest, Order, SiteStatus } from "../src/contract";
import { canVoid } from "../src/domain/invoice";
import { runOutbox } from "../src/services/outbox";
import {
  admin,
  ecpayForm,
  eventually,
  mailTo,
  orderRequest,
  paidNotification,
  patchSite,
  sleep,
  stack,
  storefront,
  uniqueEmail,
  unsigned,
  useStackEnvironment,
} from "./support";

const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
let before: SiteStatus;

beforeAll(async () => {
  before = await patchSite({
    pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } },
    einvoice: true,
  });
});
afterAll(async () => {
  await einvoiceConfig({ outage: "none" });
  await patchSite({ pickup: before.pickup ?? null, einvoice: before.einvoice ?? false });
});

interface SandboxInvoice {
  relateNumber: string;
  invoiceNo: string;
  carrierType: string;
  carrierNum: string;
  invalid: boolean;
  salesAmount: number;
  invoiceDate: string;
  allowances: { no: string; amount: number; invalid: boolean }[];
  remaining: number;
}
const sandboxInvoices = async (): Promise<SandboxInvoice[]> =>
  (await (await fetch(`${stack().ecpayUrl}/__sandbox/einvoice`)).json()) as SandboxInvoice[];
const einvoiceConfig = (body: Record<string, unknown>) =>
  fetch(`${stack().ecpayUrl}/__sandbox/einvoice/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const getOrder = async (id: string): Promise<Order> => (await admin.get(`/admin/orders/${id}`)).body.order;
const invoiceOf = (id: string, status = "issued") =>
  eventually(async () => {
    const order = await getOrder(id);
    return order.invoice?.status === status ? order : undefined;
  }, 20_000);

async function paidCardOrder(invoice: CreateOrderRequest["invoice"], email = uniqueEmail("invoice")) {
  const request = orderRequest({ paymentMethod: "credit", invoice, customer: { ...orderRequest().customer, email } });
  const res = await storefront.post("/order", request);
  expect(res.status, res.text).toBe(201);
  const order = res.body.order as Order;
  const body = ecpayForm(paidNotification(res.body.payment.fields.MerchantTradeNo, order.total));
  return { order, email, body };
}

describe("a card order with a mobile-barcode carrier", () => {
  it("gets its invoice at payment, once under 10 duplicate ReturnURL posts, and the paid email shows its number", async () => {
    const { order, email, body } = await paidCardOrder({ carrier: "mobile", barcode: "/ABC+123" });
    const answers = await Promise.all(Array.from({ length: 10 }, () => unsigned.post("/ecpay", body)));
    expect(answers.every((a) => a.text === "1|OK")).toBe(true);
    const issued = await invoiceOf(order.id);
    expect(issued.invoice?.number).toMatch(/^[A-Z]{2}\d{8}$/);
    expect(issued.invoice?.date).toMatch(/^\d{4}-\d{2}-\d{2} /);
    const mine = (await sandboxInvoices()).filter((i) => i.invoiceNo === issued.invoice?.number);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ carrierType: "3", carrierNum: "/ABC+123", salesAmount: order.total });
    await unsigned.post("/ecpay", body);
    await sleep(1_500);
    expect((await sandboxInvoices()).filter((i) => i.relateNumber === mine[0]?.relateNumber)).toHaveLength(1);
    const paid = await eventually(async () => (await mailTo(email)).find((m) => m.subject.includes("付款完成")));
    expect(paid.body.text).toContain(issued.invoice?.number);
  });

  it("a cancelled paid order's invoice is voided", async () => {
    const { order, body } = await paidCardOrder({ carrier: "donation", loveCode: "168001" });
    expect((await unsigned.post("/ecpay", body)).text).toBe("1|OK");
    const issued = await invoiceOf(order.id);
    const res = await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled", note: "客人取消" });
    expect(res.status, res.text).toBe(200);
    const voided = await invoiceOf(order.id, "void");
    expect(voided.invoice?.number).toBe(issued.invoice?.number);
    expect((await sandboxInvoices()).find((i) => i.invoiceNo === issued.invoice?.number)?.invalid).toBe(true);
  });
});

describe("a paid order cancelled past the void window", () => {
  it("gets an allowance for the whole amount instead of a void, once under a repeated cancel and racing outbox runs", async () => {
    // The stand-in dates this invoice 120 days back: its two-month period's void deadline (the 13th of the next odd
    // month, at most 72 days on) has passed, as for an order cancelled months after it was paid.
    useStackEnvironment(); // this test runs the outbox worker too, racing the stack's own
    await einvoiceConfig({ backdateMs: 120 * 86_400_000 });
    let order: Order;
    let issued: Order;
    try {
      const placed = await paidCardOrder({ carrier: "mobile", barcode: "/ABC+123" });
      order = placed.order;
      expect((await unsigned.post("/ecpay", placed.body)).text).toBe("1|OK");
      issued = await invoiceOf(order.id);
    } finally {
      await einvoiceConfig({ backdateMs: 0 });
    }
    const number = issued.invoice?.number;
    const sandboxDate = (await sandboxInvoices()).find((i) => i.invoiceNo === number)?.invoiceDate;
    expect(issued.invoice?.date?.slice(0, 10)).toBe(sandboxDate?.slice(0, 10));
    expect(canVoid(new Date(`${sandboxDate?.slice(0, 10)}T12:00:00+08:00`), new Date())).toBe(false);

    for (const note of ["客人退貨", "再按一次"]) {
      const res = await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled", note });
      expect(res.status, res.text).toBe(200);
    }
    await Promise.all(Array.from({ length: 4 }, () => runOutbox()));
    const allowed = await invoiceOf(order.id, "allowance");
    expect(allowed.status).toBe("cancelled");
    expect(allowed.invoice).toMatchObject({ number, allowanceNo: expect.stringMatching(/^\d{16}$/) });
    await Promise.all(Array.from({ length: 4 }, () => runOutbox()));
    await sleep(1_500);
    const mine = (await sandboxInvoices()).filter((i) => i.invoiceNo === number);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ invalid: false, remaining: 0 });
    expect(mine[0]?.allowances.map((a) => [a.no, a.amount])).toEqual([[allowed.invoice?.allowanceNo, order.total]]);
    expect((await getOrder(order.id)).invoice).toEqual(allowed.invoice);
  });
});

describe("the e-invoice service down", () => {
  it("the order is paid anyway; the invoice waits, visible, and is issued once the service is back", async () => {
    await einvoiceConfig({ outage: "down" });
    let order: Order;
    try {
      const placed = await paidCardOrder({ carrier: "company", taxId: "04595257", companyName: "測試股份有限公司" });
      order = placed.order;
      expect((await unsigned.post("/ecpay", placed.body)).text).toBe("1|OK");
      expect((await getOrder(order.id)).status).toBe("paid");
      const waiting = await invoiceOf(order.id, "pending");
      expect(waiting.invoice?.lastError).toContain("503");
    } finally {
      await einvoiceConfig({ outage: "none" });
    }
    const issued = await invoiceOf(order.id);
    expect((await sandboxInvoices()).filter((i) => i.invoiceNo === issued.invoice?.number)).toHaveLength(1);
  });
});

describe("pay on pickup", () => {
  it("from the map's store to picked up: paid at the store, invoice issued once", async () => {
    const res = await storefront.post(
      "/order",
      orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod" }),
    );
    expect(res.status, res.text).toBe(201);
    const shipped = (await admin.post("/admin/shipments", { ids: [res.body.order.id] })).body.results[0].order as Order;
    expect(shipped.invoice).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      await fetch(`${stack().ecpayUrl}/__sandbox/logistics/${shipped.logistics?.allPayLogisticsId}/advance`, {
        method: "POST",
      });
    }
    const issued = await invoiceOf(shipped.id);
    expect(issued.status).toBe("paid");
    expect(issued.invoiceRequest).toEqual({ carrier: "member" });
    await fetch(`${stack().ecpayUrl}/__sandbox/logistics/${shipped.logistics?.allPayLogisticsId}/resend`, {
      method: "POST",
    });
    await sleep(1_000);
    expect((await sandboxInvoices()).filter((i) => i.invoiceNo === issued.invoice?.number)).toHaveLength(1);
    expect((await sandboxInvoices()).filter((i) => i.relateNumber.includes(shipped.id.replaceAll("-", "")))).toHaveLength(
      1,
    );
  });
});
