/**
 * Store pickup with pay on pickup in Chromium (ADR 0027), through the built storefront and the whole local stack
 * with ECPay's Logistics and e-invoice stand-ins, once without JavaScript and once with it: a shopper picks 7-ELEVEN's test store 131386 on
 * the sandbox's store map and comes back to checkout with what they typed kept, orders paying on pickup with a
 * mobile-barcode carrier; the owner creates its shipment on
 * the admin's order page and prints the slip, the sandbox walks the parcel to picked up, and the shopper's order page
 * shows the store, the parcel picked up, the order paid and its e-invoice number. When ECPay's notifications stall, the
 * owner's "check now" on the order page (no JavaScript either) brings the parcel's stage from ECPay's query.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order, SiteStatus } from "../aws/src/contract";
import { api, eventually, loggedInOwner, randomPhone } from "./admin-support";
import { e2e, expectNoAxeViolations, launchBrowser, newContext } from "./browser";

let browser: Browser;
let originalSite: SiteStatus;

beforeAll(async () => {
  browser = await launchBrowser();
  originalSite = await api.getSite();
  await api.putSite({
    ...originalSite,
    pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } },
    einvoice: true,
  });
});
afterAll(async () => {
  await api
    .putSite({ ...originalSite, pickup: originalSite.pickup ?? null, einvoice: originalSite.einvoice ?? false })
    .catch(() => {});
  await browser?.close();
});

describe.each([
  { javaScriptEnabled: false, how: "without JavaScript" },
  { javaScriptEnabled: true, how: "with JavaScript" },
])("pay on pickup at a 7-ELEVEN test store, $how", ({ javaScriptEnabled }) => {
  it("the owner ships it, the parcel is picked up, and the shopper's page shows it paid with its e-invoice", async () => {
    const phone = randomPhone();
    // The shopper: checkout → ECPay's store map → back with the store → order.
    const buyer = await (await newContext(browser, { javaScriptEnabled })).newPage();
    await buyer.goto("/");
    await buyer
      .getByRole("button", { name: /加入購物車.*凍頂烏龍茶/ })
      .first()
      .click();
    await buyer.goto("/checkout");
    await buyer.getByLabel("收件人姓名").fill("陳美麗");
    await buyer.getByLabel("手機號碼").fill(phone);
    await buyer.getByLabel("Email").fill("meili@example.tw");
    await buyer.getByRole("radio", { name: /超商取貨/ }).check();
    await buyer.getByLabel("取貨超商").selectOption("unimart");
    await buyer.getByRole("radio", { name: "貨到付款" }).check();
    await buyer.getByRole("radio", { name: "手機條碼載具" }).check();
    await buyer.getByLabel("載具條碼、捐贈碼或統一編號").fill("/abc1234");
    await buyer.getByRole("button", { name: "選擇門市" }).click();
    // The hand-off page to ECPay's map: a button to press (a script may have sent the form on already).
    const store = buyer.locator('button[data-store-id="131386"]');
    const onward = buyer.getByRole("button", { name: "前往選擇門市" });
    await store.or(onward).first().waitFor();
    if (!(await store.isVisible())) await onward.click();
    await store.click();
    await buyer.waitForURL((url) => url.pathname === "/checkout");
    expect(await buyer.locator('[data-pickup-store="131386"]').count()).toBe(1);
    expect(await buyer.getByLabel("收件人姓名").inputValue()).toBe("陳美麗");
    await buyer.getByRole("button", { name: /確認.*下單/ }).click();
    if (!/\/orders\//.test(buyer.url())) {
      // Store pickup's fee may differ from home delivery's: confirm the new total.
      await buyer.getByRole("button", { name: /確認新金額並下單/ }).click();
    }
    await buyer.waitForURL(/\/orders\/\d{6}-\d{4}-\d{4}$/);
    const placed = await api.getOrder(new URL(buyer.url()).pathname.split("/").at(-1) ?? "");
    expect(placed).toMatchObject({
      deliveryMethod: "cvs",
      paymentMethod: "cod",
      pickupStore: { id: "131386", chain: "unimart" },
    });
    expect(placed.invoiceRequest).toEqual({ carrier: "mobile", barcode: "/ABC1234" });

    // The owner: create the shipment at ECPay from the order page.
    const { context: ownerCtx, page: owner } = await loggedInOwner(browser, { javaScriptEnabled });
    await owner.goto(`/admin/orders/${placed.id}`);
    expect(await owner.locator(`[data-pickup-store="131386"]`).count()).toBe(1);
    await owner.getByRole("button", { name: "建立物流單（綠界）" }).click();
    await expect.poll(() => owner.locator("main").textContent()).toContain("已在綠界建立物流單，訂單已出貨。");
    // …and prints the slip at ECPay (a form the CSP's form-action allows; it opens in a new tab).
    await owner.getByRole("button", { name: "列印託運單" }).click();
    const [slip] = await Promise.all([
      owner.waitForEvent("popup"),
      owner.getByRole("button", { name: "開啟託運單（綠界）" }).click(),
    ]);
    await slip.waitForLoadState();
    const logisticsId = (await api.getOrder(placed.id)).logistics?.allPayLogisticsId ?? "";
    expect(await slip.locator(`[data-logistics-id="${logisticsId}"]`).count()).toBe(1);
    await ownerCtx.close();

    const shipped = await api.getOrder(placed.id);
    expect(shipped.status).toBe("shipped");
    const id = shipped.logistics?.allPayLogisticsId;
    expect(id).toMatch(/^\d+$/);

    // ECPay: dropped off, at the DC, at the store, picked up (and paid at the counter).
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${e2e().ecpayUrl}/__sandbox/logistics/${id}/advance`, { method: "POST" });
      expect(res.status).toBe(200);
    }
    const done: Order = await eventually(
      () => api.getOrder(placed.id),
      (o) => o.status === "paid" && o.invoice?.status === "issued",
      "paid with its invoice",
    );

    // The shopper looks the order up and sees it all.
    const shopper = await (await newContext(browser, { javaScriptEnabled })).newPage();
    await shopper.goto(`/orders/${placed.id}`);
    await shopper.getByLabel("手機號碼").fill(phone);
    await shopper.getByRole("button", { name: "查詢訂單" }).click();
    await shopper.waitForURL((url) => url.pathname === `/orders/${placed.id}`);
    await expect.poll(() => shopper.locator("[data-status]").getAttribute("data-status")).toBe("paid");
    const main = (await shopper.locator("main").textContent()) ?? "";
    expect(main).toContain("7-ELEVEN 建盛門市");
    expect(await shopper.locator("[data-parcel-stage]").getAttribute("data-parcel-stage")).toBe("picked_up");
    expect(await shopper.locator("[data-invoice-number]").textContent()).toBe(done.invoice?.number);

    // Both pages pass axe (with JavaScript, which axe needs).
    const { context: withJs, page: ownerJs } = await loggedInOwner(browser);
    await ownerJs.goto(`/admin/orders/${placed.id}`);
    await expectNoAxeViolations(ownerJs, "admin order with store pickup and invoice");
    await withJs.close();
    const shopperJs = await (await newContext(browser)).newPage();
    await shopperJs.goto(`/orders/${placed.id}`);
    await shopperJs.getByLabel("手機號碼").fill(phone);
    await shopperJs.getByRole("button", { name: "查詢訂單" }).click();
    await shopperJs.waitForURL((url) => url.pathname === `/orders/${placed.id}`);
    await shopperJs.locator("[data-invoice-number]").waitFor();
    await expectNoAxeViolations(shopperJs, "order page with store pickup and invoice");
  });
});

describe("bulk shipping from the order list", () => {
  it("creates the ECPay logistics orders of the ticked store-pickup orders, beside home deliveries", async () => {
    const store = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
    const pickup = await api.placeOrder({ deliveryMethod: "cvs", pickupStore: store, paymentMethod: "cod" });
    const home = await api.placeOrder({ paymentMethod: "cod" });
    const { context, page } = await loggedInOwner(browser, { javaScriptEnabled: false });
    await page.goto("/admin/orders");
    for (const id of [pickup.id, home.id]) await page.getByLabel(`選取訂單 ${id}`).check();
    await page.getByRole("button", { name: "將勾選的訂單標示為已出貨" }).click();
    expect(await page.locator("main").textContent()).toContain("已將 2 筆訂單標示為已出貨");
    await context.close();
    const [p, h] = await Promise.all([api.getOrder(pickup.id), api.getOrder(home.id)]);
    expect(p.status).toBe("shipped");
    expect(p.logistics?.allPayLogisticsId).toMatch(/^\d+$/);
    expect(h.status).toBe("shipped");
    expect(h.logistics).toBeUndefined();
  });
});

describe("the owner's check when ECPay's notifications stall", () => {
  const sandbox = (path: string, body: unknown = {}) =>
    fetch(`${e2e().ecpayUrl}/__sandbox/logistics/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("asks ECPay from the order page without JavaScript: the parcel shows arrived, and asking again changes nothing", async () => {
    const store = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
    const placed = await api.placeOrder({ deliveryMethod: "cvs", pickupStore: store, paymentMethod: "cod" });
    const { context, page } = await loggedInOwner(browser, { javaScriptEnabled: false });
    await page.goto(`/admin/orders/${placed.id}`);
    await page.getByRole("button", { name: "建立物流單（綠界）" }).click();
    expect(await page.locator("main").textContent()).toContain("已在綠界建立物流單");
    const id = (await api.getOrder(placed.id)).logistics?.allPayLogisticsId;
    await sandbox("config", { suppressCallbacks: true });
    try {
      for (let i = 0; i < 3; i++) expect((await sandbox(`${id}/advance`)).status).toBe(200); // to 2073, unheard
    } finally {
      await sandbox("config", { suppressCallbacks: false });
    }
    await page.goto(`/admin/orders/${placed.id}`);
    expect(await page.locator("[data-parcel-stage]").getAttribute("data-parcel-stage")).toBe("created");
    await page.getByRole("button", { name: "向綠界查詢包裹狀態" }).click();
    expect(await page.locator("main").textContent()).toContain("已向綠界查詢：包裹「已到店，可取貨」");
    expect(await page.locator("[data-parcel-stage]").getAttribute("data-parcel-stage")).toBe("at_store");
    await page.getByRole("button", { name: "向綠界查詢包裹狀態" }).click();
    expect(await page.locator("main").textContent()).toContain("狀態與訂單記錄相同");
    await context.close();
    const after = await api.getOrder(placed.id);
    expect(after.logistics).toMatchObject({ stage: "at_store", statusCode: "2073" });
    expect(after.status).toBe("shipped");
  });
});
