/**
 * Shipping fees set by the owner and tracking numbers on ship, through the local stack: fees priced at the
 * free-shipping threshold's edges for each payment method, a fee change between page and order, ECPay's
 * TotalAmount, the owner's settings (kept by the open/closed form, refused when absurd), and carrier + tracking number.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAYMENT_METHODS } from "../src/contract";
import { PAYMENT_MAC, verifyCheckMacValue } from "../src/ecpay";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import { admin, orderRequest, setShipping, storefront } from "./support";

// Seeded prices: 土鳳梨酥 380, 凍頂烏龍茶 450.
const FEES = { home: { fee: 150, freeShippingThreshold: 1140, codSurcharge: 30 } };
let before: Awaited<ReturnType<typeof setShipping>>;

beforeAll(async () => {
  before = await setShipping(FEES);
});
afterAll(async () => {
  await setShipping(before);
});

const cakes = (quantity: number) => [{ productId: "pineapple-cake", quantity }];

describe("fees at the free-shipping threshold's edges, for each payment method (through the API)", () => {
  // 2 boxes = 760 (below 1140), 3 = 1140 (exactly), 4 = 1520 (above).
  const cases = PAYMENT_METHODS.flatMap((paymentMethod) =>
    [
      { boxes: 2, subtotal: 760, shipping: 150 },
      { boxes: 3, subtotal: 1140, shipping: 0 },
      { boxes: 4, subtotal: 1520, shipping: 0 },
    ].map((c) => ({ paymentMethod, ...c, surcharge: paymentMethod === "cod" ? 30 : 0 })),
  );

  it.each(cases)(
    "$paymentMethod, $boxes boxes ($subtotal) → shipping $shipping, surcharge $surcharge",
    async ({ paymentMethod, boxes, subtotal, shipping, surcharge }) => {
      const total = subtotal + shipping + surcharge;
      const res = await storefront.post(
        "/order",
        orderRequest({ paymentMethod, items: cakes(boxes), expectedTotal: total }),
      );
      expect(res.status).toBe(201);
      const { order, payment } = res.body;
      expect(order).toMatchObject({ subtotal, total, deliveryMethod: "home" });
      expect(order.fees).toEqual([
        ...(shipping ? [{ kind: "shipping", name: "運費", amount: shipping }] : []),
        ...(surcharge ? [{ kind: "cod_surcharge", name: "貨到付款手續費", amount: surcharge }] : []),
      ]);
      if (paymentMethod === "cod") {
        expect(payment).toBeNull();
      } else {
        // ECPay charges the total with the fees, and lists the fee as an item of its own.
        expect(payment.fields.TotalAmount).toBe(String(total));
        expect(verifyCheckMacValue(payment.fields, ECPAY_STAGE_MERCHANT, PAYMENT_MAC)).toBe(true);
        if (shipping) expect(payment.fields.ItemName).toContain(`運費 ${shipping}元 x 1`);
        else expect(payment.fields.ItemName).not.toContain("運費");
      }
    },
  );
});

describe("a fee change between the page and the order", () => {
  it("is a price change the shopper must confirm: 409 with the new total, then the confirmed total goes through", async () => {
    const shown = 760 + 150; // the page was rendered with the old fee
    await setShipping({ home: { ...FEES.home, fee: 180 } });
    try {
      const res = await storefront.post("/order", orderRequest({ items: cakes(2), expectedTotal: shown }));
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "price_changed", currentTotal: 760 + 180 });
      const confirmed = await storefront.post("/order", orderRequest({ items: cakes(2), expectedTotal: 940 }));
      expect(confirmed.status).toBe(201);
      expect(confirmed.body.order.total).toBe(940);
    } finally {
      await setShipping(FEES);
    }
  });
});

describe("the owner's fee settings", () => {
  it("are kept when the open/closed form saves without them", async () => {
    const site = (await admin.get("/admin/site")).body;
    const res = await admin.put("/admin/site", { open: true, announcement: "本週新茶上市", revision: site.revision });
    expect(res.status).toBe(200);
    expect(res.body.shipping).toEqual(FEES);
    // Based on an old revision: refused, not merged onto something else.
    const stale = await admin.put("/admin/site", { open: false, revision: site.revision });
    expect(stale.status).toBe(409);
    expect((await admin.get("/admin/site")).body).toMatchObject({ open: true, shipping: FEES });
  });

  it.each([
    ["a negative fee", { fee: -10 }, "home.fee"],
    ["an absurd fee", { fee: 50_000 }, "home.fee"],
    ["a fractional fee", { fee: 99.5 }, "home.fee"],
    ["a zero threshold", { freeShippingThreshold: 0 }, "home.freeShippingThreshold"],
    ["an absurd surcharge", { codSurcharge: 9_999 }, "home.codSurcharge"],
  ])("refuses %s with a 400 naming the field, and writes nothing", async (_label, home, field) => {
    const site = (await admin.get("/admin/site")).body;
    const res = await admin.put("/admin/site", { open: true, revision: site.revision, shipping: { home } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields)).toContain(`shipping.${field}`);
    expect((await admin.get("/admin/site")).body.revision).toBe(site.revision);
  });
});

describe("shipping with a carrier and a tracking number", () => {
  async function paidCodOrder() {
    const res = await storefront.post("/order", orderRequest({ paymentMethod: "cod", items: cakes(1) }));
    return res.body.order.id as string;
  }

  it("stores them on the order, which the shopper sees", async () => {
    const request = orderRequest({ paymentMethod: "cod", items: cakes(1) });
    const { order } = (await storefront.post("/order", request)).body;
    const res = await admin.post(`/admin/orders/${order.id}/transition`, {
      to: "shipped",
      shipment: { carrier: "tcat", trackingNumber: " 9012-3456-7890 " },
    });
    expect(res.status).toBe(200);
    expect(res.body.order.shipment).toMatchObject({ carrier: "tcat", trackingNumber: "9012-3456-7890" });
    const seen = await storefront.get(`/order?id=${order.id}&phone=${request.customer.phone}`);
    expect(seen.body.order.shipment).toMatchObject({ carrier: "tcat", trackingNumber: "9012-3456-7890" });
    expect(Date.parse(seen.body.order.shipment.shippedAt)).toBeGreaterThan(0);
  });

  it.each([
    ["control characters", { carrier: "tcat", trackingNumber: "1234\u0000567" }],
    ["a newline", { carrier: "hct", trackingNumber: "1234\n567" }],
    ["200 characters", { carrier: "post", trackingNumber: "1".repeat(200) }],
    ["an unknown carrier", { carrier: "dhl", trackingNumber: "123" }],
    ["no number", { carrier: "tcat", trackingNumber: "" }],
  ])(
    "refuses a tracking number with %s (400 with the field), leaving the order as it was",
    async (_label, shipment) => {
      const id = await paidCodOrder();
      const res = await admin.post(`/admin/orders/${id}/transition`, { to: "shipped", shipment });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields).some((f) => f.startsWith("shipment."))).toBe(true);
      expect((await admin.get(`/admin/orders/${id}`)).body.order.status).toBe("created");
    },
  );

  it("refuses a shipment with any other transition", async () => {
    const id = await paidCodOrder();
    const res = await admin.post(`/admin/orders/${id}/transition`, {
      to: "cancelled",
      shipment: { carrier: "tcat", trackingNumber: "1" },
    });
    expect(res.status).toBe(400);
    expect((await admin.get(`/admin/orders/${id}`)).body.order.status).toBe("created");
  });
});
