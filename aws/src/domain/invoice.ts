/**
 * Uniform e-invoices (電子發票) as the shop's rules: which carriers a shopper may choose, how their numbers are
 * checked (the company tax ID by its checksum), and until when an issued invoice may still be voided. Plain
 * TypeScript, browser-safe: the checkout shows the same messages the order API answers with. The wire format is
 * aws/src/ecpay/einvoice.ts. docs/decisions/0027-store-pickup-and-e-invoices.md.
 */
import { TAIPEI_OFFSET_MS, taipeiDate } from "./taipei-time";

/**
 * Where the invoice goes: the shopper's ECPay member carrier (the default: ECPay keeps it and emails it), a mobile
 * barcode (手機條碼), a citizen digital certificate (自然人憑證), a donation to a charity by its love code (捐贈碼),
 * or a company (統一編號 and its name: a printed invoice, since that is accepted under every version of ECPay's rules).
 */
export const INVOICE_CARRIERS = ["member", "mobile", "certificate", "donation", "company"] as const;
export type InvoiceCarrier = (typeof INVOICE_CARRIERS)[number];

export const INVOICE_CARRIER_LABELS: Record<InvoiceCarrier, string> = {
  member: "會員載具（綠界）",
  mobile: "手機條碼載具",
  certificate: "自然人憑證載具",
  donation: "捐贈發票",
  company: "公司發票（統一編號）",
};

/** `/` and seven of `0-9 A-Z . + -` (the Ministry of Finance's format). */
export const MOBILE_BARCODE_PATTERN = /^\/[0-9A-Z.+-]{7}$/;
/** Two capital letters and fourteen digits. */
export const CITIZEN_CERTIFICATE_PATTERN = /^[A-Z]{2}\d{14}$/;
/** Three to seven digits; may start with 0. */
export const LOVE_CODE_PATTERN = /^\d{3,7}$/;
export const TAX_ID_PATTERN = /^\d{8}$/;
/** ECPay's CustomerName / CustomerAddr limits. */
export const COMPANY_NAME_MAX = 60;
export const INVOICE_ADDRESS_MAX = 100;

const TAX_ID_WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

/**
 * The 統一編號 checksum: each digit times its weight (1,2,1,2,1,2,4,1), the digits of each product added up, and the
 * total divisible by 5 (the Ministry of Finance widened it from 10 to 5 in 2023; every number valid before stays
 * valid). When the seventh digit is 7 its product 28 may count as 1 or 0, so the total plus one also passes.
 */
export function isValidTaxId(id: string): boolean {
  if (!TAX_ID_PATTERN.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = Number(id[i]) * TAX_ID_WEIGHTS[i]!;
    sum += Math.floor(product / 10) + (product % 10);
  }
  return sum % 5 === 0 || (id[6] === "7" && (sum + 1) % 5 === 0);
}

/** Normalises what a shopper typed (spaces gone; the barcode and certificate are upper case). */
export function normaliseCarrierNumber(carrier: InvoiceCarrier, value: string): string {
  const trimmed = value.replace(/\s+/g, "");
  return carrier === "mobile" || carrier === "certificate" ? trimmed.toUpperCase() : trimmed;
}

/** The message for a number that does not fit its carrier, or null when it fits. */
export function mobileBarcodeProblem(value: string): string | null {
  return MOBILE_BARCODE_PATTERN.test(value) ? null : "手機條碼為 / 開頭加 7 碼英數字（大寫英文、數字或 . + -），共 8 碼";
}

export function citizenCertificateProblem(value: string): string | null {
  return CITIZEN_CERTIFICATE_PATTERN.test(value) ? null : "自然人憑證條碼為 2 個大寫英文字母加 14 個數字，共 16 碼";
}

export function loveCodeProblem(value: string): string | null {
  return LOVE_CODE_PATTERN.test(value) ? null : "捐贈碼為 3 到 7 位數字";
}

export function taxIdProblem(value: string): string | null {
  if (!TAX_ID_PATTERN.test(value)) return "統一編號為 8 位數字";
  return isValidTaxId(value) ? null : "統一編號檢查碼不正確，請再確認一次";
}

// ---------------------------------------------------------------------------------------------
// Voiding: an invoice may be voided until the 13th of the month after its two-month period (Jan–Feb → Mar 13,
// 23:59:59 Taipei); after that, or for part of the amount, the shop issues an allowance (折讓) instead.

/** The last instant an invoice issued at `issuedAt` may be voided. */
export function voidDeadline(issuedAt: Date): Date {
  const { year, month } = taipeiDate(issuedAt);
  // Periods are Jan–Feb, Mar–Apr, …, Nov–Dec; the deadline falls in the odd month after the period's even month.
  const periodEnd = month % 2 === 0 ? month : month + 1;
  const deadlineYear = periodEnd === 12 ? year + 1 : year;
  const deadlineMonth = periodEnd === 12 ? 1 : periodEnd + 1;
  return new Date(Date.UTC(deadlineYear, deadlineMonth - 1, 13, 23, 59, 59) - TAIPEI_OFFSET_MS);
}

export function canVoid(issuedAt: Date, now: Date): boolean {
  return now.getTime() <= voidDeadline(issuedAt).getTime();
}

/** What happened to an order's invoice, in the owner's and the shopper's words. */
export const INVOICE_STATUS_LABELS = {
  pending: "開立中",
  issued: "已開立",
  void: "已作廢",
  allowance: "已折讓",
  not_issued: "未開立（訂單付款前已取消）",
  failed: "開立失敗，需處理",
} as const;
export type InvoiceStatus = keyof typeof INVOICE_STATUS_LABELS;
