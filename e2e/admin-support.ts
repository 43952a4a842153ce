/**
 * Shared steps for the admin's browser tests: the owner's login (in a browser and over plain HTTP), the owner's API
 * (signed as the local owner-admin principal, for set-up and clean-up only), a shopper's purchase, and axe.
 */
import { AwsClient } from "aws4fetch";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { CreateOrderRequest, Order, Product, SiteStatus } from "../aws/src/contract";
import { e2e, launchBrowser, newContext } from "./browser";

/**
 * A suite that changes the shop through the owner's API: its browser, and the site status and products as they were
 * before it (`site`, `products`), put back after it so the other suites find the shop as they expect. `cleanUp` runs
 * first; `restoreSite` shapes the status put back (e.g. fees the suite set where there were none).
 */
export function shopSuite(
  options: { cleanUp?: () => Promise<unknown>; restoreSite?: (site: SiteStatus) => SiteStatus } = {},
): { browser: Browser; site: SiteStatus; products: Product[] } {
  const suite = {} as { browser: Browser; site: SiteStatus; products: Product[] };
  beforeAll(async () => {
    suite.browser = await launchBrowser();
    suite.site = await api.getSite();
    suite.products = await api.getProducts();
  });
  afterAll(async () => {
    await options.cleanUp?.().catch(() => {});
    await api.putSite(options.restoreSite ? options.restoreSite(suite.site) : suite.site).catch(() => {});
    await api.putProducts(suite.products).catch(() => {});
    await suite.browser?.close();
  });
  return suite;
}

/**
 * A client address of its own (CF-Connecting-IP, which the edge uses as the rate-limit key), so the throttle test's
 * failures never lock the other tests out. Cloudflare sets this header itself in production.
 */
export function uniqueIp(): string {
  const byte = () => Math.floor(Math.random() * 250) + 1;
  return `203.0.${byte()}.${byte()}`;
}

export async function ownerContext(browser: Browser, options: { javaScriptEnabled?: boolean } = {}) {
  const context = await newContext(browser, options);
  await context.setExtraHTTPHeaders({ "CF-Connecting-IP": uniqueIp() });
  // Fail at the step that hangs, well inside the test's own timeout.
  context.setDefaultTimeout(15_000);
  return context;
}

/** Logs in through the login form and waits for the dashboard (or `next`). */
export async function logInInBrowser(page: Page, next = "/admin"): Promise<void> {
  await page.goto(`/admin/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("密碼").fill(e2e().ownerPassword);
  await Promise.all([
    page.waitForURL((url) => url.pathname === next.split("?")[0]),
    page.getByRole("button", { name: "登入" }).click(),
  ]);
}

export async function loggedInOwner(browser: Browser, options: { javaScriptEnabled?: boolean } = {}) {
  const context = await ownerContext(browser, options);
  const page = await context.newPage();
  await logInInBrowser(page);
  return { context, page };
}

/** Same-origin headers a browser sends with a form post. */
export function sameOrigin(extra: Record<string, string> = {}): Record<string, string> {
  return { Origin: e2e().baseUrl, "Sec-Fetch-Site": "same-origin", ...extra };
}

export function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

/** Logs in over HTTP and returns the Cookie header value for later requests. */
export async function ownerCookie(ip = uniqueIp()): Promise<string> {
  const response = await fetch(`${e2e().baseUrl}/admin/login`, {
    method: "POST",
    redirect: "manual",
    headers: sameOrigin({ "CF-Connecting-IP": ip, "Content-Type": "application/x-www-form-urlencoded" }),
    body: form({ password: e2e().ownerPassword, next: "/admin" }),
  });
  expect(response.status).toBe(302);
  const setCookie = response.headers.get("set-cookie");
  if (!setCookie) throw new Error("login set no cookie");
  return setCookie.split(";")[0]!;
}

export async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

// ---------------------------------------------------------------------------------------------
// Set-up and clean-up through the API (never what the tests check)

function signer(principal: "admin" | "storefront"): AwsClient {
  return new AwsClient({
    accessKeyId: `local-${principal}`,
    secretAccessKey: `local-${principal}-secret`,
    service: "execute-api",
    region: "ap-northeast-1",
    retries: 0,
  });
}

async function apiCall<T>(principal: "admin" | "storefront", method: string, path: string, body?: unknown): Promise<T> {
  const response = await signer(principal).fetch(`${e2e().apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export const api = {
  getSite: () => apiCall<SiteStatus>("admin", "GET", "/admin/site"),
  /** Test set-up overwrites on purpose: each write is based on whatever revision is stored now. */
  putSite: async ({ updatedAt: _ignored, ...site }: SiteStatus) => {
    const { revision } = await apiCall<{ revision: string | null }>("admin", "GET", "/admin/site");
    return apiCall<SiteStatus>("admin", "PUT", "/admin/site", { ...site, revision });
  },
  getProducts: async () => (await apiCall<{ products: Product[] }>("admin", "GET", "/admin/products")).products,
  putProducts: async (products: Product[]) => {
    const { revision } = await apiCall<{ revision: string | null }>("admin", "GET", "/admin/products");
    return apiCall("admin", "PUT", "/admin/products", { products, revision });
  },
  /** Sets a count whatever it is now (test set-up and clean-up); null stops tracking. */
  setStock: async (productId: string, stock: number | null) => {
    const { stock: all } = await apiCall<{ stock: { productId: string; stock: number | null }[] }>(
      "admin",
      "GET",
      "/admin/stock",
    );
    const expected = all.find((entry) => entry.productId === productId)?.stock ?? null;
    return apiCall("admin", "PUT", `/admin/stock/${productId}`, { stock, expected });
  },
  getStock: async () =>
    (await apiCall<{ stock: { productId: string; stock: number | null }[] }>("admin", "GET", "/admin/stock")).stock,
  getOrder: async (id: string) => (await apiCall<{ order: Order }>("admin", "GET", `/admin/orders/${id}`)).order,
  /** An order placed as the storefront would place it. */
  placeOrder: async (overrides: Partial<CreateOrderRequest> & { phone?: string } = {}) => {
    const { phone, ...rest } = overrides;
    const request: CreateOrderRequest = {
      idempotencyKey: `admin-e2e-${crypto.randomUUID()}`,
      items: [{ productId: "dongding-oolong", quantity: 1 }],
      customer: {
        name: "林美華",
        phone: phone ?? randomPhone(),
        email: "meihua@example.tw",
        address: "100 臺北市中正區重慶南路一段 122 號",
      },
      paymentMethod: "cod",
      ...rest,
    };
    return (await apiCall<{ order: Order }>("storefront", "POST", "/order", request)).order;
  },
};

export function randomPhone(): string {
  return `09${String(Math.floor(Math.random() * 100_000_000)).padStart(8, "0")}`;
}

/** The edge keeps its copy for CACHE_TTL_SECONDS (1 s here) in other isolates: poll until the change shows. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within 15 s (last: ${JSON.stringify(last)?.slice(0, 300)})`);
}

// ---------------------------------------------------------------------------------------------
// A shopper, through the storefront's pages

export const SHOPPER = {
  name: "陳志明",
  phone: "0933123456",
  email: "chiming@example.tw",
  postalCode: "300",
  address: "新竹市東區光復路二段 101 號",
};

/** Adds one product from the catalog page and places a cash-on-delivery order; returns the order id. */
export async function buyCashOnDelivery(page: Page, productName: string, phone = SHOPPER.phone): Promise<string> {
  await page.goto("/");
  const escaped = productName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  await page.getByRole("button", { name: new RegExp(`加入購物車.*${escaped}`) }).click();
  await expect.poll(() => page.getByRole("link", { name: /購物車，1 件商品/ }).count()).toBe(1);
  await page.goto("/checkout");
  await page.getByLabel("收件人姓名").fill(SHOPPER.name);
  await page.getByLabel("手機號碼").fill(phone);
  await page.getByLabel("Email").fill(SHOPPER.email);
  await page.getByLabel("郵遞區號").fill(SHOPPER.postalCode);
  await page.getByLabel("收件地址").fill(SHOPPER.address);
  await page.getByRole("radio", { name: "貨到付款" }).check();
  await page.getByRole("button", { name: /確認.*下單/ }).click();
  await page.waitForURL(/\/orders\/\d{6}-\d{4}-\d{4}$/);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}
