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
    expect(page.data.cart).toMatchObject({ total: 900, itemCount: 2, orderable: true, dropped: 0 });
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
