import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Order, Product } from "../../aws/src/contract";
import { json, type Reply, scriptedTransport, testEnv } from "../test/helpers";
import { parseAuthorization } from "../test/sigv4";
import {
  createUpload,
  getOrder,
  getSite,
  getUpload,
  listOrders,
  PhotoApiError,
  photoUploadApi,
  putProducts,
  reconcileOrder,
  transitionOrder,
} from "./admin-api.server";

const env = testEnv();

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function deps(...replies: Reply[]) {
  const transport = scriptedTransport(...replies);
  return { deps: { env, fetch: transport.fetch, retryBaseDelayMs: 0 }, calls: transport.calls };
}

const order: Order = {
  id: "261127-00001",
  status: "paid",
  createdAt: "2026-11-27T02:00:00.000Z",
  lines: [{ productId: "alishan-oolong", name: "阿里山高山烏龍茶", unitPrice: 1280, quantity: 1, lineTotal: 1280 }],
  total: 1280,
  paymentMethod: "credit",
  customer: {
    name: "王小明",
    phone: "0912345678",
    email: "m@example.tw",
    address: "100 臺北市中正區重慶南路一段 122 號",
  },
  history: [{ at: "2026-11-27T02:00:00.000Z", from: null, to: "created", by: "shopper" }],
};

const apiError = (status: number, code: string, message: string) => json({ error: { code, message } }, { status });

describe("admin API client", () => {
  it("signs every call as the owner-admin principal and fills in the order id", async () => {
    const { deps: d, calls } = deps(json({ order: { ...order, status: "shipped" } }));
    const result = await transitionOrder(d, order.id, "shipped", "黑貓 1234");
    expect(result).toMatchObject({ ok: true, data: { status: "shipped" } });
    expect(calls[0]!.method).toBe("POST");
    expect(calls[0]!.url.href).toBe("http://127.0.0.1:3001/admin/orders/261127-00001/transition");
    expect(JSON.parse(calls[0]!.body)).toEqual({ to: "shipped", note: "黑貓 1234" });
    expect(parseAuthorization(calls[0]!.headers.get("authorization"))).toMatchObject({
      accessKeyId: "local-admin",
      service: "execute-api",
      region: "ap-northeast-1",
    });
  });

  it("passes list filters as query parameters and never sends an invalid id to the API", async () => {
    const { deps: d, calls } = deps(json({ orders: [order], nextCursor: "abc" }));
    const page = await listOrders(d, { status: "paid", from: "2026-11-01", phone: "0912-345-678", limit: 200 });
    expect(page).toEqual({ ok: true, data: { orders: [order], nextCursor: "abc" } });
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({
      status: "paid",
      from: "2026-11-01",
      phone: "0912345678",
      limit: "200",
    });
    expect(await getOrder(d, "../site")).toMatchObject({ ok: false, kind: "not_found" });
    expect(calls).toHaveLength(1);
  });

  it("maps the API's errors onto what the owner can do about them", async () => {
    const conflict = deps(apiError(409, "invalid_transition", "A cod order cannot go from created to paid"));
    expect(await transitionOrder(conflict.deps, order.id, "paid")).toEqual({
      ok: false,
      kind: "conflict",
      code: "invalid_transition",
      message: "這筆訂單目前的狀態不能這樣變更，請重新整理查看最新狀態。",
      detail: "A cod order cannot go from created to paid",
    });
    const missing = deps(apiError(404, "not_found", "Order 261127-00001 not found"));
    expect(await getOrder(missing.deps, order.id)).toMatchObject({ ok: false, kind: "not_found" });
    // Our signature or IAM policy being refused is an operator problem, shown as "unavailable".
    const forbidden = deps(json({ message: "Forbidden" }, { status: 403 }));
    expect(await getSite(forbidden.deps)).toMatchObject({ ok: false, kind: "unavailable" });
    const drift = deps(json({ order: { id: "nonsense" } }));
    expect(await getOrder(drift.deps, order.id)).toMatchObject({ ok: false, kind: "unavailable" });
    const upstream = deps(apiError(502, "upstream_error", "ECPay QueryTradeInfo failed"));
    expect(await reconcileOrder(upstream.deps, order.id)).toMatchObject({
      ok: false,
      kind: "unavailable",
      message: "綠界暫時沒有回應，請稍後再試。",
    });
  });

  it("never retries a write, and retries reads on 5xx", async () => {
    const write = deps(new Response("busy", { status: 503 }), json({ products: [], revision: '"r2"' }));
    expect(await putProducts(write.deps, { products: [], revision: '"r1"' })).toMatchObject({
      ok: false,
      kind: "unavailable",
    });
    expect(write.calls).toHaveLength(1);
    const read = deps(new Response("busy", { status: 503 }), json({ open: true, revision: '"r1"' }));
    expect(await getSite(read.deps)).toEqual({ ok: true, data: { open: true, revision: '"r1"' } });
    expect(read.calls).toHaveLength(2);
  });

  it("checks a catalog against the contract before sending it", async () => {
    const { deps: d, calls } = deps(json({ products: [], revision: null }));
    const bad = [{ id: "Bad Id", name: "", unitPrice: 0, available: true, sortOrder: 0 }] as unknown as Product[];
    const result = await putProducts(d, { products: bad, revision: null });
    expect(result).toMatchObject({ ok: false, kind: "validation" });
    expect(calls).toHaveLength(0);
  });

  it("sends the revision a change is based on, and reports a changed catalog as a conflict", async () => {
    const stale = deps(apiError(409, "conflict", 'catalog.json changed since revision "r1" was read'));
    expect(await putProducts(stale.deps, { products: [], revision: '"r1"' })).toMatchObject({
      ok: false,
      kind: "conflict",
    });
    expect(JSON.parse(stale.calls[0]!.body)).toEqual({ products: [], revision: '"r1"' });
  });

  it("asks for a presigned upload and its outcome as the owner; never sends a malformed upload id", async () => {
    const uploadId = "0123456789abcdef0123456789abcdef";
    const { deps: d, calls } = deps(
      json(
        {
          uploadId,
          url: "http://127.0.0.1:4569/b",
          fields: { key: `uploads/${uploadId}` },
          maxBytes: 1,
          expiresAt: "2026-11-27T02:05:00.000Z",
        },
        { status: 201 },
      ),
      json({ uploadId, state: "processing" }),
      apiError(404, "not_found", "No such upload"),
    );
    expect(await createUpload(d)).toMatchObject({ ok: true, data: { uploadId } });
    expect(await getUpload(d, uploadId)).toEqual({ ok: true, data: { uploadId, state: "processing" } });
    expect(await getUpload(d, uploadId)).toMatchObject({ ok: false, kind: "not_found" });
    expect(await getUpload(d, "../orders")).toMatchObject({ ok: false, kind: "not_found" });
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      "POST /admin/uploads",
      `GET /admin/uploads/${uploadId}`,
      `GET /admin/uploads/${uploadId}`,
    ]);
    expect(parseAuthorization(calls[0]!.headers.get("authorization"))).toMatchObject({ accessKeyId: "local-admin" });
  });

  it("turns a failed photo call into an error carrying the owner's message, and posts to S3 unsigned", async () => {
    const down = deps(new Response("busy", { status: 503 }));
    await expect(photoUploadApi(down.deps).createUpload()).rejects.toSatisfy(
      (error) => error instanceof PhotoApiError && error.failure.kind === "unavailable",
    );
    const s3 = deps(new Response(null, { status: 204 }));
    const form = new FormData();
    form.append("key", "uploads/x");
    expect((await photoUploadApi(s3.deps).post("http://127.0.0.1:4569/b", form)).status).toBe(204);
    expect(s3.calls[0]!.headers.get("authorization")).toBeNull();
    expect(s3.calls[0]!.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
  });
});
