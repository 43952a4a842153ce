import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ECPAY_ACK,
  ECPAY_CHECKOUT_PATH,
  ECPAY_GATEWAYS,
  ECPAY_QUERY_PATH,
  EcpayError,
  type FetchLike,
  PAYMENT_MAC,
  buildCheckoutFields,
  checkMacValue,
  ecpayNack,
  ecpayUrlEncode,
  formatTaipeiDate,
  formatTaipeiDateTime,
  newMerchantTradeNo,
  orderIdFromMerchantTradeNo,
  parseFormBody,
  parseTaipeiDateTime,
  paymentInfoSchema,
  paymentResultSchema,
  queryTradeInfo,
  verifyCallback,
  verifyCheckMacValue,
} from ".";

/** ECPay's public staging merchant (ecpay.md §5). */
const STAGE = { merchantId: "3002607", keys: { hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs" } };

/**
 * An independent reference built the way ECPay's Node SDK does it: encodeURIComponent plus the
 * three .NET fix-ups, and a plain lowercase-key sort. Shares no code with the module under test.
 */
function referenceMac(params: Record<string, string>, hashKey: string, hashIV: string, algo = "sha256"): string {
  const sorted = Object.entries(params)
    .filter(([k]) => k !== "CheckMacValue")
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const raw = `HashKey=${hashKey}&${sorted.map(([k, v]) => `${k}=${v}`).join("&")}&HashIV=${hashIV}`;
  const encoded = encodeURIComponent(raw).replace(/%20/g, "+").replace(/~/g, "%7e").replace(/'/g, "%27").toLowerCase();
  return createHash(algo).update(encoded).digest("hex").toUpperCase();
}

describe("checkMacValue", () => {
  it("reproduces the official SHA256 example (V1)", () => {
    const params = {
      TradeDesc: "促銷方案",
      PaymentType: "aio",
      MerchantTradeDate: "2023/03/12 15:30:23",
      MerchantTradeNo: "ecpay20230312153023",
      MerchantID: "3002607",
      ReturnURL: "https://www.ecpay.com.tw/receive.php",
      ItemName: "Apple iphone 15",
      TotalAmount: 30000,
      ChoosePayment: "ALL",
      EncryptType: 1,
    };
    expect(checkMacValue(params, STAGE.keys)).toBe("6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840");
  });

  it("reproduces the official MD5 example (V2), empty RtnMsg included", () => {
    const params = {
      RtnCode: "1",
      RtnMsg: "",
      IA_Allow_No: "1909181313013546",
      IA_Invoice_No: "UV11100019",
      IA_Date: "2019-09-18 13:13:23",
      IIS_Remain_Allowance_Amt: "0",
    };
    const keys = { hashKey: "ejCk326UnaZWKisg", hashIV: "q9jcZX8Ib9LM8wYk" };
    expect(checkMacValue(params, keys, "md5")).toBe("50A276E71DAE26343013958B405EEEA0");
  });

  it("encodes `~` as %7e (Test~Product vector, where the official Python SDK goes wrong)", () => {
    const params = { MerchantID: "3002607", ItemName: "Test~Product", TotalAmount: "200" };
    const mac = checkMacValue(params, STAGE.keys);
    expect(mac).toBe(referenceMac(params, STAGE.keys.hashKey, STAGE.keys.hashIV));
    // ecpay.md §3 quotes the prefix of the correct value for this input.
    expect(mac.startsWith("CEEAE01D")).toBe(true);
    // Leaving `~` raw is the documented SDK bug; it must give a different MAC.
    const buggy = createHash("sha256")
      .update(
        `HashKey=${STAGE.keys.hashKey}&ItemName=Test~Product&MerchantID=3002607&TotalAmount=200&HashIV=${STAGE.keys.hashIV}`
          .split("")
          .map((c) => (c === "~" ? c : ecpayUrlEncode(c)))
          .join("")
          .toLowerCase(),
      )
      .digest("hex")
      .toUpperCase();
    expect(buggy.startsWith("B9360BE7")).toBe(true);
    expect(mac).not.toBe(buggy);
  });

  it("sorts keys ordinally ignoring case, a prefix key first", () => {
    const a = checkMacValue({ PaymentTypeChargeFee: "1", PaymentType: "x", amount: "2" }, STAGE.keys);
    const expected = createHash("sha256")
      .update(
        ecpayUrlEncode(
          `HashKey=${STAGE.keys.hashKey}&amount=2&PaymentType=x&PaymentTypeChargeFee=1&HashIV=${STAGE.keys.hashIV}`,
        ).toLowerCase(),
      )
      .digest("hex")
      .toUpperCase();
    expect(a).toBe(expected);
  });

  it("ignores an incoming CheckMacValue and is insensitive to insertion order", () => {
    const p = { B: "2", a: "1" };
    expect(checkMacValue({ ...p, CheckMacValue: "X" }, STAGE.keys)).toBe(checkMacValue({ a: "1", B: "2" }, STAGE.keys));
  });

  it("matches the independent reference on arbitrary parameters", () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ unit: "grapheme" }), { minKeys: 1, maxKeys: 8 }), (params) => {
        // Keys differing only in case have no defined order in ECPay's sort either.
        fc.pre(new Set(Object.keys(params).map((k) => k.toLowerCase())).size === Object.keys(params).length);
        expect(checkMacValue(params, STAGE.keys)).toBe(referenceMac(params, STAGE.keys.hashKey, STAGE.keys.hashIV));
      }),
      { numRuns: 300 },
    );
  });
});

describe("ecpayUrlEncode", () => {
  it.each([
    [" ", "+"],
    ["~", "%7e"],
    ["'", "%27"],
    ["-_.!*()", "-_.!*()"],
    ["AZaz09", "AZaz09"],
    ["=&/:#%+?@", "%3d%26%2f%3a%23%25%2b%3f%40"],
    ['"\\<>', "%22%5c%3c%3e"],
    ["促", "%e4%bf%83"],
    ["😀", "%f0%9f%98%80"],
    ["é", "%c3%a9"],
  ])("%j → %j", (input, expected) => {
    expect(ecpayUrlEncode(input)).toBe(expected);
  });
});

describe("verifyCheckMacValue", () => {
  const signed = <T extends Record<string, string>>(fields: T) => ({ ...fields, CheckMacValue: checkMacValue(fields, STAGE.keys) });
  const base = { MerchantID: "3002607", MerchantTradeNo: "L26112704831ABC", RtnCode: "1", TradeAmt: "1200", StoreID: "" };

  it("accepts an untouched payload, also with a lowercase MAC", () => {
    const f = signed(base);
    expect(verifyCheckMacValue(f, STAGE.keys, PAYMENT_MAC)).toBe(true);
    expect(verifyCheckMacValue({ ...f, CheckMacValue: f.CheckMacValue.toLowerCase() }, STAGE.keys, PAYMENT_MAC)).toBe(true);
  });

  it("rejects a tampered value", () => {
    expect(verifyCheckMacValue({ ...signed(base), TradeAmt: "1" }, STAGE.keys, PAYMENT_MAC)).toBe(false);
  });

  it("rejects an added field, even an empty one", () => {
    expect(verifyCheckMacValue({ ...signed(base), Extra: "" }, STAGE.keys, PAYMENT_MAC)).toBe(false);
  });

  it("counts empty fields: dropping StoreID= breaks the MAC", () => {
    const { StoreID: _dropped, ...rest } = signed(base);
    expect(verifyCheckMacValue(rest, STAGE.keys, PAYMENT_MAC)).toBe(false);
  });

  it("includes unknown extra fields that were signed", () => {
    expect(verifyCheckMacValue(signed({ ...base, gwsr: "12345", card4no: "2222" }), STAGE.keys, PAYMENT_MAC)).toBe(true);
  });

  it("refuses an MD5 MAC on a payment message although it is otherwise correct; MD5 only where a protocol says so", () => {
    const md5 = { ...base, CheckMacValue: checkMacValue(base, STAGE.keys, "md5") };
    expect(PAYMENT_MAC).toBe("sha256");
    expect(verifyCheckMacValue(md5, STAGE.keys, PAYMENT_MAC)).toBe(false);
    expect(verifyCheckMacValue(md5, STAGE.keys, "md5")).toBe(true);
    // …and a SHA256 MAC is no MD5 one: the protocol picks the hash, never the MAC's length.
    expect(verifyCheckMacValue(signed(base), STAGE.keys, "md5")).toBe(false);
  });

  it("rejects wrong keys, missing, non-hex and odd-length MACs", () => {
    expect(verifyCheckMacValue(signed(base), { hashKey: STAGE.keys.hashIV, hashIV: STAGE.keys.hashKey }, PAYMENT_MAC)).toBe(false);
    expect(verifyCheckMacValue(base, STAGE.keys, PAYMENT_MAC)).toBe(false);
    expect(verifyCheckMacValue({ ...base, CheckMacValue: "Z".repeat(64) }, STAGE.keys, PAYMENT_MAC)).toBe(false);
    expect(verifyCheckMacValue({ ...base, CheckMacValue: signed(base).CheckMacValue.slice(0, 40) }, STAGE.keys, PAYMENT_MAC)).toBe(false);
  });
});

describe("Taipei time", () => {
  it("formats across the UTC day boundary", () => {
    expect(formatTaipeiDateTime(new Date("2023-03-12T15:59:59Z"))).toBe("2023/03/12 23:59:59");
    expect(formatTaipeiDateTime(new Date("2023-03-12T16:00:00Z"))).toBe("2023/03/13 00:00:00");
    expect(formatTaipeiDateTime(new Date("2024-12-31T16:00:00Z"))).toBe("2025/01/01 00:00:00");
    expect(formatTaipeiDateTime(new Date("2024-02-28T17:05:09Z"))).toBe("2024/02/29 01:05:09");
    expect(formatTaipeiDate(new Date("2023-03-12T16:00:00Z"))).toBe("2023/03/13");
  });

  it("parses both ECPay formats as Taipei time and round-trips", () => {
    expect(parseTaipeiDateTime("2023/03/13 00:00:00").toISOString()).toBe("2023-03-12T16:00:00.000Z");
    expect(parseTaipeiDateTime("2023/03/13").toISOString()).toBe("2023-03-12T16:00:00.000Z");
    const d = new Date("2026-11-27T03:04:05Z");
    expect(parseTaipeiDateTime(formatTaipeiDateTime(d)).getTime()).toBe(d.getTime());
  });

  it("rejects malformed or impossible dates", () => {
    for (const s of ["2023-03-12 10:00:00", "2023/02/30", "2023/03/12 24:00:00", "2023/3/12", ""]) {
      expect(() => parseTaipeiDateTime(s), s).toThrow(RangeError);
    }
    expect(() => formatTaipeiDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("MerchantTradeNo", () => {
  it("has the documented shape (18 alphanumerics, ECPay allows 20) and maps back to the order", () => {
    const no = newMerchantTradeNo("P", "261127-4831-0926");
    expect(no).toMatch(/^P26112748310926[0-9A-Z]{3}$/);
    expect(no).toHaveLength(18);
    expect(orderIdFromMerchantTradeNo(no)).toBe("261127-4831-0926");
  });

  it("keeps working for a legacy five-digit order id (15 characters)", () => {
    const no = newMerchantTradeNo("P", "261127-04831");
    expect(no).toMatch(/^P26112704831[0-9A-Z]{3}$/);
    expect(orderIdFromMerchantTradeNo(no)).toBe("261127-04831");
    expect(orderIdFromMerchantTradeNo("L26112704831A1B")).toBe("261127-04831");
  });

  it("differs per attempt and per environment", () => {
    const many = Array.from({ length: 2000 }, () => newMerchantTradeNo("S", "261127-4831-0926"));
    // 36^3 suffixes: 2000 draws give ~43 expected birthday collisions, far from this bound.
    expect(new Set(many).size).toBeGreaterThan(1900);
    expect(new Set(["L", "S", "P"].map((e) => newMerchantTradeNo(e as "L", "261127-4831-0926")[0])).size).toBe(3);
  });

  it("rejects bad input and foreign numbers", () => {
    expect(() => newMerchantTradeNo("X" as "L", "261127-4831-0926")).toThrow();
    for (const id of ["26112704831", "26112748310926", "261127-48310926", "261127-4831-092"]) {
      expect(() => newMerchantTradeNo("L", id), id).toThrow();
    }
    for (const no of [
      "X26112704831ABC",
      "L26112704831ab",
      "L26112704831ABCD",
      "L2611270483ABC",
      "L2611274831092ABC",
      "L261127483109261ABC",
      "ecpay20230312153023",
    ]) {
      expect(orderIdFromMerchantTradeNo(no), no).toBeNull();
    }
  });
});

describe("buildCheckoutFields", () => {
  const input = {
    ...STAGE,
    merchantTradeNo: "L26112704831A1B",
    tradeDate: new Date("2026-11-27T16:30:00Z"),
    totalAmount: 1560,
    items: [
      { name: "手工#鳳梨酥", unitPrice: 360, quantity: 4 },
      { name: 'Tom\'s "<Tea> & \\ Co"', unitPrice: 120, quantity: 1 },
    ],
    tradeDesc: "台灣小店訂單",
    paymentMethod: "credit" as const,
    returnUrl: "https://api.example.tw/ecpay/return",
  };

  it("builds a signed credit checkout with only the given fields", () => {
    const f = buildCheckoutFields(input);
    expect(f).toEqual({
      MerchantID: "3002607",
      MerchantTradeNo: "L26112704831A1B",
      MerchantTradeDate: "2026/11/28 00:30:00",
      PaymentType: "aio",
      TotalAmount: "1560",
      TradeDesc: "台灣小店訂單",
      ItemName: "手工鳳梨酥 360元 x 4#Tom's Tea Co 120元 x 1",
      ReturnURL: "https://api.example.tw/ecpay/return",
      ChoosePayment: "Credit",
      EncryptType: "1",
      CheckMacValue: expect.stringMatching(/^[0-9A-F]{64}$/),
    });
    expect(verifyCheckMacValue(f, STAGE.keys, PAYMENT_MAC)).toBe(true);
    expect(f.CheckMacValue).toBe(referenceMac(f, STAGE.keys.hashKey, STAGE.keys.hashIV));
  });

  it("adds the ATM and optional fields when given, and drops ATM-only ones for credit", () => {
    const optional = {
      paymentInfoUrl: "https://api.example.tw/ecpay/info",
      orderResultUrl: "https://shop.example.tw/pay/result",
      clientBackUrl: "https://shop.example.tw/orders/261127-04831",
      customField1: "261127-04831",
      atmExpireDays: 5,
    };
    const atm = buildCheckoutFields({ ...input, ...optional, paymentMethod: "atm" });
    expect(atm).toMatchObject({
      ChoosePayment: "ATM",
      PaymentInfoURL: optional.paymentInfoUrl,
      OrderResultURL: optional.orderResultUrl,
      ClientBackURL: optional.clientBackUrl,
      CustomField1: "261127-04831",
      ExpireDate: "5",
    });
    expect(verifyCheckMacValue(atm, STAGE.keys, PAYMENT_MAC)).toBe(true);
    const credit = buildCheckoutFields({ ...input, ...optional });
    expect(credit).not.toHaveProperty("PaymentInfoURL");
    expect(credit).not.toHaveProperty("ExpireDate");
    expect(credit.OrderResultURL).toBe(optional.orderResultUrl);
  });

  it("truncates ItemName to 400 code points without splitting a surrogate pair", () => {
    // A UTF-16 slice at 400 would keep only the high surrogate of the first emoji.
    const f = buildCheckoutFields({ ...input, items: [{ name: `${"好".repeat(399)}😀😀`, unitPrice: 1, quantity: 1 }] });
    expect(Array.from(f.ItemName as string)).toHaveLength(400);
    expect(f.ItemName).toBe(`${"好".repeat(399)}😀`);
    expect(verifyCheckMacValue(f, STAGE.keys, PAYMENT_MAC)).toBe(true);

    const cut = buildCheckoutFields({ ...input, items: [{ name: `${"a".repeat(398)}😀x`, unitPrice: 1, quantity: 1 }] });
    expect(cut.ItemName).toBe(`${"a".repeat(398)}😀x`);
  });

  it("keeps `#` only as the item separator", () => {
    const f = buildCheckoutFields({
      ...input,
      items: [
        { name: "#A#", unitPrice: 1, quantity: 1 },
        { name: "B\n#\tC", unitPrice: 2, quantity: 3 },
      ],
    });
    expect(f.ItemName).toBe("A 1元 x 1#B C 2元 x 3");
  });

  it("refuses amounts ECPay would reject and other bad input", () => {
    for (const totalAmount of [0, -5, 10.5, Number.NaN]) {
      expect(() => buildCheckoutFields({ ...input, totalAmount }), String(totalAmount)).toThrow(RangeError);
    }
    expect(() => buildCheckoutFields({ ...input, items: [] })).toThrow();
    expect(() => buildCheckoutFields({ ...input, merchantTradeNo: "L2611-2704831" })).toThrow();
    expect(() => buildCheckoutFields({ ...input, paymentMethod: "atm", atmExpireDays: 61 })).toThrow();
    expect(() => buildCheckoutFields({ ...input, orderResultUrl: input.returnUrl })).toThrow();
    expect(() => buildCheckoutFields({ ...input, returnUrl: "/relative" })).toThrow();
  });

  it("exposes the gateway constants", () => {
    expect(`${ECPAY_GATEWAYS.staging}${ECPAY_CHECKOUT_PATH}`).toBe("https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5");
    expect(`${ECPAY_GATEWAYS.production}${ECPAY_QUERY_PATH}`).toBe("https://payment.ecpay.com.tw/Cashier/QueryTradeInfo/V5");
  });
});

describe("callbacks", () => {
  const signed = (fields: Record<string, string>, merchantId = STAGE.merchantId) => {
    const f = { ...fields, MerchantID: merchantId };
    return { ...f, CheckMacValue: checkMacValue(f, STAGE.keys) };
  };
  const result = {
    MerchantTradeNo: "L26112704831A1B",
    StoreID: "",
    RtnCode: "1",
    RtnMsg: "交易成功",
    TradeNo: "2611280030001234",
    TradeAmt: "1560",
    PaymentDate: "2026/11/28 00:31:10",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "43",
    TradeDate: "2026/11/28 00:30:02",
    SimulatePaid: "0",
    CustomField1: "261127-04831",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
  };

  it("parses form bodies: + is space, UTF-8, last duplicate wins, no prototype pollution", () => {
    const f = parseFormBody("RtnMsg=%E4%BA%A4%E6%98%93+%E6%88%90%E5%8A%9F&a=1&a=2&empty=&__proto__=x&plus=%2B");
    expect(f).toMatchObject({ RtnMsg: "交易 成功", a: "2", empty: "", plus: "+" });
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(Object.hasOwn(f, "__proto__")).toBe(true);
  });

  it("accepts a signed ReturnURL post and coerces numbers", () => {
    const body = new URLSearchParams(signed(result)).toString();
    const r = verifyCallback(parseFormBody(body), STAGE, paymentResultSchema);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toMatchObject({ RtnCode: 1, TradeAmt: 1560, SimulatePaid: 0, PaymentTypeChargeFee: 43, RtnMsg: "交易成功" });
  });

  it("reports bad MAC before anything else", () => {
    const r = verifyCallback({ ...signed(result, "9999999"), TradeAmt: "1" }, STAGE, paymentResultSchema);
    expect(r).toMatchObject({ ok: false, reason: "bad-mac" });
  });

  it("refuses a ReturnURL post signed with MD5 (payments are SHA256 only)", () => {
    const f = { ...result, MerchantID: STAGE.merchantId };
    const md5 = { ...f, CheckMacValue: checkMacValue(f, STAGE.keys, "md5") };
    expect(verifyCallback(md5, STAGE, paymentResultSchema)).toMatchObject({ ok: false, reason: "bad-mac" });
  });

  it("reports a validly signed post for another merchant", () => {
    expect(verifyCallback(signed(result, "2000132"), STAGE, paymentResultSchema)).toMatchObject({ ok: false, reason: "wrong-merchant" });
  });

  it("reports malformed fields after the MAC checks out", () => {
    expect(verifyCallback(signed({ ...result, TradeAmt: "12a" }), STAGE, paymentResultSchema)).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    const { SimulatePaid: _s, ...noSimulate } = result;
    expect(verifyCallback(signed(noSimulate), STAGE, paymentResultSchema)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("accepts an ATM PaymentInfoURL post and insists on the account when RtnCode is 2", () => {
    const info = {
      MerchantTradeNo: "L26112704831A1B",
      StoreID: "",
      RtnCode: "2",
      RtnMsg: "Get VirtualAccount Succeeded",
      TradeNo: "2611280030001234",
      TradeAmt: "1560",
      PaymentType: "ATM_TAISHIN",
      TradeDate: "2026/11/28 00:30:02",
      BankCode: "812",
      vAccount: "9103522175887271",
      ExpireDate: "2026/12/01",
      CustomField1: "",
      CustomField2: "",
      CustomField3: "",
      CustomField4: "",
    };
    const ok = verifyCallback(signed(info), STAGE, paymentInfoSchema);
    expect(ok).toMatchObject({ ok: true, data: { RtnCode: 2, BankCode: "812", vAccount: "9103522175887271" } });
    expect(verifyCallback(signed({ ...info, vAccount: "" }), STAGE, paymentInfoSchema)).toMatchObject({ reason: "malformed" });
  });

  it("has the reply strings ECPay expects", () => {
    expect(ECPAY_ACK).toBe("1|OK");
    expect(ecpayNack("bad mac")).toBe("0|bad mac");
  });
});

describe("queryTradeInfo", () => {
  const now = new Date("2026-11-28T00:00:00Z");
  /** A reply in ECPay's raw `key=value&…` form, signed over the raw (undecoded) values. */
  const reply = (fields: Record<string, string>, mac = checkMacValue(fields, STAGE.keys)) =>
    `${Object.entries({ ...fields, CheckMacValue: mac })
      .map(([k, v]) => `${k}=${v}`)
      .join("&")}`;
  const paid = {
    CustomField1: "a+b",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    HandlingCharge: "0",
    ItemName: "鳳梨酥 360元 x 4",
    MerchantID: "3002607",
    MerchantTradeNo: "L26112704831A1B",
    PaymentDate: "2026/11/28 00:31:10",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "43",
    StoreID: "",
    TradeAmt: "1440",
    TradeDate: "2026/11/28 00:30:02",
    TradeNo: "2611280030001234",
    TradeStatus: "1",
  };

  function fakeFetch(body: string, status = 200) {
    const calls: { url: string; body: string; contentType?: string }[] = [];
    const impl: FetchLike = async (url, init) => {
      calls.push({ url, body: init.body, contentType: init.headers["content-type"] });
      return { ok: status >= 200 && status < 300, status, text: async () => body };
    };
    return { impl, calls };
  }

  it("sends a signed request and parses the raw reply without form-decoding", async () => {
    const { impl, calls } = fakeFetch(reply(paid));
    const r = await queryTradeInfo({
      gatewayBaseUrl: "https://gw.test/",
      ...STAGE,
      merchantTradeNo: "L26112704831A1B",
      fetchImpl: impl,
      now,
    });
    expect(r).toMatchObject({
      tradeStatus: "1",
      tradeAmt: 1440,
      tradeNo: "2611280030001234",
      paymentType: "Credit_CreditCard",
      paymentDate: "2026/11/28 00:31:10",
      merchantTradeNo: "L26112704831A1B",
    });
    expect(r.raw.CustomField1).toBe("a+b");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://gw.test/Cashier/QueryTradeInfo/V5");
    expect(calls[0]?.contentType).toBe("application/x-www-form-urlencoded");
    const sent = parseFormBody(calls[0]?.body ?? "");
    expect(sent).toMatchObject({ MerchantID: "3002607", MerchantTradeNo: "L26112704831A1B", TimeStamp: "1795824000" });
    expect(Object.keys(sent).sort()).toEqual(["CheckMacValue", "MerchantID", "MerchantTradeNo", "TimeStamp"]);
    expect(verifyCheckMacValue(sent, STAGE.keys, PAYMENT_MAC)).toBe(true);
  });

  it("throws bad-mac when the reply was tampered with", async () => {
    const tampered = reply(paid).replace("TradeAmt=1440", "TradeAmt=1");
    const { impl } = fakeFetch(tampered);
    const err = await queryTradeInfo({ gatewayBaseUrl: "https://gw.test", ...STAGE, merchantTradeNo: paid.MerchantTradeNo, fetchImpl: impl, now }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EcpayError);
    expect((err as EcpayError).code).toBe("bad-mac");
  });

  it("throws bad-mac if `+` were read as a space (the MAC covers the raw value)", async () => {
    const signedAsSpace = reply(paid, checkMacValue({ ...paid, CustomField1: "a b" }, STAGE.keys));
    const { impl } = fakeFetch(signedAsSpace);
    await expect(
      queryTradeInfo({ gatewayBaseUrl: "https://gw.test", ...STAGE, merchantTradeNo: paid.MerchantTradeNo, fetchImpl: impl, now }),
    ).rejects.toMatchObject({ code: "bad-mac" });
  });

  it("throws typed errors for HTTP failures, garbage and timeouts", async () => {
    const base = { gatewayBaseUrl: "https://gw.test", ...STAGE, merchantTradeNo: paid.MerchantTradeNo, now };
    await expect(queryTradeInfo({ ...base, fetchImpl: fakeFetch("Forbidden", 403).impl })).rejects.toMatchObject({
      code: "http",
      status: 403,
    });
    await expect(queryTradeInfo({ ...base, fetchImpl: fakeFetch("<html>oops</html>").impl })).rejects.toMatchObject({
      code: "malformed",
    });
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    await expect(queryTradeInfo({ ...base, fetchImpl: hang, timeoutMs: 20 })).rejects.toMatchObject({ code: "timeout" });
    const down: FetchLike = async () => {
      throw new TypeError("fetch failed");
    };
    await expect(queryTradeInfo({ ...base, fetchImpl: down })).rejects.toMatchObject({ code: "network" });
  });

  it("throws bad-mac for a reply signed with MD5", async () => {
    const { impl } = fakeFetch(reply(paid, checkMacValue(paid, STAGE.keys, "md5")));
    await expect(
      queryTradeInfo({ gatewayBaseUrl: "https://gw.test", ...STAGE, merchantTradeNo: paid.MerchantTradeNo, fetchImpl: impl, now }),
    ).rejects.toMatchObject({ code: "bad-mac" });
  });

  it("refuses a validly signed reply about another trade", async () => {
    const { impl } = fakeFetch(reply({ ...paid, MerchantTradeNo: "L26112704831ZZZ" }));
    await expect(
      queryTradeInfo({ gatewayBaseUrl: "https://gw.test", ...STAGE, merchantTradeNo: paid.MerchantTradeNo, fetchImpl: impl, now }),
    ).rejects.toMatchObject({ code: "malformed" });
  });
});
