import { describe, expect, it } from "vitest";
import { TRANSITIONS } from "./order-state";
import { mailsOnCreate, mailsOnTransition } from "./notifications";

describe("emails per event", () => {
  it("confirms card and pay-on-arrival orders at once, ATM orders when the account is issued", () => {
    expect(mailsOnCreate("credit")).toEqual(["received"]);
    expect(mailsOnCreate("cod")).toEqual(["received", "owner_new"]);
    expect(mailsOnCreate("atm")).toEqual([]);
    expect(mailsOnTransition("created", "awaiting_payment")).toEqual(["received"]);
  });

  it("tells the shopper and the owner of a payment, but not of cash collected on arrival", () => {
    expect(mailsOnTransition("created", "paid")).toEqual(["paid", "owner_new"]);
    expect(mailsOnTransition("awaiting_payment", "paid")).toEqual(["paid", "owner_new"]);
    expect(mailsOnTransition("shipped", "paid")).toEqual([]);
  });

  it("has an email for every transition into shipped or cancelled, and every owner email follows a new paid or pay-on-arrival order", () => {
    for (const t of TRANSITIONS) {
      const mails = mailsOnTransition(t.from, t.to);
      if (t.to === "shipped") expect(mails).toEqual(["shipped"]);
      if (t.to === "cancelled") expect(mails).toEqual(["cancelled"]);
      if (mails.includes("owner_new")) expect(t.to).toBe("paid");
    }
  });
});
