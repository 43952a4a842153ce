import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ECPAY_CHECKOUT_PATH,
  type CheckoutInput,
  EcpayError,
  type EcpayKeys,
  buildCheckoutFields,
  checkMacValue,
  formatTaipeiDate,
  parseFormBody,
  paymentInfoSchema,
  paymentResultSchema,
  queryTradeInfo,
  verifyCallback,
  PAYMENT_MAC,
  verifyCheckMacValue,
} from "../../src/ecpay";
import { type EcpaySandbox, startEcpaySandbox } from ".";
import { ECPAY_STAGE_MERCHANT } from "./stage-merchant";

const MERCHANT = ECPAY_STAGE_MERCHANT;
const KEYS: EcpayKeys = { hashKey: MERCHANT.hashKey, hashIV: MERCHANT.hashIV };
const OTHER = { merchantId: "2000132", hashKey: "5294y06JbISpM5x9", hashIV: "v77hoKGq4kWxNNIS" };
const ATM_DAYS = 4;

// ---------------------------------------------------------------------------------------------
// A stand-in for the shop's callback endpoints: records every post, answers from a per-path script.

interface Received {
  path: string;
  fields: Record<string, string>;
  contentType: string | undefined;
}
const received: Received[] = [];
const scriptedReplies = new Map<string, string[]>();

function receive(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const path = req.url ?? "/";
    received.push({ path, fields: parseFormBody(Buffer.concat(chunks).toString("utf8")), contentType: req.headers["content-type"] });
    const reply = scriptedReplies.get(path)?.shift() ?? "1|OK";
    res.writeHead(200, { "content-type": "text/plain" }).end(reply);
  });
}

let sandbox: EcpaySandbox;
let receiver: Server;
let shop: string;
let seq = 0;

beforeAll(async () => {
  receiver = createServer(receive);
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  shop = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startEcpaySandbox({ port: 0, merchants: [MERCHANT, OTHER], retryDelaysMs: [50, 50], atmExpireDays: ATM_DAYS });
});

afterAll(async () => {
  await sandbox?.close();
  await new Promise<void>((resolve) => {
    receiver?.close(() => resolve());
    receiver?.closeAllConnections();
  });
});

beforeEach(async () => {
  await hook("/__sandbox/config", { suppressCallbacks: false });
});

// ---------------------------------------------------------------------------------------------
// Helpers acting like the shop and the shopper's browser

/** A fresh MerchantTradeNo per call, like the shop's per-attempt numbers. */
const nextTradeNo = () => `T${Date.now().toString(36).toUpperCase()}${(seq++).toString().padStart(4, "0")}`;

function checkoutFields(overrides: Partial<CheckoutInput> = {}) {
  return buildCheckoutFields({
    merchantId: MERCHANT.merchantId,
    keys: KEYS,
    merchantTradeNo: nextTradeNo(),
    tradeDate: new Date(),
    totalAmount: 1560,
    items: [
      { name: "鳳梨酥", unitPrice: 360, quantity: 4 },
      { name: "A+B 茶", unitPrice: 120, quantity: 1 },
    ],
    tradeDesc: "台灣小店訂單",
    paymentMethod: "credit",
    returnUrl: `${shop}/ecpay/return`,
    ...overrides,
  });
}

async function browserPost(path: string, fields: Record<string, string>) {
  const res = await fetch(new URL(path, sandbox.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const checkout = (fields: Record<string, string>) => browserPost(ECPAY_CHECKOUT_PATH, fields);

async function hook(path: string, body?: unknown) {
  const res = await fetch(new URL(path, sandbox.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? "" : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

/** Form actions in page order, as a browser would read them. */
function formActions(html: string): string[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => decodeEntities(m[1] as string));
}

/** The hidden inputs of the first form, decoded the way a browser submits them. */
function hiddenFields(html: string): Record<string, string> {
  const form = /<form[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  return Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decodeEntities(m[1] as string), decodeEntities(m[2] as string)]),
  );
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

const postsFor = (merchantTradeNo: string, path?: string) =>
  received.filter((r) => r.fields.MerchantTradeNo === merchantTradeNo && (path === undefined || r.path === path));

async function waitFor<T>(probe: () => T | undefined | false, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const query = (merchantTradeNo: string, extra: { now?: Date; keys?: EcpayKeys } = {}) =>
  queryTradeInfo({ gatewayBaseUrl: sandbox.url, merchantId: MERCHANT.merchantId, keys: extra.keys ?? KEYS, merchantTradeNo, now: extra.now });

const futureExpiry = () => `12/${String((new Date().getUTCFullYear() + 2) % 100).padStart(2, "0")}`;
const TEST_CARD = { cardNumber: "4311-9522-2222-2222", cvv: "222" };

// ---------------------------------------------------------------------------------------------

describe("checkout validation", () => {
  it("rejects a tampered form with 10200073 CheckMacValue Error and stores nothing", async () => {
    const fields: Record<string, string> = { ...checkoutFields(), TotalAmount: "1" };
    const { status, html, headers } = await checkout(fields);
    expect(status).toBe(400);
    expect(html).toContain("10200073");
    expect(html).toContain("CheckMacValue Error");
    expect(headers.get("x-ecpay-sandbox-error")).toBe("10200073");
    expect(sandbox.trades().some((t) => t.merchantTradeNo === fields.MerchantTradeNo)).toBe(false);
  });

  it("rejects an MD5 MAC although it is otherwise correct (EncryptType=1 means SHA256)", async () => {
    const fields = checkoutFields();
    const { html } = await checkout({ ...fields, CheckMacValue: checkMacValue(fields, KEYS, "md5") });
    expect(html).toContain("10200073");
  });

  it("rejects an unknown merchant", async () => {
    const fields = buildCheckoutFields({ ...baseInput(), merchantId: "1234567" });
    const { status, html } = await checkout(fields);
    expect(status).toBe(400);
    expect(html).toMatch(/Unknown MerchantID/);
  });

  it("refuses a MerchantTradeNo that was already used, even unpaid", async () => {
    const fields = checkoutFields();
    expect((await checkout(fields)).status).toBe(200);
    const again = await checkout(checkoutFields({ merchantTradeNo: fields.MerchantTradeNo }));
    expect(again.status).toBe(400);
    expect(again.html).toContain("10200047");
    expect(sandbox.trades().filter((t) => t.merchantTradeNo === fields.MerchantTradeNo)).toHaveLength(1);
    // Numbers are per merchant: another merchant may use the same one.
    const other = buildCheckoutFields({
      ...baseInput(),
      merchantId: OTHER.merchantId,
      keys: OTHER,
      merchantTradeNo: fields.MerchantTradeNo as string,
    });
    expect((await checkout(other)).status).toBe(200);
  });

  it("reports missing or invalid parameters (signed, so the MAC is not the problem)", async () => {
    const { ChoosePayment: _c, CheckMacValue: _m, ...rest } = checkoutFields();
    const missing = await checkout({ ...rest, CheckMacValue: checkMacValue(rest, KEYS) });
    expect(missing.html).toMatch(/Missing ChoosePayment/);
    const { CheckMacValue: _m2, ...cvs }: Record<string, string> = { ...checkoutFields(), ChoosePayment: "CVS" };
    const unsupported = await checkout({ ...cvs, CheckMacValue: checkMacValue(cvs, KEYS) });
    expect(unsupported.status).toBe(400);
    expect(unsupported.html).toMatch(/Credit and ATM only/);
  });
});

function baseInput(): CheckoutInput {
  return {
    merchantId: MERCHANT.merchantId,
    keys: KEYS,
    merchantTradeNo: nextTradeNo(),
    tradeDate: new Date(),
    totalAmount: 100,
    items: [{ name: "茶", unitPrice: 100, quantity: 1 }],
    tradeDesc: "test",
    paymentMethod: "credit",
    returnUrl: `${shop}/ecpay/return`,
  };
}

describe("credit card", () => {
  it("pays with the test card: signed ReturnURL, then the browser posts the signed result to OrderResultURL", async () => {
    const fields = checkoutFields({
      orderResultUrl: `${shop}/pay/result`,
      clientBackUrl: `${shop}/orders/1`,
      customField1: "261127-04831",
    });
    const page = await checkout(fields);
    expect(page.status).toBe(200);
    expect(page.html).toContain('lang="zh-TW"');
    expect(page.html).toMatch(/<label for="cardNumber">/);
    const [action] = formActions(page.html);
    expect(action).toMatch(/^\/Payment\/\d{20}\/credit$/);

    const result = await browserPost(action as string, { ...TEST_CARD, expiry: futureExpiry() });
    expect(result.status).toBe(200);

    const [post, ...more] = postsFor(fields.MerchantTradeNo as string, "/ecpay/return");
    expect(more).toHaveLength(0);
    expect(post?.contentType).toBe("application/x-www-form-urlencoded");
    const notify = post?.fields ?? {};
    expect(verifyCheckMacValue(notify, KEYS, PAYMENT_MAC)).toBe(true);
    const trade = sandbox.trades().find((t) => t.merchantTradeNo === fields.MerchantTradeNo);
    expect(trade?.status).toBe("paid");
    expect(notify).toMatchObject({
      MerchantID: MERCHANT.merchantId,
      MerchantTradeNo: fields.MerchantTradeNo,
      RtnCode: "1",
      RtnMsg: "交易成功",
      TradeNo: trade?.tradeNo,
      TradeAmt: "1560",
      PaymentType: "Credit_CreditCard",
      SimulatePaid: "0",
      CustomField1: "261127-04831",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
      StoreID: "",
    });
    expect(Object.keys(notify)).toEqual(expect.arrayContaining(["PaymentDate", "PaymentTypeChargeFee", "TradeDate"]));
    expect(verifyCallback(notify, { merchantId: MERCHANT.merchantId, keys: KEYS }, paymentResultSchema).ok).toBe(true);

    // Browser leg: a real form to OrderResultURL that also works without JavaScript.
    expect(formActions(result.html)).toEqual([`${shop}/pay/result`]);
    expect(result.html).toMatch(/<button type="submit">/);
    const browserFields = hiddenFields(result.html);
    expect(browserFields).toMatchObject({ RtnCode: "1", RtnMsg: "Succeeded", TradeNo: trade?.tradeNo });
    expect(verifyCheckMacValue(browserFields, KEYS, PAYMENT_MAC)).toBe(true);

    const acked = sandbox.deliveries().filter((d) => d.merchantTradeNo === fields.MerchantTradeNo);
    expect(acked).toMatchObject([{ kind: "ReturnURL", attempt: 1, status: 200, body: "1|OK", acknowledged: true }]);
  });

  it("declines anything but the test card, sends no ReturnURL, and lets the shopper retry", async () => {
    const fields = checkoutFields({ clientBackUrl: `${shop}/cart` });
    const [action] = formActions((await checkout(fields)).html);
    for (const card of [
      { cardNumber: "4111-1111-1111-1111", cvv: "222", expiry: futureExpiry() },
      { ...TEST_CARD, cvv: "123", expiry: futureExpiry() },
      { ...TEST_CARD, expiry: "01/20" },
    ]) {
      const { html } = await browserPost(action as string, card);
      expect(html).toMatch(/role="alert">授權失敗/);
      expect(html).toContain(`href="${shop}/cart"`);
    }
    await sleep(100);
    expect(postsFor(fields.MerchantTradeNo as string)).toHaveLength(0);
    expect(sandbox.trades().find((t) => t.merchantTradeNo === fields.MerchantTradeNo)).toMatchObject({
      status: "awaiting-payment",
      failedCardAttempts: 3,
    });

    const ok = await browserPost(action as string, { ...TEST_CARD, expiry: futureExpiry() });
    expect(ok.html).toContain("交易成功");
    expect(ok.html).toContain(`href="${shop}/cart"`);
    expect(postsFor(fields.MerchantTradeNo as string)).toHaveLength(1);
  });
});

describe("ReturnURL re-delivery", () => {
  it("retries after a 0|fail answer and marks the retry RtnMsg=paid", async () => {
    scriptedReplies.set("/ecpay/flaky", ["0|fail"]);
    const fields = checkoutFields({ returnUrl: `${shop}/ecpay/flaky` });
    await checkout(fields);
    const paid = await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    expect(paid.status).toBe(200);

    const posts = await waitFor(() => {
      const p = postsFor(fields.MerchantTradeNo as string);
      return p.length >= 2 && p;
    });
    expect(posts.map((p) => p.fields.RtnMsg)).toEqual(["交易成功", "paid"]);
    for (const p of posts) expect(verifyCheckMacValue(p.fields, KEYS, PAYMENT_MAC)).toBe(true);
    await sleep(150);
    expect(postsFor(fields.MerchantTradeNo as string)).toHaveLength(2);
    expect(sandbox.deliveries().filter((d) => d.merchantTradeNo === fields.MerchantTradeNo)).toMatchObject([
      { attempt: 1, body: "0|fail", acknowledged: false },
      { attempt: 2, body: "1|OK", acknowledged: true },
    ]);
  });

  it("gives up after 1 + retryDelaysMs.length deliveries; only exactly `1|OK` counts", async () => {
    scriptedReplies.set("/ecpay/sloppy", ["1|OK\n", "OK", "1|ok", "1|OK"]);
    const fields = checkoutFields({ returnUrl: `${shop}/ecpay/sloppy` });
    await checkout(fields);
    await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    await waitFor(() => postsFor(fields.MerchantTradeNo as string).length >= 3);
    await sleep(200);
    expect(postsFor(fields.MerchantTradeNo as string)).toHaveLength(3);
    expect(sandbox.deliveries().filter((d) => d.merchantTradeNo === fields.MerchantTradeNo).map((d) => d.acknowledged)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it("records an unreachable ReturnURL as failed deliveries", async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/gone`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const fields = checkoutFields({ returnUrl: deadUrl });
    await checkout(fields);
    await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    const records = await waitFor(() => {
      const d = sandbox.deliveries().filter((r) => r.merchantTradeNo === fields.MerchantTradeNo);
      return d.length === 3 && d;
    });
    expect(records.every((r) => r.status === null && typeof r.error === "string")).toBe(true);
  });
});

describe("ATM", () => {
  it("issues a virtual account via PaymentInfoURL (RtnCode 2), then simulated payment sends ReturnURL", async () => {
    const fields = checkoutFields({
      paymentMethod: "atm",
      paymentInfoUrl: `${shop}/ecpay/info`,
      clientBackUrl: `${shop}/orders/2`,
      customField1: "261127-00002",
    });
    const page = await checkout(fields);
    expect(page.status).toBe(200);

    const [info] = postsFor(fields.MerchantTradeNo as string, "/ecpay/info");
    const infoFields = info?.fields ?? {};
    expect(verifyCheckMacValue(infoFields, KEYS, PAYMENT_MAC)).toBe(true);
    expect(infoFields).toMatchObject({
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      BankCode: "812",
      PaymentType: "ATM_TAISHIN",
      TradeAmt: "1560",
      CustomField1: "261127-00002",
      ExpireDate: formatTaipeiDate(new Date(Date.now() + ATM_DAYS * 86_400_000)),
    });
    expect(infoFields.vAccount).toMatch(/^\d{14,16}$/);
    expect(verifyCallback(infoFields, { merchantId: MERCHANT.merchantId, keys: KEYS }, paymentInfoSchema).ok).toBe(true);

    // The page shows the account and works without JavaScript.
    expect(page.html).toContain(infoFields.vAccount);
    expect(page.html).not.toContain("<script");
    expect(page.html).toContain("模擬付款 (Simulate payment)");
    expect(page.html).toContain(`href="${shop}/orders/2"`);
    expect(postsFor(fields.MerchantTradeNo as string, "/ecpay/return")).toHaveLength(0);
    expect((await query(fields.MerchantTradeNo as string)).tradeStatus).toBe("0");

    const simulate = formActions(page.html).find((a) => a.endsWith("/simulate"));
    const after = await browserPost(simulate as string, {});
    expect(after.html).toContain("SimulatePaid=1");
    expect(after.html).toContain(`href="${shop}/orders/2"`);

    const [paid, ...more] = postsFor(fields.MerchantTradeNo as string, "/ecpay/return");
    expect(more).toHaveLength(0);
    expect(verifyCheckMacValue(paid?.fields ?? {}, KEYS, PAYMENT_MAC)).toBe(true);
    expect(paid?.fields).toMatchObject({
      RtnCode: "1",
      RtnMsg: "交易成功",
      SimulatePaid: "1",
      PaymentType: "ATM_TAISHIN",
      TradeNo: infoFields.TradeNo,
      TradeAmt: "1560",
    });
    expect((await query(fields.MerchantTradeNo as string)).tradeStatus).toBe("1");

    // Pressing the button again must not pay twice.
    await browserPost(simulate as string, {});
    expect(postsFor(fields.MerchantTradeNo as string, "/ecpay/return")).toHaveLength(1);
  });

  it("posts the signed account data to ClientRedirectURL through a form when one is given", async () => {
    const input = { ...baseInput(), paymentMethod: "atm" as const, paymentInfoUrl: `${shop}/ecpay/info` };
    const { CheckMacValue: _m, ...unsigned }: Record<string, string> = {
      ...buildCheckoutFields(input),
      ClientRedirectURL: `${shop}/atm/info`,
    };
    const page = await checkout({ ...unsigned, CheckMacValue: checkMacValue(unsigned, KEYS) });
    const forms = formActions(page.html);
    expect(forms).toContain(`${shop}/atm/info`);
    const redirectForm = page.html.slice(page.html.indexOf(`action="${shop}/atm/info"`) - 30);
    const fields = hiddenFields(redirectForm);
    expect(fields).toMatchObject({ RtnCode: "2", BankCode: "812" });
    expect(verifyCheckMacValue(fields, KEYS, PAYMENT_MAC)).toBe(true);
  });
});

describe("QueryTradeInfo", () => {
  it("answers 0 before and 1 after payment, with raw values whose MAC verifies", async () => {
    const fields = checkoutFields({ customField1: "a+b c" });
    await checkout(fields);
    const before = await query(fields.MerchantTradeNo as string);
    expect(before).toMatchObject({ tradeStatus: "0", tradeAmt: 1560, paymentDate: "", merchantTradeNo: fields.MerchantTradeNo });
    // `+` survives (not form-decoded into a space), and so does the space.
    expect(before.raw.ItemName).toBe(fields.ItemName);
    expect(before.raw.ItemName).toContain("A+B 茶");
    expect(before.raw.CustomField1).toBe("a+b c");

    await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    const after = await query(fields.MerchantTradeNo as string);
    expect(after).toMatchObject({ tradeStatus: "1", tradeAmt: 1560, paymentType: "Credit_CreditCard" });
    expect(after.paymentDate).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(after.tradeNo).toBe(before.tradeNo);
  });

  it("answers 10200095 for an abandoned trade and 10200047 for an unknown one", async () => {
    const fields = checkoutFields();
    await checkout(fields);
    expect((await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/abandon`)).status).toBe(200);
    expect((await query(fields.MerchantTradeNo as string)).tradeStatus).toBe("10200095");
    const unknown = await query("NEVERSEEN123");
    expect(unknown).toMatchObject({ tradeStatus: "10200047", tradeAmt: 0, tradeNo: "" });
  });

  it("refuses a bad MAC and a stale TimeStamp", async () => {
    const wrongKeys = { hashKey: KEYS.hashIV, hashIV: KEYS.hashKey };
    const bad = await query("ANY", { keys: wrongKeys }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(EcpayError);
    expect(bad).toMatchObject({ code: "http", status: 400 });
    await expect(query("ANY", { now: new Date(Date.now() - 10 * 60_000) })).rejects.toMatchObject({ code: "http" });
  });

  it("can be switched down (503) or rate-limiting (403), counts every query, and answers truthfully again after", async () => {
    const fields = checkoutFields();
    await checkout(fields);
    await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    const before = sandbox.queryCount();
    try {
      expect((await hook("/__sandbox/config", { queryOutage: "unavailable" })).json).toMatchObject({ queryOutage: "unavailable" });
      await expect(query(fields.MerchantTradeNo as string)).rejects.toMatchObject({ code: "http", status: 503 });
      await hook("/__sandbox/config", { queryOutage: "rate-limited" });
      await expect(query(fields.MerchantTradeNo as string)).rejects.toMatchObject({ code: "http", status: 403 });
    } finally {
      await hook("/__sandbox/config", { queryOutage: "none" });
    }
    expect((await query(fields.MerchantTradeNo as string)).tradeStatus).toBe("1");
    expect(sandbox.queryCount() - before).toBe(3);
    const stats = (await (await fetch(new URL("/__sandbox/stats", sandbox.url))).json()) as { queries: number };
    expect(stats.queries).toBe(sandbox.queryCount());
    expect((await hook("/__sandbox/config", { queryOutage: "down" })).status).toBe(400);
  });
});

describe("automation hooks", () => {
  it("lists trades as JSON", async () => {
    const fields = checkoutFields();
    await checkout(fields);
    const res = await fetch(new URL("/__sandbox/trades", sandbox.url));
    const list = (await res.json()) as { merchantTradeNo: string; status: string }[];
    expect(list.find((t) => t.merchantTradeNo === fields.MerchantTradeNo)?.status).toBe("awaiting-payment");
  });

  it("can suppress callbacks so reconcile code has to use QueryTradeInfo", async () => {
    expect((await hook("/__sandbox/config", { suppressCallbacks: true })).json).toMatchObject({ suppressCallbacks: true });
    const fields = checkoutFields({ paymentMethod: "atm", paymentInfoUrl: `${shop}/ecpay/info` });
    await checkout(fields);
    await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`);
    await sleep(100);
    expect(postsFor(fields.MerchantTradeNo as string)).toHaveLength(0);
    expect((await query(fields.MerchantTradeNo as string)).tradeStatus).toBe("1");
  });

  it("refuses paying twice and rejects bad config", async () => {
    const fields = checkoutFields();
    await checkout(fields);
    expect((await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`)).status).toBe(200);
    expect((await hook(`/__sandbox/trades/${fields.MerchantTradeNo}/pay`)).status).toBe(409);
    expect((await hook("/__sandbox/trades/NOPE/pay")).status).toBe(404);
    expect((await hook("/__sandbox/config", { suppressCallbacks: "yes" })).status).toBe(400);
  });
});
