/**
 * Shared steps for the storefront's browser tests: a shopper's actions, the owner's API calls (signed as the local
 * admin principal, the way the admin pages do), the ECPay sandbox's hooks, and the axe check.
 */
import { AwsClient } from "aws4fetch";
import type { Page } from "playwright-core";
import type { Product, SiteStatus } from "../aws/src/contract";
import { e2e } from "./browser";

export const CUSTOMER = {
  name: "王小明",
  phone: "0912345678",
  email: "ming@example.tw",
  postalCode: "100",
  address: "臺北市中正區重慶南路一段 122 號",
};

export type PaymentMethodLabel = "信用卡" | "ATM 轉帳" | "貨到付款";

/** A client address of its own (CF-Connecting-IP), so one test's lookup misses never throttle another's. */
export function uniqueClientIp(): string {
  const n = Math.floor(Math.random() * 250) + 1;
  const m = Math.floor(Math.random() * 250) + 1;
  return `198.51.${n}.${m}`;
}

// ---------------------------------------------------------------------------------------------
// Shopper steps

/**
 * Adds from the catalog: the catalog runs no JavaScript, so this is a plain form post that lands on the cart page
 * (`/cart?added=<id>`), with or without JavaScript in the browser.
 */
export async function addToCartFromCatalog(page: Page, productName: string): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: new RegExp(`加入購物車.*${escapeRegExp(productName)}`) }).click();
  await page.waitForURL(/\/cart\?added=/);
}

/**
 * The shop's script files the page loads from now on, as paths without their content hash (`/assets/enhance.js`):
 * catalog, product, cart and lookup pages load none. Other origins (the ECPay sandbox) are left out.
 */
export function recordScripts(page: Page): string[] {
  const loaded: string[] = [];
  const shop = new URL(e2e().baseUrl).origin;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.resourceType() === "script" && url.origin === shop) {
      loaded.push(url.pathname.replace(/-[\w-]+\.js$/, ".js"));
    }
  });
  return loaded;
}

export async function fillCheckout(
  page: Page,
  method: PaymentMethodLabel,
  customer: Partial<typeof CUSTOMER> = {},
): Promise<void> {
  const c = { ...CUSTOMER, ...customer };
  await page.getByLabel("收件人姓名").fill(c.name);
  await page.getByLabel("手機號碼").fill(c.phone);
  await page.getByLabel("Email").fill(c.email);
  await page.getByLabel("郵遞區號").fill(c.postalCode);
  await page.getByLabel("收件地址").fill(c.address);
  await page.getByRole("radio", { name: method }).check();
}

export async function submitCheckout(page: Page): Promise<void> {
  await page.getByRole("button", { name: /確認.*下單/ }).click();
}

/** On the sandbox's card page: the test card, then (without JavaScript) the button back to the shop. */
export async function payWithTestCard(page: Page, { javaScript }: { javaScript: boolean }): Promise<void> {
  await page.getByLabel(/信用卡卡號/).fill("4311-9522-2222-2222");
  await page.getByLabel(/有效期限/).fill("12/39");
  await page.getByLabel(/CVV/).fill("222");
  await page.getByRole("button", { name: /確認付款/ }).click();
  if (!javaScript) await page.getByRole("button", { name: /返回商店/ }).click();
}

export const ORDER_URL = /\/orders\/(\d{6}-\d{4}-\d{4})$/;

export function orderIdFromUrl(page: Page): string {
  const match = ORDER_URL.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on an order page: ${page.url()}`);
  return match[1];
}

export async function orderStatusText(page: Page): Promise<string> {
  return (await page.locator("[data-status]").first().textContent())?.trim() ?? "";
}

// ---------------------------------------------------------------------------------------------
// The owner, through the admin API

function admin(): AwsClient {
  return new AwsClient({
    accessKeyId: "local-admin",
    secretAccessKey: "local-admin-secret",
    service: "execute-api",
    region: "ap-northeast-1",
    retries: 0,
  });
}

async function adminCall(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await admin().fetch(`${e2e().apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return JSON.parse(text);
}

export async function getSite(): Promise<SiteStatus> {
  return (await adminCall("GET", "/admin/site")) as SiteStatus;
}

/** Test set-up overwrites on purpose: the write is based on whatever revision is stored now. */
export async function putSite(site: SiteStatus): Promise<void> {
  const { updatedAt: _ignored, ...rest } = site;
  const { revision } = (await adminCall("GET", "/admin/site")) as { revision: string | null };
  await adminCall("PUT", "/admin/site", { ...rest, revision });
}

export async function getProducts(): Promise<Product[]> {
  return ((await adminCall("GET", "/admin/products")) as { products: Product[] }).products;
}

/** Test set-up overwrites on purpose: the write is based on whatever revision is stored now. */
export async function putProducts(products: Product[]): Promise<void> {
  const { revision } = (await adminCall("GET", "/admin/products")) as { revision: string | null };
  await adminCall("PUT", "/admin/products", { products, revision });
}

/**
 * The edge serves its copy for CACHE_TTL_SECONDS (1 s in e2e), then one stale answer while it refreshes: poll
 * until the change shows. A plain loop rather than expect.poll, so hooks can use it too.
 */
export async function waitForEdge<T>(read: () => Promise<T>, expected: (value: T) => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (expected(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the edge did not catch up within 15 s (last value: ${JSON.stringify(last)})`);
}

// ---------------------------------------------------------------------------------------------
// The ECPay sandbox

interface SandboxTrade {
  merchantTradeNo: string;
  customFields: [string, string, string, string];
  status: string;
  /** Where the shopper's browser is sent back after paying (the shop's OrderResultURL). */
  orderResultUrl?: string;
}

/** Every checkout attempt the sandbox has seen for an order (paying again makes more than one). */
export async function sandboxTradesFor(orderId: string): Promise<SandboxTrade[]> {
  const trades = (await (await fetch(`${e2e().ecpayUrl}/__sandbox/trades`)).json()) as SandboxTrade[];
  return trades.filter((t) => t.customFields[0] === orderId);
}

export async function sandboxTradeFor(orderId: string): Promise<SandboxTrade> {
  const trade = (await sandboxTradesFor(orderId))[0];
  if (!trade) throw new Error(`no sandbox trade for order ${orderId}`);
  return trade;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
