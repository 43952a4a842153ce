import { describe, expect, it } from "vitest";
import { refuseForeignOriginPost } from "./foreign-origin";

const post = (path: string, headers: Record<string, string>) =>
  new Request(`https://shop.example.tw${path}`, { method: "POST", headers: { Host: "shop.example.tw", ...headers } });

describe("refuseForeignOriginPost", () => {
  it("answers 403 to a post from another origin, with a reason and no caching", async () => {
    const refused = refuseForeignOriginPost(post("/admin/site", { Origin: "https://evil.example" }));
    expect(refused?.status).toBe(403);
    expect(refused?.headers.get("Cache-Control")).toBe("no-store");
    expect(await refused?.text()).toMatch(/Cross-site/);
    expect(refuseForeignOriginPost(post("/checkout", { Origin: "http://shop.example.tw:8080" }))?.status).toBe(403);
  });

  it("lets same-origin posts, posts without Origin, and reads through", () => {
    expect(refuseForeignOriginPost(post("/admin/site", { Origin: "https://shop.example.tw" }))).toBeNull();
    expect(refuseForeignOriginPost(post("/cart", {}))).toBeNull();
    expect(refuseForeignOriginPost(new Request("https://shop.example.tw/", { headers: { Origin: "https://evil.example" } }))).toBeNull();
  });

  it("accepts ECPay's cross-site return to the order page", () => {
    expect(refuseForeignOriginPost(post("/orders/261127-04831/return", { Origin: "https://payment-stage.ecpay.com.tw" }))).toBeNull();
  });

  it("compares with X-Forwarded-Host like Remix does", () => {
    const proxied = post("/admin/site", { Origin: "https://shop.example.tw", "X-Forwarded-Host": "other.example" });
    expect(refuseForeignOriginPost(proxied)?.status).toBe(403);
  });
});
