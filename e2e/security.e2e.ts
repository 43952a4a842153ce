/**
 * The guards of docs/security.md against the whole local stack as `npm start` runs it: the built storefront under
 * wrangler, client addresses taken from `CF-Connecting-IP` as Cloudflare sets it. Plain HTTP, as a guessing script
 * would send it (no browser needed):
 *   - throttles key IPv6 clients by their /64: seven wrong logins, twelve missed lookups from one /64 end in 429;
 *   - misses are counted per phone number: thirty guesses for one phone from thirty networks end in 429, while the
 *     shopper's own browser (its signed cookie) still opens the order;
 *   - a new order's id carries eight random digits (10^8 a day);
 *   - logout ends the session on the server: the cookie from before it no longer opens /admin;
 *   - a 2 MB form post answers 413 with a reason, with a Content-Length and chunked; the owner's photo forms take
 *     30 MB (a 25 MB photo gets its message on the form) and answer a bigger body 413 with the limit.
 * The MD5-signed ECPay callback is refused against the same local API in aws/test/ecpay-callbacks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { postOversizedForm } from "../aws/test/reliability/shopper";
import { api, form, ownerCookie, randomPhone, sameOrigin, uniqueIp } from "./admin-support";
import { e2e } from "./browser";
import { uniqueClientIp } from "./shop";

const hextet = () => Math.floor(Math.random() * 0xffff).toString(16);
/** A /64 of its own under the documentation prefix, so no other test shares its counters. */
const unique64 = () => `2001:db8:${hextet()}:${hextet()}`;
/** A well-formed order id of a real day that no order has (the API is asked, and answers not found). */
const unknownOrderId = () => `200101-${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}-0000`;

function post(path: string, fields: Record<string, string>, headers: Record<string, string>) {
  return fetch(`${e2e().baseUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: sameOrigin({ "Content-Type": "application/x-www-form-urlencoded", ...headers }),
    body: form(fields),
  });
}

const lookup = (id: string, phone: string, ip: string, cookie?: string) =>
  post("/orders", { id, phone }, { "CF-Connecting-IP": ip, ...(cookie ? { Cookie: cookie } : {}) });

describe("throttles count an IPv6 client by its /64", () => {
  it("seven wrong logins from seven addresses of one /64 end in 429", async () => {
    const prefix = unique64();
    const statuses: number[] = [];
    for (let host = 1; host <= 7; host++) {
      const res = await post(
        "/admin/login",
        { password: `wrong-${host}` },
        { "CF-Connecting-IP": `${prefix}::${host}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it("twelve missed lookups from twelve addresses of one /64 end in 429", async () => {
    const prefix = unique64();
    const statuses: number[] = [];
    for (let host = 1; host <= 12; host++) {
      // A different phone each time: only the network's counter can refuse.
      statuses.push((await lookup(unknownOrderId(), randomPhone(), `${prefix}:${hextet()}::${host}`)).status);
    }
    expect(statuses).toEqual([...Array(10).fill(404), 429, 429]);
  });
});

describe("misses counted per phone number", () => {
  it("thirty missed lookups for one phone from thirty networks end in 429; the shopper's own browser still opens the order", async () => {
    const phone = randomPhone();
    const order = await api.placeOrder({ phone });
    // The shopper looks the order up once: the browser now remembers it (id + phone in a signed cookie).
    const found = await lookup(order.id, phone, uniqueClientIp());
    expect(found.status).toBe(303);
    // Its count is taken back a moment later (REFUND_DELAY_MS, 250 ms, worker/rate-limit.server.ts); a shopper reading
    // the page takes longer than that.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const remembered = found.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]!)
      .find((c) => c.startsWith("__Host-orders="))!;
    expect(remembered).toBeDefined();

    const statuses: number[] = [];
    for (let n = 0; n < 30; n++) statuses.push((await lookup(unknownOrderId(), phone, uniqueIp())).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    // Typed lookups for that phone are refused from anywhere, the right id too…
    expect((await lookup(order.id, phone, uniqueClientIp())).status).toBe(429);
    // …but the browser that remembers the order opens it.
    const page = await fetch(`${e2e().baseUrl}/orders/${order.id}`, {
      headers: { Cookie: remembered, "CF-Connecting-IP": uniqueClientIp() },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(order.id);
  });

  it("a new order's id carries eight random digits: 10^8 possibilities a day", async () => {
    const ids = await Promise.all([1, 2, 3].map(() => api.placeOrder()));
    for (const { id } of ids) expect(id).toMatch(/^\d{6}-\d{4}-\d{4}$/);
    expect(new Set(ids.map((o) => o.id)).size).toBe(3);
  });
});

describe("logout", () => {
  it("the cookie from before logout no longer opens /admin", async () => {
    const cookie = await ownerCookie();
    const ip = uniqueIp();
    const open = (c: string) =>
      fetch(`${e2e().baseUrl}/admin`, { redirect: "manual", headers: { Cookie: c, "CF-Connecting-IP": ip } });
    expect((await open(cookie)).status).toBe(200);
    const out = await post("/admin/logout", {}, { Cookie: cookie, "CF-Connecting-IP": ip });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/admin/login");
    const after = await open(cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/admin\/login\?/);
  });
});

describe("form bodies are limited", () => {
  for (const path of ["/orders", "/checkout", "/cart", "/admin/login"]) {
    it(`a 2 MB form post to ${path} answers 413 with a reason, with a Content-Length and chunked`, async () => {
      for (const chunked of [false, true]) {
        const answer = await postOversizedForm(`${e2e().baseUrl}${path}`, 2 * 1024 * 1024, {
          chunked,
          headers: sameOrigin({ "CF-Connecting-IP": uniqueIp() }),
        });
        expect(answer.status, `${path} chunked=${chunked}`).toBe(413);
        expect(answer.text).toContain("送出的內容太大");
      }
    });
  }

  it("the owner's photo forms: a body past 30 MB answers 413 with the limit, with a Content-Length and chunked", async () => {
    const ip = uniqueIp();
    const cookie = await ownerCookie(ip);
    for (const [path, chunked] of [
      ["/admin/photos", false],
      ["/admin/products/new", true],
    ] as const) {
      const answer = await postOversizedForm(`${e2e().baseUrl}${path}`, 30 * 1024 * 1024 + 1, {
        chunked,
        headers: sameOrigin({ Cookie: cookie, "CF-Connecting-IP": ip }),
      });
      expect(answer.status, `${path} chunked=${chunked}`).toBe(413);
      expect(answer.text).toContain("上限 30 MB");
    }
  }, 180_000);
});
