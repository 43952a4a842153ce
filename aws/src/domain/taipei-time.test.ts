import { describe, expect, it } from "vitest";
import {
  addDays,
  formatTaipei,
  isCalendarDay,
  monthStart,
  parseTaipeiDateTime,
  taipeiDate,
  taipeiDay,
} from "./taipei-time";

describe("Taipei time", () => {
  const lateUtc = new Date("2026-11-27T16:05:09.000Z"); // already the 28th in Taipei

  it("formats an instant by pattern, eight hours ahead of UTC all year", () => {
    expect(formatTaipei(lateUtc, "yyyy/MM/dd HH:mm:ss")).toBe("2026/11/28 00:05:09");
    expect(formatTaipei(lateUtc.getTime(), "yyyy-MM-dd HH:mm")).toBe("2026-11-28 00:05");
    expect(formatTaipei(lateUtc.toISOString(), "yyyy/MM/dd")).toBe("2026/11/28");
    expect(formatTaipei("2026-07-01T00:00:00Z", "HH:mm")).toBe("08:00");
    expect(() => formatTaipei("not a time", "yyyy")).toThrow(RangeError);
  });

  it("gives calendar days and dates across a year boundary", () => {
    expect(taipeiDay(lateUtc)).toBe("2026-11-28");
    expect(taipeiDate(new Date("2025-12-31T16:00:00Z"))).toEqual({ year: 2026, month: 1, day: 1 });
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(monthStart("2026-11-28")).toBe("2026-11-01");
  });

  it("knows real calendar days", () => {
    expect(isCalendarDay("2028-02-29")).toBe(true);
    expect(isCalendarDay("2026-02-29")).toBe(false);
    expect(isCalendarDay("2026-13-01")).toBe(false);
    expect(isCalendarDay("26-11-28")).toBe(false);
  });

  it("reads ECPay's Taipei times back into instants", () => {
    expect(parseTaipeiDateTime("2026/11/28 00:05:09").getTime()).toBe(lateUtc.getTime());
    expect(parseTaipeiDateTime("2026/11/28").toISOString()).toBe("2026-11-27T16:00:00.000Z");
    expect(() => parseTaipeiDateTime("2026/02/30")).toThrow(RangeError);
  });
});
