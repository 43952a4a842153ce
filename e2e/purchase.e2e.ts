/**
 * Buying, end to end in Chromium: cart → checkout → ECPay sandbox → back to the order page, whose status comes
 * from the order API (which heard from the sandbox through ReturnURL / PaymentInfoURL).
 */
import { describe, expect, it } from "vitest";
import { browserSuite, e2e, expectNoAxeViolations } from "./browser";
import {
  addToCartFromCatalog,
  CUSTOMER,
  fillCheckout,
  getProducts,
  ORDER_URL,
  orderIdFromUrl,
  orderStatusText,
  payWithTestCard,
  putProducts,
  sandboxTradeFor,
  sandboxTradesFor,
  recordScripts,
  submitCheckout,
} from "./shop";

const { open } = browserSuite();

describe("credit card", () => {
  it("pays on the sandbox's card page and comes back (OrderResultURL POST → 303) to a paid order", async () => {
    const context = await open();
    const page = await context.newPage();
    const scripts = recordScripts(page);
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    // The catalog runs no JavaScript even in a browser with it: the add is a plain post that lands on the cart.
    expect(await page.getByRole("status").textContent()).toContain("已將「凍頂烏龍茶 150g」加入購物車");
    expect(await page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);

    await page.goto("/products/pineapple-cake");
    await page.getByLabel("數量").fill("2");
    await page.getByRole("button", { name: /加入購物車/ }).click();
    await page.waitForURL("**/cart?added=pineapple-cake");
    expect(await page.getByRole("link", { name: "購物車，3 件商品" }).count()).toBe(1);
    // Catalog, product and cart pages: not one script file loaded so far.
    expect(scripts).toEqual([]);

    await page.getByRole("link", { name: /^購物車，/ }).click();
    await page.getByRole("heading", { level: 1, name: "購物車" }).waitFor();
    expect(await page.locator("main").textContent()).toContain("NT$1,210");
    await page.getByRole("link", { name: "前往結帳" }).click();
    await page.waitForURL("**/checkout");
    await fillCheckout(page, "信用卡");
    await submitCheckout(page);

    // The hand-off form submits itself to the gateway: the checkout's one small script, and nothing else.
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    expect([...new Set(scripts)]).toEqual(["/assets/enhance.js"]);
    expect(await page.locator("body").textContent()).toContain("NT$1,210");
    await payWithTestCard(page, { javaScript: true });

    await page.waitForURL(ORDER_URL);
    const orderId = orderIdFromUrl(page);
    expect(await orderStatusText(page)).toBe("已付款");
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("凍頂烏龍茶 150g");
    expect(main).toContain("土鳳梨酥 10 入");
    expect(main).toContain("NT$1,210");
    expect(main).toContain("付款完成");
    expect((await sandboxTradeFor(orderId)).status).toBe("paid");

    // The order placed, the cart is empty again.
    expect(await page.getByRole("link", { name: "購物車，0 件商品" }).count()).toBe(1);
  });

  it("leaves the card page without paying, pays again from the order page, and is charged once", async () => {
    const context = await open();
    const page = await context.newPage();
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
    await page.goto("/checkout");
    await fillCheckout(page, "信用卡");
    await submitCheckout(page);
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    const firstNumber = await page.locator("dd").first().textContent();

    // The shopper changes their mind on ECPay's page and goes back to the shop without paying.
    await page.getByRole("link", { name: /返回商店/ }).click();
    await page.waitForURL(ORDER_URL);
    const orderId = orderIdFromUrl(page);
    expect(await orderStatusText(page)).toBe("等待付款");
    await expectNoAxeViolations(page, "order page with pay again");

    await page.getByRole("button", { name: "重新付款" }).click();
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    const secondNumber = await page.locator("dd").first().textContent();
    expect(secondNumber).not.toBe(firstNumber);
    expect(await page.locator("body").textContent()).toContain("NT$450");
    await payWithTestCard(page, { javaScript: true });

    await page.waitForURL(ORDER_URL);
    expect(await orderStatusText(page)).toBe("已付款");
    expect(await page.getByRole("button", { name: "重新付款" }).count()).toBe(0);
    const trades = await sandboxTradesFor(orderId);
    expect(trades.map((t) => t.status).sort()).toEqual(["awaiting-payment", "paid"]);
  });

  it("keeps the return working without the cookie: the POST is answered with a 303 to the order page", async () => {
    const res = await fetch(`${e2e().baseUrl}/orders/261127-12345/return`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: e2e().ecpayUrl },
      body: "MerchantID=3002607&RtnCode=1&RtnMsg=Succeeded&CheckMacValue=forged",
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/orders/261127-12345");
    // And the order page, without the cookie, asks for the phone instead of trusting anything posted.
    const page = await (await fetch(`${e2e().baseUrl}/orders/261127-12345`)).text();
    expect(page).toContain("請輸入下單時填寫的手機號碼");
  });
});

describe("ATM transfer", () => {
  it("shows the virtual account on the order page, and paid once the sandbox is paid", async () => {
    const context = await open();
    const page = await context.newPage();
    await addToCartFromCatalog(page, "阿里山高山茶 150g");
    await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
    await page.goto("/checkout");
    await fillCheckout(page, "ATM 轉帳");
    await submitCheckout(page);

    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    const sandboxAccount = (await page.locator("dd code").nth(1).textContent())?.trim();
    expect(sandboxAccount).toMatch(/^\d{14}$/);
    await page.getByRole("link", { name: /返回商店/ }).click();

    await page.waitForURL(ORDER_URL);
    const orderId = orderIdFromUrl(page);
    expect(await orderStatusText(page)).toBe("等待轉帳");
    const atm = page.getByRole("region", { name: "ATM 轉帳資訊" });
    const atmText = (await atm.textContent()) ?? "";
    expect(atmText).toContain("812");
    expect(atmText).toContain(sandboxAccount);
    expect(atmText).toMatch(/\d{4}\/\d{2}\/\d{2} 23:59 前/);
    expect(atmText).toContain("NT$680");
    // Copy buttons appear where the order page's small script runs (JavaScript only): bank code, account and amount.
    await expect.poll(() => atm.getByRole("button", { name: /複製/ }).count()).toBe(3);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await atm.getByRole("button", { name: /複製.*虛擬帳號/ }).click();
    await expect.poll(() => atm.getByText("已複製").count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(sandboxAccount);

    // The shopper transfers: the sandbox's simulate-payment hook sends ReturnURL to the API.
    const trade = await sandboxTradeFor(orderId);
    const paid = await fetch(`${e2e().ecpayUrl}/__sandbox/trades/${trade.merchantTradeNo}/pay`, { method: "POST" });
    expect(paid.status).toBe(200);

    await page.getByRole("link", { name: "重新整理付款狀態" }).click();
    await expect.poll(() => orderStatusText(page)).toBe("已付款");
    expect(await page.getByRole("region", { name: "ATM 轉帳資訊" }).count()).toBe(0);
  });
});

describe("pay on arrival", () => {
  it("places the order and goes straight to the order page", async () => {
    const context = await open();
    const page = await context.newPage();
    await addToCartFromCatalog(page, "愛文芒果乾 200g");
    await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
    await page.goto("/checkout");
    await fillCheckout(page, "貨到付款");
    await page.getByLabel(/備註/).fill("請於平日下午送達");
    await submitCheckout(page);

    await page.waitForURL(ORDER_URL);
    expect(await orderStatusText(page)).toBe("訂單成立，準備出貨");
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("愛文芒果乾 200g");
    expect(main).toContain("NT$250");
    expect(main).toContain("貨到付款");
    expect(main).toContain("請於平日下午送達");
    expect(main).toContain(`${CUSTOMER.postalCode} ${CUSTOMER.address}`);
  });
});

describe("the same purchase with JavaScript disabled", () => {
  it("adds to the cart, checks out, posts to ECPay with the visible button and comes back paid", async () => {
    const context = await open({ javaScriptEnabled: false });
    const page = await context.newPage();
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    // A plain form post: redirected to the cart page.
    expect(new URL(page.url()).search).toBe("?added=dongding-oolong");
    expect(await page.getByRole("status").textContent()).toContain("已將「凍頂烏龍茶 150g」加入購物車");

    await page.getByLabel(/數量/).fill("3");
    await page.getByRole("button", { name: /更新/ }).click();
    await page.waitForURL("**/cart");
    expect(await page.locator("main").textContent()).toContain("NT$1,350");

    await page.getByRole("link", { name: "前往結帳" }).click();
    await page.waitForURL("**/checkout");
    // A mistake first: errors next to the fields, input kept.
    await fillCheckout(page, "信用卡", { phone: "12345", email: "not-an-email" });
    await submitCheckout(page);
    await page.waitForLoadState();
    expect(await page.getByRole("alert").textContent()).toContain("有些資料需要修正");
    expect(await page.locator("#field-phone-error").textContent()).toContain("09 開頭");
    expect(await page.locator("#field-email-error").textContent()).toContain("Email 格式不正確");
    expect(await page.getByLabel("手機號碼").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("收件人姓名").inputValue()).toBe(CUSTOMER.name);
    expect(await page.getByRole("radio", { name: "信用卡" }).isChecked()).toBe(true);

    await page.getByLabel("手機號碼").fill(CUSTOMER.phone);
    await page.getByLabel("Email").fill(CUSTOMER.email);
    await submitCheckout(page);

    // No script runs: the hand-off page shows the order and a button to the gateway.
    await page.getByRole("heading", { name: "訂單已成立" }).waitFor();
    await page.getByRole("button", { name: "前往綠界付款" }).click();
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    await payWithTestCard(page, { javaScript: false });

    await page.waitForURL(ORDER_URL);
    expect(await orderStatusText(page)).toBe("已付款");
    expect(await page.locator("main").textContent()).toContain("NT$1,350");
  });

  it("pays again from the order page with plain form posts", async () => {
    const context = await open({ javaScriptEnabled: false });
    const page = await context.newPage();
    await addToCartFromCatalog(page, "凍頂烏龍茶 150g");
    await page.waitForURL("**/cart?added=dongding-oolong");
    await page.goto("/checkout");
    await fillCheckout(page, "信用卡");
    await submitCheckout(page);
    await page.getByRole("button", { name: "前往綠界付款" }).click();
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    await page.getByRole("link", { name: /返回商店/ }).click();
    await page.waitForURL(ORDER_URL);

    await page.getByRole("button", { name: "重新付款" }).click();
    await page.getByRole("heading", { name: "前往付款" }).waitFor();
    await page.getByRole("button", { name: "前往綠界付款" }).click();
    await page.waitForURL(`${e2e().ecpayUrl}/**`);
    await payWithTestCard(page, { javaScript: false });
    await page.waitForURL(ORDER_URL);
    expect(await orderStatusText(page)).toBe("已付款");
  });
});

describe("one submit, one order", () => {
  it("returns the same order for a repeated submit of the same form (double-click, retry, Back + resubmit)", async () => {
    const context = await open({ javaScriptEnabled: false });
    const page = await context.newPage();
    await addToCartFromCatalog(page, "土鳳梨酥 10 入");
    await page.waitForURL("**/cart?added=pineapple-cake");
    await page.goto("/checkout");
    await fillCheckout(page, "貨到付款");
    // The exact form the browser would post, sent three times at once and once more afterwards.
    const hidden = async (name: string) => (await page.locator(`input[name="${name}"]`).getAttribute("value")) ?? "";
    const form = {
      checkoutToken: await hidden("checkoutToken"),
      items: await hidden("items"),
      expectedTotal: await hidden("expectedTotal"),
      ...CUSTOMER,
      paymentMethod: "cod",
      note: "",
    };
    expect(form.items).toBe("pineapple-cake:1");
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const post = () =>
      fetch(`${e2e().baseUrl}/checkout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
        body: new URLSearchParams(form).toString(),
        redirect: "manual",
      });
    const answers = [...(await Promise.all([post(), post(), post()])), await post()];
    const locations = answers.map((res) => `${res.status} ${res.headers.get("location")}`);
    expect(new Set(locations).size).toBe(1);
    expect(locations[0]).toMatch(/^303 \/orders\/\d{6}-\d{4}-\d{4}$/);
  });

  it("shows a changed total and places the order only when the shopper confirms it, under a new key", async () => {
    const original = await getProducts();
    try {
      const context = await open();
      const page = await context.newPage();
      await addToCartFromCatalog(page, "愛文芒果乾 200g");
      await expect.poll(() => page.getByRole("link", { name: "購物車，1 件商品" }).count()).toBe(1);
      await page.goto("/checkout");
      expect(await page.getByRole("button", { name: /確認下單/ }).textContent()).toContain("NT$250");
      await fillCheckout(page, "貨到付款");

      // The owner raises the price while the shopper is typing.
      await putProducts(original.map((p) => (p.id === "dried-mango" ? { ...p, unitPrice: 280 } : p)));
      await submitCheckout(page);
      const alert = page.getByRole("alert");
      await alert.waitFor();
      expect(await alert.textContent()).toContain("新的總金額：NT$280");
      expect(new URL(page.url()).pathname).toBe("/checkout");

      await page.getByRole("button", { name: /確認新金額並下單/ }).click();
      await page.waitForURL(ORDER_URL);
      expect(await page.locator("main").textContent()).toContain("NT$280");
    } finally {
      await putProducts(original);
    }
  });
});
