import { describe, expect, it } from "vitest";
import {
  advancesStage,
  chainOfSubType,
  chainsFor,
  cvsAmountProblem,
  logisticsSubType,
  meaningOfStatus,
  receiverNameProblem,
  shipmentInProgress,
} from "./pickup";

describe("chains and ECPay subtypes per account", () => {
  it("offers OK mart on C2C only, and maps both ways", () => {
    expect(chainsFor("C2C")).toEqual(["unimart", "fami", "hilife", "okmart"]);
    expect(chainsFor("B2C")).toEqual(["unimart", "fami", "hilife"]);
    expect(logisticsSubType("C2C", "unimart")).toBe("UNIMARTC2C");
    expect(logisticsSubType("B2C", "okmart")).toBeUndefined();
    expect(chainOfSubType("FAMI")).toBe("fami");
    expect(chainOfSubType("OKMARTC2C")).toBe("okmart");
    expect(chainOfSubType("UNIMARTFREEZE")).toBeUndefined();
  });
});

describe("amount ECPay carries and collects: NT$1–20,000", () => {
  it("at the edges", () => {
    expect(cvsAmountProblem(1)).toBeNull();
    expect(cvsAmountProblem(20_000)).toBeNull();
    expect(cvsAmountProblem(20_001)).toMatch(/20,000/);
    expect(cvsAmountProblem(0)).not.toBeNull();
  });
});

describe("receiver name as on the ID: 2–5 CJK or 4–10 Latin letters", () => {
  it("at the edges", () => {
    for (const ok of ["王明", "王小明", "歐陽娜娜娜", "Anna", "Christophe"]) expect(receiverNameProblem(ok)).toBeNull();
    for (const bad of ["王", "歐陽娜娜娜娜", "Ann", "Christopher", "John Smith", "王 小明", "王小明2", "Ann-Li", ""]) {
      expect(receiverNameProblem(bad)).not.toBeNull();
    }
  });
});

describe("status codes", () => {
  it("reads each chain's arrival, pickup and return codes (the xlsx, not the skill guide's table)", () => {
    expect(meaningOfStatus("2063")).toEqual({ kind: "stage", stage: "at_store" });
    expect(meaningOfStatus("2073")).toEqual({ kind: "stage", stage: "at_store" });
    expect(meaningOfStatus("3018")).toEqual({ kind: "stage", stage: "at_store" });
    expect(meaningOfStatus("2067")).toEqual({ kind: "stage", stage: "picked_up" });
    expect(meaningOfStatus("3022")).toEqual({ kind: "stage", stage: "picked_up" });
    expect(meaningOfStatus("2074")).toEqual({ kind: "stage", stage: "returning" });
    expect(meaningOfStatus("3023")).toEqual({ kind: "stage", stage: "returned" });
    expect(meaningOfStatus("2037")).toEqual({ kind: "problem", problem: "store_closed" });
    expect(meaningOfStatus("4001")).toEqual({ kind: "info" });
  });

  it("moves forward only; the end stages are final", () => {
    expect(advancesStage("created", "at_store")).toBe(true);
    expect(advancesStage("at_store", "in_transit")).toBe(false);
    expect(advancesStage("at_store", "at_store")).toBe(false);
    expect(advancesStage("returning", "returned")).toBe(true);
    expect(advancesStage("picked_up", "returned")).toBe(false);
    expect(advancesStage("returned", "picked_up")).toBe(false);
  });

  it("a shipment can still move (the owner may ask ECPay) until picked up or returned, and only once ECPay has it", () => {
    expect(shipmentInProgress({ state: "created" })).toBe(true);
    for (const stage of ["created", "in_transit", "at_store", "returning"] as const)
      expect(shipmentInProgress({ state: "created", stage })).toBe(true);
    for (const stage of ["picked_up", "returned"] as const)
      expect(shipmentInProgress({ state: "created", stage })).toBe(false);
    expect(shipmentInProgress({ state: "requested" })).toBe(false);
    expect(shipmentInProgress({ state: "failed" })).toBe(false);
    expect(shipmentInProgress(undefined)).toBe(false);
  });
});
