import { describe, expect, it } from "vitest";
import type { Order } from "../../../aws/src/contract";
import { csvCell, ORDER_CSV_HEADER, ordersToCsv, toCsv } from "./csv";

function order(overrides: Partial<Order> = {}): Order {
  return {
    id: "261127-00042",
    status: "paid",
    createdAt: "2026-11-27T01:05:00.000Z",
    lines: [
      { productId: "dongding-oolong", name: "凍頂烏龍茶 150g", unitPrice: 450, quantity: 2, lineTotal: 900 },
      { productId: "pineapple-cake", name: "土鳳梨酥 10 入", unitPrice: 380, quantity: 1, lineTotal: 380 },
    ],
    total: 1280,
    paymentMethod: "credit",
    customer: {
      name: "王小明",
      phone: "0912345678",
      email: "xm@example.tw",
      address: "100 臺北市中正區重慶南路一段 122 號",
    },
    payment: {
      merchantTradeNo: "M261127000042",
      tradeNo: "2611271005001",
      paymentType: "Credit_CreditCard",
      paymentDate: "2026/11/27 09:06:00",
      simulated: false,
    },
    history: [],
    ...overrides,
  };
}

describe("CSV builder", () => {
  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("cr\r\nlf")).toBe('"cr\r\nlf"');
    expect(csvCell(1280)).toBe("1280");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell("+886 2 1234")).toBe("'+886 2 1234");
    expect(csvCell("-1+1")).toBe("'-1+1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell("王=小明")).toBe("王=小明");
    // Numbers are numbers, not text a shopper typed.
    expect(csvCell(-5)).toBe("-5");
  });

  it("starts with a UTF-8 BOM and ends every row with CRLF", () => {
    const csv = toCsv([
      ["a", "b"],
      ["中文", 1],
    ]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toBe("\uFEFFa,b\r\n中文,1\r\n");
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("writes one row per order with readable Chinese labels and a phone Excel keeps as text", () => {
    const csv = ordersToCsv([
      order(),
      order({
        id: "261127-00043",
        status: "created",
        paymentMethod: "cod",
        payment: undefined,
        customer: { name: "=cmd|' /C calc'!A0", phone: "0987654321", email: "a@b.tw", address: "台北市, 信義區" },
        note: "請下午送\n謝謝",
      }),
      order({
        id: "261127-00044",
        deliveryMethod: "cvs",
        pickupStore: { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" },
        invoice: { status: "issued", number: "AB12345678", date: "2026-11-27 09:07:00", randomNumber: "1234" },
      }),
    ]);
    const rows = csv.slice(1).split("\r\n");
    expect(rows[0]).toBe(ORDER_CSV_HEADER.join(","));
    expect(rows[1]).toBe(
      "261127-00042,2026-11-27 09:05,已付款,信用卡,1280,王小明,0912-345-678,xm@example.tw,100 臺北市中正區重慶南路一段 122 號,凍頂烏龍茶 150g ×2、土鳳梨酥 10 入 ×1,,2611271005001,Credit_CreditCard,2026/11/27 09:06:00,,,,1280,0,0,,",
    );
    expect(rows[2]).toBe(
      '261127-00043,2026-11-27 09:05,已成立,貨到付款,1280,\'=cmd|\' /C calc\'!A0,0987-654-321,a@b.tw,"台北市, 信義區",凍頂烏龍茶 150g ×2、土鳳梨酥 10 入 ×1,"請下午送\n謝謝",,,,,,,1280,0,0,,',
    );
    // A store-pickup order with its e-invoice.
    expect(rows[3]).toContain(",7-ELEVEN 建盛門市（131386）,AB12345678,2026-11-27,");
  });

  it("writes the fee lines and the shipment in columns of their own", () => {
    const csv = ordersToCsv([
      order({
        status: "shipped",
        paymentMethod: "cod",
        subtotal: 1280,
        fees: [
          { kind: "shipping", name: "運費", amount: 100 },
          { kind: "cod_surcharge", name: "貨到付款手續費", amount: 30 },
        ],
        total: 1410,
        shipment: { carrier: "tcat", trackingNumber: "9012-3456-7890", shippedAt: "2026-11-28T01:00:00.000Z" },
      }),
    ]);
    const row = csv.slice(1).split("\r\n")[1]!;
    expect(row).toContain(",已出貨,貨到付款,1410,");
    expect(row.endsWith(",1280,100,30,黑貓宅急便,9012-3456-7890")).toBe(true);
  });
});
