import { describe, expect, it } from "vitest";
import {
  BASELINE_SECURITY_HEADERS,
  createNonce,
  documentCsp,
  NON_DOCUMENT_CSP,
  indexable,
  withBaselineSecurityHeaders,
} from "./security-headers";

function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values.join(" ")]),
  );
}

describe("documentCsp", () => {
  const production = documentCsp({
    scripts: { nonce: "abc123" },
    formActionOrigins: ["https://payment-stage.ecpay.com.tw"],
    viteDev: false,
    upgradeInsecureRequests: true,
  });

  it("allows scripts only from our origin or carrying this response's nonce", () => {
    const scriptSrc = directives(production).get("script-src")!;
    expect(scriptSrc).toBe("'self' 'nonce-abc123'");
    expect(production).not.toContain("unsafe-inline");
    expect(production).not.toContain("unsafe-eval");
  });

  it("runs no script at all on a page without JavaScript, and only our files on one with the small script", () => {
    const options = { formActionOrigins: [], viteDev: false, upgradeInsecureRequests: true };
    const none = documentCsp({ ...options, scripts: "none" });
    expect(directives(none).get("script-src")).toBe("'none'");
    expect(directives(documentCsp({ ...options, scripts: "self" })).get("script-src")).toBe("'self'");
    // The same for every response: nothing in it may vary, or a cached copy would carry a stale value.
    expect(documentCsp({ ...options, scripts: "none" })).toBe(none);
    expect(none).not.toContain("nonce");
  });

  it("lets checkout forms post to the ECPay gateway and nowhere else", () => {
    expect(directives(production).get("form-action")).toBe("'self' https://payment-stage.ecpay.com.tw");
  });

  it("forbids framing and plugins, and upgrades insecure requests when deployed", () => {
    const d = directives(production);
    expect(d.get("frame-ancestors")).toBe("'none'");
    expect(d.get("object-src")).toBe("'none'");
    expect(d.has("upgrade-insecure-requests")).toBe(true);
  });

  it("relaxes styles and connections only for the Vite dev server", () => {
    const dev = directives(
      documentCsp({ scripts: { nonce: "n" }, formActionOrigins: [], viteDev: true, upgradeInsecureRequests: false }),
    );
    expect(dev.get("style-src")).toContain("'unsafe-inline'");
    expect(dev.get("script-src")).toBe("'self' 'nonce-n'");
    expect(dev.has("upgrade-insecure-requests")).toBe(false);
  });
});

describe("createNonce", () => {
  it("gives 128 random bits, base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(atob(nonce)).toHaveLength(16);
  });
});

describe("withBaselineSecurityHeaders", () => {
  it("adds the baseline and a locked-down CSP to a response with immutable headers", async () => {
    const cache = await caches.open("security-headers-test");
    await cache.put(
      "https://edge-cache.internal/x",
      new Response("{}", { headers: { "cache-control": "max-age=60" } }),
    );
    const cached = (await cache.match("https://edge-cache.internal/x"))!;

    const response = withBaselineSecurityHeaders(cached);
    for (const [name, value] of Object.entries(BASELINE_SECURITY_HEADERS))
      expect(response.headers.get(name)).toBe(value);
    expect(response.headers.get("content-security-policy")).toBe(NON_DOCUMENT_CSP);
    expect(await response.text()).toBe("{}");
  });

  it("keeps a document's own CSP and other deliberate choices", () => {
    const page = new Response("<!doctype html>", {
      status: 503,
      headers: { "content-security-policy": "default-src 'self'", "referrer-policy": "no-referrer" },
    });
    const response = withBaselineSecurityHeaders(page);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("previews are never indexed", () => {
  it("every response of a preview (a branch, or staging) says X-Robots-Tag: noindex; production and local do not", () => {
    expect(indexable("preview")).toBe(false);
    expect(indexable("production")).toBe(true);
    expect(indexable("local")).toBe(true);
    const robotsTag = (appEnv: string, init?: ResponseInit) =>
      withBaselineSecurityHeaders(new Response("x", init), appEnv).headers.get("X-Robots-Tag");
    expect(robotsTag("preview")).toBe("noindex");
    expect(robotsTag("preview", { status: 404 })).toBe("noindex");
    expect(robotsTag("production")).toBeNull();
    expect(robotsTag("local")).toBeNull();
    // A route's own stricter choice stays (the admin's pages).
    expect(robotsTag("preview", { headers: { "X-Robots-Tag": "noindex, nofollow" } })).toBe("noindex, nofollow");
  });
});
