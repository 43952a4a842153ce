/**
 * Bad input, generated (fast-check), against the store-pickup and e-invoice routes (ADR 0027): ECPay Logistics'
 * status notifications (`/ecpay/logistics`: junk, MD5-signed with bad fields, signed with the wrong keys or SHA256),
 * the store-map request, the owner's shipments and slips, the owner's "check now" of a shipment (malformed, unknown
 * or home-delivery orders), and orders with a bad store or invoice choice. Every answer
 * must be a 4xx with a reason (`0|reason` with HTTP 200 for ECPay's notifications), never a 5xx, and nothing may
 * change: the target order and the table's item count are compared before and after.
 *
 * The contract is the oracle, as in bad-input.property.test.ts. `npm test` runs about 300 inputs; the reliability
 * run RELIABILITY_SCALE (5) times as many. FC_SEED=<n> replays a run.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminShipmentsRequestSchema,
  createOrderRequestSchema,
  cvsMapRequestSchema,
  type Order,
  orderIdSchema,
  type SiteStatus,
} from "../src/contract";
import { LOGISTICS_MAC, checkMacValue } from "../src/ecpay";
import { LOGISTICS_STAGE_MERCHANTS, logisticsStatusSchema } from "../src/ecpay/logistics";
import { apiClient, apiFuzzer, countItems, nacked, rejected, runs, type TableCounts } from "./reliability/support";
import { logisticsNotificationFields, orderRequest, patchSite, stack } from "./support";

const { B2C, C2C } = LOGISTICS_STAGE_MERCHANTS;
const { tried, fuzz } = apiFuzzer();

const storefront = () => apiClient(stack(), "storefront");
const admin = () => apiClient(stack(), "admin");
const ecpay = () => apiClient(stack(), "unsigned");

const nasty = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "\ud800",
  "<script>alert(1)</script>",
  "__proto__",
  "𠀀".repeat(300),
  "1e400",
  "NaN",
  "%00",
  "a".repeat(3000),
);
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;

let site: SiteStatus;
let target: Order;
let targetBefore: string;
let homeId: string;
let counts: TableCounts;

const readTarget = async () => {
  const { updatedAt: _u, ...order } = (await admin().get(`/admin/orders/${target.id}`)).body.order as Order & {
    updatedAt?: string;
  };
  return JSON.stringify(order);
};

beforeAll(async () => {
  site = await patchSite({
    pickup: { account: "C2C", sender: { name: "小島良品", cellPhone: "0911222333" } },
    einvoice: true,
  });
  const placed = await storefront().post(
    "/order",
    orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod" }),
  );
  const shipped = await admin().post("/admin/shipments", { ids: [placed.body.order.id] });
  target = shipped.body.results[0].order;
  expect(target.status).toBe("shipped");
  targetBefore = await readTarget();
  // A home-delivery order: ECPay Logistics has nothing of it to check.
  const home = await storefront().post("/order", orderRequest({ paymentMethod: "cod" }));
  expect(home.status, home.text).toBe(201);
  homeId = home.body.order.id;
  counts = await countItems(stack());
});

afterAll(async () => {
  expect(await readTarget()).toBe(targetBefore);
  const after = await countItems(stack());
  expect(after.orders).toBe(counts.orders);
  await patchSite({ pickup: site.pickup ?? null, einvoice: site.einvoice ?? false });
  console.log(`bad input tried (store pickup): ${JSON.stringify(tried)}`);
});

function notification(): Record<string, string> {
  return logisticsNotificationFields(target, { code: "2067", message: "消費者成功取件", at: "2026/12/04 12:00:00" });
}

const FIELDS = [
  "MerchantID",
  "MerchantTradeNo",
  "RtnCode",
  "AllPayLogisticsID",
  "GoodsAmount",
  "UpdateStatusDate",
  "RtnMsg",
];
const formValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^-?\d{1,12}$/),
  fc.constantFrom("1", "0", "-1", "1.5", " 1", "2026/13/45 25:61:61", "2026/1/1 1:1:1", "2000132", "L2601010000100A"),
  nasty,
);

/** Would the API act on this verified notification for the target? Then it is not bad input. */
function actedOn(form: Record<string, string>): boolean {
  const parsed = logisticsStatusSchema.safeParse({ ...form, CheckMacValue: "signed" });
  const l = target.logistics!;
  return (
    form.MerchantID === C2C.merchantId &&
    parsed.success &&
    parsed.data.MerchantTradeNo === l.merchantTradeNo &&
    parsed.data.AllPayLogisticsID === l.allPayLogisticsId &&
    parsed.data.GoodsAmount === l.goodsAmount
  );
}

const sign = (
  form: Record<string, string>,
  keys: { hashKey: string; hashIV: string } = C2C,
  alg: "md5" | "sha256" = LOGISTICS_MAC,
) => new URLSearchParams({ ...form, CheckMacValue: checkMacValue(form, keys, alg) }).toString();

describe("POST /ecpay/logistics", () => {
  it("answers 0|… to unsigned or garbled posts", async () => {
    const junk = fc.oneof(
      fc
        .dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 20 })
        .map((d) => new URLSearchParams(d).toString()),
      fc.string({ maxLength: 200 }),
      nasty,
      fc.constant(null).map(() => new URLSearchParams(notification()).toString()),
    );
    await fuzz(
      "POST /ecpay/logistics (unsigned junk)",
      junk,
      runs(40),
      (body) => ecpay().post("/ecpay/logistics", body),
      nacked,
    );
  });

  it("answers 0|… to MD5-signed notifications with bad fields, another amount, shipment or order", async () => {
    const bad = fc
      .array(fc.tuple(fc.constantFrom(...FIELDS), formValue), { minLength: 1, maxLength: 3 })
      .map((changes) => {
        const form = notification();
        for (const [k, v] of changes) {
          if (v === undefined) delete form[k];
          else form[k] = v;
        }
        return form;
      })
      .filter((form) => !actedOn(form));
    await fuzz(
      "POST /ecpay/logistics (signed, bad fields)",
      bad,
      runs(60),
      (form) => ecpay().post("/ecpay/logistics", sign(form)),
      nacked,
    );
  });

  it("answers 0|… to the genuine notification signed with SHA256, with B2C's keys or the payment keys", async () => {
    const keys = fc.constantFrom<[{ hashKey: string; hashIV: string }, "md5" | "sha256"]>(
      [C2C, "sha256"],
      [B2C, "md5"],
      [{ hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs" }, "md5"],
    );
    await fuzz(
      "POST /ecpay/logistics (wrong MAC)",
      keys,
      runs(15),
      ([k, alg]) => ecpay().post("/ecpay/logistics", sign(notification(), k, alg)),
      nacked,
    );
  });
});

describe("POST /cvs/map", () => {
  it("answers 400 with a reason to requests the contract rejects", async () => {
    const valid = { chain: "unimart", payOnPickup: true, token: "tok_abcdefgh" };
    const bad = fc
      .oneof(
        fc
          .record({ k: fc.constantFrom("chain", "payOnPickup", "token", "mobile", "origin"), v: junkValue })
          .map(({ k, v }) => ({ ...valid, [k]: v })),
        junkValue,
      )
      .filter((body) => !cvsMapRequestSchema.safeParse(JSON.parse(JSON.stringify(body ?? null))).success);
    await fuzz(
      "POST /cvs/map",
      bad,
      runs(40),
      (body) => storefront().post("/cvs/map", body),
      (a) => rejected(a),
    );
  });
});

describe("POST /admin/shipments and /admin/shipments/print", () => {
  it("answers 400 to bodies the contract rejects", async () => {
    const bad = fc
      .oneof(
        junkValue,
        fc.record({ ids: fc.array(fc.oneof(fc.string({ maxLength: 14 }), junkValue), { maxLength: 25 }) }),
        fc.constant({ ids: Array.from({ length: 21 }, (_, i) => `261204-${String(i).padStart(5, "0")}`) }),
      )
      .filter((body) => !adminShipmentsRequestSchema.safeParse(JSON.parse(JSON.stringify(body ?? null))).success);
    await fuzz(
      "POST /admin/shipments",
      bad,
      runs(30),
      (body) => admin().post("/admin/shipments", body),
      (a) => rejected(a),
    );
    await fuzz(
      "POST /admin/shipments/print",
      bad,
      runs(20),
      (body) => admin().post("/admin/shipments/print", body),
      (a) => rejected(a),
    );
  });
});

describe("POST /admin/orders/{id}/shipment/check", () => {
  it("answers 4xx with a reason to ids that are malformed or unknown, and to orders without a logistics order", async () => {
    const homeBefore = JSON.stringify((await admin().get(`/admin/orders/${homeId}`)).body.order);
    const id = fc.oneof(
      fc.string({ maxLength: 20 }).filter((v) => !orderIdSchema.safeParse(v).success && v !== "" && !v.includes("/")),
      nasty.filter((v) => v !== "" && v.trim() !== ""),
      fc.stringMatching(/^\d{6}-\d{4}-\d{4}$/).filter((v) => v !== target.id && v !== homeId),
      fc.constant(homeId),
    );
    await fuzz(
      "POST /admin/orders/{id}/shipment/check",
      id,
      runs(30),
      (v) =>
        admin().post(`/admin/orders/${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}/shipment/check`, {}),
      (a) => rejected(a),
    );
    expect(JSON.stringify((await admin().get(`/admin/orders/${homeId}`)).body.order)).toBe(homeBefore);
  });
});

describe("POST /order with store pickup or an invoice choice", () => {
  it("answers 400 to a bad store or invoice choice", async () => {
    const base = orderRequest({ deliveryMethod: "cvs", pickupStore: STORE, paymentMethod: "cod" });
    const bad = fc
      .oneof(
        fc
          .record({ k: fc.constantFrom("chain", "id", "name", "address", "outlying"), v: junkValue })
          .map(({ k, v }) => ({ ...base, pickupStore: { ...STORE, [k]: v } })),
        fc
          .record({
            carrier: fc.constantFrom("member", "mobile", "certificate", "donation", "company", "x"),
            v: junkValue,
          })
          .map(({ carrier, v }) => ({
            ...base,
            invoice: { carrier, barcode: v, number: v, loveCode: v, taxId: v, companyName: v },
          })),
        fc
          .stringMatching(/^\d{8}$/)
          .map((taxId) => ({ ...base, invoice: { carrier: "company", taxId, companyName: "測試" } })),
        fc.constant({ ...base, deliveryMethod: "home" }),
      )
      .filter((body) => !createOrderRequestSchema.safeParse(JSON.parse(JSON.stringify(body))).success);
    await fuzz(
      "POST /order (pickup, invoice)",
      bad,
      runs(60),
      (body) => storefront().post("/order", { ...body, idempotencyKey: crypto.randomUUID() }),
      (a) => rejected(a),
    );
  });
});
