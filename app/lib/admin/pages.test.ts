/**
 * The admin's page-level BFF functions (orders, products and site.server.ts) against a scripted order API: paging,
 * bulk shipping, the export's completeness, and forms that keep what the owner typed when the API fails.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Order, Product } from "../../../aws/src/contract";
import type { BffContext } from "../../../worker/context";
import { json, type Reply, scriptedTransport, testEnv } from "../../../worker/test/helpers";
import {
  bulkShipSchema,
  exportOrdersCsv,
  orderActionSchema,
  loadOrdersPage,
  ordersFilterSchema,
  ordersQueryInput,
  ordersQuerySchema,
  shipOrders,
} from "./orders.server";
import { changeProducts, productFingerprint, productListFormSchema, saveProduct, saveStock } from "./products.server";
import { NO_REVISION, saveSite, siteFormSchema } from "./site.server";

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const purged: string[] = [];
const fakeCache = {
  match: async () => undefined,
  put: async () => {},
  delete: async (key: string) => {
    purged.push(key);
    return true;
  },
} as unknown as Cache;

function bff(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  const context: BffContext = {
    env: testEnv(),
    ctx: { waitUntil: () => {} },
    fetch: transport.fetch,
    cache: fakeCache,
    retryBaseDelayMs: 0,
    now: () => Date.UTC(2026, 10, 27, 2, 0, 0),
  };
  return { context, calls: transport.calls };
}

function order(id: string, overrides: Partial<Order> = {}): Order {
  return {
    id,
    status: "created",
    createdAt: "2026-11-27T01:00:00.000Z",
    lines: [{ productId: "dongding-oolong", name: "凍頂烏龍茶 150g", unitPrice: 450, quantity: 1, lineTotal: 450 }],
    total: 450,
    paymentMethod: "cod",
    customer: {
      name: "王小明",
      phone: "0912345678",
      email: "m@example.tw",
      address: "100 臺北市中正區重慶南路一段 122 號",
    },
    history: [],
    ...overrides,
  };
}

const R1 = '"rev-1"';
const R2 = '"rev-2"';
const products: Product[] = [
  { id: "a", name: "甲", description: "", unitPrice: 100, available: true, sortOrder: 10 },
  { id: "b", name: "乙", description: "", unitPrice: 200, available: true, sortOrder: 20 },
  { id: "c", name: "丙", description: "", unitPrice: 300, available: true, sortOrder: 30 },
];

function query(search: string) {
  const params = new URLSearchParams(search);
  return { params, parsed: ordersQuerySchema.safeParse(ordersQueryInput(params)) };
}

describe("orders list", () => {
  it("tops up short API pages to a full page and links to the next and previous pages with the filters", async () => {
    const first = Array.from({ length: 30 }, (_, i) => order(`261127-${String(i).padStart(5, "0")}`));
    const second = Array.from({ length: 20 }, (_, i) =>
      order(`261126-${String(i).padStart(5, "0")}`, { status: "paid", paymentMethod: "credit" }),
    );
    const { context, calls } = bff(
      json({ orders: first, nextCursor: "c1" }),
      json({ orders: second, nextCursor: "c2" }),
    );
    const { params, parsed } = query("status=created&phone=0912-345-678");
    const page = await loadOrdersPage(context, params, parsed);
    expect(page.orders).toHaveLength(50);
    expect(calls.map((c) => c.url.searchParams.get("limit"))).toEqual(["50", "20"]);
    expect(calls[1]!.url.searchParams.get("cursor")).toBe("c1");
    expect(calls[0]!.url.searchParams.get("phone")).toBe("0912345678");
    expect(page.nextHref).toBe("/admin/orders?status=created&phone=0912345678&cursor=c2&back=.");
    expect(page.prevHref).toBeNull();
    expect(page.exportHref).toBe("/admin/orders/export.csv?status=created&phone=0912345678");
    // Shippable: a new COD order and a paid card order; not others.
    expect(page.orders[0]!.canShip).toBe(true);
    expect(page.orders[49]!.canShip).toBe(true);

    const next = bff(json({ orders: [order("261120-00001", { status: "cancelled" })], nextCursor: null }));
    const third = query("status=created&cursor=c2&back=.~c1");
    const last = await loadOrdersPage(next.context, third.params, third.parsed);
    expect(last.page).toBe(3);
    expect(last.nextHref).toBeNull();
    expect(last.prevHref).toBe("/admin/orders?status=created&cursor=c1&back=.");
    expect(last.orders[0]!.canShip).toBe(false);

    // Page 2 knows it is page 2 and goes back to the first page.
    const secondPage = query("status=created&cursor=c1&back=.");
    const two = await loadOrdersPage(
      bff(json({ orders: [], nextCursor: null })).context,
      secondPage.params,
      secondPage.parsed,
    );
    expect(two.page).toBe(2);
    expect(two.prevHref).toBe("/admin/orders?status=created");
  });

  it("reports bad filters next to their fields without calling the API, and keeps what was typed", async () => {
    const { context, calls } = bff(json({ orders: [], nextCursor: null }));
    const { params, parsed } = query("phone=12345&from=2026-02-30&to=2026-01-01&status=lost");
    const page = await loadOrdersPage(context, params, parsed);
    expect(calls).toHaveLength(0);
    expect(page.errors).toEqual({
      phone: "請輸入 09 開頭的 10 位手機號碼",
      from: "起始日期請用 YYYY-MM-DD 格式的日期",
      status: "請選擇訂單狀態",
    });
    expect(page.values).toMatchObject({ phone: "12345", from: "2026-02-30", status: "lost" });
    const reversed = query("from=2026-05-01&to=2026-04-01");
    expect((await loadOrdersPage(context, reversed.params, reversed.parsed)).errors).toEqual({
      to: "結束日期不能早於起始日期",
    });
  });

  it("keeps the filters and says why when the API is down", async () => {
    const { context } = bff(new Response("down", { status: 503 }));
    const { params, parsed } = query("paymentMethod=atm");
    const page = await loadOrdersPage(context, params, parsed);
    expect(page.loadError).toMatch(/暫時無法使用/);
    expect(page.values).toEqual({ paymentMethod: "atm" });
  });

  it("jumps to an order searched by id", async () => {
    const { context } = bff();
    const { params, parsed } = query("q=%20261127-00042%20");
    await expect(loadOrdersPage(context, params, parsed)).rejects.toSatisfy(
      (r: Response) => r.status === 302 && r.headers.get("Location") === "/admin/orders/261127-00042",
    );
  });

  it("jumps to an order whose id the owner typed as a shopper read it out (no dashes, spaces)", async () => {
    const { context } = bff();
    for (const typed of ["26112748310926", "261127%204831%200926"]) {
      const { params, parsed } = query(`q=${typed}`);
      await expect(loadOrdersPage(context, params, parsed)).rejects.toSatisfy(
        (r: Response) => r.status === 302 && r.headers.get("Location") === "/admin/orders/261127-4831-0926",
      );
    }
  });

  it("ships each order on its own, reporting the ones that could not be shipped", async () => {
    const { context } = bff((request) => {
      const id = new URL(request.url).pathname.split("/")[3]!;
      return id === "261127-00002"
        ? json({ error: { code: "invalid_transition", message: "cannot" } }, { status: 409 })
        : json({ order: order(id, { status: "shipped" }) });
    });
    const result = await shipOrders(context, ["261127-00001", "261127-00002", "261127-00003", "261127-00001"]);
    expect(result.shipped).toEqual(["261127-00001", "261127-00003"]);
    expect(result.failed).toEqual([
      { id: "261127-00002", message: "這筆訂單目前的狀態不能這樣變更，請重新整理查看最新狀態。" },
    ]);
  });

  it("ships with the carrier and each row's tracking number; rows left blank ship without one", async () => {
    const parsed = bulkShipSchema.parse({
      intent: "ship",
      ids: ["261127-00001", "261127-00002"],
      carrier: "tcat",
      rows: ["261127-00001", "261127-00002", "261127-00003"],
      tracking: [" 9012-3456-7890 ", "", "123"],
    });
    expect(parsed).toEqual({
      ids: ["261127-00001", "261127-00002"],
      pickupIds: [],
      shipments: { "261127-00001": { carrier: "tcat", trackingNumber: "9012-3456-7890" } },
    });
    const { context, calls } = bff((request) =>
      json({ order: order(new URL(request.url).pathname.split("/")[3]!, { status: "shipped" }) }),
    );
    await shipOrders(context, parsed.ids, parsed.shipments);
    const bodies = Object.fromEntries(calls.map((c) => [c.url.pathname.split("/")[3], JSON.parse(c.body)]));
    expect(bodies["261127-00001"]).toEqual({
      to: "shipped",
      shipment: { carrier: "tcat", trackingNumber: "9012-3456-7890" },
    });
    expect(bodies["261127-00002"]).toEqual({ to: "shipped" });
  });

  it.each([
    [{ trackingNumber: "A123", carrier: "" }, "carrier", "請選擇物流業者"],
    [{ trackingNumber: "", carrier: "hct" }, "trackingNumber", "請填寫物流單號"],
    [{ trackingNumber: "A1\u0007", carrier: "post" }, "trackingNumber", "物流單號只能有英文字母、數字與連字號"],
    [{ trackingNumber: "9".repeat(200), carrier: "post" }, "trackingNumber", "物流單號最多 40 個字元"],
    [{ trackingNumber: "9".repeat(201), carrier: "post" }, "trackingNumber", "物流單號最多 40 個字元"],
    [{ trackingNumber: "A1", carrier: "dhl" }, "carrier", "請選擇物流業者"],
  ])("refuses a shipment %j with a reason", (fields, path, message) => {
    const result = orderActionSchema.safeParse({ intent: "transition", to: "shipped", ...fields });
    expect(result.success).toBe(false);
    expect(result.error?.issues.find((issue) => issue.path[0] === path)?.message).toBe(message);
  });

  it("ships the ticked store-pickup orders by creating their logistics orders, the others by the transition", async () => {
    const parsed = bulkShipSchema.parse({
      intent: "ship",
      ids: ["261127-00001", "261127-00002"],
      pickupIds: ["261127-00002", "261127-00009"],
      rows: "261127-00001",
      tracking: "",
    });
    const { context, calls } = bff((request) =>
      new URL(request.url).pathname === "/admin/shipments"
        ? json({ results: [{ id: "261127-00002", ok: false, code: "upstream_error", message: "ECPay 暫停服務" }] })
        : json({ order: order(new URL(request.url).pathname.split("/")[3]!, { status: "shipped" }) }),
    );
    const result = await shipOrders(context, parsed.ids, parsed.shipments, parsed.pickupIds);
    const shipmentCall = calls.find((c) => c.url.pathname === "/admin/shipments");
    expect(JSON.parse(shipmentCall!.body)).toEqual({ ids: ["261127-00002"] });
    expect(calls.filter((c) => c.url.pathname.endsWith("/transition")).map((c) => c.url.pathname)).toEqual([
      "/admin/orders/261127-00001/transition",
    ]);
    expect(result.shipped).toEqual(["261127-00001"]);
    expect(result.failed).toEqual([{ id: "261127-00002", message: "ECPay 暫停服務" }]);
  });

  it("refuses a bad tracking number in the bulk form naming the order", () => {
    const result = bulkShipSchema.safeParse({
      intent: "ship",
      ids: "261127-00001",
      carrier: "tcat",
      rows: "261127-00001",
      tracking: "<script>",
    });
    expect(result.error?.issues[0]?.message).toBe("訂單 261127-00001：物流單號只能有英文字母、數字與連字號");
  });

  it("exports every page of the filtered list, not just the one on screen", async () => {
    const { context, calls } = bff(
      json({ orders: [order("261127-00001"), order("261127-00002")], nextCursor: "n1" }),
      json({ orders: [order("261126-00003")], nextCursor: null }),
    );
    const filter = ordersFilterSchema.safeParse({ paymentMethod: "cod" });
    const response = await exportOrdersCsv(context, filter, new Headers({ "Cache-Control": "no-store" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const csv = await response.text();
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(4);
    expect(calls.map((c) => [c.url.searchParams.get("paymentMethod"), c.url.searchParams.get("limit")])).toEqual([
      ["cod", "200"],
      ["cod", "200"],
    ]);
    const bad = await exportOrdersCsv(context, ordersFilterSchema.safeParse({ phone: "1" }), new Headers());
    expect(bad.status).toBe(400);
  });
});

describe("products and site forms", () => {
  const form = { name: "凍頂烏龍茶 300g", description: "", unitPrice: 880, available: true, removeImage: false };
  const values = { name: "凍頂烏龍茶 300g", unitPrice: "880", available: "yes" };

  // The photo path: POST /admin/uploads (a presigned POST), the file to S3, GET /admin/uploads/{id}.
  const UPLOAD_ID = "0123456789abcdef0123456789abcdef";
  const S3_URL = "http://127.0.0.1:4569/shop-local-content-000000000000";
  const presigned = () =>
    json(
      {
        uploadId: UPLOAD_ID,
        url: S3_URL,
        fields: { key: `uploads/${UPLOAD_ID}`, policy: "cG9saWN5", "x-amz-signature": "abc" },
        maxBytes: 20 * 1024 * 1024,
        expiresAt: "2026-11-27T02:05:00.000Z",
      },
      { status: 201 },
    );
  const image = { id: "fedcba9876543210fedcba9876543210", width: 1440, height: 1080, widths: [320, 640, 1440] };
  const ready = () => json({ uploadId: UPLOAD_ID, state: "ready", image });
  const processing = () => json({ uploadId: UPLOAD_ID, state: "processing" });
  const jpeg = () =>
    new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe1, ...new Array(60).fill(7)])], "IMG_0001.JPG", {
      type: "image/jpeg",
    });
  const echo = (request: Request) =>
    request
      .clone()
      .json()
      .then((body) => json(body));
  const noWait = { sleep: async () => {} };

  it("sends a photo to S3 with the presigned POST (never to the API), and saves the product with its variants", async () => {
    const { context, calls } = bff(
      presigned(),
      new Response(null, { status: 204 }),
      ready(),
      json({ products, revision: R1 }),
      echo,
    );
    const result = await saveProduct(context, undefined, { ...form, id: "oolong-300" }, jpeg(), values, noWait);
    expect(result).toEqual({ ok: true, id: "oolong-300" });
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      "POST /admin/uploads",
      `POST ${new URL(S3_URL).pathname}`,
      `GET /admin/uploads/${UPLOAD_ID}`,
      "GET /admin/products",
      "PUT /admin/products",
    ]);
    // The API call carries no bytes; the S3 post carries the fields first and the file last, unsigned by us.
    expect(calls[0]!.body).toBe("{}");
    const s3Post = calls[1]!;
    expect(s3Post.headers.get("authorization")).toBeNull();
    expect(s3Post.body.indexOf('name="key"')).toBeLessThan(s3Post.body.indexOf('name="file"'));
    expect(s3Post.body).toContain(`uploads/${UPLOAD_ID}`);
    const written = (JSON.parse(calls[4]!.body) as { products: Product[] }).products;
    expect(written.at(-1)).toMatchObject({ id: "oolong-300", image });
    expect(written.at(-1)).not.toHaveProperty("imageUpload");
  });

  it("keeps the typed values and the sent photo when saving the catalog fails, and does not send it again", async () => {
    const { context } = bff(
      presigned(),
      new Response(null, { status: 204 }),
      ready(),
      json({ products, revision: R1 }),
      new Response("down", { status: 503 }),
    );
    const result = await saveProduct(context, undefined, { ...form, id: "oolong-300" }, jpeg(), values, noWait);
    expect(result).toMatchObject({ ok: false, values: { ...values, uploadId: UPLOAD_ID } });
    expect(result.ok || result.formError).toMatch(/輸入的內容都還在/);

    const again = bff(ready(), json({ products, revision: R1 }), echo);
    const saved = await saveProduct(
      again.context,
      undefined,
      { ...form, id: "oolong-300", uploadId: UPLOAD_ID },
      undefined,
      values,
    );
    expect(saved).toEqual({ ok: true, id: "oolong-300" });
    expect(again.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      `GET /admin/uploads/${UPLOAD_ID}`,
      "GET /admin/products",
      "PUT /admin/products",
    ]);
  });

  it("refuses a file that is too large, HEIC or not an image before sending anything", async () => {
    const { context, calls } = bff();
    const pdf = new File([new TextEncoder().encode("%PDF-1.7 not a photo")], "photo.jpg", { type: "image/jpeg" });
    expect(await saveProduct(context, undefined, form, pdf, values)).toMatchObject({
      ok: false,
      errors: { image: expect.stringContaining("不是圖片") },
    });
    const heic = new File(
      [new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode("ftypheic"), 0, 0, 0, 0])],
      "IMG.HEIC",
    );
    expect(await saveProduct(context, undefined, form, heic, values)).toMatchObject({
      errors: { image: expect.stringContaining("JPEG") },
    });
    const big = new File([new Uint8Array(20 * 1024 * 1024 + 1).fill(0xff)], "x.jpg", { type: "image/jpeg" });
    expect(await saveProduct(context, undefined, form, big, values)).toMatchObject({
      errors: { image: expect.stringContaining("20 MB") },
    });
    expect(calls).toHaveLength(0);
  });

  it("says why processing refused a photo, and writes nothing", async () => {
    const rejected = json({ uploadId: UPLOAD_ID, state: "rejected", problem: "unreadable", message: "cut short" });
    const { context, calls } = bff(presigned(), new Response(null, { status: 204 }), rejected);
    const result = await saveProduct(context, "a", form, jpeg(), values, noWait);
    expect(result).toMatchObject({ ok: false, errors: { image: expect.stringContaining("無法讀取") } });
    // A refused photo is not kept for the next save either.
    expect(result.ok ? {} : result.values).not.toHaveProperty("uploadId");
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("answers S3's refusal and a lost connection with a message, and writes nothing", async () => {
    const tooLarge = new Response("<Error><Code>EntityTooLarge</Code></Error>", { status: 400 });
    const refused = bff(presigned(), tooLarge);
    expect(await saveProduct(refused.context, "a", form, jpeg(), values, noWait)).toMatchObject({
      errors: { image: expect.stringContaining("20 MB") },
    });
    const lost = bff(presigned(), new TypeError("network connection lost"));
    expect(await saveProduct(lost.context, "a", form, jpeg(), values, noWait)).toMatchObject({
      errors: { image: expect.stringContaining("請再試一次") },
    });
    const apiDown = bff(new Response("down", { status: 503 }));
    expect(await saveProduct(apiDown.context, "a", form, jpeg(), values, noWait)).toMatchObject({
      errors: { image: expect.stringContaining("照片沒有上傳") },
    });
    for (const { calls } of [refused, lost, apiDown]) expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("saves a product whose photo is slow with the upload pending (keeping the old photo), then applies it", async () => {
    const withPhoto = products.map((p) => (p.id === "a" ? { ...p, imageKey: "images/old.png" } : p));
    // Processing outlasts the save's wait, and has finished when the save asks once more after writing.
    let written = false;
    const slow = bff(async (request) => {
      const { pathname } = new URL(request.url);
      if (pathname === "/admin/uploads") return presigned();
      if (!pathname.startsWith("/admin/")) return new Response(null, { status: 204 });
      if (pathname.startsWith("/admin/uploads/")) return written ? ready() : processing();
      if (request.method === "GET") return json({ products: withPhoto, revision: R1 });
      written = true;
      return echo(request);
    });
    let clock = 0;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    const realNow = Date.now;
    Date.now = () => realNow() + clock;
    try {
      expect(await saveProduct(slow.context, "a", form, jpeg(), values, { sleep })).toEqual({ ok: true, id: "a" });
    } finally {
      Date.now = realNow;
    }
    const puts = slow.calls.filter((c) => c.method === "PUT").map((c) => JSON.parse(c.body) as { products: Product[] });
    expect(puts).toHaveLength(2);
    // First the product with the upload pending and its old photo still shown…
    expect(puts[0]!.products[0]).toMatchObject({
      id: "a",
      imageKey: "images/old.png",
      imageUpload: { uploadId: UPLOAD_ID },
    });
    // …then, as processing finished, the variants in place of both.
    expect(puts[1]!.products[0]).toMatchObject({ id: "a", image });
    expect(puts[1]!.products[0]).not.toHaveProperty("imageKey");
    expect(puts[1]!.products[0]).not.toHaveProperty("imageUpload");
  });

  it("adds a product at the end, refuses a taken id, and purges the edge's catalog after a write", async () => {
    purged.length = 0;
    const { context, calls } = bff(json({ products, revision: R1 }), (request) =>
      request
        .clone()
        .json()
        .then((body) => json(body)),
    );
    expect(await saveProduct(context, undefined, { ...form, id: "d" }, undefined, values)).toEqual({
      ok: true,
      id: "d",
    });
    const written = (JSON.parse(calls[1]!.body) as { products: Product[] }).products;
    expect(written.at(-1)).toEqual({
      id: "d",
      name: "凍頂烏龍茶 300g",
      description: "",
      unitPrice: 880,
      available: true,
      sortOrder: 40,
    });
    // The content and the cached pages built from it (this cache holds no catalog, so the catalog page only).
    expect(purged).toEqual([
      "https://edge-cache.internal/content/catalog.json",
      "https://edge-cache.internal/pages/http/",
      "https://edge-cache.internal/pages/https/",
    ]);

    const taken = bff(json({ products, revision: R1 }));
    expect(await saveProduct(taken.context, undefined, { ...form, id: "b" }, undefined, values)).toMatchObject({
      ok: false,
      errors: { id: "這個代號已經有商品使用，請換一個。" },
    });
  });

  it("moves a product by swapping it with its neighbour and renumbering, and marks it sold out", async () => {
    const echo = (request: Request) =>
      request
        .clone()
        .json()
        .then((body) => json(body));
    const up = bff(json({ products, revision: R1 }), echo);
    expect(await changeProducts(up.context, { id: "c", op: "up" }, {})).toMatchObject({ ok: true });
    const moved = (JSON.parse(up.calls[1]!.body) as { products: Product[] }).products;
    expect(moved.map((p) => [p.id, p.sortOrder])).toEqual([
      ["a", 10],
      ["c", 20],
      ["b", 30],
    ]);
    const soldOut = bff(json({ products, revision: R1 }), echo);
    expect(await changeProducts(soldOut.context, { id: "a", op: "soldout" }, {})).toMatchObject({ ok: true });
    expect((JSON.parse(soldOut.calls[1]!.body) as { products: Product[] }).products[0]!.available).toBe(false);
    const gone = bff(json({ products, revision: R1 }));
    expect(await changeProducts(gone.context, { id: "zzz", op: "up" }, {})).toMatchObject({ ok: false });
  });

  it("saves the site status (empty texts left out) and keeps the typed text when it fails", async () => {
    purged.length = 0;
    const ok = bff((request) =>
      request
        .clone()
        .json()
        .then((body) => json(body)),
    );
    const saved = await saveSite(
      ok.context,
      { open: "closed", closedMessage: "盤點中", announcement: "", revision: R1 },
      { open: "closed", revision: R1 },
    );
    expect(saved.ok).toBe(true);
    expect(JSON.parse(ok.calls[0]!.body)).toEqual({ open: false, closedMessage: "盤點中", shipping: {}, revision: R1 });
    // The content and the cached pages built from it (this cache holds no catalog, so the catalog page only).
    expect(purged).toEqual([
      "https://edge-cache.internal/content/site.json",
      "https://edge-cache.internal/pages/http/",
      "https://edge-cache.internal/pages/https/",
    ]);

    const down = bff(new Response("down", { status: 503 }));
    const typed = { open: "closed", closedMessage: "盤點中", announcement: "年節公告" };
    const failed = await saveSite(
      down.context,
      { open: "closed", closedMessage: "盤點中", announcement: "年節公告", revision: R1 },
      typed,
    );
    expect(failed).toMatchObject({ ok: false, values: typed });
  });

  it("writes the catalog on condition of the revision it read, and says so when someone else wrote first", async () => {
    const conflict = () => json({ error: { code: "conflict", message: "catalog.json changed" } }, { status: 409 });
    const changedElsewhere = products.map((p) => (p.id === "b" ? { ...p, unitPrice: 999 } : p));
    const lost = bff(json({ products, revision: R1 }), conflict(), json({ products: changedElsewhere, revision: R2 }));
    const result = await changeProducts(lost.context, { id: "a", op: "soldout" }, { id: "a", op: "soldout" });
    expect(result).toMatchObject({ ok: false, values: { id: "a", op: "soldout" } });
    expect(result.ok || result.formError).toMatch(/別處被修改/);
    expect(JSON.parse(lost.calls[1]!.body)).toMatchObject({ revision: R1 });

    // A conflict with our own earlier attempt (its answer was lost) leaves the catalog as we wanted it: saved.
    const soldOutA = products.map((p) => (p.id === "a" ? { ...p, available: false } : p));
    const own = bff(json({ products, revision: R1 }), conflict(), json({ products: soldOutA, revision: R2 }));
    expect(await changeProducts(own.context, { id: "a", op: "soldout" }, {})).toMatchObject({ ok: true });
  });

  it("does not overwrite a product changed since its edit page was shown; a second save does, deliberately", async () => {
    const shown = products.find((p) => p.id === "b")!;
    const baseline = await productFingerprint(shown);
    const changed = products.map((p) => (p.id === "b" ? { ...p, unitPrice: 777 } : p));
    const stale = bff(json({ products: changed, revision: R2 }));
    const refused = await saveProduct(stale.context, "b", { ...form, baseline }, undefined, { ...values, baseline });
    expect(refused).toMatchObject({ ok: false, values: { name: values.name, unitPrice: "880" } });
    expect(refused.ok || refused.formError).toMatch(/NT\$777/);
    expect(stale.calls).toHaveLength(1); // read, no write
    const newer = refused.ok ? "" : String(refused.values.baseline);
    expect(newer).toBe(await productFingerprint(changed.find((p) => p.id === "b")!));

    const again = bff(json({ products: changed, revision: R2 }), (request) =>
      request
        .clone()
        .json()
        .then((body) => json(body)),
    );
    expect(await saveProduct(again.context, "b", { ...form, baseline: newer }, undefined, values)).toEqual({
      ok: true,
      id: "b",
    });
    const written = JSON.parse(again.calls[1]!.body) as { products: Product[]; revision: string };
    expect(written.revision).toBe(R2);
    expect(written.products.find((p) => p.id === "b")!.unitPrice).toBe(880);
  });

  it("tells the owner when the site status changed since the page was shown, and hands back the new revision", async () => {
    const conflict = json({ error: { code: "conflict", message: "site.json changed" } }, { status: 409 });
    const stale = bff(conflict, json({ open: false, closedMessage: "別人關的", revision: R2 }));
    const typed = { open: "open", revision: R1 };
    const result = await saveSite(
      stale.context,
      { open: "open", closedMessage: "", announcement: "", revision: R1 },
      typed,
    );
    expect(result).toMatchObject({ ok: false, values: { open: "open", revision: R2 } });
    expect(result.ok || result.formError).toMatch(/暫停營業/);

    // A status never saved before is created with "must not exist" (null).
    const first = bff((request) =>
      request
        .clone()
        .json()
        .then((body) => json({ ...(body as object), revision: R1 })),
    );
    await saveSite(first.context, { open: "open", closedMessage: "", announcement: "", revision: NO_REVISION }, {});
    expect(JSON.parse(first.calls[0]!.body)).toEqual({ open: true, shipping: {}, revision: null });
  });

  it("sets a stock count on condition of the one shown; a change in another tab is shown, not overwritten", async () => {
    const conflict = json({ error: { code: "conflict", message: "庫存已變動", currentStock: 13 } }, { status: 409 });
    const stale = bff(
      conflict,
      json({
        stock: [
          { productId: "a", stock: 13 },
          { productId: "b", stock: null },
        ],
      }),
    );
    const typed = { op: "stock", id: "a", stock: "20", expected: "15" };
    const refused = await saveStock(stale.context, { op: "stock", id: "a", stock: 20, expected: 15 }, typed);
    expect(JSON.parse(stale.calls[0]!.body)).toEqual({ stock: 20, expected: 15 });
    expect(stale.calls[0]!.url.pathname).toBe("/admin/stock/a");
    expect(refused).toMatchObject({ ok: false, values: { stock: "20", expected: "13" } });
    expect(refused.ok || refused.errors.stock).toContain("目前是 13 件");

    // The second press is deliberate: it names the count now shown.
    const ok = bff(json({ productId: "a", stock: 20 }), json({ products, revision: R1 }));
    const saved = await saveStock(ok.context, { op: "stock", id: "a", stock: 20, expected: 13 }, {});
    expect(saved).toEqual({ ok: true, message: `「${products[0]!.name}」的庫存已更新為 20 件。` });
    const untrack = bff(json({ productId: "a", stock: null }), json({ products, revision: R1 }));
    await saveStock(untrack.context, { op: "stock", id: "a", stock: undefined, expected: 20 }, {});
    expect(JSON.parse(untrack.calls[0]!.body)).toEqual({ stock: null, expected: 20 });
  });

  it.each([
    ["-1", "庫存不可為負數"],
    ["1.5", "庫存請填 0 以上的整數，不追蹤請留空"],
    ["三", "庫存請填 0 以上的整數，不追蹤請留空"],
    ["2000000", "庫存最多 1000000"],
  ])("refuses a stock count of %j with a reason", (stock, message) => {
    const result = productListFormSchema.safeParse({ op: "stock", id: "a", stock, expected: "" });
    expect(result.error?.issues[0]?.message).toBe(message);
  });

  it("saves the fees as the owner types them, blank ones left out", async () => {
    const form = siteFormSchema.parse({
      open: "open",
      shippingFee: "NT$120",
      freeShippingThreshold: "1,500",
      codSurcharge: " ",
      revision: R1,
    });
    const ok = bff((request) =>
      request
        .clone()
        .json()
        .then((body) => json(body)),
    );
    const saved = await saveSite(ok.context, form, {});
    expect(JSON.parse(ok.calls[0]!.body)).toEqual({
      open: true,
      shipping: { home: { fee: 120, freeShippingThreshold: 1500 } },
      revision: R1,
    });
    expect(saved.ok && saved.message).toContain("運費 NT$120、滿 NT$1,500 免運");
  });

  it.each([
    ["shippingFee", "-50", "運費不可為負數"],
    ["shippingFee", "50000", "運費最多 NT$5000"],
    ["shippingFee", "12.5", "運費請填整數金額（新台幣元），不收請留空"],
    ["freeShippingThreshold", "0", "免運門檻至少 NT$1"],
    ["freeShippingThreshold", "2000000", "免運門檻最多 NT$1000000"],
    ["codSurcharge", "三十", "貨到付款手續費請填整數金額（新台幣元），不收請留空"],
    ["codSurcharge", "1001", "貨到付款手續費最多 NT$1000"],
  ])("refuses %s = %j with a reason", (field, value, message) => {
    const result = siteFormSchema.safeParse({ open: "open", [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.find((issue) => issue.path[0] === field)?.message).toBe(message);
  });
});
