/**
 * Bad input, generated (fast-check), against every route that takes input: POST /order, GET /order, both ECPay
 * callbacks, and the admin API (transition, reconcile, order lookup, list queries and cursors, products, site,
 * images). Every answer must be a 4xx with a reason — for the ECPay callbacks, HTTP 200 with `0|reason`, as the
 * protocol wants — never a 5xx, and nothing may be stored: the table's item count, the bucket's objects and the
 * target orders are compared before and after.
 *
 * The contract itself is the oracle: a generated input is kept only when the shared zod schema rejects it (or when
 * it is bad for a reason the API checks after parsing: unknown or sold-out product, wrong expected total, reused
 * idempotency key, unknown order, wrong amount). `npm test` runs about 700 inputs; `npm run test:reliability` runs
 * RELIABILITY_SCALE (5) times as many. FC_SEED=<n> replays a run.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import {
  adminListOrdersQuerySchema,
  adminProductsSchema,
  adminPutStockRequestSchema,
  adminSiteSchema,
  adminTransitionRequestSchema,
  catalogSchema,
  createOrderRequestSchema,
  ORDER_ID_PATTERN,
  PAYMENT_METHODS,
  type Product,
  retryPaymentRequestSchema,
  storefrontOriginSchema,
} from "../src/contract";
import { formatTaipeiDate, formatTaipeiDateTime, paymentInfoSchema, paymentResultSchema } from "../src/ecpay";
import {
  apiClient,
  apiFuzzer,
  bucketSnapshot,
  countItems,
  nacked,
  RELIABILITY_SCALE,
  rejected,
  runs,
  type TableCounts,
} from "./reliability/support";
import { ecpayForm, orderRequest, paidNotification, setStock, stack } from "./support";

/** Inputs sent per route, printed at the end and recorded in docs/reliability.md. */
const { tried, fuzz } = apiFuzzer();

const storefront = () => apiClient(stack(), "storefront");
const admin = () => apiClient(stack(), "admin");
const ecpay = () => apiClient(stack(), "unsigned");

/** What the server sees after JSON.stringify/JSON.parse (undefined dropped, NaN → null…). */
const wire = (value: unknown): unknown => {
  const json = JSON.stringify(value);
  return json === undefined ? undefined : JSON.parse(json);
};

function mutate<T>(base: T, path: readonly (string | number)[], value: unknown): T {
  const copy = structuredClone(base) as any;
  let node = copy;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return copy;
    node = node[step];
  }
  if (node === null || typeof node !== "object") return copy;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Generators

const nastyString = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "\ud800",
  "<script>alert(1)</script>",
  "'; DROP TABLE orders;--",
  "__proto__",
  "constructor",
  "𠀀".repeat(300),
  "0912345678",
  "09-1234-5678",
  "1e400",
  "NaN",
  "../../etc/passwd",
  "%00",
  "a".repeat(5000),
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 99.9, 100, 1e21, -0, Number.MAX_SAFE_INTEGER + 2, 10_000_001),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ minLength: 500, maxLength: 2500 }),
  nastyString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** One to three (path, junk) mutations of a valid value. */
function mutated<T>(valid: fc.Arbitrary<T>, paths: readonly (readonly (string | number)[])[]): fc.Arbitrary<T> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.constantFrom(...paths), junkValue), { minLength: 1, maxLength: 3 }))
    .map(([base, changes]) => changes.reduce((value, [path, junk]) => mutate(value, path, junk), base));
}

const phone = fc.stringMatching(/^09\d{8}$/);
const idempotencyKey = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);

// ---------------------------------------------------------------------------------------------
// Fixtures: orders the ECPay and admin inputs aim at, and the state to compare against at the end.

interface Fixture {
  id: string;
  phone: string;
  total: number;
  merchantTradeNo: string;
}

let credit: Fixture;
let atm: Fixture;
let cod: Fixture;
let usedKey: { key: string; phone: string };
let catalog: Product[];
let catalogRevision: string | null;
let siteRevision: string | null;
let prices: Map<string, number>;
let available: string[];
let soldOut: string[];
let before: { counts: TableCounts; bucket: Map<string, string> };
/** A product whose count is set to 0 for this file: orders for it are refused (409) with nothing written. */
let countedOut: string;

async function place(paymentMethod: "credit" | "atm" | "cod"): Promise<Fixture & { key: string }> {
  const request = orderRequest({ paymentMethod });
  const res = await storefront().post("/order", request);
  expect(res.status).toBe(201);
  return {
    id: res.body.order.id,
    phone: request.customer.phone,
    total: res.body.order.total,
    merchantTradeNo: res.body.payment?.fields.MerchantTradeNo ?? "",
    key: request.idempotencyKey,
  };
}

beforeAll(async () => {
  const placed = await Promise.all([place("credit"), place("atm"), place("cod")]);
  [credit, atm, cod] = placed as [Fixture, Fixture, Fixture];
  usedKey = { key: placed[0]!.key, phone: placed[0]!.phone };
  ({ products: catalog, revision: catalogRevision } = (await admin().get("/admin/products")).body);
  siteRevision = (await admin().get("/admin/site")).body.revision;
  prices = new Map(catalog.map((p) => [p.id, p.unitPrice]));
  available = catalog.filter((p) => p.available).map((p) => p.id);
  soldOut = catalog.filter((p) => !p.available).map((p) => p.id);
  expect(available.length).toBeGreaterThan(2);
  countedOut = available.at(-1)!;
  available = available.slice(0, -1);
  await setStock(countedOut, 0);
  before = { counts: await countItems(stack()), bucket: await bucketSnapshot(stack()) };
});

afterAll(async () => {
  await setStock(countedOut, null);
});

afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  const lines = Object.entries(tried).map(([route, n]) => `  ${route.padEnd(44)} ${n}`);
  console.log(`[reliability] bad inputs tried (scale ${RELIABILITY_SCALE}): ${total}\n${lines.join("\n")}`);
});

// ---------------------------------------------------------------------------------------------
// POST /order

const validOrder = () =>
  fc.record({
    idempotencyKey,
    items: fc.uniqueArray(
      fc.record({ productId: fc.constantFrom(...available), quantity: fc.integer({ min: 1, max: 99 }) }),
      { minLength: 1, maxLength: 4, selector: (item) => item.productId },
    ),
    customer: fc.record({
      name: fc.constantFrom("王小明", "Lin Mei-ling"),
      phone,
      email: fc.constant("buyer@example.tw"),
      address: fc.constant("100 臺北市中正區重慶南路一段 122 號"),
    }),
    paymentMethod: fc.constantFrom(...PAYMENT_METHODS),
  });

const ORDER_PATHS = [
  ["idempotencyKey"],
  ["items"],
  ["items", 0],
  ["items", 0, "productId"],
  ["items", 0, "quantity"],
  ["customer"],
  ["customer", "name"],
  ["customer", "phone"],
  ["customer", "email"],
  ["customer", "address"],
  ["paymentMethod"],
  ["expectedTotal"],
  ["note"],
  ["origin"],
] as const;

/** The local stack allows its storefront and, as staging does, https://<one label>.taiwan-shop.pages.dev. */
const PREVIEW_SUFFIX = "taiwan-shop.pages.dev";
const ALLOWED_PREVIEW = /^https:\/\/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.taiwan-shop\.pages\.dev$/;
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);

/** Origins the contract accepts (scheme://host[:port]) that are on no allowlist of the stack: refused after parsing. */
const foreignOrigin = fc
  .oneof(
    fc.domain().map((d) => `https://${d}`),
    label.map((l) => `http://${l}.${PREVIEW_SUFFIX}`),
    fc.tuple(label, label).map(([a, b]) => `https://${a}.${b}.${PREVIEW_SUFFIX}`),
    fc
      .tuple(
        label,
        fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 443),
      )
      .map(([l, port]) => `https://${l}.${PREVIEW_SUFFIX}:${port}`),
    label.map((l) => `https://-${l}.${PREVIEW_SUFFIX}`),
    label.map((l) => `https://${PREVIEW_SUFFIX}.${l}.example`),
    fc.constantFrom(`https://${PREVIEW_SUFFIX}`, "https://127.0.0.1:8788", "http://localhost:8788"),
  )
  .filter((origin) => storefrontOriginSchema.safeParse(origin).success && !ALLOWED_PREVIEW.test(origin));

const totalOf = (items: { productId: string; quantity: number }[]) =>
  items.reduce((sum, item) => sum + (prices.get(item.productId) ?? 0) * item.quantity, 0);

describe("POST /order", () => {
  it("answers 400 with the failing fields to requests the contract rejects", async () => {
    const bad = mutated(validOrder(), ORDER_PATHS).filter((o) => !createOrderRequestSchema.safeParse(wire(o)).success);
    await fuzz(
      "POST /order (schema)",
      bad,
      runs(120),
      (o) => storefront().post("/order", o),
      (a) => {
        rejected(a, [400]);
        expect(a.body.error.code).toBe("bad_request");
        expect(Object.keys(a.body.error.fields ?? {}).length).toBeGreaterThan(0);
      },
    );
  });

  it("answers 400 naming the origin to storefront origins not on the allowlist (ECPay must never send a shopper there)", async () => {
    await fuzz(
      "POST /order (foreign origin)",
      fc.tuple(validOrder(), foreignOrigin).map(([o, origin]) => ({ ...o, origin })),
      runs(40),
      (o) => storefront().post("/order", o),
      (a) => {
        rejected(a, [400]);
        expect(a.body.error.fields).toEqual({ origin: "not an allowed storefront origin" });
      },
    );
  });

  it("answers 400 to email addresses SES would refuse", async () => {
    const refused = fc
      .tuple(
        validOrder(),
        fc.oneof(
          fc.constantFrom(
            "王小明@example.tw",
            "buyer@例子.台灣",
            "a b@example.tw",
            "buyer@example",
            "buyer@@example.tw",
            "buyer\u0000@example.tw",
          ),
          fc.integer({ min: 65, max: 120 }).map((n) => `${"a".repeat(n)}@example.tw`),
          fc.integer({ min: 64, max: 80 }).map((n) => `buyer@${"b".repeat(n)}.tw`),
        ),
      )
      .map(([o, email]) => ({ ...o, customer: { ...o.customer, email } }));
    await fuzz(
      "POST /order (email SES would refuse)",
      refused,
      runs(30),
      (o) => storefront().post("/order", o),
      (a) => {
        rejected(a, [400]);
        expect(Object.keys(a.body.error.fields ?? {})).toContain("customer.email");
      },
    );
  });

  it("answers 400 to any other JSON value and to bodies that are not JSON", async () => {
    const json = fc.jsonValue().filter((v) => !createOrderRequestSchema.safeParse(v).success);
    await fuzz(
      "POST /order (any JSON)",
      json,
      runs(30),
      (v) => storefront().request("POST", "/order", JSON.stringify(v), { "content-type": "application/json" }),
      (a) => rejected(a, [400]),
    );
    const raw = fc.oneof(fc.string(), fc.string({ unit: "binary" }), nastyString).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    await fuzz(
      "POST /order (not JSON)",
      raw,
      runs(20),
      (s) => storefront().request("POST", "/order", s, { "content-type": "application/json" }),
      (a) => rejected(a, [400]),
    );
  });

  it("refuses well-formed orders the shop cannot take: unknown or sold-out products, a stale total, a reused key", async () => {
    const unknown = fc
      .tuple(validOrder(), fc.stringMatching(/^zz[a-z0-9-]{0,20}$/))
      .map(([o, id]) => ({ ...o, items: [...o.items.slice(0, 1), { productId: id, quantity: 1 }] }));
    const sold = fc
      .tuple(validOrder(), fc.constantFrom(...(soldOut.length ? soldOut : ["zz-none"])))
      .map(([o, id]) => ({ ...o, items: [{ productId: id, quantity: 1 }] }));
    const stale = fc
      .tuple(validOrder(), fc.integer({ min: 1, max: 5000 }), fc.boolean())
      .map(([o, delta, up]) => ({ ...o, expectedTotal: Math.max(0, totalOf(o.items) + (up ? delta : -delta)) }))
      .filter((o) => o.expectedTotal !== totalOf(o.items));
    const reused = validOrder()
      .filter((o) => o.customer.phone !== usedKey.phone)
      .map((o) => ({ ...o, idempotencyKey: usedKey.key }));
    const countedOutOrder = fc
      .tuple(validOrder(), fc.integer({ min: 1, max: 99 }))
      .map(([o, quantity]) => ({ ...o, items: [...o.items.slice(0, 2), { productId: countedOut, quantity }] }));
    const semantic = fc.oneof(
      countedOutOrder.map((body) => ({ body, expect: [409] })),
      unknown.map((body) => ({ body, expect: [422] })),
      sold.map((body) => ({ body, expect: [422] })),
      stale.map((body) => ({ body, expect: [409] })),
      reused.map((body) => ({ body, expect: [409] })),
    );
    await fuzz(
      "POST /order (rejected by the shop)",
      semantic,
      runs(40),
      ({ body }) => storefront().post("/order", body),
      (a, input) => rejected(a, input.expect),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// GET /order

describe("GET /order", () => {
  it("answers the same 404 to malformed lookups, unknown ids and wrong phones", async () => {
    const query = fc.oneof(
      // (No empty parameter names: aws4fetch leaves them out of what it signs, so the local API, like SigV4, refuses them.)
      fc.dictionary(fc.constantFrom("id", "phone", "x"), fc.oneof(fc.string(), nastyString), { maxKeys: 3 }),
      fc.record({ id: fc.oneof(fc.stringMatching(/^\d{6}-\d{4}-\d{4}$/), fc.stringMatching(/^\d{6}-\d{5}$/)), phone }),
      phone.filter((p) => p !== credit.phone).map((p) => ({ id: credit.id, phone: p })),
    );
    await fuzz(
      "GET /order",
      query,
      runs(60),
      (q) => storefront().get(`/order?${new URLSearchParams(q)}`),
      (a) => {
        rejected(a, [404]);
        expect(a.body.error.code).toBe("not_found");
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// POST /order/payment (pay again)

describe("POST /order/payment (pay again)", () => {
  it("answers 400 to requests the contract rejects", async () => {
    const valid = fc.record({
      id: fc.constant(null).map(() => credit.id),
      phone: fc.constant(null).map(() => credit.phone),
      origin: label.map((l) => `https://${l}.${PREVIEW_SUFFIX}`),
    });
    const bad = mutated(valid, [["id"], ["phone"], ["origin"]]).filter(
      (o) => !retryPaymentRequestSchema.safeParse(wire(o)).success,
    );
    await fuzz(
      "POST /order/payment (schema)",
      bad,
      runs(40),
      (o) => storefront().post("/order/payment", o),
      (a) => {
        rejected(a, [400]);
        expect(Object.keys(a.body.error.fields ?? {}).length).toBeGreaterThan(0);
      },
    );
  });

  it("answers 400 to a real order's pay again from a foreign origin, before any new payment attempt", async () => {
    await fuzz(
      "POST /order/payment (foreign origin)",
      fc.tuple(fc.constantFrom("credit", "atm"), foreignOrigin),
      runs(20),
      ([which, origin]) => {
        const fixture = which === "credit" ? credit : atm;
        return storefront().post("/order/payment", { id: fixture.id, phone: fixture.phone, origin });
      },
      (a) => {
        rejected(a, [400]);
        expect(a.body.error.fields).toEqual({ origin: "not an allowed storefront origin" });
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// ECPay callbacks (public; 200 with 0|… for anything not acted on)

const RETURN_FIELDS = [
  "MerchantID",
  "MerchantTradeNo",
  "RtnCode",
  "RtnMsg",
  "TradeNo",
  "TradeAmt",
  "PaymentDate",
  "PaymentType",
  "PaymentTypeChargeFee",
  "TradeDate",
  "SimulatePaid",
] as const;
const INFO_FIELDS = [
  ...RETURN_FIELDS.filter((f) => !["PaymentDate", "PaymentTypeChargeFee", "SimulatePaid"].includes(f)),
  "BankCode",
  "vAccount",
  "ExpireDate",
];

const formValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^-?\d{1,12}$/),
  fc.constantFrom("1", "2", "0", "-1", "1.5", "1e3", " 1", "1 ", "10100073", "2026/13/45 25:61:61", "2026/1/1 1:1:1"),
  nastyString,
);

function atmInfo(merchantTradeNo: string, amount: number): Record<string, string> {
  return {
    MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
    MerchantTradeNo: merchantTradeNo,
    StoreID: "",
    RtnCode: "2",
    RtnMsg: "Get VirtualAccount Succeeded",
    TradeNo: "2611270000000777",
    TradeAmt: String(amount),
    PaymentType: "ATM_TAISHIN",
    TradeDate: formatTaipeiDateTime(new Date()),
    BankCode: "812",
    vAccount: "9103522850420777",
    ExpireDate: formatTaipeiDate(new Date(Date.now() + 3 * 86_400_000)),
    CustomField1: "",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };
}

function signedMutations(base: () => Record<string, string>, fields: readonly string[]) {
  return fc.array(fc.tuple(fc.constantFrom(...fields), formValue), { minLength: 1, maxLength: 3 }).map((changes) => {
    const form: Record<string, string> = { ...base() };
    for (const [name, value] of changes) {
      if (value === undefined) delete form[name];
      else form[name] = value;
    }
    return form;
  });
}

/** Would the API act on this (verified) notification for the fixture order? Then it is not a bad input. */
function actedOn(
  form: Record<string, string>,
  schema: typeof paymentResultSchema | typeof paymentInfoSchema,
  target: Fixture,
) {
  if (form.MerchantID !== ECPAY_STAGE_MERCHANT.merchantId) return false;
  // The form is signed after this check, so it will carry a CheckMacValue.
  const parsed = schema.safeParse({ ...form, CheckMacValue: "signed" });
  return (
    parsed.success && parsed.data.MerchantTradeNo === target.merchantTradeNo && parsed.data.TradeAmt === target.total
  );
}

const junkForm = fc.oneof(
  fc
    .dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 20 })
    .map((d) => new URLSearchParams(d).toString()),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  nastyString,
);

describe("POST /ecpay (ReturnURL)", () => {
  it("answers 0|… to unsigned or garbled posts", async () => {
    await fuzz("POST /ecpay (unsigned junk)", junkForm, runs(40), (body) => ecpay().post("/ecpay", body), nacked);
  });

  it("answers 0|… to signed notifications with bad fields, another amount or another order", async () => {
    const bad = signedMutations(() => paidNotification(credit.merchantTradeNo, credit.total), RETURN_FIELDS).filter(
      (form) => !actedOn(form, paymentResultSchema, credit),
    );
    await fuzz(
      "POST /ecpay (signed, bad fields)",
      bad,
      runs(60),
      (form) => ecpay().post("/ecpay", ecpayForm(form)),
      nacked,
    );
  });
});

describe("POST /ecpay and /ecpay/payment-info signed with MD5", () => {
  it("answers 0|… to every MD5-signed notification, the one that would pay the order included", async () => {
    const forms = fc.oneof(
      fc.constant(null).map(() => ({ path: "/ecpay", form: paidNotification(credit.merchantTradeNo, credit.total) })),
      fc.constant(null).map(() => ({ path: "/ecpay/payment-info", form: atmInfo(atm.merchantTradeNo, atm.total) })),
      signedMutations(() => paidNotification(credit.merchantTradeNo, credit.total), RETURN_FIELDS).map((form) => ({
        path: "/ecpay",
        form,
      })),
    );
    await fuzz(
      "POST /ecpay (MD5-signed)",
      forms,
      runs(20),
      ({ path, form }) => ecpay().post(path, ecpayForm(form, ECPAY_STAGE_MERCHANT, "md5")),
      nacked,
    );
  });
});

describe("POST /ecpay/payment-info (PaymentInfoURL)", () => {
  it("answers 0|… to unsigned or garbled posts", async () => {
    await fuzz(
      "POST /ecpay/payment-info (unsigned junk)",
      junkForm,
      runs(20),
      (body) => ecpay().post("/ecpay/payment-info", body),
      nacked,
    );
  });

  it("answers 0|… to signed notifications with bad fields, another amount or another order", async () => {
    const bad = signedMutations(() => atmInfo(atm.merchantTradeNo, atm.total), INFO_FIELDS).filter(
      (form) => !actedOn(form, paymentInfoSchema, atm),
    );
    await fuzz(
      "POST /ecpay/payment-info (signed, bad fields)",
      bad,
      runs(40),
      (form) => ecpay().post("/ecpay/payment-info", ecpayForm(form)),
      nacked,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Admin API

/** Ids that are not a well-formed order id, or well-formed ids of orders that cannot exist (January 2000). */
const encodable = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false; // a lone surrogate cannot be put in a URL at all
  }
};
const badOrderId = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !ORDER_ID_PATTERN.test(s.trim())),
    fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((s) => !ORDER_ID_PATTERN.test(s.trim())),
    nastyString.filter((s) => s !== ""),
    fc.stringMatching(/^0001(0[1-9]|1\d|2\d|3[01])-(\d{5}|\d{4}-\d{4})$/),
    fc.stringMatching(/^\d{2}(1[3-9]|00)\d{2}-(\d{5}|\d{4}-\d{4})$/),
  )
  .filter(encodable)
  .map((id) => encodeURIComponent(id));
/** Path segments sent as they are, percent signs included (`%zz`, `%2F`, `%00`…). */
const rawSegment = fc.stringMatching(/^[%A-Za-z0-9_~-]{1,16}$/).filter((s) => !ORDER_ID_PATTERN.test(s));

describe("admin orders", () => {
  it("answers 4xx to transitions, reconciles and lookups of ids that are malformed or unknown", async () => {
    const call = fc.tuple(fc.oneof(badOrderId, rawSegment), fc.constantFrom("transition", "reconcile", "get"));
    await fuzz(
      "admin orders/{id} (bad ids)",
      call,
      runs(60),
      ([id, what]) => {
        const path = `/admin/orders/${id}`;
        if (what === "get") return admin().get(path);
        return admin().post(`${path}/${what}`, what === "transition" ? { to: "cancelled" } : {});
      },
      (a) => rejected(a),
    );
  });

  it("answers 400 to transition bodies the contract rejects", async () => {
    const body = fc
      .oneof(
        mutated(fc.record({ to: fc.constantFrom("shipped", "cancelled"), note: fc.string({ maxLength: 20 }) }), [
          ["to"],
          ["note"],
        ]),
        mutated(
          fc.record({
            to: fc.constant("shipped"),
            shipment: fc.record({
              carrier: fc.constantFrom("tcat", "hct", "post", "other"),
              trackingNumber: fc.stringMatching(/^[0-9]{10,12}$/),
            }),
          }),
          [["shipment"], ["shipment", "carrier"], ["shipment", "trackingNumber"]],
        ),
        // Tracking numbers with control characters, markup, or 200 characters.
        fc
          .oneof(
            fc
              .string({ unit: "binary", minLength: 1, maxLength: 30 })
              .filter((t) => [...t].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)),
            fc.constantFrom("<script>", "12 34", "123\n456", "'; DROP", "１２３"),
            fc.integer({ min: 41, max: 200 }).map((n) => "1".repeat(n)),
          )
          .map((trackingNumber) => ({ to: "shipped", shipment: { carrier: "tcat", trackingNumber } })),
        fc.jsonValue(),
      )
      .filter((b) => !adminTransitionRequestSchema.safeParse(wire(b)).success);
    await fuzz(
      "POST /admin/orders/{id}/transition (bad bodies)",
      body,
      runs(40),
      (b) => admin().post(`/admin/orders/${cod.id}/transition`, b ?? null),
      (a) => rejected(a, [400]),
    );
  });

  it("answers 400 to list queries the contract rejects, impossible dates, reversed or endless ranges and forged cursors", async () => {
    const day = fc
      .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const schemaBad = fc
      .dictionary(
        fc.constantFrom("status", "from", "to", "phone", "paymentMethod", "cursor", "limit"),
        fc.oneof(fc.string({ maxLength: 12 }), nastyString),
        { minKeys: 1, maxKeys: 4 },
      )
      .filter((q) => {
        const params = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ""));
        return !adminListOrdersQuerySchema.safeParse(params).success;
      });
    const notADay = fc
      .stringMatching(/^20\d{2}-(0[2-9]|1[0-2])-3[01]$/)
      .filter(
        (s) =>
          Number.isNaN(Date.parse(`${s}T00:00:00Z`)) || new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) !== s,
      );
    const reversed = fc
      .tuple(day, day)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => (a > b ? { from: a, to: b } : { from: b, to: a }));
    const endless = fc
      .tuple(fc.integer({ min: 2000, max: 2080 }), fc.integer({ min: 11, max: 7000 }))
      .map(([y, span]) => ({ from: `${y}-01-01`, to: `${y + span}-12-31` }));
    const cursor = fc
      .record({ m: junkValue, k: junkValue }, { requiredKeys: [] })
      .filter((c) => !(Number.isSafeInteger(c.m) && (c.m as number) >= 0 && c.k === undefined))
      .map((c) => ({ cursor: Buffer.from(JSON.stringify(c)).toString("base64url") }));
    const query = fc.oneof(
      schemaBad,
      notADay.map((from) => ({ from })),
      reversed,
      endless,
      cursor,
    );
    await fuzz(
      "GET /admin/orders (bad queries)",
      query,
      runs(70),
      (q) => admin().get(`/admin/orders?${new URLSearchParams(q as Record<string, string>)}`),
      (a) => rejected(a, [400]),
    );
  });
});

describe("admin content", () => {
  it("answers 400 to product lists the contract rejects, and leaves catalog.json alone", async () => {
    const paths: (string | number)[][] = [["products"], ["revision"]];
    for (let i = 0; i < Math.min(catalog.length, 3); i++) {
      paths.push(["products", i]);
      for (const field of ["id", "name", "description", "unitPrice", "imageKey", "available", "sortOrder"])
        paths.push(["products", i, field]);
    }
    const valid = fc.constant({ products: catalog, revision: catalogRevision });
    const duplicated = fc.constant({ products: [...catalog, catalog[0]], revision: catalogRevision });
    const body = fc.oneof(mutated(valid, paths), duplicated, fc.jsonValue()).filter((b) => {
      const parsed = adminProductsSchema.safeParse(wire(b));
      return !parsed.success || !catalogSchema.safeParse({ products: parsed.data.products }).success;
    });
    await fuzz(
      "PUT /admin/products (bad bodies)",
      body,
      runs(40),
      (b) => admin().put("/admin/products", b ?? null),
      (a) => rejected(a, [400]),
    );
  });

  it("answers 400 to site statuses the contract rejects, and leaves site.json alone", async () => {
    const valid = fc.record({
      open: fc.boolean(),
      closedMessage: fc.string({ maxLength: 20 }),
      announcement: fc.string({ maxLength: 20 }),
      shipping: fc.record({
        home: fc.record({
          fee: fc.integer({ min: 0, max: 500 }),
          freeShippingThreshold: fc.integer({ min: 1, max: 5000 }),
          codSurcharge: fc.integer({ min: 0, max: 100 }),
        }),
      }),
      revision: fc.constant(siteRevision),
    });
    const absurd = fc.constantFrom(-1, -160, 0.5, 5_001, 1_000_001, 1e21, Number.MAX_SAFE_INTEGER);
    const body = fc
      .oneof(
        mutated(valid, [
          ["open"],
          ["closedMessage"],
          ["announcement"],
          ["updatedAt"],
          ["revision"],
          ["shipping"],
          ["shipping", "home"],
          ["shipping", "home", "fee"],
          ["shipping", "home", "freeShippingThreshold"],
          ["shipping", "home", "codSurcharge"],
        ]),
        fc
          .tuple(valid, fc.constantFrom("fee", "freeShippingThreshold", "codSurcharge"), absurd)
          .map(([site, field, value]) => ({ ...site, shipping: { home: { ...site.shipping.home, [field]: value } } })),
        fc.jsonValue(),
      )
      .filter((b) => !adminSiteSchema.safeParse(wire(b)).success);
    await fuzz(
      "PUT /admin/site (bad bodies)",
      body,
      runs(30),
      (b) => admin().put("/admin/site", b ?? null),
      (a) => rejected(a, [400]),
    );
  });

  it("answers 400 or 404 to upload ids that are malformed or unknown", async () => {
    const id = fc.oneof(
      fc.string({ minLength: 1, maxLength: 80 }),
      fc.stringMatching(/^[0-9a-f]{32}$/),
      fc.stringMatching(/^[0-9A-Fa-z]{31,33}$/),
    );
    await fuzz(
      "GET /admin/uploads/{id}",
      id,
      runs(30),
      (i) => admin().get(`/admin/uploads/${encodeURIComponent(i)}`),
      (a, i) => rejected(a, /^[0-9a-f]{32}$/.test(i) ? [404] : [400, 404]),
    );
  });

  it("answers 4xx to stock edits the contract rejects or for products that do not exist, and writes no count", async () => {
    const valid = fc.record({ stock: fc.integer({ min: 0, max: 100 }), expected: fc.constant(null) });
    const absurd = fc
      .tuple(fc.constantFrom(-1, -50, 0.5, 1_000_001, 1e21, Number.NaN), fc.constantFrom("stock", "expected"))
      .map(([value, field]) => ({ stock: 1, expected: null, [field]: value }));
    const badBody = fc
      .oneof(mutated(valid, [["stock"], ["expected"]]), absurd, fc.jsonValue())
      .filter((b) => !adminPutStockRequestSchema.safeParse(wire(b)).success)
      .map((body) => ({ id: encodeURIComponent(available[0]!), body }));
    const badId = fc
      .tuple(
        fc.oneof(
          fc.stringMatching(/^zz[a-z0-9-]{0,20}$/),
          fc
            .string({ minLength: 1, maxLength: 60 })
            .filter((s) => !/^[a-z0-9][a-z0-9-]{0,47}$/.test(s))
            .filter(encodable)
            .map(encodeURIComponent),
          rawSegment,
        ),
        valid,
      )
      // Never an existing product's id (that edit would be valid).
      .filter(([id]) => !catalog.some((p) => p.id.toLowerCase() === id.toLowerCase()))
      .map(([id, body]) => ({ id, body }));
    await fuzz(
      "PUT /admin/stock/{id} (bad bodies and ids)",
      fc.oneof(badBody, badId),
      runs(50),
      ({ id, body }) => admin().put(`/admin/stock/${id}`, body ?? null),
      (a) => rejected(a),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("after all the bad input", () => {
  it("nothing was stored: same table items, same bucket objects, target orders untouched", async () => {
    expect(await countItems(stack())).toEqual(before.counts);
    expect(await bucketSnapshot(stack())).toEqual(before.bucket);
    for (const fixture of [credit, atm, cod]) {
      const order = (await admin().get(`/admin/orders/${fixture.id}`)).body.order;
      expect(order.status).toBe("created");
      expect(order.history).toHaveLength(1);
      expect(order.payment?.tradeNo).toBeUndefined();
      expect(order.payment?.atm).toBeUndefined();
      // No pay again went through: the order still has its first MerchantTradeNo.
      if (fixture.merchantTradeNo) expect(order.payment?.merchantTradeNo).toBe(fixture.merchantTradeNo);
    }
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(runs(500));
  });
});
