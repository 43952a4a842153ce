import { describe, expect, it } from "vitest";
import { idskRangeForDays, monthsBetween, newOrderId, orderIdFromKey, orderKeyFromId } from "./order-id";
import { taipeiDate } from "./taipei-time";

describe("order ids", () => {
  it("uses the Taipei calendar day, not UTC", () => {
    // 2026-11-30 17:30 UTC is already 1 December in Taipei.
    const id = newOrderId(new Date("2026-11-30T17:30:00Z"), 42);
    expect(id).toBe("261201-00042");
    expect(orderKeyFromId(id)).toEqual({ ordertype: "order#202612", idsk: 100042 });
  });

  it("maps an id to its key and back", () => {
    for (const id of ["261127-04831", "260101-00000", "261231-99999"]) {
      const key = orderKeyFromId(id);
      expect(key).not.toBeNull();
      expect(orderIdFromKey(key!)).toBe(id);
    }
  });

  it("rejects ids that are not real dates or not the right shape", () => {
    for (const id of ["260230-00001", "261301-00001", "261100-00001", "26112-04831", "261127-4831", "261127_04831", ""]) {
      expect(orderKeyFromId(id), id).toBeNull();
    }
  });

  it("generates five-digit serials within a day's idsk range", () => {
    const [low, high] = idskRangeForDays(27, 27);
    for (let i = 0; i < 200; i++) {
      const key = orderKeyFromId(newOrderId(new Date("2026-11-27T03:00:00Z")))!;
      expect(key.idsk).toBeGreaterThanOrEqual(low);
      expect(key.idsk).toBeLessThanOrEqual(high);
    }
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
