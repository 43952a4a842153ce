import { describe, expect, it } from "vitest";
import { isCrossSitePost } from "./request-guard.server";

const env = { SITE_URL: "https://shop.example.tw" };
const post = (headers: Record<string, string>) =>
  new Request("https://shop.example.tw/cart", { method: "POST", headers });

describe("cross-site form posts", () => {
  it("accepts our own pages' posts", () => {
    expect(isCrossSitePost(post({ "Sec-Fetch-Site": "same-origin", Origin: "https://shop.example.tw" }), env)).toBe(
      false,
    );
    expect(isCrossSitePost(post({ Origin: "https://shop.example.tw" }), env)).toBe(false);
  });

  it("refuses posts from other sites and from sibling origins", () => {
    expect(isCrossSitePost(post({ "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" }), env)).toBe(true);
    expect(isCrossSitePost(post({ "Sec-Fetch-Site": "same-site", Origin: "https://api.example.tw" }), env)).toBe(true);
    // Older browsers without fetch metadata: the Origin decides.
    expect(isCrossSitePost(post({ Origin: "https://evil.example" }), env)).toBe(true);
  });

  it("lets through clients that send neither header (the cookies, not these headers, protect shoppers)", () => {
    expect(isCrossSitePost(post({}), env)).toBe(false);
  });

  it("never judges reads", () => {
    const get = new Request("https://shop.example.tw/", { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(isCrossSitePost(get, env)).toBe(false);
  });
});
