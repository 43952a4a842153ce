import { describe, expect, it } from "vitest";
import type { Catalog, Product } from "../aws/src/contract";
import {
  applyCartChange,
  type Cart,
  cartChangeSchema,
  cartCookieHeader,
  cartItemCount,
  EMPTY_CART,
  MAX_CART_LINES,
  priceCart,
  readCart,
  withoutDropped,
} from "./cart.server";
import { shopCookie } from "./cookies.server";
import { testEnv } from "./test/helpers";

const env = testEnv();

const product = (id: string, unitPrice: number, available = true): Product => ({
  id,
  name: `商品 ${id}`,
  description: "",
  unitPrice,
  available,
  sortOrder: 0,
});
const catalog: Catalog = {
  products: [product("oolong", 450), product("cake", 380), product("nougat", 220, false)],
};

/** The request a browser sends back after receiving `setCookie`. */
function requestWith(setCookie: string): Request {
  return new Request("http://127.0.0.1:8788/cart", { headers: { Cookie: setCookie.split(";")[0]! } });
}

describe("cart cookie", () => {
  it("round-trips through a signed __Host- cookie", async () => {
    const cart: Cart = {
      items: [
        { productId: "oolong", quantity: 2 },
        { productId: "cake", quantity: 1 },
      ],
    };
    const header = await cartCookieHeader(env, cart);
    expect(header).toMatch(/^__Host-cart=/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(await readCart(env, requestWith(header))).toEqual(cart);
  });

  it("reads a missing, tampered or malformed cookie as an empty cart", async () => {
    expect(await readCart(env, new Request("http://127.0.0.1:8788/"))).toEqual(EMPTY_CART);
    const header = await cartCookieHeader(env, { items: [{ productId: "oolong", quantity: 2 }] });
    const [name, value] = header.split(";")[0]!.split("=") as [string, string];
    const [, signature] = decodeURIComponent(value).split(".");
    const forged = `${btoa(JSON.stringify({ v: 1, i: [["oolong", 1000]] }))}.${signature}`;
    expect(await readCart(env, requestWith(`${name}=${encodeURIComponent(forged)}`))).toEqual(EMPTY_CART);
    // Correctly signed but not a cart (another version, a quantity the contract does not allow): empty as well.
    const cookie = shopCookie(env, "cart", {});
    for (const value of [{ v: 2, i: [] }, { v: 1, i: [["oolong", 100]] }, "text"]) {
      expect(await readCart(env, requestWith(await cookie.serialize(value)))).toEqual(EMPTY_CART);
    }
  });

  it("deletes the cookie for an empty cart", async () => {
    const header = await cartCookieHeader(env, EMPTY_CART);
    expect(header).toMatch(/^__Host-cart=;/);
    expect(header).toMatch(/Max-Age=0/);
  });

  it("stays far below the 4 KB cookie limit when full", async () => {
    const items = Array.from({ length: MAX_CART_LINES }, (_, i) => ({
      productId: `a-rather-long-product-identifier-number-${String(i).padStart(3, "0")}`,
      quantity: 99,
    }));
    const header = await cartCookieHeader(env, { items });
    expect(header.length).toBeLessThan(3000);
    expect(await readCart(env, requestWith(header))).toEqual({ items });
  });
});

describe("cart changes", () => {
  const change = (form: Record<string, string>) => cartChangeSchema.parse(form);

  it("adds a product, and adds up quantities of the same product", () => {
    const once = applyCartChange(EMPTY_CART, change({ intent: "add", productId: "oolong" }), catalog);
    expect(once).toMatchObject({ ok: true, cart: { items: [{ productId: "oolong", quantity: 1 }] } });
    const twice = applyCartChange(
      once.ok ? once.cart : EMPTY_CART,
      change({ intent: "add", productId: "oolong", quantity: "2" }),
      catalog,
    );
    expect(twice).toMatchObject({
      ok: true,
      cart: { items: [{ productId: "oolong", quantity: 3 }] },
      message: "已將「商品 oolong」加入購物車。",
    });
  });

  it("caps a line at 99 and says so", () => {
    const cart = { items: [{ productId: "oolong", quantity: 98 }] };
    const result = applyCartChange(cart, change({ intent: "add", productId: "oolong", quantity: "5" }), catalog);
    expect(result).toMatchObject({ ok: true, cart: { items: [{ productId: "oolong", quantity: 99 }] } });
    expect(result.ok && result.message).toContain("最多 99 件");
  });

  it("refuses sold-out and unknown products, and more than the line limit", () => {
    expect(applyCartChange(EMPTY_CART, change({ intent: "add", productId: "nougat" }), catalog)).toEqual({
      ok: false,
      message: "「商品 nougat」已售完，暫時無法購買。",
    });
    expect(applyCartChange(EMPTY_CART, change({ intent: "add", productId: "gone" }), catalog)).toMatchObject({
      ok: false,
    });
    expect(applyCartChange(EMPTY_CART, change({ intent: "add", productId: "NOT VALID" }), catalog)).toMatchObject({
      ok: false,
    });
    const big: Catalog = { products: Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => product(`p${i}`, 100)) };
    const full = { items: big.products.slice(0, MAX_CART_LINES).map((p) => ({ productId: p.id, quantity: 1 })) };
    expect(applyCartChange(full, change({ intent: "add", productId: `p${MAX_CART_LINES}` }), big)).toMatchObject({
      ok: false,
    });
    // Adding more of a product already in a full cart is fine.
    expect(applyCartChange(full, change({ intent: "add", productId: "p0" }), big)).toMatchObject({ ok: true });
  });

  it("sets a quantity, removes at zero, and removes even a product that sold out meanwhile", () => {
    const cart = {
      items: [
        { productId: "oolong", quantity: 1 },
        { productId: "nougat", quantity: 2 },
      ],
    };
    expect(applyCartChange(cart, change({ intent: "set", productId: "oolong", quantity: "4" }), catalog)).toMatchObject(
      {
        ok: true,
        cart: {
          items: [
            { productId: "oolong", quantity: 4 },
            { productId: "nougat", quantity: 2 },
          ],
        },
      },
    );
    expect(applyCartChange(cart, change({ intent: "set", productId: "oolong", quantity: "0" }), catalog)).toMatchObject(
      {
        ok: true,
        cart: { items: [{ productId: "nougat", quantity: 2 }] },
      },
    );
    expect(applyCartChange(cart, change({ intent: "remove", productId: "nougat" }), catalog)).toMatchObject({
      ok: true,
      cart: { items: [{ productId: "oolong", quantity: 1 }] },
    });
  });

  it("validates the form with messages a shopper can read", () => {
    const bad = cartChangeSchema.safeParse({ intent: "set", productId: "oolong", quantity: "100" });
    expect(bad.success ? "" : bad.error.issues[0]?.message).toBe("數量需為 0 到 99 之間的整數");
    const half = cartChangeSchema.safeParse({ intent: "add", productId: "oolong", quantity: "1.5" });
    expect(half.success).toBe(false);
    const unknown = cartChangeSchema.safeParse({ intent: "empty-everything" });
    expect(unknown.success ? "" : unknown.error.issues[0]?.message).toBe("無法辨識的購物車操作");
  });
});

describe("pricing the cart from the catalog", () => {
  it("prices lines from the catalog, counts only what is on sale, and drops vanished products", () => {
    const cart = {
      items: [
        { productId: "oolong", quantity: 2 },
        { productId: "nougat", quantity: 1 },
        { productId: "gone", quantity: 5 },
        { productId: "cake", quantity: 1 },
      ],
    };
    const priced = priceCart(cart, catalog);
    expect(priced.lines.map((l) => [l.productId, l.lineTotal, l.available])).toEqual([
      ["oolong", 900, true],
      ["nougat", 220, false],
      ["cake", 380, true],
    ]);
    expect(priced.total).toBe(1280);
    expect(priced.itemCount).toBe(3);
    expect(priced.soldOut).toEqual(["nougat"]);
    expect(priced.dropped).toBe(1);
    expect(priced.orderable).toBe(false);
    expect(priced.orderItems).toEqual([
      { productId: "oolong", quantity: 2 },
      { productId: "cake", quantity: 1 },
    ]);
    expect(withoutDropped(cart, catalog).items.map((i) => i.productId)).toEqual(["oolong", "nougat", "cake"]);
    expect(cartItemCount(cart)).toBe(9);
  });

  it("is orderable with lines on sale only, and not when empty", () => {
    expect(priceCart({ items: [{ productId: "cake", quantity: 2 }] }, catalog)).toMatchObject({
      total: 760,
      orderable: true,
    });
    expect(priceCart(EMPTY_CART, catalog)).toMatchObject({ total: 0, orderable: false });
  });
});
