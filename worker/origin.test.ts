import { describe, expect, it, vi } from "vitest";
import { checkOrigin, isMutation, refuseCrossSite, routeKindOf } from "./origin";

const SITE = "https://shop.example.tw";
const post = (path: string, headers: Record<string, string>) =>
  new Request(`${SITE}${path}`, { method: "POST", headers: { Host: "shop.example.tw", ...headers } });
const ok = (path: string, headers: Record<string, string>) => checkOrigin(post(path, headers)).ok;

describe("route kinds", () => {
  it("puts everything under /admin under the owner's policy, ECPay's return apart, and the rest in the shop", () => {
    expect(routeKindOf("/admin")).toBe("owner");
    expect(routeKindOf("/admin/orders/261127-04831")).toBe("owner");
    expect(routeKindOf("/administrator")).toBe("shop");
    expect(routeKindOf("/orders/261127-04831/return")).toBe("gateway-return");
    expect(routeKindOf("/orders/261127-04831")).toBe("shop");
    expect(routeKindOf("/checkout")).toBe("shop");
  });

  it("treats everything but GET and HEAD as a mutation, and never judges reads", () => {
    expect(isMutation(new Request(SITE))).toBe(false);
    expect(isMutation(new Request(SITE, { method: "HEAD" }))).toBe(false);
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(isMutation(new Request(SITE, { method }))).toBe(true);
    }
    const read = new Request(`${SITE}/admin`, {
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    expect(checkOrigin(read).ok).toBe(true);
  });
});

describe("shopper forms", () => {
  it("accept our own pages' posts, and clients that send neither header (the cookies protect shoppers)", () => {
    expect(ok("/cart", { "Sec-Fetch-Site": "same-origin", Origin: SITE })).toBe(true);
    expect(ok("/cart", { Origin: SITE })).toBe(true);
    expect(ok("/cart", {})).toBe(true);
  });

  it("refuse posts from other sites, from sibling origins, and null origins", () => {
    expect(ok("/cart", { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" })).toBe(false);
    expect(ok("/cart", { "Sec-Fetch-Site": "same-site", Origin: "https://api.example.tw" })).toBe(false);
    expect(ok("/cart", { "Sec-Fetch-Site": "cross-site" })).toBe(false);
    // Older browsers without fetch metadata: the Origin decides.
    expect(ok("/checkout", { Origin: "https://evil.example" })).toBe(false);
    expect(ok("/checkout", { Origin: "http://shop.example.tw:8080" })).toBe(false);
    expect(ok("/orders", { Origin: "null" })).toBe(false);
  });
});

describe("the owner's admin", () => {
  it("lets same-origin browser posts through", () => {
    expect(ok("/admin/orders", { Origin: SITE, "Sec-Fetch-Site": "same-origin" })).toBe(true);
    // Older browsers send only Origin; some privacy tools strip Origin but keep Sec-Fetch-Site.
    expect(ok("/admin/orders", { Origin: SITE })).toBe(true);
    expect(ok("/admin/orders", { "Sec-Fetch-Site": "same-origin" })).toBe(true);
  });

  it("refuses cross-site, same-site, foreign and null origins, another scheme, and requests that say nothing", () => {
    const refused: Record<string, string>[] = [
      { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      { Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "https://stag.example.tw", "Sec-Fetch-Site": "same-site" },
      { Origin: "http://shop.example.tw", "Sec-Fetch-Site": "same-origin" },
      { Origin: "https://shop.example.tw:8443" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "none" },
      {},
    ];
    for (const headers of refused) expect(ok("/admin/orders", headers), JSON.stringify(headers)).toBe(false);
  });
});

describe("the Pages entry's refusal", () => {
  it("answers 403 with a reason and no caching, the same for every route kind", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const path of ["/admin/site", "/checkout"]) {
      const refused = refuseCrossSite(post(path, { Origin: "https://evil.example" }));
      expect(refused?.status).toBe(403);
      expect(refused?.headers.get("Cache-Control")).toBe("no-store");
      expect(((await refused!.json()) as { message: string }).message).toMatch(/Cross-site/);
    }
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it("lets same-origin posts, shopper posts without Origin, and reads through", () => {
    expect(refuseCrossSite(post("/admin/site", { Origin: SITE }))).toBeNull();
    expect(refuseCrossSite(post("/cart", {}))).toBeNull();
    expect(refuseCrossSite(new Request(`${SITE}/`, { headers: { Origin: "https://evil.example" } }))).toBeNull();
  });

  it("accepts ECPay's cross-site return to the order page", () => {
    const back = post("/orders/261127-04831/return", { Origin: "https://payment-stage.ecpay.com.tw" });
    expect(refuseCrossSite(back)).toBeNull();
  });

  it("compares hosts with X-Forwarded-Host like Remix does", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const proxied = post("/admin/site", { Origin: SITE, "X-Forwarded-Host": "other.example" });
    expect(refuseCrossSite(proxied)?.status).toBe(403);
    warn.mockRestore();
  });
});
