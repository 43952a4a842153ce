/**
 * The e-invoice stand-in speaks ECPay's B2C API as the production module reads it: AES envelopes in and out (either
 * hex case, any key order), the 10-minute Timestamp window, Issue's combinations and amounts, one invoice per
 * RelateNumber, void within the legal window and never over an allowance, allowances within the remaining amount.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcpayError } from "../../src/ecpay";
import {
  EINVOICE_STAGE_MERCHANT,
  buildAllowanceData,
  buildInvalidData,
  buildIssueData,
  callEinvoice,
  encryptEncoded,
  issuedInvoiceOf,
} from "../../src/ecpay/einvoice";
import { type EcpaySandbox, startEcpaySandbox } from ".";
import { ECPAY_STAGE_MERCHANT } from "./stage-merchant";

const M = EINVOICE_STAGE_MERCHANT;
let sandbox: EcpaySandbox;
let seq = 0;

beforeAll(async () => {
  sandbox = await startEcpaySandbox({ port: 0, merchants: [ECPAY_STAGE_MERCHANT] });
});
afterAll(async () => {
  await sandbox.close();
});

const call = (api: Parameters<typeof callEinvoice>[0]["api"], data: Record<string, unknown>, now?: Date) =>
  callEinvoice({ gatewayBaseUrl: sandbox.url, api, merchantId: M.merchantId, keys: M, data, ...(now ? { now } : {}) });

function issueData(carrier: Parameters<typeof buildIssueData>[0]["carrier"] = { type: "member" }) {
  seq += 1;
  return buildIssueData({
    relateNumber: `R${Date.now()}${seq}`,
    customer: { name: "王小明", phone: "0912345678", email: "x@example.tw" },
    carrier,
    items: [
      { name: "凍頂烏龍茶", count: 2, word: "包", price: 450 },
      { name: "運費", count: 1, word: "式", price: 60 },
    ],
    salesAmount: 960,
  });
}

const config = (body: Record<string, unknown>) =>
  fetch(`${sandbox.url}/__sandbox/einvoice/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("Issue", () => {
  it.each([
    { type: "member" },
    { type: "mobile", barcode: "/AB+1.-9" },
    { type: "certificate", number: "AB12345678901234" },
    { type: "donation", loveCode: "168001" },
    { type: "company", taxId: "04595257", companyName: "測試股份有限公司", address: "台北市中正區重慶南路一段122號" },
  ] as const)(
    "issues an invoice for carrier $type with a number, a Taipei date and a random number",
    async (carrier) => {
      const reply = await call("Issue", issueData(carrier));
      expect(reply).toMatchObject({ RtnCode: 1 });
      const invoice = issuedInvoiceOf(reply);
      expect(invoice.invoiceNo).toMatch(/^[A-Z]{2}\d{8}$/);
      expect(invoice.invoiceDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(invoice.randomNumber).toMatch(/^\d{4}$/);
      if (carrier.type === "mobile") expect(sandbox.einvoice.invoices().at(-1)?.carrierNum).toBe("/AB+1.-9");
    },
  );

  it("issues once per RelateNumber, and GetIssue finds it", async () => {
    const data = issueData();
    const first = issuedInvoiceOf(await call("Issue", data));
    const again = await call("Issue", data);
    expect(again.RtnCode).not.toBe(1);
    expect(again.RtnMsg).toContain("重複");
    const found = issuedInvoiceOf(await call("GetIssue", { RelateNumber: data.RelateNumber }));
    expect(found.invoiceNo).toBe(first.invoiceNo);
  });

  it("refuses combinations and amounts ECPay refuses", async () => {
    const base = issueData();
    for (const [patch, reason] of [
      [{ SalesAmount: 961 }, "不符"],
      [{ CarrierType: "1", CarrierNum: "/ABC1234" }, "CarrierNum"],
      [{ CarrierType: "3", CarrierNum: "ABC1234" }, "手機條碼"],
      [{ Donation: "1", LoveCode: "1" }, "LoveCode"],
      [{ CarrierType: "", Print: "0" }, "載具或捐贈"],
      [{ CustomerPhone: "", CustomerEmail: "" }, "至少"],
      [{ CustomerIdentifier: "04595258", CarrierType: "", Print: "1", CustomerAddr: "台北市" }, "統一編號"],
    ] as const) {
      const reply = await call("Issue", { ...base, ...patch, RelateNumber: `${base.RelateNumber}x${seq++}` });
      expect(reply.RtnCode, JSON.stringify(patch)).not.toBe(1);
      expect(reply.RtnMsg).toContain(reason);
    }
  });
});

describe("the envelope", () => {
  it("refuses other keys, a stale Timestamp and a Data/envelope merchant mismatch with TransCode ≠ 1", async () => {
    await expect(
      callEinvoice({
        gatewayBaseUrl: sandbox.url,
        api: "Issue",
        merchantId: M.merchantId,
        keys: { hashKey: "5294y06JbISpM5x9", hashIV: "v77hoKGq4kWxNNIS" },
        data: issueData(),
      }),
    ).rejects.toThrow(/TransCode/);
    await expect(call("Issue", issueData(), new Date(Date.now() - 11 * 60_000))).rejects.toThrow(/TransCode/);
    await expect(call("Issue", { ...issueData(), MerchantID: "3002607" })).rejects.toThrow(/TransCode/);
  });

  it("accepts lower-case hex and %20 for spaces (other clients' encodings)", async () => {
    const data = { MerchantID: M.merchantId, RelateNumber: "NOPE1" };
    const encoded = encodeURIComponent(JSON.stringify(data)).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
    const res = await fetch(`${sandbox.url}/B2CInvoice/GetIssue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        PlatformID: "",
        MerchantID: M.merchantId,
        RqHeader: { Timestamp: Math.floor(Date.now() / 1000) },
        Data: encryptEncoded(encoded, M),
      }),
    });
    expect(((await res.json()) as { TransCode: number }).TransCode).toBe(1);
  });

  it("an outage answers 503, which the client reports as an HTTP error", async () => {
    await config({ outage: "down" });
    try {
      const error = await call("Issue", issueData()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EcpayError);
      expect((error as EcpayError).code).toBe("http");
    } finally {
      await config({ outage: "none" });
    }
  });
});

describe("void and allowance", () => {
  it("voids within the window, once; not after the 13th of the next odd month", async () => {
    const invoice = issuedInvoiceOf(await call("Issue", issueData()));
    expect((await call("Invalid", buildInvalidData(invoice, "訂單取消"))).RtnCode).toBe(1);
    expect((await call("Invalid", buildInvalidData(invoice, "訂單取消"))).RtnMsg).toContain("已作廢");
    const late = issuedInvoiceOf(await call("Issue", issueData()));
    await config({ offsetMs: 70 * 86_400_000 });
    try {
      const reply = await call("Invalid", buildInvalidData(late, "訂單取消"), new Date(Date.now() + 70 * 86_400_000));
      expect(reply.RtnMsg).toContain("作廢期限");
    } finally {
      await config({ offsetMs: 0 });
    }
  });

  it("allows up to the remaining amount; an invoice with an allowance cannot be voided until it is withdrawn", async () => {
    const invoice = issuedInvoiceOf(await call("Issue", issueData()));
    const items = [{ name: "凍頂烏龍茶", count: 1, word: "包", price: 450 }];
    const allowance = await call(
      "Allowance",
      buildAllowanceData({ invoice, customerName: "王小明", email: "x@example.tw", items, amount: 450 }),
    );
    expect(allowance).toMatchObject({ RtnCode: 1, IA_Remain_Allowance_Amt: 510 });
    const tooMuch = [{ name: "凍頂烏龍茶", count: 2, word: "包", price: 450 }];
    expect(
      (
        await call(
          "Allowance",
          buildAllowanceData({ invoice, customerName: "王小明", email: "x@example.tw", items: tooMuch, amount: 900 }),
        )
      ).RtnMsg,
    ).toContain("超過");
    expect((await call("Invalid", buildInvalidData(invoice, "訂單取消"))).RtnMsg).toContain("折讓");
    expect(
      (
        await call("AllowanceInvalid", {
          InvoiceNo: invoice.invoiceNo,
          AllowanceNo: allowance.IA_Allow_No,
          Reason: "取消",
        })
      ).RtnCode,
    ).toBe(1);
    expect((await call("Invalid", buildInvalidData(invoice, "訂單取消"))).RtnCode).toBe(1);
  });

  it("lists issued invoices on a page", async () => {
    const invoice = issuedInvoiceOf(await call("Issue", issueData()));
    const page = await (await fetch(`${sandbox.url}/B2CInvoice/`)).text();
    expect(page).toContain(`data-invoice="${invoice.invoiceNo}"`);
  });
});
