/**
 * The shop's rules end to end in Chromium without JavaScript (plain form posts), through the built storefront and
 * the whole local stack: shipping fees the owner sets (shown on the cart and checkout before the shopper commits,
 * a fee change confirmed like a price change, the fee lines on the order pages), stock that runs out, and tracking
 * numbers.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { readMailbox } from "../aws/local/ses";
import { api, eventually, loggedInOwner, shopSuite } from "./admin-support";
import { e2e, newContext } from "./browser";
import { CUSTOMER, fillCheckout, orderIdFromUrl, submitCheckout } from "./shop";

const shop = shopSuite({
  cleanUp: () => api.setStock(CAKE.id, null),
  // No fees where there were none.
  restoreSite: (site) => ({ ...site, shipping: site.shipping ?? {} }),
});

const TEA = { id: "alishan-high-mountain-tea", name: "阿里山高山茶 150g" };
const CAKE = { id: "pineapple-cake", name: "土鳳梨酥 10 入" };

async function shopperPage() {
  const context = await newContext(shop.browser, { javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

const text = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe("shipping fees", () => {
  it("the owner sets them; the cart and checkout show them and how far free shipping is; the order carries them", async () => {
    const owner = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await owner.page.goto("/admin/site");
    await owner.page.getByLabel(/^運費/).fill("NT$100");
    await owner.page.getByLabel("免運門檻").fill("1,000");
    await owner.page.getByLabel("貨到付款手續費").fill("-30");
    await owner.page.getByRole("button", { name: "儲存" }).click();
    // A negative surcharge is refused with a reason; what was typed stays.
    await expect.poll(() => text(owner.page)).toContain("貨到付款手續費不可為負數");
    expect(await owner.page.getByLabel("免運門檻").inputValue()).toBe("1,000");
    await owner.page.getByLabel("貨到付款手續費").fill("30");
    await owner.page.getByRole("button", { name: "儲存" }).click();
    expect(await owner.page.getByRole("status").textContent()).toContain(
      "運費 NT$100、滿 NT$1,000 免運、貨到付款手續費 NT$30",
    );
    expect((await api.getSite()).shipping).toEqual({
      home: { fee: 100, freeShippingThreshold: 1000, codSurcharge: 30 },
    });

    const { context, page } = await shopperPage();
    await page.goto(`/products/${TEA.id}`);
    await page.getByRole("button", { name: /加入購物車/ }).click();
    await page.waitForURL("**/cart**");
    await eventually(
      async () => {
        await page.goto("/cart");
        return text(page);
      },
      (body) => body.includes("再買 NT$320 即可免運"),
      "the cart shows the fee",
    );
    const cart = await text(page);
    expect(cart).toMatch(/運費\s*NT\$100/);
    expect(cart).toMatch(/合計\s*NT\$780/);
    expect(cart).toContain("選擇貨到付款另加手續費 NT$30");

    await page.getByRole("link", { name: "前往結帳" }).click();
    const checkout = await text(page);
    expect(checkout).toMatch(/總金額\s*NT\$780/);
    expect(checkout).toContain("選擇貨到付款：NT$810（含手續費 NT$30）");
    expect(checkout).toContain("再買 NT$320 即可免運");

    // The owner raises the fee while the shopper fills the form: their submit is a price change they confirm.
    await api.putSite({
      ...(await api.getSite()),
      shipping: { home: { fee: 150, freeShippingThreshold: 1000, codSurcharge: 30 } },
    });
    await fillCheckout(page, "貨到付款");
    await submitCheckout(page);
    await expect.poll(() => text(page)).toContain("新的總金額：NT$860");
    await page.getByRole("button", { name: "確認新金額並下單（NT$860）" }).click();
    await page.waitForURL(/\/orders\/\d{6}-\d{4}-\d{4}$/);
    const orderId = orderIdFromUrl(page);
    const order = await text(page);
    expect(order).toMatch(/商品小計\s*NT\$680/);
    expect(order).toMatch(/運費\s*NT\$150/);
    expect(order).toMatch(/貨到付款手續費\s*NT\$30/);
    expect(order).toMatch(/總金額\s*NT\$860/);
    expect(await api.getOrder(orderId)).toMatchObject({
      subtotal: 680,
      total: 860,
      fees: [
        { kind: "shipping", amount: 150 },
        { kind: "cod_surcharge", amount: 30 },
      ],
    });

    // The owner's order page and the CSV carry the same lines.
    await owner.page.goto(`/admin/orders/${orderId}`);
    const detail = await text(owner.page);
    expect(detail).toMatch(/運費\s*NT\$150/);
    expect(detail).toMatch(/貨到付款手續費\s*NT\$30/);
    const csv = await (
      await fetch(`${e2e().baseUrl}/admin/orders/export.csv?phone=${CUSTOMER.phone}&paymentMethod=cod`, {
        headers: { cookie: (await owner.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ") },
      })
    ).text();
    const row = csv.split("\r\n").find((line) => line.startsWith(orderId));
    expect(row).toContain(",860,");
    expect(row).toContain(",680,150,30,");
    await context.close();
    await owner.context.close();
  });
});

describe("stock", () => {
  it("the owner counts a product (two tabs cannot lose an edit); the last units sell; the next shopper sees it sold out", async () => {
    await api.putSite({ ...(await api.getSite()), shipping: {} });
    await api.setStock(CAKE.id, null);
    const owner = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    const otherTab = await owner.context.newPage();
    await owner.page.goto("/admin/products");
    await otherTab.goto("/admin/products");
    const stockField = (page: Page) => page.getByLabel(`「${CAKE.name}」的庫存`);
    const update = (page: Page) => page.getByRole("button", { name: new RegExp(`更新庫存.*${CAKE.name}`) });
    await stockField(owner.page).fill("2");
    await update(owner.page).click();
    await expect.poll(() => text(owner.page)).toContain(`「${CAKE.name}」的庫存已更新為 2 件。`);
    // The other tab still shows "not tracked": its edit is refused and shows the count as it is now.
    await stockField(otherTab).fill("5");
    await update(otherTab).click();
    await expect.poll(() => text(otherTab)).toContain("目前是 2 件");
    expect(await stockField(otherTab).inputValue()).toBe("5");
    expect((await api.getStock()).find((entry) => entry.productId === CAKE.id)?.stock).toBe(2);

    // A shopper who put one in the cart earlier and is filling in the checkout form.
    const late = await shopperPage();
    await eventually(
      async () => {
        await late.page.goto(`/products/${CAKE.id}`);
        return text(late.page);
      },
      (body) => body.includes("只剩 2 件"),
      "the product page shows what is left",
    );
    await late.page.getByRole("button", { name: /加入購物車/ }).click();
    await late.page.waitForURL("**/cart**");
    await late.page.getByRole("link", { name: "前往結帳" }).click();
    await fillCheckout(late.page, "貨到付款", { phone: "0911000111" });

    // Another shopper buys the last two.
    const first = await shopperPage();
    await eventually(
      async () => {
        await first.page.goto("/");
        return text(first.page);
      },
      (body) => body.includes("只剩 2 件"),
      "the catalog shows what is left",
    );
    await first.page.goto(`/products/${CAKE.id}`);
    await first.page.getByLabel("數量").fill("2");
    await first.page.getByRole("button", { name: /加入購物車/ }).click();
    await first.page.waitForURL("**/cart**");
    await first.page.getByRole("link", { name: "前往結帳" }).click();
    await fillCheckout(first.page, "貨到付款", { phone: "0911000222" });
    await submitCheckout(first.page);
    await first.page.waitForURL(/\/orders\/\d{6}-\d{4}-\d{4}$/);
    expect((await api.getStock()).find((entry) => entry.productId === CAKE.id)?.stock).toBe(0);

    // The shopper who was late is told which product sold out, and nothing was ordered.
    await submitCheckout(late.page);
    await expect.poll(() => text(late.page)).toContain(`「${CAKE.name}」已售完。請回到購物車調整數量後再結帳。`);
    expect(new URL(late.page.url()).pathname).toBe("/checkout");

    // The next shopper sees it sold out and cannot add it.
    const next = await shopperPage();
    await next.page.goto(`/products/${CAKE.id}`);
    expect(await text(next.page)).toContain("已售完，暫無法購買");
    expect(await next.page.getByRole("button", { name: /加入購物車/ }).count()).toBe(0);
    for (const ctx of [late.context, first.context, next.context, owner.context]) await ctx.close();
  });
});

describe("tracking numbers", () => {
  it("the owner ships with a carrier and a tracking number; the shopper's order page and shipped email show them", async () => {
    const email = `tracking-${crypto.randomUUID().slice(0, 8)}@example.tw`;
    const { context, page } = await shopperPage();
    await page.goto(`/products/${TEA.id}`);
    await page.getByRole("button", { name: /加入購物車/ }).click();
    await page.waitForURL("**/cart**");
    await page.getByRole("link", { name: "前往結帳" }).click();
    await fillCheckout(page, "貨到付款", { email, phone: "0911000333" });
    await submitCheckout(page);
    await page.waitForURL(/\/orders\/\d{6}-\d{4}-\d{4}$/);
    const orderId = orderIdFromUrl(page);

    const owner = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await owner.page.goto(`/admin/orders/${orderId}`);
    // A tracking number with a control character is refused with a reason, and what was typed stays.
    await owner.page.getByLabel("物流業者").selectOption({ label: "黑貓宅急便" });
    await owner.page.getByLabel(/^物流單號/).fill("9012 3456");
    await owner.page.getByRole("button", { name: /標示為已出貨/ }).click();
    await expect.poll(() => text(owner.page)).toContain("物流單號只能有英文字母、數字與連字號");
    expect((await api.getOrder(orderId)).status).toBe("created");
    await owner.page.getByLabel(/^物流單號/).fill("9012-3456-7890");
    await owner.page.getByRole("button", { name: /標示為已出貨/ }).click();
    await expect.poll(() => text(owner.page)).toContain("黑貓宅急便 9012-3456-7890");

    await page.reload();
    const shipment = page.locator("[data-shipment]");
    expect(await shipment.textContent()).toContain("黑貓宅急便");
    expect(await shipment.textContent()).toContain("9012-3456-7890");
    expect(await page.getByRole("link", { name: /到黑貓宅急便查詢貨態/ }).getAttribute("href")).toBe(
      "https://www.t-cat.com.tw/Inquire/TraceDetail.aspx?BillID=9012-3456-7890",
    );

    const shipped = await eventually(
      async () => (await readMailbox(e2e().sesUrl)).filter((mail) => mail.destination.to.includes(email)),
      (mails) => mails.some((mail) => /出貨/.test(mail.subject)),
      "the shipped email",
    );
    const mail = shipped.find((m) => /出貨/.test(m.subject))!;
    expect(mail.body.text).toContain("黑貓宅急便");
    expect(mail.body.text).toContain("9012-3456-7890");
    await context.close();
    await owner.context.close();
  });
});
