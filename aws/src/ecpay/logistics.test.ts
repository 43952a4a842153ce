import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EcpayError, LOGISTICS_MAC, PAYMENT_MAC, checkMacValue, verifyCheckMacValue } from ".";
import {
  LOGISTICS_PATHS,
  LOGISTICS_STAGE_MERCHANTS,
  buildCreateFields,
  buildMapForm,
  buildPrintForm,
  formatRawPairs,
  goodsNameOf,
  parseCreateResponse,
  parseRawPairs,
  queryLogistics,
  statusEventKey,
  verifyLogisticsStatus,
} from "./logistics";

const B2C: { merchantId: string; hashKey: string; hashIV: string } = LOGISTICS_STAGE_MERCHANTS.B2C;
const C2C: { merchantId: string; hashKey: string; hashIV: string } = LOGISTICS_STAGE_MERCHANTS.C2C;

/** An independent MD5 reference (Python's algorithm from the spec, written again here; shares no code). */
function referenceMd5(params: Record<string, string>, hashKey: string, hashIV: string): string {
  const sorted = Object.entries(params)
    .filter(([k]) => k !== "CheckMacValue")
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const raw = [`HashKey=${hashKey}`, ...sorted.map(([k, v]) => `${k}=${v}`), `HashIV=${hashIV}`].join("&");
  let out = "";
  for (const byte of Buffer.from(raw, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.!*()]/.test(c) ? c : c === " " ? "+" : `%${byte.toString(16).padStart(2, "0")}`;
  }
  return createHash("md5").update(out.toLowerCase()).digest("hex").toUpperCase();
}

const L2 =
  "1|AllPayLogisticsID=158981&BookingNote=&CheckMacValue=5C5ECFEFB08C0525408D32C6538114DA&CVSPaymentNo=&CVSValidationNo=&GoodsAmount=110&LogisticsSubType=UNIMART&LogisticsType=CVS&MerchantID=2000132&MerchantTradeNo=GW1901041548427509&ReceiverAddress=&ReceiverCellPhone=0983337029&ReceiverEmail=&ReceiverName=Superuser&ReceiverPhone=&RtnCode=300&RtnMsg=訂單處理中(已收到訂單資料)&UpdateStatusDate=2019/01/04 15:48:42";
const L3 =
  "AllPayLogisticsID=199199&BookingNote=&GoodsAmount=200&GoodsName=百貨商品&HandlingCharge=5&LogisticsStatus=9999&LogisticsType=CVS_UNIMARTC2C&MerchantID=2000933&MerchantTradeNo=abc01234567891234161&ShipmentNo=G34233026887&TradeDate=2019/08/05 17:37:05&CheckMacValue=23E159CB546038F70B698338B0B7DA48";

describe("logistics CheckMacValue (MD5)", () => {
  it("L1: the skill repo's vector", () => {
    const params = { MerchantID: "2000132", LogisticsType: "CVS", LogisticsSubType: "UNIMART", MerchantTradeDate: "2025/01/01 12:00:00" };
    expect(checkMacValue(params, B2C, LOGISTICS_MAC)).toBe("545E6146FD45BDA683C88454DB34CE8D");
  });

  it("L2: a real stage Create reply verifies (raw space, parentheses and Chinese)", () => {
    const result = parseCreateResponse(L2, B2C);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.fields)).toHaveLength(18);
    expect(result.allPayLogisticsId).toBe("158981");
    expect(result.rtnCode).toBe("300");
    expect(result.fields.RtnMsg).toBe("訂單處理中(已收到訂單資料)");
    expect(checkMacValue(result.fields, B2C, LOGISTICS_MAC)).toBe("5C5ECFEFB08C0525408D32C6538114DA");
  });

  it("L3: a real C2C query reply verifies with the C2C keys, not the B2C ones", () => {
    const fields = parseRawPairs(L3);
    expect(verifyCheckMacValue(fields, C2C, LOGISTICS_MAC)).toBe(true);
    expect(verifyCheckMacValue(fields, B2C, LOGISTICS_MAC)).toBe(false);
    expect(fields.TradeDate).toBe("2019/08/05 17:37:05");
  });

  it("L4: a Create request with Chinese names and a URL; SHA256 gives another value", () => {
    const params = {
      MerchantID: "2000132",
      MerchantTradeNo: "Test1700000000",
      MerchantTradeDate: "2024/01/01 12:00:00",
      LogisticsType: "CVS",
      LogisticsSubType: "FAMI",
      GoodsAmount: "1000",
      GoodsName: "綠界 SDK 範例商品",
      SenderName: "陳大明",
      SenderCellPhone: "0911222333",
      ReceiverName: "王小美",
      ReceiverCellPhone: "0933222111",
      ServerReplyURL: "https://www.ecpay.com.tw/example/server-reply",
      ReceiverStoreID: "006598",
    };
    expect(checkMacValue(params, B2C, LOGISTICS_MAC)).toBe("DFFE8DB7C6BA22BED475A574B972BFBA");
    expect(checkMacValue(params, B2C, PAYMENT_MAC).startsWith("522DEC12")).toBe(true);
    expect(checkMacValue(params, B2C, PAYMENT_MAC).endsWith("FAAE5")).toBe(true);
  });

  it("agrees with an independent implementation on generated fields", () => {
    const value = fc.string({ unit: fc.constantFrom(..."aZ09 -_.!*()~'&=+/%#中文", "\u00e9"), maxLength: 20 });
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/), value, { maxKeys: 8 }), (params) => {
        expect(checkMacValue(params, C2C, LOGISTICS_MAC)).toBe(referenceMd5(params, C2C.hashKey, C2C.hashIV));
      }),
    );
  });
});

describe("Create", () => {
  const input = {
    merchantId: C2C.merchantId,
    keys: C2C,
    merchantTradeNo: "L2611270483112AB",
    tradeDate: new Date("2026-11-27T04:00:00Z"),
    subType: "UNIMARTC2C",
    goodsAmount: 1280,
    collect: true,
    goodsName: "凍頂烏龍茶 150g",
    senderName: "小島良品",
    senderCellPhone: "0912345678",
    receiverName: "王小明",
    receiverCellPhone: "0987654321",
    receiverStoreId: "131386",
    serverReplyUrl: "https://api.example.tw/ecpay/logistics",
  };

  it("signs every field it sends with MD5, in Taipei time, collecting the whole amount", () => {
    const fields = buildCreateFields(input);
    expect(fields).toMatchObject({
      MerchantTradeDate: "2026/11/27 12:00:00",
      LogisticsType: "CVS",
      IsCollection: "Y",
      CollectionAmount: "1280",
      GoodsAmount: "1280",
      ReceiverStoreID: "131386",
    });
    expect(fields.CheckMacValue).toBe(referenceMd5(fields, C2C.hashKey, C2C.hashIV));
    expect(fields.ReceiverPhone).toBeUndefined();
    expect(buildCreateFields({ ...input, subType: "HILIFEC2C" }).ReceiverPhone).toBe("0987654321");
    expect(buildCreateFields({ ...input, collect: false }).CollectionAmount).toBeUndefined();
  });

  it("refuses amounts ECPay refuses (1–20,000) and malformed numbers", () => {
    expect(() => buildCreateFields({ ...input, goodsAmount: 0 })).toThrow(RangeError);
    expect(() => buildCreateFields({ ...input, goodsAmount: 20_001 })).toThrow(RangeError);
    expect(buildCreateFields({ ...input, goodsAmount: 20_000 }).GoodsAmount).toBe("20000");
    expect(() => buildCreateFields({ ...input, merchantTradeNo: "a-b" })).toThrow(RangeError);
  });

  it("keeps GoodsName within ECPay's characters and 50 characters", () => {
    expect(goodsNameOf(["A&B <好茶> #1", "餅"])).toBe("AB 好茶 1 等 2 項");
    expect(Array.from(goodsNameOf(["長".repeat(80)]))).toHaveLength(50);
  });

  it("reads a refusal, and refuses a success whose MAC is wrong or missing", () => {
    expect(parseCreateResponse("0|ReceiverStoreID 錯誤", C2C)).toEqual({ ok: false, message: "ReceiverStoreID 錯誤" });
    const tampered = L2.replace("GoodsAmount=110", "GoodsAmount=111");
    expect(() => parseCreateResponse(tampered, B2C)).toThrow(EcpayError);
    expect(() => parseCreateResponse("1|AllPayLogisticsID=1", B2C)).toThrow(EcpayError);
    expect(() => parseCreateResponse("OK", B2C)).toThrow(EcpayError);
  });

  it("writes replies the way it reads them (sorted, raw)", () => {
    const fields = parseCreateResponse(L2, B2C);
    if (!fields.ok) throw new Error("L2");
    expect(`1|${formatRawPairs(fields.fields)}`).toBe(L2);
  });
});

describe("status notifications", () => {
  const notification = {
    MerchantID: C2C.merchantId,
    MerchantTradeNo: "L2611270483112AB",
    RtnCode: "2073",
    RtnMsg: "商品配達買家取貨門市",
    AllPayLogisticsID: "1718546",
    LogisticsType: "CVS",
    LogisticsSubType: "UNIMARTC2C",
    GoodsAmount: "1280",
    UpdateStatusDate: "2026/11/29 10:11:12",
    ReceiverName: "王小明",
    ReceiverPhone: "",
    ReceiverCellPhone: "0987654321",
    ReceiverEmail: "",
    ReceiverAddress: "",
    CVSPaymentNo: "C9876543",
    CVSValidationNo: "1234",
    BookingNote: "",
  };
  const form = (fields: Record<string, string>, keys = C2C, algo = LOGISTICS_MAC) =>
    new URLSearchParams({ ...fields, CheckMacValue: checkMacValue(fields, keys, algo) }).toString();
  const config = { merchantId: C2C.merchantId, keys: C2C };

  it("accepts an MD5-signed notification over every field, unknown ones included", () => {
    const result = verifyLogisticsStatus(form({ ...notification, NewField: "x y" }), config);
    expect(result).toMatchObject({ ok: true, data: { RtnCode: "2073", GoodsAmount: 1280 } });
  });

  it("refuses SHA256, another merchant's keys, a foreign merchant and a bad shape", () => {
    expect(verifyLogisticsStatus(form(notification, C2C, PAYMENT_MAC), config)).toMatchObject({ ok: false, reason: "bad-mac" });
    expect(verifyLogisticsStatus(form(notification, B2C), config)).toMatchObject({ ok: false, reason: "bad-mac" });
    expect(verifyLogisticsStatus(form({ ...notification, MerchantID: "2000132" }), config)).toMatchObject({ ok: false, reason: "wrong-merchant" });
    expect(verifyLogisticsStatus(form({ ...notification, UpdateStatusDate: "yesterday" }), config)).toMatchObject({ ok: false, reason: "malformed" });
    expect(verifyLogisticsStatus("", config)).toMatchObject({ ok: false, reason: "bad-mac" });
  });

  it("keys an event by shipment, code and time", () => {
    expect(statusEventKey(notification)).toBe("1718546_2073_20261129101112");
  });
});

describe("map, print and query", () => {
  it("builds the store-map form for the chosen chain, signed", () => {
    const form = buildMapForm({
      gatewayBaseUrl: "https://logistics-stage.ecpay.com.tw/",
      merchantId: C2C.merchantId,
      keys: C2C,
      subType: "UNIMARTC2C",
      collection: true,
      replyUrl: "https://shop.example.tw/checkout/store",
      extraData: "abcDEF123_-",
    });
    expect(form.action).toBe(`https://logistics-stage.ecpay.com.tw${LOGISTICS_PATHS.map}`);
    expect(form.fields).toMatchObject({ IsCollection: "Y", LogisticsType: "CVS", ExtraData: "abcDEF123_-", Device: "0" });
    expect(verifyCheckMacValue(form.fields, C2C, LOGISTICS_MAC)).toBe(true);
    expect(() => buildMapForm({ gatewayBaseUrl: "x", merchantId: "1", keys: C2C, subType: "FAMI", collection: false, replyUrl: "https://a.b", extraData: "x".repeat(21) })).toThrow(RangeError);
  });

  it("prints C2C slips per chain and B2C labels in one form", () => {
    const shipments = [
      { allPayLogisticsId: "1", cvsPaymentNo: "C1", cvsValidationNo: "11" },
      { allPayLogisticsId: "2", cvsPaymentNo: "C2", cvsValidationNo: "22" },
    ];
    const seven = buildPrintForm({ gatewayBaseUrl: "http://x", merchantId: "2000933", keys: C2C, subType: "UNIMARTC2C", shipments });
    expect(seven.action).toBe("http://x/Express/PrintUniMartC2COrderInfo");
    expect(seven.fields).toMatchObject({ AllPayLogisticsID: "1,2", CVSPaymentNo: "C1,C2", CVSValidationNo: "11,22" });
    const family = buildPrintForm({ gatewayBaseUrl: "http://x", merchantId: "2000933", keys: C2C, subType: "FAMIC2C", shipments });
    expect(family.fields.CVSValidationNo).toBeUndefined();
    const b2c = buildPrintForm({ gatewayBaseUrl: "http://x", merchantId: "2000132", keys: B2C, subType: "UNIMART", shipments });
    expect(b2c.action).toBe("http://x/helper/printTradeDocument");
    expect(Object.keys(b2c.fields).sort()).toEqual(["AllPayLogisticsID", "CheckMacValue", "MerchantID"]);
  });

  it("queries by MerchantTradeNo and verifies the signed raw reply", async () => {
    let sent = "";
    const reply = (fields: Record<string, string>) => ({ ok: true, status: 200, text: async () => formatRawPairs({ ...fields, CheckMacValue: checkMacValue(fields, C2C, LOGISTICS_MAC) }) });
    const found = await queryLogistics({
      gatewayBaseUrl: "http://x",
      merchantId: C2C.merchantId,
      keys: C2C,
      merchantTradeNo: "L1",
      fetchImpl: async (_url, init) => {
        sent = init.body;
        return reply({ AllPayLogisticsID: "9", MerchantTradeNo: "L1", LogisticsStatus: "2067", GoodsAmount: "100", TradeDate: "2026/01/01 10:00:00" });
      },
    });
    expect(new URLSearchParams(sent).get("MerchantTradeNo")).toBe("L1");
    expect(found).toMatchObject({ status: "2067", allPayLogisticsId: "9", goodsAmount: 100 });
    const none = await queryLogistics({ gatewayBaseUrl: "http://x", merchantId: "2000933", keys: C2C, merchantTradeNo: "L2", fetchImpl: async () => reply({ AllPayLogisticsID: "", MerchantTradeNo: "L2" }) });
    expect(none).toBeNull();
    await expect(
      queryLogistics({ gatewayBaseUrl: "http://x", merchantId: "2000933", keys: C2C, merchantTradeNo: "L2", fetchImpl: async () => ({ ok: true, status: 200, text: async () => "AllPayLogisticsID=9&CheckMacValue=00" }) }),
    ).rejects.toMatchObject({ code: "bad-mac" });
  });
});
