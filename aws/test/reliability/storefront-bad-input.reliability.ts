/**
 * Bad input through the storefront's forms (the BFF), generated with fast-check and posted as a browser posts them
 * (same-origin headers, the shopper's cart cookie, the owner's session cookie after logging in with the password
 * the suite's global setup gave the storefront):
 *
 * - the checkout form: fields the form refuses, hidden fields that do not match anything orderable (malformed token,
 *   items or total; a stale total; unknown products), and bodies that are not a form at all;
 * - the admin forms: add and edit product (with and without an image that is not what it says, and every photo the
 *   shop refuses: HEIC, cut short, a decompression bomb, 25 MB), the photo sent ahead by the form's script, the
 *   product list's buttons, site status, an order's actions, bulk shipping, and the login form.
 *
 * Every answer must be a 4xx, or the page re-rendered with what is wrong (200 where the app answers so, e.g. bulk
 * shipping that reports each order it could not ship) — never a 5xx and never a redirect (a redirect is a success).
 * Nothing may be stored: the orders table's items, the bucket's objects and ETags, and a real order's status are
 * compared before and after (except `upload-status/`: a refused photo's recorded reason, which expires).
 *
 * Each generator makes only bad input, by construction or checked against a mirror of the form's rules below: the
 * storefront's own schemas live in app/ and worker/ (workerd code), which the Node tests do not import. Input counts
 * scale with RELIABILITY_SCALE (5 in `npm run test:reliability`); FC_SEED replays a run.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { heicFile, notAnImage, oversizeJpeg, pngBomb, truncatedJpeg } from "../../local/seed/photos";
import { ORDER_ID_PATTERN, ORDER_STATUSES, PAYMENT_METHODS, taiwanMobile } from "../../src/contract";
import { orderRequest } from "../support";
import { type Page, postOversizedForm, SAMPLE_DETAILS, Shopper } from "./shopper";
import { apiClient, bucketSnapshot, countItems, type TableCounts } from "./support";

const SCALE = Math.max(1, Number(process.env.RELIABILITY_SCALE ?? 1));
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const storefront = inject("storefront");
const stack = inject("stack");
const tried: Record<string, number> = {};
const answers: Record<string, number> = {};

let shopper: Shopper;
let owner: Shopper;
let realOrderId: string;
/** A pay-on-arrival order the owner could ship: every bad shipment must leave it unshipped. */
let codOrderId: string;
let productIds: string[] = [];
let before: { items: TableCounts; bucket: Map<string, string> };

/**
 * FORM_LIMITS (app/lib/forms.server.ts, workerd code, mirrored here): the shop's forms and the login take 16 KB, the
 * admin's forms 64 KB, the forms that carry a photo (add and edit product, the photo sent ahead) 30 MB. A body over
 * its form's limit is refused with 413 before it is read, so a generated form that grew past it (a few
 * 3,000-character fields) must get exactly that.
 */
const FORM_LIMITS = { shop: 16 * 1024, admin: 64 * 1024, adminWithPhoto: 30 * 1024 * 1024 };
const PHOTO_FORMS = new Set(["admin: add product", "admin: edit product", "admin: photo sent ahead"]);
const limitOf = (form: string) =>
  PHOTO_FORMS.has(form)
    ? FORM_LIMITS.adminWithPhoto
    : form.startsWith("admin:") && form !== "admin: login"
      ? FORM_LIMITS.admin
      : FORM_LIMITS.shop;

async function fuzz<T>(
  form: string,
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  send: (input: T) => Promise<Page>,
  allowed: readonly number[],
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      const page = await send(input);
      tried[form] = (tried[form] ?? 0) + 1;
      answers[page.status] = (answers[page.status] ?? 0) + 1;
      if (page.sentBytes !== undefined && page.sentBytes > limitOf(form)) {
        if (page.status !== 413) throw new Error(`${form}: a ${page.sentBytes}-byte body got ${page.status}, not 413`);
        return;
      }
      if (!allowed.includes(page.status)) {
        throw new Error(`${form}: expected ${allowed.join("/")}, got ${page.status}: ${page.text.slice(0, 400)}`);
      }
      // A document answer explains itself (the form's alert, or the error page); a resource answer is JSON.
      if (page.status !== 405 && page.text.trim() === "") throw new Error(`${form}: ${page.status} with an empty body`);
    }),
    { numRuns, ...(SEED !== undefined ? { seed: SEED } : {}) },
  );
}

// ---------------------------------------------------------------------------------------------
// Values

/** Strings of every kind: empty, blank, control characters, lone surrogates, markup, very long, numbers. */
const junk: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.constantFrom("", " ", "\t\n", "\u0000", "\uD800", "<script>alert(1)</script>", "%zz", "NaN", "-1", "0", "1e9"),
  fc.integer().map(String),
  fc.double().map(String),
  fc.nat({ max: 3000 }).map((n) => "長".repeat(n)),
);
/** A field's value, or the field left out of the form. */
const junkOrMissing = fc.option(junk, { nil: undefined, freq: 4 });

function withFields(base: Record<string, string>, changes: [string, string | undefined][]): Record<string, string> {
  const form = { ...base };
  for (const [name, value] of changes) {
    if (value === undefined) delete form[name];
    else form[name] = value;
  }
  return form;
}

/** 1–3 of `fields` replaced by junk or removed. */
const corrupt = (fields: readonly string[]) =>
  fc
    .uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: Math.min(3, fields.length) })
    .chain((names) => fc.tuple(...names.map((name) => fc.tuple(fc.constant(name), junkOrMissing))));

// Mirrors of the forms' rules (app/lib/*.server.ts): a generated form is sent only when
// these refuse it, so the storefront must refuse it too.
const text = (max: number) => z.string().trim().min(1).max(max);
const checkoutRules = z.object({
  name: text(50),
  phone: z.string().trim().min(1).pipe(taiwanMobile),
  email: z.string().trim().min(1).max(254).pipe(z.email()),
  postalCode: z
    .string()
    .trim()
    .regex(/^\d{3}(\d{2,3})?$/),
  // The form counts UTF-16 code units here (`value.length >= 5`), zod's min() counts characters: mirror the form.
  address: text(190).refine((value) => value.length >= 5),
  paymentMethod: z.enum(PAYMENT_METHODS),
  note: z.string().trim().max(500).optional(),
});
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const price = z
  .string()
  .trim()
  .min(1)
  .transform((v) => v.replace(/^NT\$/i, "").replace(/[,\s，]/g, ""))
  .pipe(z.string().regex(/^\d+$/))
  .transform(Number)
  .pipe(z.number().int().min(1).max(10_000_000));
const productRules = z.object({
  name: text(80),
  description: z.string().trim().max(2000).default(""),
  unitPrice: price,
  /** A photo an earlier save of the form sent (a well-formed id that names no upload is refused too: 409). */
  uploadId: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional(),
  ),
});
const newProductRules = productRules.extend({
  id: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,47}$/)
      .optional(),
  ),
});
/** An optional fee as the owner types it ("NT$1,200"), between `min` and `max`. */
const fee = (min: number, max: number) =>
  z.preprocess(
    blank,
    z
      .string()
      .trim()
      .transform((v) => v.replace(/^NT\$/i, "").replace(/[,\s，]/g, ""))
      .pipe(z.string().regex(/^-?\d+$/))
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );
const siteRules = z.object({
  open: z.enum(["open", "closed"]),
  closedMessage: z.string().trim().max(500).default(""),
  announcement: z.string().trim().max(500).default(""),
  shippingFee: fee(0, 5_000),
  freeShippingThreshold: fee(1, 1_000_000),
  codSurcharge: fee(0, 1_000),
});
/** A stock count as typed in the product list: blank (not tracked) or 0–1,000,000. */
const stockRule = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .regex(/^-?\d{1,12}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(1_000_000))
    .optional(),
);
/** A shipment as typed on the ship forms: both or neither, a known carrier, a carrier's kind of number. */
const CARRIER_VALUES = ["tcat", "hct", "post", "other"];
const trackingRule = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/);
const shipmentRefused = (carrier: string | undefined, tracking: string | undefined) => {
  const c = carrier?.trim() ? carrier : undefined;
  const t = tracking?.trim() ? tracking : undefined;
  if (c === undefined && t === undefined) return false;
  return c === undefined || !CARRIER_VALUES.includes(c) || t === undefined || !trackingRule.safeParse(t).success;
};
const refused = (schema: z.ZodType) => (form: Record<string, string>) => !schema.safeParse(form).success;

/** A multipart body of the fields (and optionally a file), as a browser sends a form with enctype=multipart. */
function multipart(fields: Record<string, string>, file?: { name: string; type: string; bytes: Uint8Array }) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  if (file) data.append("image", new Blob([file.bytes], { type: file.type }), file.name);
  return { raw: data };
}

/** An "image" the owner might pick that is not one the shop takes: wrong type, or bytes that are not the type. */
const badImage = fc.oneof(
  fc.record({
    name: fc.constantFrom("notes.txt", "page.html", "x.svg", "a.gif"),
    type: fc.constantFrom("text/plain", "text/html", "image/svg+xml", "image/gif", "application/octet-stream"),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 2000 }),
  }),
  fc.record({
    name: fc.constantFrom("photo.png", "photo.jpg", "photo.webp"),
    type: fc.constantFrom("image/png", "image/jpeg", "image/webp"),
    // Never a real image header: the BFF reads what the bytes are, not the declared type.
    bytes: fc
      .uint8Array({ minLength: 1, maxLength: 2000 })
      .filter((b) => !(b[0] === 0x89 || b[0] === 0xff || (b[0] === 0x52 && b[1] === 0x49))),
  }),
);

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  if (!storefront) return;
  shopper = new Shopper(storefront.url);
  await shopper.addToCart("dongding-oolong", 2);
  await shopper.addToCart("pineapple-cake", 1);

  owner = new Shopper(storefront.url);
  const login = await owner.post("/admin/login", { password: storefront.ownerPassword, next: "/admin" });
  if (login.status !== 302 && login.status !== 303)
    throw new Error(`owner login: ${login.status} ${login.text.slice(0, 200)}`);

  // A real order (card, unpaid) for the order forms: the owner may only cancel it, with the confirmation ticked.
  const created = await apiClient(stack, "storefront").post("/order", orderRequest({ paymentMethod: "credit" }));
  if (created.status !== 201) throw new Error(`order: ${created.status}`);
  realOrderId = created.body.order.id;
  const cod = await apiClient(stack, "storefront").post("/order", orderRequest({ paymentMethod: "cod" }));
  if (cod.status !== 201) throw new Error(`order: ${cod.status}`);
  codOrderId = cod.body.order.id;
  const catalog = await (await new Shopper(storefront.url).get("/sitemap.xml")).text;
  productIds = [...catalog.matchAll(/\/products\/([a-z0-9-]+)</g)].map((m) => m[1]!);

  before = { items: await countItems(stack), bucket: await bucketSnapshot(stack) };
}, 60_000);

afterAll(() => {
  if (!storefront) return;
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(
    `[reliability] bad input through the storefront's forms: ${total} inputs ${JSON.stringify(tried)}; answers ${JSON.stringify(answers)}`,
  );
});

describe.runIf(storefront !== null)("bad input through the checkout form", () => {
  const CHECKOUT_FIELDS = ["name", "phone", "email", "postalCode", "address", "paymentMethod", "note"] as const;
  const good = { ...SAMPLE_DETAILS, phone: "0912345678", paymentMethod: "cod" };

  it("fields the form refuses: the form again with the fields marked (422)", async () => {
    const snapshot = await shopper.checkoutSnapshot();
    await fuzz(
      "checkout: fields",
      corrupt(CHECKOUT_FIELDS)
        .map((changes) => withFields(good, changes))
        .filter(refused(checkoutRules)),
      runs(40),
      (form) => shopper.post("/checkout", { ...snapshot, ...form }, { keepCookies: false }),
      [422],
    );
  });

  it("hidden fields that match nothing orderable (malformed, stale total, unknown products): start again (409)", async () => {
    const snapshot = await shopper.checkoutSnapshot();
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
    const malformed = corrupt(["checkoutToken", "items", "expectedTotal"])
      .map((changes) => withFields(snapshot as unknown as Record<string, string>, changes))
      .filter(
        (s) =>
          !/^[A-Za-z0-9_-]{22}$/.test(s.checkoutToken ?? "") ||
          s.items !== snapshot.items ||
          !/^\d+$/.test((s.expectedTotal ?? "").trim()) ||
          Number(s.expectedTotal) !== Number(snapshot.expectedTotal),
      );
    // Well-formed, but for a total the catalog does not give (the API answers price_changed), or products it lacks.
    const staleTotal = fc.record({
      checkoutToken: token,
      items: fc.constant(snapshot.items),
      expectedTotal: fc
        .integer({ min: 0, max: 10_000_000 })
        .filter((n) => n !== Number(snapshot.expectedTotal))
        .map(String),
    });
    const unknownProducts = fc.record({
      checkoutToken: token,
      items: fc
        .uniqueArray(fc.stringMatching(/^zz-[a-z0-9]{1,20}$/), { minLength: 1, maxLength: 3 })
        .chain((ids) =>
          fc
            .tuple(...ids.map((id) => fc.integer({ min: 1, max: 99 }).map((q) => `${id}:${q}`)))
            .map((l) => l.join(",")),
        ),
      expectedTotal: fc.integer({ min: 0, max: 100_000 }).map(String),
    });
    await fuzz(
      "checkout: hidden fields",
      fc.oneof(malformed, staleTotal, unknownProducts),
      runs(30),
      (hidden) => shopper.post("/checkout", { ...good, ...hidden }, { keepCookies: false }),
      [409],
    );
  });

  it("store pickup (ADR 0027): a store ticket that is not ours, or none, refused with the form again (422)", async () => {
    const snapshot = await shopper.checkoutSnapshot();
    const tickets = fc.oneof(
      junk,
      fc.string({ maxLength: 40 }).map((s) => `${btoa(encodeURIComponent(s)).replace(/=+$/, "")}.${"A".repeat(43)}`),
      fc.constant(
        `${btoa(JSON.stringify({ t: "x".repeat(16), s: { chain: "unimart", id: "131386", name: "a", address: "b" } })).replace(/=+$/, "")}.forged`,
      ),
    );
    await fuzz(
      "checkout: store ticket",
      tickets.filter((t) => t.trim() !== ""),
      runs(20),
      (storeTicket) =>
        shopper.post("/checkout", { ...snapshot, ...good, deliveryMethod: "cvs", storeTicket }, { keepCookies: false }),
      [422],
    );
  });

  it("the store map's reply (cross-site, unsigned): anything malformed goes back to checkout asking again (303 ?pickup=store)", async () => {
    const reply = {
      MerchantID: "2000933",
      MerchantTradeNo: "",
      LogisticsSubType: "UNIMARTC2C",
      CVSStoreID: "131386",
      CVSStoreName: "建盛門市",
      CVSAddress: "台北市南港區三重路19-2號",
      CVSTelephone: "",
      CVSOutSide: "0",
      ExtraData: "abcdefgh12345678",
    };
    const bad = corrupt(["LogisticsSubType", "CVSStoreID", "CVSStoreName", "CVSAddress", "ExtraData"])
      .map((changes) => withFields(reply, changes))
      .filter(
        (f) =>
          !/^[A-Za-z0-9_-]{16}$/.test(f.ExtraData ?? "") ||
          !["UNIMART", "UNIMARTC2C", "FAMI", "FAMIC2C", "HILIFE", "HILIFEC2C", "OKMARTC2C"].includes(
            f.LogisticsSubType ?? "",
          ) ||
          !/^[0-9A-Za-z]{1,10}$/.test(f.CVSStoreID ?? "") ||
          // Whitespace around the text (a tab or newline included) is trimmed, as the contract does; what is
          // left must be printable.
          (
            [
              [f.CVSStoreName ?? "", 60],
              [f.CVSAddress ?? "", 120],
            ] as const
          ).some(([raw, max]) => {
            const t = raw.trim();
            return (
              t === "" ||
              /[<>]/.test(t) ||
              [...t].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
              t.length > max
            );
          }),
      );
    await fc.assert(
      fc.asyncProperty(bad, async (form) => {
        const page = await shopper.post("/checkout/store", form, {
          keepCookies: false,
          headers: { origin: "https://logistics-stage.ecpay.com.tw", "sec-fetch-site": "cross-site" },
        });
        tried["checkout: store map reply"] = (tried["checkout: store map reply"] ?? 0) + 1;
        if (page.status !== 303 || !page.location?.endsWith("/checkout?pickup=store")) {
          throw new Error(
            `store map reply: expected 303 to /checkout?pickup=store, got ${page.status} ${page.location}`,
          );
        }
      }),
      { numRuns: runs(30), ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });

  it("bodies that are not the form (JSON, text, broken multipart, bytes, nothing): refused (400/415)", async () => {
    const snapshot = await shopper.checkoutSnapshot();
    await fuzz(
      "checkout: not a form",
      notAForm(new URLSearchParams({ ...snapshot, ...good, name: "" }).toString(), { ...snapshot, ...good }),
      runs(20),
      (body) => shopper.post("/checkout", body, { keepCookies: false }),
      [400, 415],
    );
  });
});

/** Bodies that are not a form post: other types, forms that do not parse, bytes, nothing. */
function notAForm(almostForm: string, fields: Record<string, string>) {
  return fc.oneof(
    fc.record({ raw: fc.json(), contentType: fc.constant("application/json") }),
    fc.record({ raw: fc.constant(JSON.stringify(fields)), contentType: fc.constant("application/json") }),
    fc.record({
      raw: junk,
      contentType: fc.constantFrom("text/plain", "application/xml", "application/octet-stream", ""),
    }),
    fc.record({
      raw: fc.constantFrom('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', "not multipart", ""),
      contentType: fc.constantFrom(
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "multipart/form-data; boundary=",
      ),
    }),
    fc.record({
      raw: fc.constantFrom(almostForm.replace(/&/g, ";"), `${almostForm}&x=%E0%A4%A`, "%", "a=%zz&b=%"),
      contentType: fc.constant("text/plain;charset=UTF-8"),
    }),
    fc.record({
      raw: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      contentType: fc.constantFrom("multipart/form-data; boundary=----b", "image/png"),
    }),
  );
}

describe.runIf(storefront !== null)("bad input through the admin forms", () => {
  const goodProduct = { name: "測試商品", description: "測試用", unitPrice: "450", available: "on" };

  it("add a product: fields the form refuses (400), or an image that is not one (409)", async () => {
    const fields = ["name", "description", "unitPrice", "uploadId", "id"];
    const badForm = corrupt(fields)
      .map((changes) => withFields(goodProduct, changes))
      .filter(refused(newProductRules));
    await fuzz(
      "admin: add product",
      fc.oneof(
        fc.record({ form: badForm, image: fc.option(badImage, { nil: undefined }), multipart: fc.boolean() }),
        fc.record({ form: fc.constant(goodProduct), image: badImage, multipart: fc.constant(true) }),
      ),
      runs(30),
      ({ form, image, multipart: asMultipart }) =>
        owner.post("/admin/products/new", asMultipart || image ? multipart(form, image) : form),
      [400, 409],
    );
  });

  it("add or edit a product with a photo the shop refuses: the reason on the form (409), nothing saved", async () => {
    const refusedPhotos = [
      { name: "IMG_0001.HEIC", type: "image/heic", bytes: heicFile() },
      { name: "cut.jpg", type: "image/jpeg", bytes: await truncatedJpeg() },
      { name: "bomb.png", type: "image/png", bytes: pngBomb() },
      { name: "big.jpg", type: "image/jpeg", bytes: await oversizeJpeg() },
      { name: "menu.jpg", type: "image/jpeg", bytes: notAnImage() },
    ];
    for (const photo of refusedPhotos) {
      const added = await owner.post("/admin/products/new", multipart({ ...goodProduct, id: "never-added" }, photo));
      const edited = await owner.post(
        `/admin/products/${productIds[0] ?? "dongding-oolong"}`,
        multipart({ intent: "save", ...goodProduct }, photo),
      );
      for (const page of [added, edited]) {
        tried["admin: refused photos"] = (tried["admin: refused photos"] ?? 0) + 1;
        answers[page.status] = (answers[page.status] ?? 0) + 1;
        expect(page.status, photo.name).toBe(409);
        expect(page.text, photo.name).toContain("aria-invalid");
      }
    }
  }, 120_000);

  it("the photo sent ahead (POST /admin/photos): no file, bad files, not a form — JSON refusals (400/409/415)", async () => {
    const noFile = multipart({ other: "x" });
    const answered: number[] = [];
    for (const body of [noFile, multipart({}, { name: "IMG.HEIC", type: "image/heic", bytes: heicFile() })]) {
      const page = await owner.post("/admin/photos", body);
      answered.push(page.status);
      expect(JSON.parse(page.text)).toMatchObject({ ok: false, message: expect.any(String) });
    }
    expect(answered).toEqual([409, 409]);
    await fuzz(
      "admin: photo sent ahead",
      fc.oneof(
        badImage.map((image) => multipart({}, image)),
        notAForm("image=x", { image: "x" }),
      ),
      runs(20),
      (body) => owner.post("/admin/photos", body),
      [400, 409, 415],
    );
  }, 120_000);

  it("edit a product: fields the form refuses, a removal without the confirmation, unknown intents (400/409)", async () => {
    const fields = ["name", "description", "unitPrice", "uploadId"];
    const badSave = corrupt(fields)
      .map((changes) => ({ intent: "save", ...withFields(goodProduct, changes) }))
      .filter(refused(productRules));
    const badRemove = fc.record({ intent: fc.constant("remove"), confirm: junk.filter((v) => v !== "yes") });
    const badIntent = fc.record({ intent: junk.filter((v) => v !== "save" && v !== "remove"), name: junk });
    await fuzz(
      "admin: edit product",
      fc.oneof(
        fc.record({ form: fc.oneof(badSave, badRemove, badIntent), image: fc.option(badImage, { nil: undefined }) }),
        fc.record({ form: fc.constant({ intent: "save", ...goodProduct }), image: badImage }),
      ),
      runs(20),
      ({ form, image }) =>
        owner.post(`/admin/products/${productIds[0] ?? "dongding-oolong"}`, image ? multipart(form, image) : form),
      [400, 409],
    );
  });

  it("product list buttons: bad operations, unknown products (400/409)", async () => {
    const ops = ["up", "down", "soldout", "onsale"];
    await fuzz(
      "admin: product list",
      fc.oneof(
        fc.record({ id: junkOrMissing, op: junkOrMissing.filter((v) => v === undefined || !ops.includes(v)) }),
        fc.record({
          id: fc.oneof(junk, fc.stringMatching(/^zz-[a-z0-9]{1,20}$/)).filter((v) => !productIds.includes(v)),
          op: fc.constantFrom(...ops),
        }),
      ),
      runs(20),
      (form) => owner.post("/admin/products", withFields({}, Object.entries(form))),
      [400, 409],
    );
  });

  it("stock counts: values the form refuses (400); unknown products, or a count changed since the page (409)", async () => {
    const known = fc.constantFrom(...productIds);
    await fuzz(
      "admin: stock counts",
      fc.oneof(
        // Counts the form refuses: negative, fractional, absurd, not a number.
        fc
          .record({
            op: fc.constant("stock"),
            id: known,
            stock: fc.oneof(junk, fc.integer({ min: -1_000, max: -1 }).map(String), fc.constant("1000001")),
            expected: fc.constant(""),
          })
          .filter((form) => !stockRule.safeParse(form.stock).success),
        // Good counts for products that do not exist, or bad ids.
        fc.record({
          op: fc.constant("stock"),
          id: fc.oneof(junk, fc.stringMatching(/^zz-[a-z0-9]{1,20}$/)).filter((v) => !productIds.includes(v)),
          stock: fc.integer({ min: 0, max: 100 }).map(String),
          expected: fc.constant(""),
        }),
        // A good count based on a figure no product has now (another tab, a sale): refused, nothing written.
        fc.record({
          op: fc.constant("stock"),
          id: known,
          stock: fc.integer({ min: 0, max: 100 }).map(String),
          expected: fc.constant("999999"),
        }),
        fc.record({
          op: fc.constant("stock"),
          id: known,
          stock: fc.integer({ min: 0, max: 100 }).map(String),
          expected: junk.filter((v) => v.trim() !== "" && !/^\d+$/.test(v.trim())),
        }),
      ),
      runs(30),
      (form) => owner.post("/admin/products", form),
      [400, 404, 409],
    );
  });

  it("site status and fees: values the form refuses (400)", async () => {
    const good = {
      open: "open",
      closedMessage: "",
      announcement: "",
      shippingFee: "",
      freeShippingThreshold: "",
      codSurcharge: "",
    };
    const absurdFee = fc.oneof(
      fc.integer({ min: -1_000_000, max: -1 }).map(String),
      fc.integer({ min: 5_001, max: 2_000_000_000 }).map(String),
      fc.double({ min: 0.01, max: 5_000, noInteger: true, noNaN: true }).map(String),
      fc.constantFrom("1e3", "NaN", "Infinity", "0x10", "１００", "99999999999999999999999", "100元", "\u0000100"),
    );
    await fuzz(
      "admin: site status and fees",
      fc
        .oneof(
          corrupt([
            "open",
            "closedMessage",
            "announcement",
            "shippingFee",
            "freeShippingThreshold",
            "codSurcharge",
          ]).map((changes) => withFields(good, changes)),
          fc
            .tuple(fc.constantFrom("shippingFee", "freeShippingThreshold", "codSurcharge"), absurdFee)
            .map(([field, value]) => ({ ...good, [field]: value })),
          fc.record({
            open: fc.constantFrom("open", "closed"),
            closedMessage: fc.nat({ max: 2000 }).map((n) => "休".repeat(501 + n)),
            announcement: fc.constant(""),
          }),
        )
        .filter(refused(siteRules)),
      runs(20),
      (form) => owner.post("/admin/site", form),
      [400],
    );
  });

  it("an order's actions: bad actions, refused transitions, unknown and malformed orders (400/404/409)", async () => {
    const unknownId = fc.oneof(
      fc
        .integer({ min: 0, max: 99_999_999 })
        .map((n) => String(n).padStart(8, "0"))
        .map((d) => `200101-${d.slice(0, 4)}-${d.slice(4)}`),
      fc.integer({ min: 0, max: 99_999 }).map((n) => `200101-${String(n).padStart(5, "0")}`),
    );
    const encode = (v: string) => encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
    const malformedId = fc.oneof(
      junk.filter((v) => !ORDER_ID_PATTERN.test(v.trim()) && v.trim() !== "").map(encode),
      fc.constantFrom(
        "%zz",
        "..%2F..%2Fadmin",
        "261127-1234",
        "261327-12345",
        "261127-123456",
        "261127-1234-123",
        "261327-1234-1234",
        "261127-12345678",
        "%00",
      ),
    );
    const transition = fc.record({
      intent: fc.constant("transition"),
      to: fc.oneof(fc.constantFrom(...ORDER_STATUSES), junk),
      note: fc.option(junk, { nil: undefined }),
      confirm: fc.option(junk, { nil: undefined }),
      carrier: fc.option(fc.oneof(fc.constantFrom(...CARRIER_VALUES), junk), { nil: undefined }),
      trackingNumber: fc.option(junk, { nil: undefined }),
    });
    // The real order is an unpaid card order: the owner may only cancel it, and only with confirm=yes; asking for the
    // status it already has is an idempotent no-op (the API answers the order as it is), not bad input.
    const refusedOnReal = transition.filter(
      (t) => !(t.to === "cancelled" && t.confirm === "yes") && t.to !== "created",
    );
    const anything = fc.oneof(
      transition,
      fc.constant({ intent: "reconcile" }),
      fc.constant({ intent: "check_shipment" }),
      fc.record({ intent: junkOrMissing, to: junkOrMissing }),
    );
    await fuzz(
      "admin: order actions",
      fc.oneof(
        fc.record({
          id: fc.constant(realOrderId),
          // The real order is a home delivery: ECPay Logistics has nothing of it to check (409).
          form: fc.oneof(
            refusedOnReal,
            fc.record({ intent: junkOrMissing }),
            fc.constant({ intent: "check_shipment" }),
          ),
        }),
        fc.record({ id: fc.oneof(unknownId, malformedId), form: anything }),
      ),
      runs(30),
      ({ id, form }) =>
        owner.post(`/admin/orders/${id}`, withFields({}, Object.entries(form) as [string, string | undefined][])),
      [400, 404, 409],
    );
  });

  it("shipping with a bad carrier or tracking number (control characters, 200 characters, markup): refused (400), not shipped", async () => {
    const tracking = fc.oneof(
      junk,
      fc.constantFrom("9".repeat(200), "A1\u0007B2", "<b>1</b>", "12 34", "-123", "１２３"),
      fc.stringMatching(/^[A-Za-z0-9]{41,80}$/),
    );
    await fuzz(
      "admin: ship with a tracking number",
      fc
        .record({
          carrier: fc.option(fc.oneof(fc.constantFrom(...CARRIER_VALUES), junk), { nil: undefined }),
          trackingNumber: fc.option(tracking, { nil: undefined }),
        })
        .filter(({ carrier, trackingNumber }) => shipmentRefused(carrier, trackingNumber)),
      runs(30),
      (shipment) =>
        owner.post(
          `/admin/orders/${codOrderId}`,
          withFields(
            { intent: "transition", to: "shipped" },
            Object.entries(shipment) as [string, string | undefined][],
          ),
        ),
      [400],
    );
    const bulk = fc.record({
      carrier: fc.oneof(fc.constantFrom(...CARRIER_VALUES), junk),
      tracking,
    });
    await fuzz(
      "admin: bulk ship with tracking numbers",
      bulk.filter(({ carrier, tracking: t }) => t.trim() !== "" && shipmentRefused(carrier, t)),
      runs(20),
      ({ carrier, tracking: t }) =>
        owner.post(
          "/admin/orders",
          new URLSearchParams({ intent: "ship", ids: codOrderId, rows: codOrderId, carrier, tracking: t }),
        ),
      [400],
    );
  });

  it("bulk shipping: bad or unknown order ids — refused (400) or each reported as not shipped (200)", async () => {
    const ids = fc.array(fc.oneof(junk, fc.constant(realOrderId), fc.constant("200101-00001")), { maxLength: 60 });
    await fuzz(
      "admin: bulk ship",
      fc.record({ intent: fc.oneof(fc.constant("ship"), junk), ids, pickupIds: ids }),
      runs(20),
      ({ intent, ids: list, pickupIds }) => {
        const body = new URLSearchParams({ intent });
        for (const id of list) body.append("ids", id);
        // The store-pickup orders among them: a forged list makes the API refuse those orders, never ship them twice.
        for (const id of pickupIds) body.append("pickupIds", id);
        return owner.post("/admin/orders", body);
      },
      [200, 400],
    );
  });

  it("bodies that are not a form, to every form of the shop and the admin: refused (400/415)", async () => {
    const targets: [Shopper, string][] = [
      [shopper, "/cart"],
      [shopper, "/orders"],
      [new Shopper(storefront!.url), "/admin/login"],
      [owner, "/admin/products/new"],
      [owner, `/admin/products/${productIds[0] ?? "dongding-oolong"}`],
      [owner, "/admin/products"],
      [owner, "/admin/site"],
      [owner, `/admin/orders/${realOrderId}`],
      [owner, "/admin/orders"],
    ];
    await fuzz(
      "forms: not a form",
      fc.tuple(fc.constantFrom(...targets), notAForm("intent=ship&ids=x", { intent: "ship" })),
      runs(20),
      ([[who, path], body]) => who.post(path, body, { keepCookies: who === owner }),
      [400, 415],
    );
  });

  it("the login form: missing, wrong or absurd passwords (400/401/429)", async () => {
    const visitor = new Shopper(storefront!.url);
    await fuzz(
      "admin: login",
      fc.record({
        password: fc.option(
          junk.filter((p) => p !== storefront!.ownerPassword),
          { nil: undefined },
        ),
        next: junkOrMissing,
      }),
      8,
      (form) => visitor.post("/admin/login", withFields({}, Object.entries(form))),
      [400, 401, 429],
    );
  });
});

describe.runIf(storefront !== null)("bad input against the edge's guards", () => {
  /** What a browser would send with a form post of `who` (its cookies, same-origin headers). */
  const browserHeaders = (who: Shopper | null, extra: Record<string, string> = {}) => ({
    ...(who ? { cookie: who.jar.header() } : {}),
    origin: storefront!.url,
    "sec-fetch-site": "same-origin",
    ...extra,
  });
  const asPage = (answer: { status: number; text: string }): Page => ({
    status: answer.status,
    headers: new Headers(),
    text: answer.text,
    location: null,
  });

  // Few runs: `wrangler pages dev` takes in the whole body before the worker answers (1–3 s for 2 MB on this machine;
  // the photo forms' 30 MB take longer, hence the longer timeout).
  it("bodies over each form's limit, declared or chunked, to every form of the shop and the admin: refused (413)", async () => {
    // The forms that may carry a photo take 30 MB (a 25 MB file still gets its message on the form).
    const { shop: SHOP, admin: ADMIN, adminWithPhoto: WITH_PHOTO } = FORM_LIMITS;
    const product = productIds[0] ?? "dongding-oolong";
    const targets: [Shopper | null, string, number][] = [
      [shopper, "/cart", SHOP],
      [shopper, "/checkout", SHOP],
      [shopper, "/orders", SHOP],
      [shopper, `/orders/${realOrderId}`, SHOP],
      [null, "/admin/login", SHOP],
      [owner, "/admin/site", ADMIN],
      [owner, "/admin/products", ADMIN],
      [owner, `/admin/orders/${realOrderId}`, ADMIN],
      [owner, "/admin/orders", ADMIN],
      [owner, "/admin/products/new", WITH_PHOTO],
      [owner, `/admin/products/${product}`, WITH_PHOTO],
      [owner, "/admin/photos", WITH_PHOTO],
    ];
    await fuzz(
      "forms: over the limit",
      fc.tuple(fc.constantFrom(...targets), fc.integer({ min: 1, max: 512 * 1024 }), fc.boolean()),
      runs(4),
      async ([[who, path, limit], over, chunked]) => {
        const answer = await postOversizedForm(`${storefront!.url}${path}`, limit + over, {
          chunked,
          headers: browserHeaders(who),
        });
        if (answer.status === 413 && !answer.text.includes("送出的內容太大"))
          throw new Error(`${path}: 413 without the reason`);
        return asPage(answer);
      },
      [413],
    );
  }, 420_000);

  it("client addresses of any shape (CF-Connecting-IP, CF-Connecting-IPv6) on the login and the lookup: answered, never 5xx", async () => {
    const printable = fc.string({
      unit: fc.constantFrom(..." !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFabcdefxyz[]_{}~"),
      maxLength: 80,
    });
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      printable,
      fc.constantFrom(
        "",
        "::",
        "[::1]",
        "fe80::1%eth0",
        "::ffff:192.0.2.1",
        "1.2.3.4.5",
        "2001:db8::1::2",
        "256.1.1.1",
      ),
    );
    const header = fc.constantFrom("CF-Connecting-IP", "CF-Connecting-IPv6");
    await fuzz(
      "guards: client addresses",
      fc.tuple(header, address, fc.boolean()),
      runs(16),
      async ([name, value, login]) => {
        const response = await fetch(`${storefront!.url}${login ? "/admin/login" : "/orders"}`, {
          method: "POST",
          redirect: "manual",
          headers: browserHeaders(null, { "content-type": "application/x-www-form-urlencoded", [name]: value }),
          body: new URLSearchParams(
            login ? { password: "not-the-password" } : { id: "200101-0000-0000", phone: "0900000000" },
          ).toString(),
        });
        return asPage({ status: response.status, text: await response.text() });
      },
      [401, 404, 429],
    );
  });

  /** A cookie value as the storefront reads it: percent-decoded, without trailing base64 padding. */
  const sameCookie = (value: string) => {
    let decoded = value;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      // Not percent-encoding: read as is.
    }
    return decoded.replace(/=+$/, "");
  };

  it("admin session cookies that are not ours (junk, tampered, another cookie's signature): the login, never a 5xx", async () => {
    const real = owner.jar.cookies.get("__Host-shop_admin") ?? "";
    const cookieText = fc.string({
      unit: fc.constantFrom(..."abcdefxyzABCXYZ0123456789-_.%=+/"),
      maxLength: 120,
    });
    const value = fc
      .oneof(
        cookieText,
        // The real cookie with a character of its signed value changed (never of its signature: base64 has spellings
        // that decode alike), cut short, or with junk after it.
        fc
          .tuple(fc.nat({ max: Math.max(0, real.indexOf(".") - 1) }), fc.constantFrom("A", "z", "0", "%", "."))
          .map(([at, c]) => real.slice(0, at) + c + real.slice(at + 1)),
        fc.nat({ max: Math.max(0, real.length - 1) }).map((n) => real.slice(0, n)),
        cookieText.filter((tail) => tail !== "").map((tail) => real + tail),
        fc.constant(shopper.jar.cookies.get("__Host-cart") ?? "x"),
      )
      // Not a forgery: the real cookie spelled another way (percent-encoded, or with its signature's base64 padding
      // cut off or added), which the storefront rightly reads as the same cookie.
      .filter((v) => sameCookie(v) !== sameCookie(real));
    await fuzz(
      "guards: admin session cookies",
      fc.tuple(value, fc.boolean()),
      runs(16),
      async ([cookie, action]) => {
        const response = await fetch(`${storefront!.url}${action ? "/admin/site" : "/admin"}`, {
          method: action ? "POST" : "GET",
          redirect: "manual",
          headers: {
            cookie: `__Host-shop_admin=${cookie}`,
            ...(action
              ? browserHeaders(null, { "content-type": "application/x-www-form-urlencoded" })
              : { "sec-fetch-site": "same-origin" }),
          },
          ...(action ? { body: "open=open" } : {}),
        });
        if (response.status === 200) throw new Error(`a forged admin cookie opened ${action ? "an action" : "/admin"}`);
        return asPage({ status: response.status, text: (await response.text()) || "(redirect)" });
      },
      [302, 401],
    );
  });
});

describe.runIf(storefront !== null)("after all the bad input", () => {
  it("nothing was stored: the same items in DynamoDB, the same objects in S3, the real order untouched", async () => {
    expect(await countItems(stack)).toEqual(before.items);
    const withoutOutcomes = (bucket: Map<string, string>) =>
      new Map([...bucket].filter(([key]) => !key.startsWith("upload-status/")));
    expect(withoutOutcomes(await bucketSnapshot(stack))).toEqual(withoutOutcomes(before.bucket));
    const order = await apiClient(stack, "admin").get(`/admin/orders/${realOrderId}`);
    expect(order.status).toBe(200);
    expect(order.body.order.status).toBe("created");
    const cod = await apiClient(stack, "admin").get(`/admin/orders/${codOrderId}`);
    expect(cod.body.order.status).toBe("created");
    expect(cod.body.order.shipment).toBeUndefined();
  });
});
