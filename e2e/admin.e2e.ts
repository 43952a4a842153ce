/**
 * The owner's admin end to end in Chromium, through the built storefront under wrangler and the whole local stack:
 * login and its throttle, orders (filter, export, bulk ship, detail actions), products (price change reaching the
 * storefront and the next order, add with image, reorder, sold out, remove), site status (close → 503, reopen),
 * and axe on every admin page.
 */
import { describe, expect, it } from "vitest";
import { productPicture } from "../aws/local/seed/png";
import {
  api,
  buyCashOnDelivery,
  cookieHeader,
  eventually,
  form,
  loggedInOwner,
  logInInBrowser,
  ownerContext,
  randomPhone,
  sameOrigin,
  shopSuite,
  uniqueIp,
} from "./admin-support";
import { e2e, expectNoAxeViolations, newContext } from "./browser";

const shop = shopSuite();

describe("owner login", () => {
  it("sends the owner to the login page, refuses a wrong password, and logs in and out", async () => {
    const context = await ownerContext(shop.browser);
    const page = await context.newPage();
    await page.goto("/admin/orders");
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/admin/orders");
    await expectNoAxeViolations(page, "login");

    await page.getByLabel("密碼").fill("not-the-password");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "登入" }).click(),
    ]);
    expect(refused.status()).toBe(401);
    await expect.poll(() => page.getByText("密碼不正確，請再試一次。").count()).toBe(1);
    expect(await page.getByLabel("密碼").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("密碼").fill(e2e().ownerPassword);
    await page.getByRole("button", { name: "登入" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/orders");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("訂單");

    // The session cookie: __Host- prefixed, HttpOnly, Secure, SameSite=Lax (loopback counts as secure in Chromium).
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "__Host-shop_admin");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });

    // Every admin page answers no-store.
    const response = await page.goto("/admin");
    expect(response?.headers()["cache-control"]).toBe("no-store");

    await page.getByRole("button", { name: "登出" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/login");
    expect((await context.cookies()).find((c) => c.name === "__Host-shop_admin")).toBeUndefined();
    await page.goto("/admin");
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await context.close();
  });

  it("gives a new session id on every login", async () => {
    const context = await ownerContext(shop.browser);
    const page = await context.newPage();
    await logInInBrowser(page);
    const sessionId = async () => {
      const value = (await context.cookies()).find((c) => c.name === "__Host-shop_admin")!.value;
      // Remix's signed cookie: base64(JSON) "." signature, URL-encoded; the value is the session id itself.
      return JSON.parse(atob(decodeURIComponent(value).split(".")[0]!)) as string;
    };
    const first = await sessionId();
    await page.getByRole("button", { name: "登出" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/login");
    await logInInBrowser(page);
    const second = await sessionId();
    expect(second).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(second).not.toBe(first);
    await context.close();
  });

  it("throttles wrong passwords: after 5 failures the client gets 429 until the window passes", async () => {
    const ip = uniqueIp();
    const attempt = (password: string, from = ip) =>
      fetch(`${e2e().baseUrl}/admin/login`, {
        method: "POST",
        redirect: "manual",
        headers: sameOrigin({ "CF-Connecting-IP": from, "Content-Type": "application/x-www-form-urlencoded" }),
        body: form({ password, next: "/admin" }),
      });
    for (let i = 1; i <= 5; i++) expect((await attempt(`wrong-${i}`)).status, `attempt ${i}`).toBe(401);
    const throttled = await attempt("wrong-6");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(throttled.headers.get("cache-control")).toBe("no-store");
    expect(await throttled.text()).toContain("登入失敗次數過多");
    // Even the right password waits: the password is not looked at while throttled.
    expect((await attempt(e2e().ownerPassword)).status).toBe(429);
    // Another client is not affected.
    expect((await attempt(e2e().ownerPassword, uniqueIp())).status).toBe(302);

    // The owner's browser from the throttled address sees the message on the page.
    const context = await newContext(shop.browser, { javaScriptEnabled: false });
    await context.setExtraHTTPHeaders({ "CF-Connecting-IP": ip });
    const page = await context.newPage();
    await page.goto("/admin/login");
    await page.getByLabel("密碼").fill(e2e().ownerPassword);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "登入" }).click(),
    ]);
    expect(response.status()).toBe(429);
    expect(await page.getByRole("alert").textContent()).toMatch(/登入失敗次數過多，請 1[45] 分鐘後再試/);
    await context.close();
  });
});

describe("orders", () => {
  it("filters by phone and payment method, searches by id, and exports exactly the filtered list", async () => {
    const phone = randomPhone();
    const cod1 = await api.placeOrder({ phone, paymentMethod: "cod" });
    const card = await api.placeOrder({ phone, paymentMethod: "credit" });
    const cod2 = await api.placeOrder({
      phone,
      paymentMethod: "cod",
      note: "=1+1 請放管理室",
      items: [{ productId: "pineapple-cake", quantity: 2 }],
    });
    const other = await api.placeOrder({ paymentMethod: "cod" });

    // Without JavaScript: plain GET forms.
    const { context, page } = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await page.goto("/admin/orders");
    await page.getByLabel("手機").fill(`${phone.slice(0, 4)}-${phone.slice(4, 7)}-${phone.slice(7)}`);
    await page.getByLabel("付款方式").selectOption("cod");
    await page.getByRole("button", { name: "篩選" }).click();
    await page.waitForURL((url) => url.searchParams.get("paymentMethod") === "cod");
    const ids = await page
      .locator("tbody tr[data-order-id]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-order-id")));
    expect(ids.sort()).toEqual([cod1.id, cod2.id].sort());

    // The export link carries the same filters; the CSV holds exactly the listed orders.
    const href = await page.getByRole("link", { name: /匯出 CSV/ }).getAttribute("href");
    expect(href).toContain(`phone=${phone}`);
    expect(href).toContain("paymentMethod=cod");
    const csvResponse = await fetch(`${e2e().baseUrl}${href}`, { headers: { Cookie: await cookieHeader(context) } });
    expect(csvResponse.status).toBe(200);
    expect(csvResponse.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csvResponse.headers.get("content-disposition")).toMatch(
      /^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(csvResponse.headers.get("cache-control")).toBe("no-store");
    const bytes = new Uint8Array(await csvResponse.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = new TextDecoder().decode(bytes.slice(3));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^訂單編號,下單時間（台北）,狀態,付款方式,金額（新台幣）,收件人,手機/);
    expect(lines).toHaveLength(3);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[0])
        .sort(),
    ).toEqual([cod1.id, cod2.id].sort());
    expect(csv).not.toContain(card.id);
    expect(csv).not.toContain(other.id);
    // A shopper's text that would run as a formula is defused.
    expect(csv).toContain("'=1+1 請放管理室");
    expect(csv).toContain("土鳳梨酥 10 入 ×2");

    // A bad phone is reported next to the field, and what was typed stays.
    await page.getByLabel("手機").fill("12345");
    await page.getByRole("button", { name: "篩選" }).click();
    await page.waitForURL((url) => url.searchParams.get("phone") === "12345");
    expect(await page.getByText("請輸入 09 開頭的 10 位手機號碼").count()).toBe(1);
    expect(await page.getByLabel("手機").inputValue()).toBe("12345");
    expect(await page.getByLabel("手機").getAttribute("aria-invalid")).toBe("true");

    // Search by order id jumps to the order.
    await page.getByLabel("以訂單編號查詢").fill(card.id);
    await page.getByRole("button", { name: "查詢" }).click();
    await page.waitForURL((url) => url.pathname === `/admin/orders/${card.id}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain(card.id);
    await context.close();
  });

  it("ships orders in bulk and the shopper's order page shows it; marks cash on delivery paid", async () => {
    // A shopper buys through the storefront's pages and keeps their order page open.
    const shopper = await newContext(shop.browser);
    const shopperPage = await shopper.newPage();
    const orderId = await buyCashOnDelivery(shopperPage, "愛文芒果乾 200g");
    const status = () => shopperPage.locator("[data-status]").first().textContent();
    expect(await status()).toBe("訂單成立，準備出貨");
    const second = await api.placeOrder({ paymentMethod: "cod" });

    // The owner without JavaScript: plain form posts.
    const { context, page } = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await page.goto("/admin/orders?paymentMethod=cod&status=created");
    await page.getByRole("checkbox", { name: `選取訂單 ${orderId}` }).check();
    await page.getByRole("checkbox", { name: `選取訂單 ${second.id}` }).check();
    await page.getByRole("button", { name: "將勾選的訂單標示為已出貨" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toMatch(/已將 2 筆訂單標示為已出貨/);
    expect((await api.getOrder(second.id)).status).toBe("shipped");

    await shopperPage.reload();
    expect(await status()).toBe("已出貨，到貨時付款");

    // The detail page offers exactly what the state machine allows: a shipped COD order can only be marked paid.
    await page.goto(`/admin/orders/${orderId}`);
    expect(await page.getByRole("button", { name: "取消訂單" }).count()).toBe(0);
    await page.getByLabel(/備註（標示為已收款/).fill("黑貓代收 NT$250");
    await page.getByRole("button", { name: "標示為已收款（貨到付款）" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已付款");
    await expect.poll(() => page.locator("main").textContent()).toContain("黑貓代收 NT$250");
    await shopperPage.reload();
    expect(await status()).toBe("已付款");
    await shopper.close();
    await context.close();
  });

  it("cancels only with the confirmation ticked, keeping the note typed when it is missing", async () => {
    const order = await api.placeOrder({ paymentMethod: "credit" });
    const { context, page } = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await page.goto(`/admin/orders/${order.id}`);
    // A credit order not paid yet: cancel, and reconcile with ECPay.
    expect(await page.getByRole("button", { name: /對帳/ }).count()).toBe(1);
    await page.getByLabel(/備註（取消訂單）/).fill("顧客來電取消");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "取消訂單" }).click(),
    ]);
    expect(refused.status()).toBe(400);
    expect(await page.getByText("取消訂單前請勾選確認。").count()).toBe(1);
    expect(await page.getByLabel(/備註（取消訂單）/).inputValue()).toBe("顧客來電取消");
    expect((await api.getOrder(order.id)).status).toBe("created");

    await page.getByLabel(/我確認要取消這筆訂單/).check();
    await page.getByRole("button", { name: "取消訂單" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已取消");
    expect((await api.getOrder(order.id)).history.at(-1)).toMatchObject({
      to: "cancelled",
      by: "owner",
      note: "顧客來電取消",
    });

    // Reconciling an unpaid card order asks ECPay and leaves it as it is.
    const unpaid = await api.placeOrder({ paymentMethod: "credit" });
    await page.goto(`/admin/orders/${unpaid.id}`);
    await page.getByRole("button", { name: /對帳/ }).click();
    expect(await page.getByRole("status").textContent()).toMatch(/綠界尚未回報付款|已付款/);
    await context.close();
  });
});

describe("products and prices", () => {
  it("changes a price: the storefront shows it within seconds and the next order is charged it", async () => {
    const { context, page } = await loggedInOwner(shop.browser);
    await page.goto("/admin/products");
    await expectNoAxeViolations(page, "products");
    const tea = shop.products.find((p) => p.name === "阿里山高山茶 150g")!;
    // Shoppers' views have put the catalog and the product page in the edge page cache.
    const shopPage = async (path: string) => {
      const res = await fetch(`${e2e().baseUrl}${path}`);
      return { cache: res.headers.get("x-page-cache"), html: await res.text() };
    };
    for (const path of ["/", `/products/${tea.id}`]) await shopPage(path);
    // A cached copy either way: `revalidated` when the content's TTL ran out between the views (a slow machine).
    expect((await shopPage(`/products/${tea.id}`)).cache).toMatch(/^(hit|revalidated)$/);
    await page.getByRole("link", { name: tea.name }).click();
    await page.waitForURL((url) => url.pathname === `/admin/products/${tea.id}`);
    await expectNoAxeViolations(page, "edit product");

    // Not an integer: refused next to the field, and the other changes typed stay.
    await page.getByLabel("商品名稱").fill("阿里山高山茶 150g（冬茶）");
    await page.getByLabel("單價（新台幣元）").fill("720.5");
    await page.getByRole("button", { name: "儲存變更" }).click();
    await expect.poll(() => page.getByText("請輸入整數金額（新台幣元，不含小數點）").count()).toBe(1);
    expect(await page.getByLabel("商品名稱").inputValue()).toBe("阿里山高山茶 150g（冬茶）");

    await page.getByLabel("單價（新台幣元）").fill("1,720");
    await page.getByRole("button", { name: "儲存變更" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/products");
    expect(await page.getByRole("status").textContent()).toContain("已儲存「阿里山高山茶 150g（冬茶）」");

    // The save purged the content and the cached pages built from it: the very next views show the change.
    for (const path of ["/", `/products/${tea.id}`]) {
      const next = await shopPage(path);
      expect(next.cache, path).toBe("miss");
      expect(next.html, path).toContain("阿里山高山茶 150g（冬茶）");
      expect(next.html, path).toContain("NT$1,720");
    }
    const shopper = await newContext(shop.browser);
    const shopperPage = await shopper.newPage();
    const orderId = await buyCashOnDelivery(shopperPage, "阿里山高山茶 150g（冬茶）");
    const order = await api.getOrder(orderId);
    expect(order.lines).toEqual([expect.objectContaining({ productId: tea.id, unitPrice: 1720, quantity: 1 })]);
    expect(await shopperPage.locator("main").textContent()).toContain("NT$1,720");
    await shopper.close();
    await context.close();
    await api.putProducts(shop.products);
  });

  it("does not let an edit page opened earlier overwrite a price changed meanwhile in another tab", async () => {
    const { context, page } = await loggedInOwner(shop.browser);
    const tea = shop.products.find((p) => p.id === "dongding-oolong")!;
    const older = await context.newPage();
    await older.goto(`/admin/products/${tea.id}`);
    // Another tab saves a new price first.
    await page.goto(`/admin/products/${tea.id}`);
    await page.getByLabel("單價（新台幣元）").fill("990");
    await page.getByRole("button", { name: "儲存變更" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/products");

    // The older tab's save is held back: it says what is stored now and keeps what was typed.
    await older.getByLabel("商品說明").fill("older tab's description");
    await older.getByRole("button", { name: "儲存變更" }).click();
    await expect.poll(() => older.getByText("已被修改").count()).toBe(1);
    expect(await older.locator("main").textContent()).toContain("NT$990");
    expect(await older.getByLabel("商品說明").inputValue()).toBe("older tab's description");
    expect((await api.getProducts()).find((p) => p.id === tea.id)).toMatchObject({
      unitPrice: 990,
      description: tea.description,
    });

    // Saving again, now knowingly, wins.
    await older.getByRole("button", { name: "儲存變更" }).click();
    await older.waitForURL((url) => url.pathname === "/admin/products");
    expect((await api.getProducts()).find((p) => p.id === tea.id)).toMatchObject({
      unitPrice: tea.unitPrice,
      description: "older tab's description",
    });
    await context.close();
    await api.putProducts(shop.products);
  });

  it("adds a product with an image, moves it up, marks it sold out and removes it (without JavaScript)", async () => {
    const { context, page } = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await page.goto("/admin/products/new");
    const id = `e2e-${Date.now().toString(36)}`;
    await page.getByLabel("商品代號").fill(id);
    await page.getByLabel("商品名稱").fill("東方美人茶 75g");
    await page.getByLabel("商品說明").fill("新竹北埔的膨風茶，蜜香明顯。");
    await page.getByLabel("單價（新台幣元）").fill("880");
    await page.getByLabel("商品圖片").setInputFiles({
      name: "oriental-beauty.png",
      mimeType: "image/png",
      buffer: productPicture(
        [
          [250, 240, 220],
          [200, 160, 90],
        ],
        [150, 90, 40],
        96,
      ),
    });
    await page.getByRole("button", { name: "新增商品" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/products");
    await expect.poll(() => page.locator(`tr[data-product-id="${id}"]`).count()).toBe(1);

    const saved = (await api.getProducts()).find((p) => p.id === id)!;
    expect(saved).toMatchObject({ name: "東方美人茶 75g", unitPrice: 880, available: true });
    // Processed on upload (e2e/photos.e2e.ts follows a phone photo all the way): a WebP no wider than the picture.
    expect(saved.image).toMatchObject({ width: 96, height: 72, widths: [96] });
    const variant = `images/${saved.image!.id}-96.webp`;
    // Served to shoppers through the edge, cached for a year.
    const image = await fetch(`${e2e().baseUrl}/${variant}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/webp");
    expect(image.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    await eventually(
      async () => await (await fetch(`${e2e().baseUrl}/`)).text(),
      (html) => html.includes("東方美人茶 75g") && html.includes(variant),
      "the new product on the storefront",
    );

    // Last in the list; one step up swaps it with the product before it.
    const before = (await api.getProducts()).sort((a, b) => a.sortOrder - b.sortOrder).map((p) => p.id);
    expect(before.at(-1)).toBe(id);
    await page.getByRole("button", { name: "上移「東方美人茶 75g」" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已將「東方美人茶 75g」上移");
    const after = (await api.getProducts()).sort((a, b) => a.sortOrder - b.sortOrder).map((p) => p.id);
    expect(after).toEqual([...before.slice(0, -2), id, before.at(-2)]);

    await page.getByRole("button", { name: "標示「東方美人茶 75g」售完" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已標示為售完");
    expect((await api.getProducts()).find((p) => p.id === id)?.available).toBe(false);

    await page.goto(`/admin/products/${id}`);
    await page.getByRole("button", { name: "刪除商品" }).click();
    await expect.poll(() => page.getByText("刪除前請勾選確認。").count()).toBe(1);
    await page.getByLabel("我確定要刪除「東方美人茶 75g」").check();
    await page.getByRole("button", { name: "刪除商品" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/products");
    expect(await page.getByRole("status").textContent()).toContain("已刪除商品");
    expect((await api.getProducts()).some((p) => p.id === id)).toBe(false);
    await context.close();
  });
});

describe("site status", () => {
  it("closes the shop (shoppers get 503 with the message, the admin keeps working) and reopens it", async () => {
    const { context, page } = await loggedInOwner(shop.browser, { javaScriptEnabled: false });
    await page.goto("/admin/site");
    await page.getByRole("radio", { name: /暫停營業/ }).check();
    await page.getByLabel(/^暫停營業訊息/).fill("盤點中，明天上午 10 點恢復營業。");
    await page.getByRole("button", { name: "儲存" }).click();
    expect(await page.getByRole("status").textContent()).toContain("商店暫停營業");

    const closed = await eventually(
      () => fetch(`${e2e().baseUrl}/`),
      (res) => res.status === 503,
      "shoppers get 503",
    );
    expect(await closed.text()).toContain("盤點中，明天上午 10 點恢復營業。");
    expect((await fetch(`${e2e().baseUrl}/products/dongding-oolong`)).status).toBe(503);
    // The owner can still work, and reopen.
    expect((await page.goto("/admin"))?.status()).toBe(200);
    await page.goto("/admin/site");
    expect(await page.getByLabel(/^暫停營業訊息/).inputValue()).toBe("盤點中，明天上午 10 點恢復營業。");
    await page.getByRole("radio", { name: "營業中" }).check();
    await page.getByLabel("公告橫幅").fill("年節禮盒開放預購！");
    await page.getByRole("button", { name: "儲存" }).click();
    expect(await page.getByRole("status").textContent()).toContain("商店營業中");
    const open = await eventually(
      async () => {
        const res = await fetch(`${e2e().baseUrl}/`);
        return { status: res.status, html: await res.text() };
      },
      (res) => res.status === 200 && res.html.includes("年節禮盒開放預購！"),
      "the shop reopens with the announcement",
    );
    expect(open.status).toBe(200);
    await context.close();
  });
});

describe("dashboard", () => {
  it("shows orders by status, revenue today and this month, and an accessible 30-day chart", async () => {
    const paidCod = await api.placeOrder({ paymentMethod: "cod" });
    const { context, page } = await loggedInOwner(shop.browser);
    // Ship and collect one order so today's revenue has something in it.
    await page.goto(`/admin/orders/${paidCod.id}`);
    await page.getByRole("button", { name: "標示為已出貨" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已出貨");
    await page.getByRole("button", { name: "標示為已收款（貨到付款）" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("已付款");

    await page.goto("/admin");
    const figure = (id: string) => page.locator(`[data-figure="${id}"]`).textContent();
    expect(await figure("today-revenue")).toMatch(/^NT\$[\d,]+$/);
    expect(Number((await figure("today-revenue"))!.replace(/\D/g, ""))).toBeGreaterThanOrEqual(paidCod.total);
    expect(Number((await figure("today-orders"))!.replace(/\D/g, ""))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-status-count="paid"]').textContent()).toMatch(/^\d+ 筆$/);
    expect(await page.locator("main").textContent()).toContain("營收的算法");
    const charts = page.getByRole("img", { name: /最近 30 天每日/ });
    expect(await charts.count()).toBe(2);
    expect(await page.locator("svg desc").first().textContent()).toMatch(/每日訂單數，合計 \d+ 筆/);
    expect(await page.locator("details table tbody tr").count()).toBe(30);
    await context.close();
  });
});

describe("accessibility", () => {
  // axe needs JavaScript in the page; the pages themselves work without it (the tests above use both).
  it("has no axe violations on any admin page, including a form showing its errors", async () => {
    const order = await api.placeOrder({ paymentMethod: "atm" });
    const { context, page } = await loggedInOwner(shop.browser);
    const product = shop.products[0]!;
    for (const path of [
      "/admin",
      "/admin/orders",
      "/admin/orders?status=created&paymentMethod=atm",
      "/admin/orders?phone=123&from=2026-02-30",
      `/admin/orders/${order.id}`,
      "/admin/orders/010101-00001",
      "/admin/products",
      "/admin/products/new",
      `/admin/products/${product.id}`,
      "/admin/site",
    ]) {
      await page.goto(path);
      await expectNoAxeViolations(page, path);
    }
    // A form with errors next to its fields.
    await page.goto("/admin/products/new");
    await page.getByLabel("單價（新台幣元）").fill("abc");
    await page.getByRole("button", { name: "新增商品" }).click();
    await expect.poll(() => page.getByText("請填寫商品名稱").count()).toBe(1);
    await expectNoAxeViolations(page, "new product with errors");
    await context.close();

    const anonymous = await ownerContext(shop.browser);
    const login = await anonymous.newPage();
    await login.goto("/admin/login");
    await expectNoAxeViolations(login, "login");
    await anonymous.close();
  });
});
