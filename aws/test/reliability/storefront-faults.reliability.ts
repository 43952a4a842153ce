/**
 * Faults between the storefront (the BFF, production build under `wrangler pages dev`) and AWS, injected at proxies
 * the storefront goes through (storefront-support.ts):
 *
 * - S3 unavailable: with nothing cached the shopper gets the 503 "temporarily unavailable" page; once a good copy is
 *   cached, the catalog and product pages keep rendering it while S3 fails (ADR 0002's stale-if-error), S3 is not
 *   asked on every view, and the storefront picks S3 up again when it is back.
 * - The order API failing, unreachable, or slower than the BFF's deadline (8 s): the checkout says so (503 with the
 *   reason), the cart is kept, nothing half-created is left in DynamoDB, and posting the same form again after
 *   recovery places exactly one order.
 *
 * Runs in `npm run test:reliability`; figures in docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { s3Unavailable } from "../../local/faults";
import { type CheckoutDetails, mobileFor, orderIdOf, SAMPLE_DETAILS, Shopper } from "./shopper";
import { type FaultStorefront, orderRecords, startFaultStorefront } from "./storefront-support";
import { apiClient, eventually } from "./support";

const TTL_SECONDS = 1;
/** worker/aws.server.ts DEFAULT_TIMEOUT_MS: the BFF's deadline for an order API call. */
const BFF_DEADLINE_MS = 8_000;

const enabled = inject("storefront") !== null;
let env: FaultStorefront;

beforeAll(async () => {
  if (enabled) env = await startFaultStorefront({ ttlSeconds: TTL_SECONDS });
}, 180_000);
afterAll(async () => {
  await env?.close();
});

const productNames = (html: string) =>
  [...html.matchAll(/<h2 id="product-[^"]+"[^>]*>\s*<a[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]!.trim());

describe.runIf(enabled)("S3 unavailable", () => {
  let names: string[] = [];

  it("nothing cached and S3 down: the 503 'temporarily unavailable' page (S3 answering 503, or not answering)", async () => {
    const shopper = new Shopper(env.url);
    for (const fault of [{ respond: s3Unavailable }, { drop: true }]) {
      env.storefrontS3.failNext({ times: Number.POSITIVE_INFINITY, ...fault });
      const page = await shopper.get("/");
      expect(page.status).toBe(503);
      expect(page.text).toContain("暫時無法提供服務");
      expect(page.headers.get("retry-after")).toBeTruthy();
      expect(page.headers.get("cache-control")).toContain("no-store");
      env.storefrontS3.clearFaults();
    }
    expect(env.storefrontS3.faulted["GET catalog.json"] ?? 0).toBeGreaterThan(0);
  });

  it("S3 back: the catalog renders and is cached", async () => {
    const page = await new Shopper(env.url).get("/");
    expect(page.status).toBe(200);
    names = productNames(page.text);
    expect(names.length).toBeGreaterThan(2);
  });

  it("S3 down after a good copy was cached: catalog and product pages keep serving it, S3 is not asked per view", async () => {
    env.storefrontS3.resetCounts();
    env.storefrontS3.failNext({ times: Number.POSITIVE_INFINITY, respond: s3Unavailable });
    // Let the cached copy go stale, so every view wants a refresh.
    await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 300));
    const shopper = new Shopper(env.url);
    const views = 40;
    const started = Date.now();
    for (let i = 0; i < views; i++) {
      const page = await shopper.get(i % 4 === 3 ? "/products/dongding-oolong" : "/");
      expect(page.status).toBe(200);
      if (i % 4 !== 3) expect(productNames(page.text)).toEqual(names);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const attempts = Object.values(env.storefrontS3.faulted).reduce((a, b) => a + b, 0);
    // The refresh was tried (and failed) …
    expect(env.storefrontS3.faulted["GET catalog.json"] ?? 0).toBeGreaterThan(0);
    // … but a failed refresh backs off (5 s per isolate): far fewer S3 attempts than views.
    expect(attempts).toBeLessThan(views);
    console.log(
      `[reliability] S3 down: ${views} views over ${seconds.toFixed(1)} s all served the last good copy; ` +
        `${attempts} S3 attempts (${JSON.stringify(env.storefrontS3.faulted)}), none reached S3`,
    );
  });

  it("S3 back again: the storefront reads it again (after the refresh back-off)", async () => {
    env.storefrontS3.clearFaults();
    env.storefrontS3.resetCounts();
    const shopper = new Shopper(env.url);
    await eventually(
      async () => {
        const page = await shopper.get("/");
        expect(page.status).toBe(200);
        return (env.storefrontS3.counts["GET catalog.json"] ?? 0) > 0 ? true : undefined;
      },
      15_000,
      250,
    );
  });
});

describe.runIf(enabled)("order API down or slower than the BFF's deadline", () => {
  let serial = 0;

  /** A shopper with two products in the cart and one rendering of the checkout form. */
  async function readyToCheckOut() {
    const shopper = new Shopper(env.url);
    await shopper.addToCart("dongding-oolong", 2);
    await shopper.addToCart("pineapple-cake", 1);
    const snapshot = await shopper.checkoutSnapshot();
    serial += 1;
    const details: CheckoutDetails = {
      ...SAMPLE_DETAILS,
      phone: mobileFor(serial, 31_337_000),
      paymentMethod: "cod",
    };
    return { shopper, snapshot, details };
  }

  async function expectCartKept(shopper: Shopper, page: { headers: Headers }) {
    // The failed submit did not touch the cart cookie, and the cart still holds both products.
    expect(page.headers.getSetCookie().filter((c) => /cart=/.test(c))).toEqual([]);
    const cart = await shopper.get("/cart");
    expect(cart.status).toBe(200);
    expect(cart.text).toContain('value="dongding-oolong"');
    expect(cart.text).toContain('value="pineapple-cake"');
  }

  async function expectWholeOrders(phone: string, expected: number) {
    const records = await orderRecords(env.stack);
    // No half-created order anywhere: every claim has its order and every order its claim.
    expect(records.claimedIds).toEqual(records.orderIds);
    expect(records.orders.filter((o) => o.phone === phone)).toHaveLength(expected);
    return records.orders.find((o) => o.phone === phone);
  }

  const cases = [
    {
      name: "the function fails (API Gateway answers 500)",
      inject: () => env.plan.failNext("CreateOrderFunction", "before"),
      message: "訂單系統暫時無法使用",
      storedBeforeRetry: 0,
    },
    {
      name: "the API is unreachable (connection closed without an answer)",
      inject: () => env.storefrontApi.failNext({ match: (r) => r.method === "POST", times: 1, drop: true }),
      message: "訂單系統暫時無法使用",
      storedBeforeRetry: 0,
    },
    {
      name: "the API is slower than the BFF's deadline and then completes the order",
      inject: () =>
        env.storefrontApi.failNext({ match: (r) => r.method === "POST", times: 1, delayMs: BFF_DEADLINE_MS + 1_500 }),
      message: "訂單系統回應逾時",
      storedBeforeRetry: 1,
    },
    {
      name: "the API is slower than the BFF's deadline and never answers",
      inject: () =>
        env.storefrontApi.failNext({
          match: (r) => r.method === "POST",
          times: 1,
          delayMs: BFF_DEADLINE_MS + 1_500,
          drop: true,
        }),
      message: "訂單系統回應逾時",
      storedBeforeRetry: 0,
    },
  ];

  it.each(cases)(
    "$name: the checkout says so, keeps the cart, leaves no half order; the same form after recovery places one",
    async ({ inject: injectFault, message, storedBeforeRetry }) => {
      const { shopper, snapshot, details } = await readyToCheckOut();
      injectFault();
      const failed = await shopper.submitCheckout(snapshot, details);
      expect(failed.status).toBe(503);
      expect(failed.text).toContain(message);
      expect(failed.text).toContain('role="alert"');
      // The form is offered again with the same token: pressing the button again is the same order.
      expect(failed.text).toContain(`value="${snapshot.checkoutToken}"`);
      await expectCartKept(shopper, failed);

      // Whatever the API was still doing finishes (or is dropped) before counting.
      await eventually(async () => (env.storefrontApi.inFlight() === 0 ? true : undefined), 20_000, 100);
      const early = await expectWholeOrders(details.phone, storedBeforeRetry);

      const placed = await shopper.submitCheckout(snapshot, details);
      expect(placed.status).toBe(303);
      const orderId = orderIdOf(placed);
      expect(orderId).toBeTruthy();
      const stored = await expectWholeOrders(details.phone, 1);
      expect(stored?.id).toBe(orderId);
      if (early) expect(early.id).toBe(orderId);
      // Once more (a double click after recovery): still that one order.
      expect(orderIdOf(await shopper.submitCheckout(snapshot, details))).toBe(orderId);
      await expectWholeOrders(details.phone, 1);
    },
    60_000,
  );
});

describe.runIf(enabled)("stock counts unreadable (GET /stock failing or slower than its short deadline)", () => {
  const PRODUCT = "alishan-high-mountain-tea";
  const isStockRead = (r: { method: string; url: string }) => r.method === "GET" && r.url.startsWith("/stock");
  const soldOutShown = async () => (await new Shopper(env.url).get(`/products/${PRODUCT}`)).text.includes("已售完");

  /** Sets the count in this file's own stack (the storefront under test reads that one). */
  const setStock = async (stock: number | null) => {
    const admin = apiClient(env.stack, "admin");
    const all = (await admin.get("/admin/stock")).body as { stock: { productId: string; stock: number | null }[] };
    const expected = all.stock.find((entry) => entry.productId === PRODUCT)?.stock ?? null;
    const res = await admin.put(`/admin/stock/${PRODUCT}`, { stock, expected });
    if (res.status !== 200) throw new Error(`setting stock: ${res.status} ${res.text}`);
  };

  afterAll(async () => {
    env?.storefrontApi.clearFaults();
    if (env) await setStock(null).catch(() => {});
  });

  it("the pages keep answering with the last counts; the order API still refuses what sold out, naming it", async () => {
    await setStock(0);
    await eventually(async () => ((await soldOutShown()) ? true : undefined), 15_000, 300);

    // Failing, then slow and never answering: the last copy stands in, every page answers.
    env.storefrontApi.failNext({
      match: isStockRead,
      times: 3,
      respond: () => ({ status: 503, headers: {}, body: Buffer.from("down") }),
    });
    env.storefrontApi.failNext({ match: isStockRead, times: Number.POSITIVE_INFINITY, delayMs: 4_000, drop: true });
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS + 1) * 1000));
    const shopper = new Shopper(env.url);
    for (const path of ["/", `/products/${PRODUCT}`, "/cart"]) {
      const page = await shopper.get(path);
      expect(page.status, path).toBe(200);
    }
    expect(await soldOutShown()).toBe(true);

    env.storefrontApi.clearFaults();

    // The order API is the authority: a form for a product that sold out since the page was shown is refused with
    // the product's name, and nothing is ordered.
    await setStock(1);
    await eventually(async () => ((await soldOutShown()) ? undefined : true), 20_000, 300);
    const buyer = new Shopper(env.url);
    await buyer.addToCart(PRODUCT, 1);
    const snapshot = await buyer.checkoutSnapshot();
    await setStock(0);
    const phone = mobileFor(1, 31_338_000);
    const refused = await buyer.submitCheckout(snapshot, { ...SAMPLE_DETAILS, phone, paymentMethod: "cod" });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("「阿里山高山茶 150g」已售完");
    expect((await orderRecords(env.stack)).orders.filter((o) => o.phone === phone)).toEqual([]);

    await setStock(null);
    await eventually(async () => ((await soldOutShown()) ? undefined : true), 20_000, 300);
  }, 90_000);
});
