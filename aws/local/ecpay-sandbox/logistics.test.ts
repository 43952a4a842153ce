/**
 * The logistics stand-in speaks ECPay Logistics' protocol as the production module reads it: the store map posts the
 * nine reply fields through the browser with no MAC, Create answers `1|` + sorted raw fields with an MD5 MAC (or
 * `0|reason` for what ECPay refuses), status notifications are retried until `1|OK`, the query and print pages take
 * MD5-signed forms, and 7-ELEVEN C2C orders can be cancelled.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGISTICS_MAC, checkMacValue, parseFormBody } from "../../src/ecpay";
import {
  LOGISTICS_PATHS,
  LOGISTICS_STAGE_MERCHANTS,
  buildCreateFields,
  buildMapForm,
  buildPrintForm,
  parseCreateResponse,
  queryLogistics,
  verifyLogisticsStatus,
} from "../../src/ecpay/logistics";
import { type EcpaySandbox, startEcpaySandbox } from ".";
import { ECPAY_STAGE_MERCHANT } from "./stage-merchant";

const { B2C, C2C } = LOGISTICS_STAGE_MERCHANTS;
const received: { path: string; body: string }[] = [];
const replies: string[] = [];
let receiver: Server;
let shop: string;
let sandbox: EcpaySandbox;
let seq = 0;

beforeAll(async () => {
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end(replies.shift() ?? "1|OK");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  shop = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startEcpaySandbox({
    port: 0,
    merchants: [ECPAY_STAGE_MERCHANT],
    logistics: { retryDelaysMs: [50, 50, 50] },
  });
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const hookJson = async (
  res: Response,
): Promise<{ shipment: { status: string }; delivery: { fields: Record<string, string>; acknowledged: boolean } }> =>
  res.json() as never;

const post = async (path: string, fields: Record<string, string>) => {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, text: await res.text() };
};

function createInput(overrides: Partial<Parameters<typeof buildCreateFields>[0]> = {}) {
  seq += 1;
  return {
    merchantId: C2C.merchantId,
    keys: C2C,
    merchantTradeNo: `T${Date.now()}${seq}`,
    tradeDate: new Date(),
    subType: "UNIMARTC2C",
    goodsAmount: 1280,
    collect: true,
    goodsName: "凍頂烏龍茶",
    senderName: "小島良品",
    senderCellPhone: "0912345678",
    receiverName: "王小明",
    receiverCellPhone: "0987654321",
    receiverStoreId: "131386",
    serverReplyUrl: `${shop}/ecpay/logistics`,
    ...overrides,
  };
}

async function create(overrides: Partial<Parameters<typeof buildCreateFields>[0]> = {}) {
  const input = createInput(overrides);
  const res = await post(LOGISTICS_PATHS.create, buildCreateFields(input));
  return { input, res, parsed: parseCreateResponse(res.text, input.keys) };
}

describe("store map", () => {
  it("lists the chain's stores, each a form posting the nine reply fields to ServerReplyURL, with no MAC", async () => {
    const form = buildMapForm({
      gatewayBaseUrl: sandbox.url,
      merchantId: C2C.merchantId,
      keys: C2C,
      subType: "UNIMARTC2C",
      collection: true,
      replyUrl: `${shop}/checkout/store`,
      extraData: "tok_12345678",
    });
    const res = await post(new URL(form.action).pathname, form.fields);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`action="${shop}/checkout/store"`);
    expect(res.text).toContain('value="131386"');
    expect(res.text).not.toContain("006598"); // FamilyMart's store is not on 7-ELEVEN's map
    const first = /<form[^>]*>([\s\S]*?)<\/form>/.exec(res.text)?.[1] ?? "";
    const names = [...first.matchAll(/name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual([
      "MerchantID",
      "MerchantTradeNo",
      "LogisticsSubType",
      "CVSStoreID",
      "CVSStoreName",
      "CVSAddress",
      "CVSTelephone",
      "CVSOutSide",
      "ExtraData",
    ]);
    expect(first).toContain('value="tok_12345678"');
  });

  it("refuses a subtype of the other account, and a map request with a wrong MAC", async () => {
    const base = {
      gatewayBaseUrl: sandbox.url,
      merchantId: B2C.merchantId,
      keys: B2C,
      collection: false,
      replyUrl: `${shop}/s`,
      extraData: "tok_12345678",
    };
    expect((await post(LOGISTICS_PATHS.map, buildMapForm({ ...base, subType: "UNIMARTC2C" }).fields)).status).toBe(400);
    const ok = buildMapForm({ ...base, subType: "UNIMART" }).fields;
    expect((await post(LOGISTICS_PATHS.map, ok)).status).toBe(200);
    expect((await post(LOGISTICS_PATHS.map, { ...ok, ExtraData: "tok_other123" })).status).toBe(400);
  });
});

describe("Create", () => {
  it("answers 1| with ECPay's sorted raw fields, MD5-signed, RtnCode 300 and the C2C slip numbers", async () => {
    const { res, parsed } = await create();
    expect(res.text.startsWith("1|AllPayLogisticsID=")).toBe(true);
    expect(parsed).toMatchObject({ ok: true, rtnCode: "300" });
    if (!parsed.ok) throw new Error("refused");
    expect(parsed.cvsPaymentNo).toMatch(/^G\d{7}$/);
    expect(parsed.cvsValidationNo).toMatch(/^\d{4}$/);
    expect(parsed.fields.RtnMsg).toBe("訂單處理中(已收到訂單資料)");
  });

  it("B2C with the B2C merchant: no slip numbers", async () => {
    const { parsed } = await create({
      merchantId: B2C.merchantId,
      keys: B2C,
      subType: "FAMI",
      receiverStoreId: "006598",
      collect: false,
    });
    expect(parsed).toMatchObject({ ok: true, cvsPaymentNo: "", cvsValidationNo: "" });
  });

  it.each([
    ["another account's subtype", { subType: "FAMI", receiverStoreId: "006598" }, "不適用"],
    ["an unknown store", { receiverStoreId: "999999" }, "查無此門市"],
    ["a receiver name with a space", { receiverName: "Wang Da" }, "ReceiverName"],
    ["a one-character name", { receiverName: "王" }, "ReceiverName"],
  ])("refuses %s with 0|reason", async (_label, overrides, reason) => {
    const { res, parsed } = await create(overrides as never);
    expect(parsed.ok).toBe(false);
    expect(res.text.startsWith("0|")).toBe(true);
    expect(res.text).toContain(reason);
  });

  it("refuses what the shop's builder would never send: amount 20001, collection ≠ amount, a reused number, a wrong MAC", async () => {
    const fields = buildCreateFields(createInput());
    const resign = (f: Record<string, string>) => ({ ...f, CheckMacValue: checkMacValue(f, C2C, LOGISTICS_MAC) });
    expect(
      (await post(LOGISTICS_PATHS.create, resign({ ...fields, GoodsAmount: "20001", CollectionAmount: "20001" }))).text,
    ).toContain("10500040");
    expect((await post(LOGISTICS_PATHS.create, resign({ ...fields, CollectionAmount: "1" }))).text).toContain(
      "CollectionAmount",
    );
    expect((await post(LOGISTICS_PATHS.create, fields)).text.startsWith("1|")).toBe(true);
    expect((await post(LOGISTICS_PATHS.create, fields)).text).toContain("重複");
    expect((await post(LOGISTICS_PATHS.create, { ...fields, GoodsName: "x" })).text).toBe("0|CheckMacValue Error");
    // SHA256 in place of MD5 is a wrong MAC too.
    const sha = { ...fields, MerchantTradeNo: `X${Date.now()}` };
    expect(
      (await post(LOGISTICS_PATHS.create, { ...sha, CheckMacValue: checkMacValue(sha, C2C, "sha256") })).text,
    ).toBe("0|CheckMacValue Error");
  });
});

describe("status notifications", () => {
  it("walk 7-ELEVEN C2C's codes, MD5-signed, re-sent until the shop answers exactly 1|OK", async () => {
    const { parsed } = await create();
    if (!parsed.ok) throw new Error("refused");
    const id = parsed.allPayLogisticsId;
    replies.push("OK", "1|OK ");
    const before = received.length;
    const hook = await fetch(`${sandbox.url}/__sandbox/logistics/${id}/advance`, { method: "POST" });
    expect((await hookJson(hook)).shipment.status).toBe("2068");
    await new Promise((r) => setTimeout(r, 400));
    const mine = received.slice(before).filter((r) => parseFormBody(r.body).AllPayLogisticsID === id);
    expect(mine).toHaveLength(3); // two answers that were not exactly 1|OK, then acknowledged
    const verified = verifyLogisticsStatus(mine[2]!.body, { merchantId: C2C.merchantId, keys: C2C });
    expect(verified).toMatchObject({ ok: true, data: { RtnCode: "2068", AllPayLogisticsID: id } });
    for (const code of ["2030", "2073", "2067"]) {
      const r = await hookJson(await fetch(`${sandbox.url}/__sandbox/logistics/${id}/advance`, { method: "POST" }));
      expect(r.delivery.fields.RtnCode).toBe(code);
      expect(r.delivery.acknowledged).toBe(true);
    }
    expect((await fetch(`${sandbox.url}/__sandbox/logistics/${id}/advance`, { method: "POST" })).status).toBe(409);
  });

  it("a parcel nobody collects goes back from the store", async () => {
    const { parsed } = await create({
      merchantId: B2C.merchantId,
      keys: B2C,
      subType: "FAMI",
      receiverStoreId: "006598",
    });
    if (!parsed.ok) throw new Error("refused");
    const advance = (what: string) =>
      fetch(`${sandbox.url}/__sandbox/logistics/${parsed.allPayLogisticsId}/${what}`, { method: "POST" });
    expect((await advance("return")).status).toBe(409);
    for (let i = 0; i < 3; i++) await advance("advance");
    const codes = [];
    for (let i = 0; i < 2; i++) codes.push((await hookJson(await advance("return"))).shipment.status);
    expect(codes).toEqual(["3020", "3023"]);
  });
});

describe("query, print, cancel", () => {
  it("queries V5 by MerchantTradeNo with a signed raw reply; a stale TimeStamp is refused", async () => {
    const { input, parsed } = await create();
    if (!parsed.ok) throw new Error("refused");
    const result = await queryLogistics({
      gatewayBaseUrl: sandbox.url,
      merchantId: C2C.merchantId,
      keys: C2C,
      merchantTradeNo: input.merchantTradeNo,
    });
    expect(result).toMatchObject({ status: "300", allPayLogisticsId: parsed.allPayLogisticsId, goodsAmount: 1280 });
    expect(result?.raw.CollectionAmount).toBe("1280");
    await expect(
      queryLogistics({
        gatewayBaseUrl: sandbox.url,
        merchantId: C2C.merchantId,
        keys: C2C,
        allPayLogisticsId: parsed.allPayLogisticsId,
        now: new Date(Date.now() - 600_000),
      }),
    ).rejects.toThrow();
  });

  it("prints C2C slips of one chain in one form, and refuses numbers that do not match", async () => {
    const a = (await create()).parsed;
    const b = (await create()).parsed;
    if (!a.ok || !b.ok) throw new Error("refused");
    const form = buildPrintForm({
      gatewayBaseUrl: sandbox.url,
      merchantId: C2C.merchantId,
      keys: C2C,
      subType: "UNIMARTC2C",
      shipments: [a, b],
    });
    const res = await post(new URL(form.action).pathname, form.fields);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`data-logistics-id="${a.allPayLogisticsId}"`);
    expect(res.text).toContain(`data-logistics-id="${b.allPayLogisticsId}"`);
    const wrong = { ...form.fields, CVSValidationNo: "0000,0000" };
    expect(
      (await post(new URL(form.action).pathname, { ...wrong, CheckMacValue: checkMacValue(wrong, C2C, LOGISTICS_MAC) }))
        .status,
    ).toBe(400);
  });

  it("cancels a 7-ELEVEN C2C order before drop-off (status 9999, notified)", async () => {
    const { parsed } = await create();
    if (!parsed.ok) throw new Error("refused");
    const fields = {
      MerchantID: C2C.merchantId,
      AllPayLogisticsID: parsed.allPayLogisticsId,
      CVSPaymentNo: parsed.cvsPaymentNo,
      CVSValidationNo: parsed.cvsValidationNo,
    };
    const res = await post("/Express/CancelC2COrder", {
      ...fields,
      CheckMacValue: checkMacValue(fields, C2C, LOGISTICS_MAC),
    });
    expect(res.text).toBe("1|OK");
    expect(sandbox.logistics.shipments().find((s) => s.allPayLogisticsId === parsed.allPayLogisticsId)?.status).toBe(
      "9999",
    );
  });
});
