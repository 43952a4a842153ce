/**
 * Finding an order again: the browser that placed it remembers it; anyone else needs the order id and the phone
 * number, gets the same "not found" for either being wrong, and is throttled after repeated misses.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { e2e, launchBrowser, newContext } from "./browser";
import {
  addToCartFromCatalog,
  fillCheckout,
  ORDER_URL,
  orderIdFromUrl,
  orderStatusText,
  submitCheckout,
  uniqueClientIp,
} from "./shop";

let browser: Browser;
let context: BrowserContext | undefined;
let orderId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  // One pay-on-arrival order to look up.
  const placing = await newContext(browser, { javaScriptEnabled: false });
  const page = await placing.newPage();
  await addToCartFromCatalog(page, "土鳳梨酥 10 入");
  await page.goto("/checkout");
  await fillCheckout(page, "貨到付款", { phone: "0987654321" });
  await submitCheckout(page);
  await page.waitForURL(ORDER_URL);
  orderId = orderIdFromUrl(page);

  // The browser that ordered keeps the order in a signed cookie with the agreed attributes.
  const cookie = (await placing.cookies()).find((c) => c.name === "__Host-orders");
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  expect(cookie?.domain).toBe("127.0.0.1");
  await placing.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});
afterAll(async () => {
  await browser?.close();
});

async function lookupContext(javaScriptEnabled = true) {
  const ctx = await browser.newContext({
    baseURL: e2e().baseUrl,
    locale: "zh-TW",
    javaScriptEnabled,
    extraHTTPHeaders: { "CF-Connecting-IP": uniqueClientIp() },
  });
  context = ctx;
  return ctx;
}

describe("order lookup", () => {
  it("finds the order by id and phone, then remembers it in this browser", async () => {
    const page = await (await lookupContext()).newPage();
    await page.goto("/orders");
    await page.getByLabel("訂單編號").fill(orderId);
    await page.getByLabel("手機號碼").fill("0987-654-321");
    await page.getByRole("button", { name: "查詢訂單" }).click();
    await page.waitForURL(ORDER_URL);
    expect(orderIdFromUrl(page)).toBe(orderId);
    expect(await orderStatusText(page)).toBe("訂單成立，準備出貨");
    expect(await page.locator("main").textContent()).toContain("土鳳梨酥 10 入");

    // A reload needs no phone number any more.
    await page.reload();
    expect(await orderStatusText(page)).toBe("訂單成立，準備出貨");
  });

  it("asks only for the phone on the order page of an order this browser does not remember", async () => {
    const page = await (await lookupContext(false)).newPage();
    const response = await page.goto(`/orders/${orderId}`);
    expect(response?.headers()["cache-control"]).toBe("private, no-store");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`訂單 ${orderId}`);
    expect(await page.locator("[data-status]").count()).toBe(0);
    await page.getByLabel("手機號碼").fill("0987654321");
    await page.getByRole("button", { name: "查詢訂單" }).click();
    await page.waitForURL(ORDER_URL);
    expect(await orderStatusText(page)).toBe("訂單成立，準備出貨");
  });

  it("says not found, the same way, for a wrong phone and for a wrong id", async () => {
    const page = await (await lookupContext(false)).newPage();
    const messages: string[] = [];
    for (const [id, phone] of [
      [orderId, "0911111111"],
      ["261127-00000", "0987654321"],
    ] as const) {
      await page.goto("/orders");
      await page.getByLabel("訂單編號").fill(id);
      await page.getByLabel("手機號碼").fill(phone);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.getByRole("button", { name: "查詢訂單" }).click(),
      ]);
      expect(response.status()).toBe(404);
      messages.push((await page.getByRole("alert").textContent()) ?? "");
    }
    expect(messages[0]).toContain("查無符合的訂單");
    expect(messages[1]).toBe(messages[0]);
  });

  it("checks the format before asking anyone", async () => {
    const page = await (await lookupContext(false)).newPage();
    await page.goto("/orders");
    await page.getByLabel("訂單編號").fill("abc");
    await page.getByLabel("手機號碼").fill("123");
    await page.getByRole("button", { name: "查詢訂單" }).click();
    await page.waitForLoadState();
    expect(await page.locator("#field-id-error").textContent()).toContain("YYMMDD-NNNN-NNNN");
    expect(await page.locator("#field-phone-error").textContent()).toContain("09 開頭");
  });

  it("throttles a client after ten misses in fifteen minutes, even for the right phone", async () => {
    const client = uniqueClientIp();
    const post = (id: string, phone: string) =>
      fetch(`${e2e().baseUrl}/orders`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "CF-Connecting-IP": client },
        body: new URLSearchParams({ id, phone }).toString(),
        redirect: "manual",
      });
    for (let i = 0; i < 10; i++)
      expect((await post(orderId, `09000000${String(i).padStart(2, "0")}`)).status).toBe(404);
    const refused = await post(orderId, "0987654321");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(await refused.text()).toContain("查詢失敗次數過多");
    // Another client is unaffected.
    const other = await fetch(`${e2e().baseUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "CF-Connecting-IP": uniqueClientIp() },
      body: new URLSearchParams({ id: orderId, phone: "0987654321" }),
      redirect: "manual",
    });
    expect(other.status).toBe(303);
  });
});
