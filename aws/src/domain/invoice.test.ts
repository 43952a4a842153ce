import { describe, expect, it } from "vitest";
import {
  canVoid,
  citizenCertificateProblem,
  isValidTaxId,
  loveCodeProblem,
  mobileBarcodeProblem,
  normaliseCarrierNumber,
  taxIdProblem,
  voidDeadline,
} from "./invoice";

describe("統一編號 (tax ID) checksum", () => {
  it("accepts real companies' numbers", () => {
    // TSMC, Hon Hai, Chunghwa Telecom (sums 30, 30, 50).
    for (const id of ["22099131", "04541302", "96979933"]) expect(isValidTaxId(id)).toBe(true);
  });

  it("accepts a total divisible by 5 but not by 10 (the 2023 widening)", () => {
    // 1,0,0,0,0,0,0,4 → products 1,0,0,0,0,0,0,4 → 5.
    expect(isValidTaxId("10000004")).toBe(true);
    expect(isValidTaxId("10000003")).toBe(false);
  });

  it("accepts the seventh-digit-7 case either way (28 counts as 10 or as 1+0 → 1)", () => {
    // d7 = 7: 7×4 = 28 → 2+8 = 10. With 0000007x: 10 + x; x = 5 → 15 (÷5) passes; x = 4 → 14, 14 + 1 = 15 passes.
    expect(isValidTaxId("00000075")).toBe(true);
    expect(isValidTaxId("00000074")).toBe(true);
    expect(isValidTaxId("00000073")).toBe(false);
    // The +1 rule only for a 7 in seventh place: 0000006x has 6×4 = 24 → 6; x = 3 → 9, 9 + 1 = 10 must not pass.
    expect(isValidTaxId("00000063")).toBe(false);
  });

  it("refuses wrong lengths and non-digits, with a message for each", () => {
    for (const id of ["2209913", "220991311", "2209913A", " 22099131", ""]) expect(isValidTaxId(id)).toBe(false);
    expect(taxIdProblem("2209913")).toBe("統一編號為 8 位數字");
    expect(taxIdProblem("22099132")).toMatch(/檢查碼/);
    expect(taxIdProblem("22099131")).toBeNull();
  });
});

describe("carrier numbers at their edges", () => {
  it("mobile barcode: / and exactly seven of 0-9 A-Z . + -", () => {
    expect(mobileBarcodeProblem("/ABC+.-1")).toBeNull();
    expect(mobileBarcodeProblem("/1234567")).toBeNull();
    expect(mobileBarcodeProblem("/123456")).not.toBeNull();
    expect(mobileBarcodeProblem("/12345678")).not.toBeNull();
    expect(mobileBarcodeProblem("/abc1234")).not.toBeNull();
    expect(mobileBarcodeProblem("A1234567")).not.toBeNull();
    expect(mobileBarcodeProblem("/123_567")).not.toBeNull();
    expect(normaliseCarrierNumber("mobile", " /abc 1234 ")).toBe("/ABC1234");
  });

  it("citizen certificate: two capitals and fourteen digits", () => {
    expect(citizenCertificateProblem("AB12345678901234")).toBeNull();
    expect(citizenCertificateProblem("AB1234567890123")).not.toBeNull();
    expect(citizenCertificateProblem("AB123456789012345")).not.toBeNull();
    expect(citizenCertificateProblem("A123456789012345")).not.toBeNull();
    expect(citizenCertificateProblem("ab12345678901234")).not.toBeNull();
    expect(normaliseCarrierNumber("certificate", "ab12345678901234")).toBe("AB12345678901234");
  });

  it("love code: three to seven digits, a leading zero allowed", () => {
    for (const ok of ["123", "0919", "1234567", "000"]) expect(loveCodeProblem(ok)).toBeNull();
    for (const bad of ["12", "12345678", "12a4", "", "-123"]) expect(loveCodeProblem(bad)).not.toBeNull();
  });
});

describe("void deadline: the 13th of the odd month after the two-month period (Taipei)", () => {
  const taipei = (s: string) => new Date(`${s}+08:00`);

  it("Jan–Feb → Mar 13 23:59:59; Nov–Dec → Jan 13 of the next year", () => {
    expect(voidDeadline(taipei("2026-01-01T00:00:00")).toISOString()).toBe(taipei("2026-03-13T23:59:59").toISOString());
    expect(voidDeadline(taipei("2026-02-28T23:59:59")).toISOString()).toBe(taipei("2026-03-13T23:59:59").toISOString());
    expect(voidDeadline(taipei("2026-03-01T00:00:00")).toISOString()).toBe(taipei("2026-05-13T23:59:59").toISOString());
    expect(voidDeadline(taipei("2026-12-31T23:00:00")).toISOString()).toBe(taipei("2027-01-13T23:59:59").toISOString());
  });

  it("counts the Taipei day, not UTC's (an invoice at 00:30 on Mar 1 Taipei is in Mar–Apr)", () => {
    expect(voidDeadline(new Date("2026-02-28T16:30:00Z")).toISOString()).toBe(taipei("2026-05-13T23:59:59").toISOString());
  });

  it("voids up to the last second, not after", () => {
    const issued = taipei("2026-02-10T12:00:00");
    expect(canVoid(issued, taipei("2026-03-13T23:59:59"))).toBe(true);
    expect(canVoid(issued, taipei("2026-03-14T00:00:00"))).toBe(false);
  });
});
