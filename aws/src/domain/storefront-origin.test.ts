import { describe, expect, it } from "vitest";
import { canonicalOrigin, originAllowed, parseOriginAllowlist } from "./storefront-origin";

describe("storefront origins", () => {
  const staging = parseOriginAllowlist("https://staging.taiwan-shop.pages.dev, https://*.taiwan-shop.pages.dev");
  const production = parseOriginAllowlist("https://shop.example.tw");

  it("accepts the site itself and any one-level preview of the project on staging", () => {
    expect(originAllowed("https://staging.taiwan-shop.pages.dev", staging)).toBe(true);
    expect(originAllowed("https://feature-x.taiwan-shop.pages.dev", staging)).toBe(true);
    expect(originAllowed("https://3f2a9c1b.taiwan-shop.pages.dev", staging)).toBe(true);
    expect(originAllowed("https://FEATURE-X.Taiwan-Shop.pages.dev", staging)).toBe(true);
  });

  it("refuses look-alikes: other projects, deeper or empty labels, the bare host, http, ports, paths, credentials", () => {
    for (const origin of [
      "https://taiwan-shop.pages.dev",
      "https://a.b.taiwan-shop.pages.dev",
      "https://evil-taiwan-shop.pages.dev",
      "https://x.taiwan-shop.pages.dev.evil.example",
      "https://other-shop.pages.dev",
      "http://feature-x.taiwan-shop.pages.dev",
      "https://feature-x.taiwan-shop.pages.dev:8443",
      "https://feature-x.taiwan-shop.pages.dev/path",
      "https://user@feature-x.taiwan-shop.pages.dev",
      "https://-x.taiwan-shop.pages.dev",
      "javascript:alert(1)",
      "",
    ]) {
      expect(originAllowed(origin, staging), origin).toBe(false);
    }
  });

  it("production accepts exactly its site", () => {
    expect(originAllowed("https://shop.example.tw", production)).toBe(true);
    expect(originAllowed("https://shop.example.tw:443", production)).toBe(true);
    expect(originAllowed("https://www.shop.example.tw", production)).toBe(false);
    expect(originAllowed("https://staging.taiwan-shop.pages.dev", production)).toBe(false);
  });

  it("local origins keep their port", () => {
    const local = parseOriginAllowlist("http://127.0.0.1:8788,http://127.0.0.1:9788");
    expect(originAllowed("http://127.0.0.1:9788", local)).toBe(true);
    expect(originAllowed("http://127.0.0.1:9789", local)).toBe(false);
  });

  it("refuses malformed allowlist entries loudly", () => {
    expect(() => parseOriginAllowlist("https://*.pages")).toThrow(/host name with a dot/);
    expect(() => parseOriginAllowlist("https://shop.example.tw/path")).toThrow(/scheme:\/\/host/);
    expect(() => parseOriginAllowlist("*.example.tw")).toThrow();
    expect(parseOriginAllowlist("")).toEqual([]);
  });

  it("canonicalOrigin keeps only bare origins", () => {
    expect(canonicalOrigin("https://Shop.Example.TW")).toBe("https://shop.example.tw");
    expect(canonicalOrigin("https://shop.example.tw/")).toBeNull();
    expect(canonicalOrigin("https://shop.example.tw?x")).toBeNull();
  });
});
