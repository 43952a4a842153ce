/**
 * Ordering for convenience-store pickup (ADR 0027) through the local stack: offered only when the owner set it up,
 * for the chains of the shop's ECPay logistics account and totals ECPay carries (NT$1–20,000); the store from the
 * map is checked for shape and kept with the order; the receiver's name must match an ID; the e-invoice choice is
 * checked (tax ID by its checksum) and kept when the shop issues e-invoices.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteStatus } from "../src/contract";
import { orderRequest, patchSite, storefront } from "./support";

const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
let before: SiteStatus;

beforeAll(async () => {
  before = await patchSite({
    pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } },
    einvoice: true,
    shipping: { home: { fee: 150 }, cvs: { fee: 60, codSurcharge: 0 } },
  });
});
afterAll(async () => {
  await patchSite({
    pickup: before.pickup ?? null,
    einvoice: before.einvoice ?? false,
    shipping: before.shipping ?? {},
  });
});

const pickup = (overrides: Parameters<typeof orderRequest>[0] = {}) =>
  orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod", ...overrides });

describe("placing a store-pickup order", () => {
  it("keeps the store, charges the store fee and pays on pickup; no address needed", async () => {
    const request = pickup();
    const { address: _address, ...customer } = request.customer;
    const res = await storefront.post("/order", { ...request, customer });
    expect(res.status).toBe(201);
    const { order, payment } = res.body;
    expect(payment).toBeNull();
    expect(order).toMatchObject({
      deliveryMethod: "cvs",
      paymentMethod: "cod",
      pickupStore: STORE,
      invoiceRequest: { carrier: "member" },
    });
    expect(order.fees).toEqual([{ kind: "shipping", name: "運費", amount: 60 }]);
    expect(order.customer.address).toBeUndefined();
  });

  it("with card payment too, keeping the shopper's mobile barcode (upper-cased, spaces gone)", async () => {
    const res = await storefront.post(
      "/order",
      pickup({ paymentMethod: "credit", invoice: { carrier: "mobile", barcode: "/abc 1234" } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.order.invoiceRequest).toEqual({ carrier: "mobile", barcode: "/ABC1234" });
    expect(res.body.payment.fields.TotalAmount).toBe(String(res.body.order.total));
  });

  it("refuses a store without an id, a foreign chain's markup, and a missing store", async () => {
    for (const pickupStore of [
      { ...STORE, id: "" },
      { ...STORE, name: "<script>alert(1)</script>" },
      { ...STORE, chain: "carrefour" },
    ]) {
      const res = await storefront.post("/order", pickup({ pickupStore: pickupStore as never }));
      expect(res.status, JSON.stringify(pickupStore)).toBe(400);
      expect(Object.keys(res.body.error.fields ?? {}).some((k) => k.startsWith("pickupStore"))).toBe(true);
    }
    const { pickupStore: _s, ...noStore } = pickup();
    const res = await storefront.post("/order", noStore);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.pickupStore).toBe("請選擇取貨門市");
  });

  it("refuses a receiver name ECPay would refuse at the counter", async () => {
    const request = pickup();
    for (const name of ["王", "王小明明明明", "Wang Da", "Ann", "王1明"]) {
      const res = await storefront.post("/order", { ...request, customer: { ...request.customer, name } });
      expect(res.status, name).toBe(400);
      expect(res.body.error.fields["customer.name"]).toContain("2–5 個中文字");
    }
  });

  it("refuses a total above ECPay's NT$20,000 and a store with home delivery", async () => {
    const big = await storefront.post("/order", pickup({ items: [{ productId: "dongding-oolong", quantity: 45 }] }));
    expect(big.status).toBe(400);
    expect(big.body.error.message).toContain("20,000");
    const home = await storefront.post("/order", orderRequest({ pickupStore: STORE }));
    expect(home.status).toBe(400);
  });

  it("refuses a chain the logistics account does not carry", async () => {
    await patchSite({ pickup: { account: "B2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
    try {
      const res = await storefront.post("/order", pickup({ pickupStore: { ...STORE, chain: "okmart" } }));
      expect(res.status).toBe(400);
      expect(res.body.error.fields.pickupStore).toBeDefined();
    } finally {
      await patchSite({ pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
    }
  });
});

describe("the e-invoice choice at checkout", () => {
  it.each([
    [{ carrier: "company", taxId: "04595257", companyName: "測試股份有限公司" }, 201],
    [{ carrier: "company", taxId: "04595258", companyName: "測試股份有限公司" }, 400],
    [{ carrier: "donation", loveCode: "168001" }, 201],
    [{ carrier: "donation", loveCode: "12" }, 400],
    [{ carrier: "certificate", number: "AB12345678901234" }, 201],
    [{ carrier: "certificate", number: "AB1234567890123" }, 400],
    [{ carrier: "mobile", barcode: "/1234567" }, 201],
    [{ carrier: "mobile", barcode: "1234567" }, 400],
  ])("%j → %i", async (invoice, status) => {
    const res = await storefront.post("/order", orderRequest({ invoice: invoice as never }));
    expect(res.status).toBe(status);
    if (status === 400) expect(Object.keys(res.body.error.fields).some((k) => k.startsWith("invoice"))).toBe(true);
  });

  it("a shop that issues no e-invoices keeps no choice", async () => {
    await patchSite({ einvoice: false });
    try {
      const res = await storefront.post(
        "/order",
        orderRequest({ invoice: { carrier: "mobile", barcode: "/1234567" } }),
      );
      expect(res.status).toBe(201);
      expect(res.body.order.invoiceRequest).toBeUndefined();
    } finally {
      await patchSite({ einvoice: true });
    }
  });
});

describe("without store pickup set up", () => {
  it("refuses store pickup, and forms that do not show the setting keep it", async () => {
    await patchSite({ pickup: null });
    try {
      const res = await storefront.post("/order", pickup());
      expect(res.status).toBe(400);
      expect(res.body.error.fields.deliveryMethod).toBeDefined();
      const { pickup: _p, ...rest } = await patchSite({});
      expect(_p).toBeNull();
      expect(rest.open).toBeDefined();
    } finally {
      await patchSite({ pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } } });
    }
  });
});
