import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EcpayError } from ".";
import {
  EINVOICE_STAGE_MERCHANT,
  buildAllowanceData,
  buildEnvelope,
  buildInvalidData,
  buildIssueData,
  callEinvoice,
  decryptData,
  encryptData,
  encryptEncoded,
  issuedInvoiceOf,
  parseInvoiceDate,
  phpUrlEncode,
} from "./einvoice";

const KEYS = EINVOICE_STAGE_MERCHANT;

describe("the AES envelope (B2 vectors)", () => {
  const plain = '{"Name":"Test","ID":"A123456789"}';

  it("encodes like PHP's urlencode (upper-case hex) and reproduces ECPay's vector", () => {
    expect(phpUrlEncode(plain)).toBe("%7B%22Name%22%3A%22Test%22%2C%22ID%22%3A%22A123456789%22%7D");
    expect(encryptData(JSON.parse(plain), KEYS)).toBe("uvI4yrErM37XNQkXGAgRgJAgHn2t72jahaMZzYhWL1HmvH4WV18VJDP2i9pTbC+tby5nxVExLLFyAkbjbS2Dvg==");
  });

  it("reproduces the lower-case-hex vector and decrypts both to the same JSON", () => {
    const lower = "%7b%22Name%22%3a%22Test%22%2c%22ID%22%3a%22A123456789%22%7d";
    const cipher = encryptEncoded(lower, KEYS);
    expect(cipher).toBe("ZD/z07UvdmL3aYz0tsVo+bFXF5VldNcns6ezyfea777KOmLiizrUNDYe+v1bh2QTT4AySf1NICgXxWXB6f7c6A==");
    expect(decryptData(cipher, KEYS)).toEqual(JSON.parse(plain));
    expect(decryptData("uvI4yrErM37XNQkXGAgRgJAgHn2t72jahaMZzYhWL1HmvH4WV18VJDP2i9pTbC+tby5nxVExLLFyAkbjbS2Dvg==", KEYS)).toEqual(JSON.parse(plain));
  });

  it("reproduces the barcode vector (a / encoded as %2F)", () => {
    expect(encryptData({ MerchantID: "2000132", BarCode: "/1234567" }, KEYS)).toBe(
      "XeEOdHpTRvxKEqs/JD9RSd16s7VtpyWVCN6AV44pKTW3DVa6yI7vKmjBRp2eulDhXoru/qBqFDBH3fEqlkMn3bbJfJBfGAq+v+SvttutYnc=",
    );
  });

  it("keeps a mobile barcode's + and every character through a round trip", () => {
    expect(phpUrlEncode("/AB+C.-1 ~!*'()")).toBe("%2FAB%2BC.-1+%7E%21%2A%27%28%29");
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 10 }), (a, b) => {
        const value = { a, b, n: 1 };
        expect(decryptData(encryptData(value, KEYS), KEYS)).toEqual(value);
      }),
    );
  });

  it("refuses Data made with other keys, or not base64 AES at all", () => {
    const other = { hashKey: "0123456789abcdef", hashIV: "fedcba9876543210" };
    expect(() => decryptData(encryptData({ a: 1 }, other), KEYS)).toThrow(EcpayError);
    expect(() => decryptData("not-base64", KEYS)).toThrow(EcpayError);
  });

  it("puts MerchantID in the envelope and inside Data, with a Unix timestamp", () => {
    const env = buildEnvelope("2000132", { RelateNumber: "X1" }, KEYS, new Date("2026-11-27T00:00:00Z"));
    expect(env).toMatchObject({ PlatformID: "", MerchantID: "2000132", RqHeader: { Timestamp: 1795737600, Revision: "3.0.0" } });
    expect(decryptData(env.Data, KEYS)).toEqual({ MerchantID: "2000132", RelateNumber: "X1" });
  });
});

describe("Issue's data per carrier (B3 combinations)", () => {
  const base = {
    relateNumber: "L26112704831",
    customer: { name: "王小明", phone: "0912345678", email: "a@example.tw" },
    items: [
      { name: "凍頂烏龍茶", count: 2, word: "包", price: 450 },
      { name: "運費", count: 1, word: "式", price: 60 },
    ],
    salesAmount: 960,
  };

  it("member carrier: CarrierType 1 with no number, printed never", () => {
    const data = buildIssueData({ ...base, carrier: { type: "member" } });
    expect(data).toMatchObject({ CarrierType: "1", CarrierNum: "", Print: "0", Donation: "0", LoveCode: "", CustomerIdentifier: "", TaxType: "1", vat: "1", SalesAmount: 960 });
    expect((data.Items as { ItemAmount: number }[]).map((i) => i.ItemAmount)).toEqual([900, 60]);
  });

  it("mobile barcode 3, certificate 2, donation with its love code and no carrier", () => {
    expect(buildIssueData({ ...base, carrier: { type: "mobile", barcode: "/AB+C.-1" } })).toMatchObject({ CarrierType: "3", CarrierNum: "/AB+C.-1", Print: "0" });
    expect(buildIssueData({ ...base, carrier: { type: "certificate", number: "AB12345678901234" } })).toMatchObject({ CarrierType: "2", CarrierNum: "AB12345678901234" });
    expect(buildIssueData({ ...base, carrier: { type: "donation", loveCode: "0919" } })).toMatchObject({ CarrierType: "", Donation: "1", LoveCode: "0919", Print: "0" });
  });

  it("company: the tax ID on a printed invoice with the company's name and address", () => {
    const data = buildIssueData({ ...base, carrier: { type: "company", taxId: "22099131", companyName: "小島貿易有限公司", address: "臺北市中正區重慶南路一段 122 號" } });
    expect(data).toMatchObject({ CustomerIdentifier: "22099131", CustomerName: "小島貿易有限公司", Print: "1", CarrierType: "", Donation: "0" });
  });

  it("refuses items that do not add up to the amount", () => {
    expect(() => buildIssueData({ ...base, salesAmount: 961, carrier: { type: "member" } })).toThrow(RangeError);
    expect(() => buildIssueData({ ...base, relateNumber: "L-1", carrier: { type: "member" } })).toThrow(RangeError);
  });
});

describe("void and allowance", () => {
  it("sends the invoice date as yyyy-MM-dd whichever way it was written", () => {
    expect(buildInvalidData({ invoiceNo: "AB12345678", invoiceDate: "2026-11-27+15:00:00" }, "訂單取消")).toEqual({ InvoiceNo: "AB12345678", InvoiceDate: "2026-11-27", Reason: "訂單取消" });
    expect(parseInvoiceDate("2026-11-27 00:30:00").toISOString()).toBe("2026-11-26T16:30:00.000Z");
  });

  it("gives the whole amount back, the buyer told by email", () => {
    const data = buildAllowanceData({ invoice: { invoiceNo: "AB12345678", invoiceDate: "2026-01-05 10:00:00" }, customerName: "王小明", email: "a@example.tw", items: [{ name: "茶", count: 1, word: "包", price: 450 }], amount: 450 });
    expect(data).toMatchObject({ AllowanceNotify: "E", NotifyMail: "a@example.tw", AllowanceAmount: 450, InvoiceDate: "2026-01-05" });
  });

  it("reads the invoice from Issue's or GetIssue's reply", () => {
    expect(issuedInvoiceOf({ RtnCode: 1, RtnMsg: "", InvoiceNo: "AB12345678", InvoiceDate: "2026-11-27+15:00:00", RandomNumber: "0427" })).toEqual({ invoiceNo: "AB12345678", invoiceDate: "2026-11-27 15:00:00", randomNumber: "0427" });
    expect(issuedInvoiceOf({ RtnCode: 1, RtnMsg: "", IIS_Number: "AB12345678", IIS_Create_Date: "2026-11-27 15:00:00", IIS_Random_Number: "0427" }).invoiceNo).toBe("AB12345678");
    expect(() => issuedInvoiceOf({ RtnCode: 1, RtnMsg: "" })).toThrow(EcpayError);
  });
});

describe("callEinvoice", () => {
  const reply = (body: unknown, status = 200) => async () => ({ ok: status === 200, status, text: async () => JSON.stringify(body) });

  it("checks TransCode, decrypts Data and insists on an integer RtnCode", async () => {
    const good = { TransCode: 1, TransMsg: "Success", Data: encryptData({ RtnCode: 1, RtnMsg: "開立發票成功", InvoiceNo: "AB12345678" }, KEYS) };
    const opts = { gatewayBaseUrl: "http://x", api: "Issue" as const, merchantId: "2000132", keys: KEYS, data: {} };
    await expect(callEinvoice({ ...opts, fetchImpl: reply(good) })).resolves.toMatchObject({ RtnCode: 1, InvoiceNo: "AB12345678" });
    await expect(callEinvoice({ ...opts, fetchImpl: reply({ TransCode: 999, TransMsg: "Fail", Data: "" }) })).rejects.toMatchObject({ code: "malformed" });
    await expect(callEinvoice({ ...opts, fetchImpl: reply({ TransCode: 1, Data: encryptData({ RtnCode: "1" }, KEYS) }) })).rejects.toMatchObject({ code: "malformed" });
    await expect(callEinvoice({ ...opts, fetchImpl: reply({}, 503) })).rejects.toMatchObject({ code: "http", status: 503 });
  });
});
