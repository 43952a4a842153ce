import { describe, expect, it } from "vitest";
import { taipeiDate } from "../src/domain/taipei-time";
import { admin, orderRequest, storefront } from "./support";

const today = () => {
  const { year, month, day } = taipeiDate(new Date());
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
};

describe("admin orders", () => {
  it("ships a paid-on-arrival order, marks it paid, and refuses transitions the table does not allow", async () => {
    const { order } = (await storefront.post("/order", orderRequest({ paymentMethod: "cod" }))).body;
    const bad = await admin.post(`/admin/orders/${order.id}/transition`, { to: "paid" });
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe("invalid_transition");

    const shipped = await admin.post(`/admin/orders/${order.id}/transition`, { to: "shipped", note: "黑貓 123" });
    expect(shipped.status).toBe(200);
    expect(shipped.body.order.status).toBe("shipped");
    expect(shipped.body.order.history.at(-1)).toMatchObject({
      from: "created",
      to: "shipped",
      by: "owner",
      note: "黑貓 123",
    });
    expect((await admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled" })).status).toBe(409);
    expect((await admin.post(`/admin/orders/${order.id}/transition`, { to: "paid" })).body.order.status).toBe("paid");
  });

  it("applies one of two concurrent conflicting owner actions", async () => {
    const { order } = (await storefront.post("/order", orderRequest({ paymentMethod: "cod" }))).body;
    const [a, b] = await Promise.all([
      admin.post(`/admin/orders/${order.id}/transition`, { to: "shipped" }),
      admin.post(`/admin/orders/${order.id}/transition`, { to: "cancelled" }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const final = (await admin.get(`/admin/orders/${order.id}`)).body.order;
    expect(final.history).toHaveLength(2);
  });

  it("lists by status, payment method, phone and date, newest first, with paging", async () => {
    const phone = orderRequest().customer.phone;
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const req = orderRequest({ paymentMethod: i % 2 ? "atm" : "cod" });
      req.customer.phone = phone;
      placed.push((await storefront.post("/order", req)).body.order.id);
    }
    const byPhone = await admin.get(`/admin/orders?phone=${phone}`);
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.orders.map((o: { id: string }) => o.id).sort()).toEqual([...placed].sort());

    const atmOnly = await admin.get(`/admin/orders?phone=${phone}&paymentMethod=atm`);
    expect(atmOnly.body.orders).toHaveLength(2);

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { orders: { id: string; createdAt: string }[]; nextCursor: string | null } } =
        await admin.get(
          `/admin/orders?from=${today()}&to=${today()}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
      for (const o of page.body.orders) {
        expect(seen.has(o.id)).toBe(false);
        seen.add(o.id);
      }
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    for (const id of placed) expect(seen.has(id)).toBe(true);

    const created = await admin.get(`/admin/orders?status=shipped&phone=${phone}`);
    expect(created.body.orders).toHaveLength(0);
  });

  it("rejects bad filters with 400 and unknown orders with 404", async () => {
    expect((await admin.get("/admin/orders?status=lost")).status).toBe(400);
    expect((await admin.get("/admin/orders?from=2026-02-30")).status).toBe(400);
    expect((await admin.get("/admin/orders?from=2026-05-01&to=2026-04-01")).status).toBe(400);
    expect((await admin.get("/admin/orders?cursor=nonsense")).status).toBe(400);
    expect((await admin.get("/admin/orders/010101-00001")).status).toBe(404);
    expect((await admin.get("/admin/orders/not-an-id")).status).toBe(400);
  });

  it("is closed to the storefront principal", async () => {
    expect((await storefront.get("/admin/orders")).status).toBe(403);
  });
});

describe("admin products, images and site", () => {
  it("changes a price, and the next order uses it", async () => {
    const { products, revision } = (await admin.get("/admin/products")).body;
    const oolong = products.find((p: { id: string }) => p.id === "dongding-oolong");
    let latest = revision;
    try {
      const raised = products.map((p: { id: string }) => (p.id === "dongding-oolong" ? { ...p, unitPrice: 520 } : p));
      const saved = await admin.put("/admin/products", { products: raised, revision });
      expect(saved.status).toBe(200);
      expect(saved.body.revision).not.toBe(revision);
      latest = saved.body.revision;
      const order = await storefront.post(
        "/order",
        orderRequest({ items: [{ productId: "dongding-oolong", quantity: 1 }] }),
      );
      expect(order.body.order.total).toBe(520);
    } finally {
      const restored = products.map((p: { id: string }) => (p.id === "dongding-oolong" ? oolong : p));
      expect((await admin.put("/admin/products", { products: restored, revision: latest })).status).toBe(200);
    }
  });

  it("rejects an invalid catalog (duplicate ids, fractional price, no revision) with 400", async () => {
    const { products, revision } = (await admin.get("/admin/products")).body;
    expect((await admin.put("/admin/products", { products: [...products, products[0]], revision })).status).toBe(400);
    expect(
      (await admin.put("/admin/products", { products: [{ ...products[0], unitPrice: 9.5 }], revision })).status,
    ).toBe(400);
    expect((await admin.put("/admin/products", { products })).status).toBe(400);
    // A revision travels in an If-Match header: anything but an ETag is refused before it gets near S3.
    expect((await admin.put("/admin/products", { products, revision: '"\u008e\ud9a5\uddfd"' })).status).toBe(400);
    expect((await admin.put("/admin/site", { open: true, revision: "not\r\nan-etag" })).status).toBe(400);
  });

  it("refuses a catalog change made from an old revision, and lets one of two racing changes win", async () => {
    const { products, revision } = (await admin.get("/admin/products")).body;
    const withPrice = (unitPrice: number) =>
      products.map((p: { id: string }) => (p.id === "dongding-oolong" ? { ...p, unitPrice } : p));
    const oolongPrice = async () =>
      (await admin.get("/admin/products")).body.products.find((p: { id: string }) => p.id === "dongding-oolong")
        .unitPrice;
    const original = await oolongPrice();

    const racing = await Promise.all(
      [601, 602, 603, 604, 605].map((price) => admin.put("/admin/products", { products: withPrice(price), revision })),
    );
    const winners = racing.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of racing.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(409);
      expect(loser.body.error.code).toBe("conflict");
    }
    const won = winners[0]!.body.products.find((p: { id: string }) => p.id === "dongding-oolong").unitPrice;
    expect(await oolongPrice()).toBe(won);

    // The first revision is now stale: a change made from it changes nothing.
    const stale = await admin.put("/admin/products", { products: withPrice(999), revision });
    expect(stale.status).toBe(409);
    expect(await oolongPrice()).toBe(won);
    expect(
      (await admin.put("/admin/products", { products: withPrice(original), revision: winners[0]!.body.revision }))
        .status,
    ).toBe(200);
  });

  it("takes no image through the API any more: the base64 route that stored photos as sent (with EXIF) is gone", async () => {
    // Photos go to S3 with a presigned POST and are processed there (ADR 0019); nothing posts image bytes here.
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
    const res = await admin.post("/admin/images", { contentType: "image/png", dataBase64: png.toString("base64") });
    expect(res.status).toBe(404);
  });

  it("closes the site: orders get 503 with the owner's message; reopening restores ordering", async () => {
    const before = (await admin.get("/admin/site")).body;
    let revision = before.revision;
    try {
      const closed = await admin.put("/admin/site", { open: false, closedMessage: "年假休息至 2/5", revision });
      expect(closed.status).toBe(200);
      revision = closed.body.revision;
      // A change made from the status as it was before closing is refused, and the site stays closed.
      const stale = await admin.put("/admin/site", { open: true, revision: before.revision });
      expect(stale.status).toBe(409);
      const refused = await storefront.post("/order", orderRequest());
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatchObject({ code: "site_closed", message: "年假休息至 2/5" });
    } finally {
      const reopened = await admin.put("/admin/site", {
        open: before.open,
        ...(before.announcement ? { announcement: before.announcement } : {}),
        revision,
      });
      expect(reopened.status).toBe(200);
    }
    expect((await storefront.post("/order", orderRequest())).status).toBe(201);
  });
});
