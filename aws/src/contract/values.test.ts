import { describe, expect, it } from "vitest";
import { normaliseOrderId, ORDER_ID_PATTERN } from "./values";

describe("order ids as typed", () => {
  it("accepts current (eight-digit) and legacy (five-digit) ids, nothing else", () => {
    for (const id of ["261127-4831-0926", "261127-04831"]) expect(ORDER_ID_PATTERN.test(id), id).toBe(true);
    for (const id of ["261127-48310926", "261127-4831-092", "26112748310926", "261127-0483", "x261127-04831"]) {
      expect(ORDER_ID_PATTERN.test(id), id).toBe(false);
    }
  });

  it("puts back the dashes a phone's number pad cannot type, and reads full-width digits and dashes", () => {
    expect(normaliseOrderId("26112748310926")).toBe("261127-4831-0926");
    expect(normaliseOrderId(" 261127 4831 0926 ")).toBe("261127-4831-0926");
    expect(normaliseOrderId("２６１１２７－４８３１－０９２６")).toBe("261127-4831-0926");
    expect(normaliseOrderId("261127‐4831–0926")).toBe("261127-4831-0926");
    expect(normaliseOrderId("26112704831")).toBe("261127-04831");
    // Anything that is not 11 or 14 digits comes back as typed, for the pattern to refuse.
    for (const typed of ["2611274831092", "abc", "261127-4831-0926-1"]) expect(normaliseOrderId(typed)).toBe(typed);
  });
});
