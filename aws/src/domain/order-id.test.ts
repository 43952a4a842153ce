import { describe, expect, it } from "vitest";
import { idskRangesForDays, monthsBetween, newOrderId, orderIdFromKey, orderKeyFromId, SERIAL_SPACE } from "./order-id";
import { taipeiDate } from "./taipei-time";

describe("order ids", () => {
  it("uses the Taipei calendar day, not UTC", () => {
    // 2026-11-30 17:30 UTC is already 1 December in Taipei.
    const id = newOrderId(new Date("2026-11-30T17:30:00Z"), 42);
    expect(id).toBe("261201-0000-0042");
    expect(orderKeyFromId(id)).toEqual({ ordertype: "order#202612", idsk: 100_000_042 });
  });

  it("draws from at least 10^8 ids a day: eight random digits in two groups of four", () => {
    expect(SERIAL_SPACE).toBeGreaterThanOrEqual(10 ** 8);
    const at = new Date("2026-11-27T03:00:00Z");
    expect(newOrderId(at, SERIAL_SPACE - 1)).toBe("261127-9999-9999");
    expect(() => newOrderId(at, SERIAL_SPACE)).toThrow(RangeError);
    expect(() => newOrderId(at, -1)).toThrow(RangeError);
    const drawn = Array.from({ length: 2000 }, () => newOrderId(at));
    for (const id of drawn) expect(id).toMatch(/^261127-\d{4}-\d{4}$/);
    // Every one of the eight positions varies (a generator that fixed or dropped digits would fail this).
    for (const position of [7, 8, 9, 10, 12, 13, 14, 15]) {
      expect(new Set(drawn.map((id) => id[position])).size, `position ${position}`).toBe(10);
    }
    expect(new Set(drawn).size).toBeGreaterThan(1990);
  });

  it("maps an id to its key and back, for current and legacy (five-digit) ids", () => {
    for (const id of ["261127-4831-0926", "260101-0000-0000", "261231-9999-9999", "261127-04831", "260101-00000", "261231-99999"]) {
      const key = orderKeyFromId(id);
      expect(key, id).not.toBeNull();
      expect(orderIdFromKey(key!)).toBe(id);
    }
    expect(orderKeyFromId("261127-04831")).toEqual({ ordertype: "order#202611", idsk: 2_704_831 });
    expect(orderKeyFromId("261127-4831-0926")).toEqual({ ordertype: "order#202611", idsk: 2_748_310_926 });
  });

  it("never gives a legacy id and a current id the same key", () => {
    // The largest legacy idsk (day 31, 99999) is far below the smallest current one (day 1, 0).
    expect(orderKeyFromId("261231-99999")!.idsk).toBeLessThan(orderKeyFromId("261201-0000-0000")!.idsk);
  });

  it("rejects ids that are not real dates or not the right shape", () => {
    for (const id of [
      "260230-0000-0001",
      "261301-0000-0001",
      "261100-0000-0001",
      "260230-00001",
      "26112-04831",
      "261127-4831",
      "261127_04831",
      "261127-48310926",
      "261127-4831-926",
      "261127-4831-09266",
      "",
    ]) {
      expect(orderKeyFromId(id), id).toBeNull();
    }
  });

  it("gives the idsk ranges of a span of days, current ids first, each holding exactly that span's ids", () => {
    const ranges = idskRangesForDays(3, 4);
    const inside = (id: string) => ranges.some(([low, high]) => orderKeyFromId(id)!.idsk >= low && orderKeyFromId(id)!.idsk <= high);
    for (const id of ["261103-0000-0000", "261104-9999-9999", "261103-00000", "261104-99999"]) expect(inside(id), id).toBe(true);
    for (const id of ["261102-9999-9999", "261105-0000-0000", "261102-99999", "261105-00000"]) expect(inside(id), id).toBe(false);
    expect(ranges[0]![0]).toBeGreaterThan(ranges[1]![1]);
  });

  it("lists month partitions newest first across a year boundary", () => {
    expect(monthsBetween({ year: 2025, month: 11, day: 15 }, { year: 2026, month: 2, day: 1 })).toEqual([
      { year: 2026, month: 2 },
      { year: 2026, month: 1 },
      { year: 2025, month: 12 },
      { year: 2025, month: 11 },
    ]);
    expect(taipeiDate(new Date("2025-12-31T16:00:00Z"))).toEqual({ year: 2026, month: 1, day: 1 });
  });
});
