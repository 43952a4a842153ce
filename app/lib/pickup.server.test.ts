import { describe, expect, it } from "vitest";
import { testEnv } from "../../worker/test/helpers";
import type { BffContext } from "../../worker/context";
import { pickupDraftHeader } from "../../worker/cookies.server";
import { pickupReturn, readStoreTicket, receiveStore, signStoreTicket } from "./pickup.server";

const env = testEnv();
const bff = { env } as unknown as BffContext;
const STORE = { chain: "unimart", id: "131386", name: "建盛門市", address: "台北市南港區三重路19-2號" } as const;
const TOKEN = "abcdefgh12345678";

const mapReply = (fields: Record<string, string>) =>
  new Request("http://127.0.0.1:8788/checkout/store", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://logistics-stage.ecpay.com.tw" },
    body: new URLSearchParams(fields),
  });
const REPLY = {
  MerchantID: "2000933",
  MerchantTradeNo: "",
  LogisticsSubType: "UNIMARTC2C",
  CVSStoreID: "131386",
  CVSStoreName: "建盛門市",
  CVSAddress: "台北市南港區三重路19-2號",
  CVSTelephone: "",
  CVSOutSide: "0",
  ExtraData: TOKEN,
};

describe("store tickets (the map's reply, signed for one checkout)", () => {
  it("round-trip for their token only; any change to the payload or the MAC is refused", async () => {
    const ticket = await signStoreTicket(env.SESSION_SECRET, TOKEN, STORE);
    expect(await readStoreTicket(env.SESSION_SECRET, ticket, TOKEN)).toEqual(STORE);
    expect(await readStoreTicket(env.SESSION_SECRET, ticket)).toEqual(STORE);
    expect(await readStoreTicket(env.SESSION_SECRET, ticket, "x".repeat(16))).toBeNull();
    expect(await readStoreTicket("another-secret-another-secret-123", ticket, TOKEN)).toBeNull();
    const [payload, mac] = ticket.split(".") as [string, string];
    const other = await signStoreTicket(env.SESSION_SECRET, TOKEN, { ...STORE, id: "006598", chain: "fami" });
    expect(await readStoreTicket(env.SESSION_SECRET, `${other.split(".")[0]}.${mac}`, TOKEN)).toBeNull();
    const flipped = `${payload.slice(0, 10)}${payload[10] === "A" ? "B" : "A"}${payload.slice(11)}`;
    expect(await readStoreTicket(env.SESSION_SECRET, `${flipped}.${mac}`, TOKEN)).toBeNull();
    expect(await readStoreTicket(env.SESSION_SECRET, "", TOKEN)).toBeNull();
  });
});

describe("the map's reply", () => {
  it("becomes a ticket in a 303 to checkout", async () => {
    const res = await receiveStore(bff, mapReply(REPLY));
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "", "http://x");
    const ticket = location.searchParams.get("store") ?? "";
    expect(await readStoreTicket(env.SESSION_SECRET, ticket, TOKEN)).toEqual(STORE);
  });

  it.each([
    ["no token", { ExtraData: "" }],
    ["a chain the shop does not use", { LogisticsSubType: "UNIMARTFREEZE" }],
    ["markup in the name", { CVSStoreName: "<b>x</b>" }],
    ["a store id with symbols", { CVSStoreID: "13'86" }],
  ])("%s: back to checkout asking again", async (_label, patch) => {
    const res = await receiveStore(bff, mapReply({ ...REPLY, ...patch }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/checkout?pickup=store");
  });

  it("is accepted at checkout only by the browser whose checkout asked for it", async () => {
    const ticket = await signStoreTicket(env.SESSION_SECRET, TOKEN, STORE);
    const cookie = (await pickupDraftHeader(env, { token: TOKEN, fields: { name: "王小明" } })).split(";")[0] ?? "";
    const mine = await pickupReturn(
      bff,
      new Request(`http://127.0.0.1:8788/checkout?store=${encodeURIComponent(ticket)}`, { headers: { cookie } }),
    );
    expect(mine).toMatchObject({ store: STORE, values: { name: "王小明" }, problem: null });
    const stranger = await pickupReturn(
      bff,
      new Request(`http://127.0.0.1:8788/checkout?store=${encodeURIComponent(ticket)}`),
    );
    expect(stranger).toMatchObject({ store: null, ticket: null });
    expect(stranger?.problem).toContain("重新選擇門市");
  });
});
