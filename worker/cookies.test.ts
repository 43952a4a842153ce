import { describe, expect, it } from "vitest";
import {
  type Cart,
  cartCookieHeader,
  cookiePolicy,
  EMPTY_CART,
  MAX_CART_LINES,
  readCart,
  readCookie,
  readRememberedOrders,
  rememberedOrdersHeader,
  shopCookie,
} from "./cookies.server";
import { testEnv } from "./test/helpers";

describe("cookie policy", () => {
  it("uses __Host- and Secure on https and on loopback http (browsers treat both as secure contexts)", () => {
    for (const site of [
      "https://shop.example.tw",
      "http://127.0.0.1:8788",
      "http://localhost:5173",
      "http://[::1]:8788",
    ]) {
      expect(cookiePolicy({ SITE_URL: site }), site).toEqual({ prefix: "__Host-", secure: true });
    }
  });

  it("drops both only for plain http on another host, where a browser would discard such cookies", () => {
    expect(cookiePolicy({ SITE_URL: "http://192.168.1.20:8788" })).toEqual({ prefix: "", secure: false });
  });

  it("serializes signed cookies with HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain", async () => {
    const cookie = shopCookie(testEnv({ SITE_URL: "https://shop.example.tw" }), "cart", { maxAge: 60 });
    const header = await cookie.serialize({ v: 1 });
    expect(header).toMatch(/^__Host-cart=[^;]+\.[^;]+;/); // value.signature
    expect(header).toContain("HttpOnly");
    expect(header).toContain("Secure");
    expect(header).toContain("SameSite=Lax");
    expect(header).toContain("Path=/");
    expect(header).toContain("Max-Age=60");
    expect(header).not.toMatch(/Domain=/i);
  });

  it("reads back what it signed, and nothing that was altered or signed with another secret", async () => {
    const env = testEnv();
    const cookie = shopCookie(env, "cart", {});
    const value = (await cookie.serialize({ v: 1, i: [["tea", 2]] })).split(";")[0]!;
    const request = (cookieHeader: string) =>
      new Request("http://127.0.0.1:8788/", { headers: { Cookie: cookieHeader } });

    expect(await readCookie(cookie, request(value))).toEqual({ v: 1, i: [["tea", 2]] });

    const [name, signed] = value.split("=") as [string, string];
    const [payload, signature] = decodeURIComponent(signed).split(".") as [string, string];
    const forged = btoa(JSON.stringify({ v: 1, i: [["tea", 99]] }));
    expect(await readCookie(cookie, request(`${name}=${encodeURIComponent(`${forged}.${signature}`)}`))).toBeNull();
    expect(await readCookie(cookie, request(`${name}=${encodeURIComponent(`${payload}.AAAA`)}`))).toBeNull();

    const other = shopCookie(testEnv({ SESSION_SECRET: "another-secret-that-is-32-chars-long!" }), "cart", {});
    expect(await readCookie(other, request(value))).toBeNull();
    expect(await readCookie(cookie, request("unrelated=1"))).toBeNull();
  });
});

const env = testEnv();

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

describe("remembered orders cookie", () => {
  it("round-trips id and phone pairs, keeps at most five, and deletes the cookie when none are left", async () => {
    const refs = Array.from({ length: 7 }, (_, i) => ({ id: `261127-0000${i}`, phone: "0912345678" }));
    const header = await rememberedOrdersHeader(env, refs);
    expect(header).toMatch(/^__Host-orders=/);
    expect(await readRememberedOrders(env, requestWith(header))).toEqual(refs.slice(0, 5));
    const none = await rememberedOrdersHeader(env, []);
    expect(none).toMatch(/^__Host-orders=;/);
    expect(none).toMatch(/Max-Age=0/);
  });

  it("reads a cookie holding anything but well-formed ids and mobile numbers as no orders", async () => {
    const cookie = shopCookie(env, "orders", {});
    for (const value of [{ v: 1, o: [["261127-00001", "12345"]] }, { v: 1, o: [["x", "0912345678"]] }, "text"]) {
      expect(await readRememberedOrders(env, requestWith(await cookie.serialize(value)))).toEqual([]);
    }
  });
});
