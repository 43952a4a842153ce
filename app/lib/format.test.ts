/** Prices and times as pages show them: the same text on the server and in any browser. */
import { describe, expect, it } from "vitest";
import { formatTaipeiDateTime, formatTwd } from "./format";

describe("formatting", () => {
  it("prints TWD without decimals", () => {
    expect(formatTwd(1280)).toBe("NT$1,280");
    expect(formatTwd(0)).toBe("NT$0");
  });

  it("prints times in Taipei whatever the runtime's zone", () => {
    expect(formatTaipeiDateTime("2026-11-27T16:05:00.000Z")).toBe("2026/11/28 00:05");
    expect(formatTaipeiDateTime("not a time")).toBe("not a time");
  });
});
