import { describe, expect, it } from "vitest";
import { type Catalog, PAYMENT_METHODS, type ShippingSettings, siteStatusSchema } from "../contract";
import { amountToFreeShipping, feesFor, priceOrder } from "./pricing";

const catalog: Catalog = {
  products: [
    { id: "oolong", name: "凍頂烏龍茶", description: "", unitPrice: 450, available: true, sortOrder: 1 },
    { id: "pineapple-cake", name: "鳳梨酥", description: "", unitPrice: 380, available: true, sortOrder: 2 },
    { id: "mango", name: "愛文芒果乾", description: "", unitPrice: 250, available: false, sortOrder: 3 },
    { id: "candy", name: "牛軋糖", description: "", unitPrice: 1, available: true, sortOrder: 4 },
  ],
};

const free = { paymentMethod: "credit" } as const;
const shipping: ShippingSettings = { home: { fee: 160, freeShippingThreshold: 1500, codSurcharge: 30 } };

describe("priceOrder", () => {
  it("prices every line from the catalog and sums the total", () => {
    const result = priceOrder(
      [
        { productId: "oolong", quantity: 2 },
        { productId: "pineapple-cake", quantity: 3 },
      ],
      catalog,
      free,
    );
    expect(result).toEqual({
      ok: true,
      subtotal: 2 * 450 + 3 * 380,
      fees: [],
      total: 2 * 450 + 3 * 380,
      lines: [
        { productId: "oolong", name: "凍頂烏龍茶", unitPrice: 450, quantity: 2, lineTotal: 900 },
        { productId: "pineapple-cake", name: "鳳梨酥", unitPrice: 380, quantity: 3, lineTotal: 1140 },
      ],
    });
  });

  it("refuses unknown products before unavailable ones", () => {
    expect(priceOrder([{ productId: "nope", quantity: 1 }, { productId: "mango", quantity: 1 }], catalog, free)).toEqual({
      ok: false,
      reason: "unknown_product",
      productIds: ["nope"],
    });
    expect(priceOrder([{ productId: "mango", quantity: 1 }], catalog, free)).toEqual({
      ok: false,
      reason: "unavailable_product",
      productIds: ["mango"],
    });
  });

  it("follows a price change in the catalog", () => {
    const raised: Catalog = { products: catalog.products.map((p) => (p.id === "oolong" ? { ...p, unitPrice: 500 } : p)) };
    const result = priceOrder([{ productId: "oolong", quantity: 1 }], raised, free);
    expect(result.ok && result.total).toBe(500);
  });

  it("adds the fees as their own lines and to the total", () => {
    const result = priceOrder([{ productId: "oolong", quantity: 1 }], catalog, { paymentMethod: "cod", shipping });
    expect(result).toMatchObject({
      ok: true,
      subtotal: 450,
      fees: [
        { kind: "shipping", name: "運費", amount: 160 },
        { kind: "cod_surcharge", name: "貨到付款手續費", amount: 30 },
      ],
      total: 640,
    });
  });
});

describe("fees at the free-shipping threshold's edges, for each payment method", () => {
  // The threshold is reached by the items subtotal; 1 below pays the fee, exactly at it and above ship free.
  // Pay on arrival keeps its surcharge either way.
  const cases = PAYMENT_METHODS.flatMap((paymentMethod) =>
    [
      { subtotal: 1499, shippingFee: 160 },
      { subtotal: 1500, shippingFee: 0 },
      { subtotal: 1501, shippingFee: 0 },
    ].map((c) => ({ paymentMethod, ...c, surcharge: paymentMethod === "cod" ? 30 : 0 })),
  );

  it.each(cases)("$paymentMethod, subtotal $subtotal → fee $shippingFee, surcharge $surcharge", ({ paymentMethod, subtotal, shippingFee, surcharge }) => {
    // Built from a 1-dollar product so the subtotal is exact.
    const result = priceOrder([{ productId: "candy", quantity: subtotal }], catalog, { paymentMethod, shipping });
    if (!result.ok) throw new Error("priced");
    expect(result.subtotal).toBe(subtotal);
    expect(result.fees.find((f) => f.kind === "shipping")?.amount ?? 0).toBe(shippingFee);
    expect(result.fees.find((f) => f.kind === "cod_surcharge")?.amount ?? 0).toBe(surcharge);
    expect(result.total).toBe(subtotal + shippingFee + surcharge);
  });

  it("says how much more buys free shipping, and nothing once it is reached", () => {
    expect(amountToFreeShipping(1180, shipping)).toBe(320);
    expect(amountToFreeShipping(1499, shipping)).toBe(1);
    expect(amountToFreeShipping(1500, shipping)).toBeNull();
    expect(amountToFreeShipping(0, shipping)).toBe(1500);
  });
});

describe("fee settings that are partly or wholly absent", () => {
  it.each([
    ["no settings at all", undefined, "cod", []],
    ["a fee without a threshold (always charged)", { home: { fee: 100 } }, "credit", [100]],
    ["a threshold without a fee (nothing to waive)", { home: { freeShippingThreshold: 10 } }, "atm", []],
    ["a zero fee (not printed)", { home: { fee: 0, codSurcharge: 0 } }, "cod", []],
    ["only a surcharge, not for card", { home: { codSurcharge: 45 } }, "credit", []],
    ["only a surcharge, for pay on arrival", { home: { codSurcharge: 45 } }, "cod", [45]],
  ] as const)("%s", (_label, settings, paymentMethod, amounts) => {
    expect(feesFor(1000, { paymentMethod, shipping: settings as ShippingSettings | undefined }).map((f) => f.amount)).toEqual(amounts);
  });

  it("has no free-shipping hint without both a fee and a threshold", () => {
    expect(amountToFreeShipping(100, undefined)).toBeNull();
    expect(amountToFreeShipping(100, { home: { fee: 100 } })).toBeNull();
    expect(amountToFreeShipping(100, { home: { freeShippingThreshold: 500 } })).toBeNull();
  });
});

describe("fee settings as the owner may enter them", () => {
  const parse = (home: unknown) => siteStatusSchema.safeParse({ open: true, shipping: { home } });
  it.each([
    ["a negative fee", { fee: -1 }],
    ["a fractional fee", { fee: 10.5 }],
    ["an absurd fee", { fee: 5001 }],
    ["a zero threshold", { freeShippingThreshold: 0 }],
    ["an absurd threshold", { freeShippingThreshold: 1_000_001 }],
    ["a negative surcharge", { codSurcharge: -30 }],
    ["an absurd surcharge", { codSurcharge: 1001 }],
    ["a fee as text", { fee: "160" }],
  ])("refuses %s with a reason", (_label, home) => {
    const result = parse(home);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/[運免貨]/);
  });

  it("accepts the limits themselves", () => {
    expect(parse({ fee: 5000, freeShippingThreshold: 1_000_000, codSurcharge: 1000 }).success).toBe(true);
    expect(parse({ fee: 0, freeShippingThreshold: 1, codSurcharge: 0 }).success).toBe(true);
  });
});
