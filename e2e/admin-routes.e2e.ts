/**
 * Every admin route and action refuses requests that are not the owner's, route by route. The routes are read
 * from app/routes, so a new admin route file is tested (and fails here) without anyone adding it to a list:
 *   - pages (GET, and their single-fetch `.data`) redirect to the login page; resource routes answer 401;
 *   - actions answer 401 without a session and 403 to a cross-site post even with one;
 *   - every answer is `Cache-Control: no-store`.
 * Plus: with a production configuration that lacks ADMIN_PASSWORD_HASH, every admin route answers 503 while the
 * shop keeps selling.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../aws/local/stack";
import { freePort, repoRoot } from "../scripts/lib/processes";
import { type RunningStorefront, startStorefront } from "../scripts/lib/storefront";
import { tamperSignedCookie } from "../worker/test/tamper";
import { api, form, ownerCookie, sameOrigin } from "./admin-support";
import { e2e } from "./browser";

interface AdminRoute {
  file: string;
  /** A concrete URL for the route, with sample parameters. */
  url: string;
  page: boolean;
  hasAction: boolean;
  public: boolean;
}

/** The one admin route anyone may reach (it is still gated by the admin's configuration and Cloudflare Access). */
const PUBLIC_ROUTES = ["admin_.login.tsx"];

function adminRoutes(params: Record<string, string>): AdminRoute[] {
  const dir = path.join(repoRoot, "app/routes");
  return readdirSync(dir)
    .filter((file) => /^admin[._]/.test(file) || file === "admin.tsx")
    .map((file) => {
      const source = readFileSync(path.join(dir, file), "utf8");
      const segments = file
        .replace(/\.tsx?$/, "")
        .replace(/\[\.\]/g, "(dot)")
        .split(".")
        .map((segment) => segment.replace(/\(dot\)/g, "."))
        .filter((segment) => segment !== "_index")
        .map((segment) => segment.replace(/_$/, ""));
      const url = `/${segments
        .map((segment, i) => {
          if (!segment.startsWith("$")) return segment;
          const key = `${segments[i - 1]}/${segment}`;
          const value = params[key];
          if (!value) throw new Error(`admin-routes test: no sample value for ${key} (${file}); add one`);
          return value;
        })
        .join("/")}`;
      return {
        file,
        url,
        page: /export default/.test(source),
        hasAction: /export (const|async function|function) action\b/.test(source),
        public: PUBLIC_ROUTES.includes(file),
      };
    });
}

let params: Record<string, string>;
let routes: AdminRoute[];
let cookie: string;

beforeAll(async () => {
  const order = await api.placeOrder({ paymentMethod: "cod" });
  params = { "orders/$id": order.id, "products/$id": "dongding-oolong" };
  routes = adminRoutes(params);
  cookie = await ownerCookie();
});

const base = () => e2e().baseUrl;

describe("the admin route table", () => {
  it("finds every admin route file, and only the login page is public", () => {
    expect(routes.length).toBeGreaterThanOrEqual(11);
    expect(routes.map((r) => r.url)).toEqual(
      expect.arrayContaining([
        "/admin",
        "/admin/login",
        "/admin/logout",
        "/admin/orders",
        `/admin/orders/${params["orders/$id"]}`,
        "/admin/orders/export.csv",
        "/admin/products",
        "/admin/products/new",
        "/admin/products/dongding-oolong",
        "/admin/site",
      ]),
    );
    expect(routes.filter((r) => r.public).map((r) => r.file)).toEqual(PUBLIC_ROUTES);
  });
});

describe("unauthenticated requests are refused, route by route", () => {
  it("GET: pages redirect to the login page, resources answer 401, always no-store", async () => {
    for (const route of routes.filter((r) => !r.public)) {
      const res = await fetch(`${base()}${route.url}`, { redirect: "manual" });
      expect(res.headers.get("cache-control"), route.file).toBe("no-store");
      if (route.page) {
        expect(res.status, route.file).toBe(302);
        const location = new URL(res.headers.get("location") ?? "", base());
        expect(location.pathname, route.file).toBe("/admin/login");
        expect(location.searchParams.get("next"), route.file).toBe(route.url);
      } else {
        expect(res.status, route.file).toBe(401);
        expect(await res.text(), route.file).not.toContain("訂單編號,");
      }
    }
  });

  it("GET of single-fetch data: every page's loader redirects instead of answering data", async () => {
    for (const route of routes.filter((r) => r.page && !r.public)) {
      const res = await fetch(`${base()}${route.url === "/admin" ? "/admin" : route.url}.data`, { redirect: "manual" });
      const body = await res.text();
      expect(res.headers.get("cache-control"), route.file).toBe("no-store");
      expect(body, route.file).toContain("SingleFetchRedirect");
      expect(body, route.file).toContain("/admin/login");
      expect(body, route.file).not.toMatch(/"(orders|products|stats|site)"/);
    }
  });

  it("POST without a session: every action answers 401 (routes without an action 405), changing nothing", async () => {
    const before = await api.getSite();
    for (const route of routes.filter((r) => !r.public)) {
      const res = await fetch(`${base()}${route.url}`, {
        method: "POST",
        redirect: "manual",
        headers: sameOrigin({ "Content-Type": "application/x-www-form-urlencoded" }),
        // Enough for any admin form to be valid, so only the guard can stop it.
        body: form({
          intent: "ship",
          ids: params["orders/$id"]!,
          open: "closed",
          to: "cancelled",
          confirm: "yes",
          op: "soldout",
          id: "dongding-oolong",
        }),
      });
      expect(res.headers.get("cache-control"), route.file).toBe("no-store");
      expect(res.status, route.file).toBe(route.hasAction ? 401 : 405);
    }
    expect((await api.getOrder(params["orders/$id"]!)).status).toBe("created");
    expect((await api.getSite()).open).toBe(before.open);
  });

  it("POST cross-site with the owner's session: every action (and the login) is refused", async () => {
    for (const route of routes.filter((r) => r.hasAction)) {
      const variants: Record<string, string>[] = [
        { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
        { Origin: "https://evil.example" },
        { "Sec-Fetch-Site": "same-site" },
        // Same host on another scheme, or a same-origin Origin contradicted by Sec-Fetch-Site: Remix lets these
        // through (it compares hosts only); the admin's check does not.
        { Origin: base().replace("http://", "https://") },
        { Origin: base(), "Sec-Fetch-Site": "cross-site" },
        {},
      ];
      for (const headers of variants) {
        const res = await fetch(`${base()}${route.url}`, {
          method: "POST",
          redirect: "manual",
          headers: { ...headers, Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
          body: form({ intent: "ship", ids: params["orders/$id"]!, open: "closed", password: "x" }),
        });
        const what = `${route.file} ${JSON.stringify(headers)}`;
        // A foreign Origin host is refused at the Pages entry (worker/origin.ts), before Remix's own
        // check would turn it into a 500; the rest by the admin's guard.
        expect(res.status, what).toBe(403);
        expect(res.headers.get("cache-control"), what).toBe("no-store");
      }
    }
    expect((await api.getOrder(params["orders/$id"]!)).status).toBe("created");
  });

  it("with the owner's session every page answers 200 (so the refusals above are the guard's)", async () => {
    for (const route of routes.filter((r) => r.page && !r.public)) {
      const res = await fetch(`${base()}${route.url}`, { redirect: "manual", headers: { Cookie: cookie } });
      expect(res.status, route.file).toBe(200);
      expect(res.headers.get("cache-control"), route.file).toBe("no-store");
      expect(res.headers.get("x-robots-tag"), route.file).toBe("noindex, nofollow");
    }
    const csv = await fetch(`${base()}/admin/orders/export.csv`, { headers: { Cookie: cookie } });
    expect(csv.status).toBe(200);
  });

  it("treats a tampered session cookie as no session (payload or signature altered, or signed with another secret)", async () => {
    const [name, value] = cookie.split("=") as [string, string];
    const [payload] = decodeURIComponent(value).split(".") as [string];
    const otherSecret = createHmac("sha256", "not-the-session-secret-but-32-chars-long")
      .update(payload)
      .digest("base64");
    const forgeries = [
      tamperSignedCookie(cookie, "payload"),
      tamperSignedCookie(cookie, "signature"),
      `${name}=${encodeURIComponent(`${payload}.${otherSecret.replace(/=+$/, "")}`)}`,
    ];
    for (const forged of forgeries) {
      const res = await fetch(`${base()}/admin/orders`, { redirect: "manual", headers: { Cookie: forged } });
      expect(res.status, forged).toBe(302);
    }
  });
});

describe("production without ADMIN_PASSWORD_HASH", () => {
  let storefront: RunningStorefront;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const { apiUrl, ecpayUrl, s3Endpoint, bucketName } = e2e();
    // The already built storefront again, on its own port, configured as production without the secret.
    const stack = { apiUrl, ecpayUrl, s3Endpoint, bucketName, region: "ap-northeast-1" } as LocalStack;
    storefront = await startStorefront({
      mode: "build",
      port,
      stack,
      ownerPassword: "unused",
      skipBuild: true,
      quiet: !process.env.E2E_VERBOSE,
      extraVars: { APP_ENV: "production", ADMIN_PASSWORD_HASH: "", CACHE_TTL_SECONDS: "1" },
      persistTo: await mkdtemp(path.join(tmpdir(), "shop-e2e-nohash-")),
    });
  }, 120_000);
  afterAll(async () => {
    await storefront?.stop();
  });

  it("answers 503 with a clear message on every admin route and action, while the shop sells", async () => {
    for (const route of routes) {
      const res = await fetch(`${url}${route.url}`, { redirect: "manual" });
      expect(res.status, route.file).toBe(503);
      expect(res.headers.get("cache-control"), route.file).toBe("no-store");
      expect(await res.text(), route.file).toContain("ADMIN_PASSWORD_HASH");
      if (route.hasAction) {
        const post = await fetch(`${url}${route.url}`, {
          method: "POST",
          redirect: "manual",
          headers: {
            Origin: url,
            "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/x-www-form-urlencoded",
          },
          body: form({ password: "anything" }),
        });
        expect(post.status, `POST ${route.file}`).toBe(503);
      }
    }
    const shop = await fetch(`${url}/`);
    expect(shop.status).toBe(200);
    expect(await shop.text()).toContain("凍頂烏龍茶 150g");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
