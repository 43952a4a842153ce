/**
 * Branch previews: the storefront tells the API the origin the shopper is on, and ECPay sends the shopper back
 * there, but only to origins on the API's allowlist (the local stack allows https://*.taiwan-shop.pages.dev, as
 * staging does; see global-setup.ts). A foreign origin is a 400 with a reason and leaves nothing behind.
 */
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { dynamoClient, orderRequest, stack, storefront } from "./support";

const PREVIEW = "https://feature-x.taiwan-shop.pages.dev";

async function itemCount(): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamoClient().send(
      new ScanCommand({
        TableName: stack().tableName,
        Select: "COUNT",
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The shopper's browser at ECPay: post the checkout form, pay with the test card, read where ECPay sends them. */
async function payByCardAtSandbox(
  fields: Record<string, string>,
): Promise<{ action: string; fields: Record<string, string> }> {
  const checkout = await fetch(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  expect(checkout.status).toBe(200);
  const cardForm = /action="(\/Payment\/[^"]+\/credit)"/.exec(await checkout.text());
  expect(cardForm, "the sandbox's card form").not.toBeNull();
  const paid = await fetch(`${stack().ecpayUrl}${cardForm![1]}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ cardNumber: "4311-9522-2222-2222", expiry: "12/39", cvv: "222" }).toString(),
  });
  const page = await paid.text();
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page);
  expect(form, "the auto-posting form back to the shop").not.toBeNull();
  const decode = (s: string) =>
    s
      .replace(/&amp;/g, "&")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">");
  const hidden = Object.fromEntries(
    [...form![2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      decode(m[1]!),
      decode(m[2]!),
    ]),
  );
  return { action: decode(form![1]!), fields: hidden };
}

describe("storefront origins (branch previews)", () => {
  it("sends a card shopper from an allowed preview back to that preview's order page, through ECPay", async () => {
    const request = orderRequest({ paymentMethod: "credit", origin: PREVIEW });
    const created = await storefront.post("/order", request);
    expect(created.status).toBe(201);
    const { order, payment } = created.body;
    expect(order.origin).toBe(PREVIEW);
    expect(payment.fields.OrderResultURL).toBe(`${PREVIEW}/orders/${order.id}/return`);
    expect(payment.fields.ClientBackURL).toBe(`${PREVIEW}/orders/${order.id}`);

    // A retry of the same checkout answers the same form, byte for byte.
    const replay = await storefront.post("/order", request);
    expect(replay.body.payment).toEqual(payment);

    const back = await payByCardAtSandbox(payment.fields);
    expect(back.action).toBe(`${PREVIEW}/orders/${order.id}/return`);
    expect(back.fields).toMatchObject({ MerchantTradeNo: payment.fields.MerchantTradeNo, RtnCode: "1" });
  });

  it("uses the preview for an ATM order's way back too, and the default storefront when no origin is given", async () => {
    const atm = (await storefront.post("/order", orderRequest({ paymentMethod: "atm", origin: PREVIEW }))).body;
    expect(atm.payment.fields.ClientBackURL).toBe(`${PREVIEW}/orders/${atm.order.id}`);

    const plain = (await storefront.post("/order", orderRequest({ paymentMethod: "credit" }))).body;
    expect(plain.order.origin).toBeUndefined();
    expect(plain.payment.fields.OrderResultURL).toBe(`http://127.0.0.1:8788/orders/${plain.order.id}/return`);
  });

  it("refuses a foreign origin with 400 and a reason, and stores nothing (no order, no idempotency record)", async () => {
    const before = await itemCount();
    for (const origin of [
      "https://evil.example",
      "https://taiwan-shop.pages.dev.evil.example",
      "https://a.b.taiwan-shop.pages.dev",
    ]) {
      const request = orderRequest({ paymentMethod: "credit", origin });
      const refused = await storefront.post("/order", request);
      expect(refused.status, origin).toBe(400);
      expect(refused.body.error.code).toBe("bad_request");
      expect(refused.body.error.message).toContain("not one of this shop's storefronts");
      expect(refused.body.error.fields).toEqual({ origin: "not an allowed storefront origin" });
      const claim = await dynamoClient().send(
        new GetCommand({ TableName: stack().tableName, Key: { ordertype: `idem#${request.idempotencyKey}`, idsk: 0 } }),
      );
      expect(claim.Item).toBeUndefined();
    }
    // Not an origin at all (a path, a script URL): refused by the contract, also 400.
    for (const origin of ["https://feature-x.taiwan-shop.pages.dev/orders", "javascript:alert(1)"]) {
      const refused = await storefront.post("/order", orderRequest({ origin }));
      expect(refused.status, origin).toBe(400);
      expect(Object.keys(refused.body.error.fields)).toEqual(["origin"]);
    }
    expect(await itemCount()).toBe(before);
  });

  it("pay again follows the preview it is asked from, and refuses a foreign one", async () => {
    const request = orderRequest({ paymentMethod: "credit", origin: PREVIEW });
    const { order, payment } = (await storefront.post("/order", request)).body;
    // The shopper left ECPay without paying and comes back to pay from another preview of the same project.
    await fetch(`${stack().ecpayUrl}/Cashier/AioCheckOut/V5`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(payment.fields).toString(),
    });
    await fetch(`${stack().ecpayUrl}/__sandbox/trades/${payment.fields.MerchantTradeNo}/abandon`, { method: "POST" });

    const foreign = await storefront.post("/order/payment", {
      id: order.id,
      phone: request.customer.phone,
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.fields).toEqual({ origin: "not an allowed storefront origin" });
    // Refused before anything changed: still the first attempt.
    const unchanged = await storefront.get(`/order?id=${order.id}&phone=${request.customer.phone}`);
    expect(unchanged.body.order.payment.merchantTradeNo).toBe(payment.fields.MerchantTradeNo);

    const other = "https://other-branch.taiwan-shop.pages.dev";
    const again = await storefront.post("/order/payment", {
      id: order.id,
      phone: request.customer.phone,
      origin: other,
    });
    expect(again.status).toBe(200);
    expect(again.body.payment.fields.OrderResultURL).toBe(`${other}/orders/${order.id}/return`);
  });
});
