import { describe, expect, it } from "vitest";
import { cookiePolicy, readCookie, shopCookie } from "./cookies.server";
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
