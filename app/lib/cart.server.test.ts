import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Catalog, Product } from "../../aws/src/contract";
import { cartCookieHeader, EMPTY_CART, MAX_CART_LINES, readCart } from "../../worker/cookies.server";
import { answer, fakeShop } from "../../worker/test/helpers";
import {
  applyCartChange,
  type CartActionData,
  type CartPageData,
  cartChangeSchema,
  cartItemCount,
  loadCartPage,
  priceCart,
  updateCart,
  withoutDropped,
} from "./cart.server";

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

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

describe("the cart and the stock counts", () => {
  const change = (form: Record<string, string>) => cartChangeSchema.parse(form);

  it("refuses to add what has sold out, and caps an add at what is left", () => {
    expect(applyCartChange(EMPTY_CART, change({ intent: "add", productId: "oolong" }), catalog, { oolong: 0 })).toEqual(
      {
        ok: false,
        message: "「商品 oolong」已售完，暫時無法購買。",
      },
    );
    const cart = { items: [{ productId: "oolong", quantity: 2 }] };
    const capped = applyCartChange(cart, change({ intent: "add", productId: "oolong", quantity: "5" }), catalog, {
      oolong: 3,
    });
    expect(capped).toEqual({
      ok: true,
      cart: { items: [{ productId: "oolong", quantity: 3 }] },
      message: "「商品 oolong」只剩 3 件，購物車裡已調整為 3 件。",
    });
    const set = applyCartChange(cart, change({ intent: "set", productId: "oolong", quantity: "9" }), catalog, {
      oolong: 4,
    });
    expect(set).toMatchObject({ ok: true, cart: { items: [{ productId: "oolong", quantity: 4 }] } });
  });

  it("shows sold-out and short lines, and is not orderable until the shopper fixes them", () => {
    const cart = {
      items: [
        { productId: "oolong", quantity: 2 },
        { productId: "cake", quantity: 1 },
      ],
    };
    const priced = priceCart(cart, catalog, { stock: { oolong: 1, cake: 0 } });
    expect(priced.lines.map((l) => [l.productId, l.available, l.left])).toEqual([
      ["oolong", true, 1],
      ["cake", false, 0],
    ]);
    expect(priced.soldOut).toEqual(["cake"]);
    expect(priced.short).toEqual([{ productId: "oolong", left: 1 }]);
    expect(priced.orderable).toBe(false);
    expect(priceCart(cart, catalog, { stock: null }).orderable).toBe(true);
  });
});

describe("the fees a cart pays, before the shopper commits", () => {
  const shipping = { home: { fee: 100, freeShippingThreshold: 1280, codSurcharge: 30 } };
  const cartOf = (oolong: number, cake = 0) => ({
    items: [{ productId: "oolong", quantity: oolong }, ...(cake ? [{ productId: "cake", quantity: cake }] : [])],
  });

  it("charges the delivery fee below the threshold and says how much more ships free", () => {
    const priced = priceCart(cartOf(2), catalog, { shipping });
    expect(priced.subtotal).toBe(900);
    expect(priced.charges).toMatchObject({
      shippingFee: 100,
      freeShipping: false,
      toFreeShipping: 380,
      codSurcharge: 30,
    });
    expect(priced.charges.byMethod.credit).toEqual({
      fees: [{ kind: "shipping", name: "運費", amount: 100 }],
      total: 1000,
    });
    expect(priced.charges.byMethod.cod.total).toBe(1030);
  });

  it("ships free from exactly the threshold, one dollar below still pays", () => {
    const at = priceCart(cartOf(2, 1), catalog, { shipping });
    expect(at.subtotal).toBe(1280);
    expect(at.charges).toMatchObject({ shippingFee: 0, freeShipping: true, toFreeShipping: null });
    expect(at.charges.byMethod.atm.total).toBe(1280);
    // Free shipping does not waive the pay-on-arrival surcharge.
    expect(at.charges.byMethod.cod.total).toBe(1310);
    const below = priceCart(cartOf(2, 1), catalog, {
      shipping: { home: { ...shipping.home, freeShippingThreshold: 1281 } },
    });
    expect(below.charges).toMatchObject({ shippingFee: 100, toFreeShipping: 1 });
  });

  it("charges nothing and promises nothing without fee settings", () => {
    const priced = priceCart(cartOf(1), catalog);
    expect(priced.charges).toMatchObject({
      shippingFee: 0,
      freeShipping: false,
      toFreeShipping: null,
      codSurcharge: 0,
    });
    expect(priced.charges.byMethod.cod.total).toBe(450);
  });

  it("shows the cart page with the owner's fees", async () => {
    const shop = await fakeShop({ site: { open: true, shipping }, catalog });
    const cookie = await cartCookieHeader(shop.bff.env, cartOf(1));
    const page = await answer<CartPageData>(
      loadCartPage(shop.bff, new Request("http://127.0.0.1:8788/cart", { headers: { Cookie: cookie.split(";")[0]! } })),
    );
    expect(page.data.cart.charges).toMatchObject({ shippingFee: 100, toFreeShipping: 830 });
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
    expect(priced.subtotal).toBe(1280);
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
      subtotal: 760,
      orderable: true,
    });
    expect(priceCart(EMPTY_CART, catalog)).toMatchObject({ subtotal: 0, orderable: false });
  });
});

// ---------------------------------------------------------------------------------------------
// The page functions, against a fake edge (S3 content, cookies as a browser sends them back)

const SITE = "http://127.0.0.1:8788";
const site = { open: true };

/** The request a browser sends with the cookie `setCookie` set, and `init`. */
function withCookie(setCookie: string | null, path: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (setCookie) headers.set("Cookie", setCookie.split(";")[0]!);
  return new Request(`${SITE}${path}`, { ...init, headers });
}

const post = (setCookie: string | null, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  withCookie(setCookie, "/cart", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: SITE, ...headers },
    body: new URLSearchParams(fields),
  });

describe("the cart page", () => {
  it("prices the cookie's cart from the catalog and names the product just added", async () => {
    const shop = await fakeShop({ site, catalog });
    const cookie = await cartCookieHeader(shop.bff.env, { items: [{ productId: "oolong", quantity: 2 }] });
    const page = await answer<CartPageData>(loadCartPage(shop.bff, withCookie(cookie, "/cart?added=oolong")));
    expect(page.status).toBe(200);
    expect(page.data.added).toBe("商品 oolong");
    expect(page.data.cart).toMatchObject({ subtotal: 900, itemCount: 2, orderable: true, dropped: 0 });
    expect(page.headers.get("Set-Cookie")).toBeNull();
  });

  it("drops products the owner removed from the catalog, from the page and from the cookie", async () => {
    const shop = await fakeShop({ site, catalog });
    const cookie = await cartCookieHeader(shop.bff.env, {
      items: [
        { productId: "gone", quantity: 1 },
        { productId: "cake", quantity: 1 },
      ],
    });
    const page = await answer<CartPageData>(loadCartPage(shop.bff, withCookie(cookie, "/cart")));
    expect(page.data.cart.dropped).toBe(1);
    const kept = await readCart(shop.bff.env, withCookie(page.headers.get("Set-Cookie"), "/cart"));
    expect(kept).toEqual({ items: [{ productId: "cake", quantity: 1 }] });
  });

  it("answers 503 when the catalog cannot be read", async () => {
    const shop = await fakeShop({ site });
    expect((await answer(loadCartPage(shop.bff, withCookie(null, "/cart")))).status).toBe(503);
  });
});

describe("changing the cart", () => {
  it("adds with a redirect to the cart (post/redirect/get), adding up quantities in the cookie", async () => {
    const shop = await fakeShop({ site, catalog });
    const added = await answer(updateCart(shop.bff, post(null, { intent: "add", productId: "cake", quantity: "2" })));
    expect(added.status).toBe(303);
    expect(added.headers.get("Location")).toBe("/cart?added=cake");
    const cookie = added.headers.get("Set-Cookie");
    expect(await readCart(shop.bff.env, withCookie(cookie, "/cart"))).toEqual({
      items: [{ productId: "cake", quantity: 2 }],
    });

    const more = await answer(updateCart(shop.bff, post(cookie, { intent: "add", productId: "cake" })));
    expect(more.status).toBe(303);
    expect(await readCart(shop.bff.env, withCookie(more.headers.get("Set-Cookie"), "/cart"))).toEqual({
      items: [{ productId: "cake", quantity: 3 }],
    });
  });

  it("refuses a sold-out product (409) and a malformed change (400), and keeps the cookie", async () => {
    const shop = await fakeShop({ site, catalog });
    const soldOut = await answer<CartActionData>(
      updateCart(shop.bff, post(null, { intent: "add", productId: "nougat" })),
    );
    expect(soldOut).toMatchObject({
      status: 409,
      data: { ok: false, message: "「商品 nougat」已售完，暫時無法購買。" },
    });
    expect(soldOut.headers.get("Set-Cookie")).toBeNull();
    const bad = await answer<CartActionData>(updateCart(shop.bff, post(null, { intent: "set", productId: "cake" })));
    expect(bad).toMatchObject({ status: 400, data: { ok: false } });
  });

  it("refuses a post from another site before reading it (403, no cookie)", async () => {
    const shop = await fakeShop({ site, catalog });
    const refused = await answer<{ message: string }>(
      updateCart(shop.bff, post(null, { intent: "add", productId: "cake" }, { Origin: "https://evil.example" })),
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get("Set-Cookie")).toBeNull();
    expect(shop.calls).toHaveLength(0);
  });

  it("refuses a body that is not a form with 415", async () => {
    const shop = await fakeShop({ site, catalog });
    const json = withCookie(null, "/cart", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: SITE },
      body: "{}",
    });
    expect((await answer(updateCart(shop.bff, json))).status).toBe(415);
  });
});
