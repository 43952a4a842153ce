/**
 * SES down: orders and ECPay's callbacks complete as if nothing were wrong, the emails wait in the outbox (retried
 * with back-off, the failure recorded), and once SES is back each goes out exactly once. A stack of this file's own,
 * so taking its SES stand-in down touches no other test.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMailbox } from "../../local/ses";
import { type LocalStack, localRuntime, startLocalStack } from "../../local/stack";
import { orderKeyFromId } from "../../src/domain/order-id";
import { ecpayForm, orderRequest, paidNotification, uniqueEmail } from "../support";
import { type ApiClient, apiClient, documentClient, eventually } from "./support";

let stack: LocalStack;
let storefront: ApiClient;
let ecpay: ApiClient;

beforeAll(async () => {
  // Always a dynalite of its own, even when the suite runs against another DynamoDB (TEST_DYNAMODB_ENDPOINT): with a
  // shared table the shared stack's outbox worker, whose SES is up, would send these emails.
  stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    schedules: { intervalMs: 150, functions: ["OutboxWorkerFunction"] },
    mailRetryBaseMs: 100,
  });
  storefront = apiClient(stack, "storefront");
  ecpay = apiClient(stack, "unsigned");
});
afterAll(() => stack?.close());

async function mailRecord(orderId: string, event: string) {
  const client = documentClient(stack);
  try {
    const item = await client.send(
      new GetCommand({ TableName: stack.tableName, Key: orderKeyFromId(orderId)!, ConsistentRead: true }),
    );
    return item.Item?.[`mail_${event}`] as { state: string; attempts: number; lastError?: string } | undefined;
  } finally {
    client.destroy();
  }
}

describe("SES down", () => {
  it("orders and callbacks complete; the emails go out once each when SES is back", async () => {
    const ses = localRuntime(stack).ses;
    await ses.stop();
    const email = uniqueEmail("ses-down");
    const customer = { ...orderRequest().customer, email };

    const cod = await storefront.post("/order", orderRequest({ paymentMethod: "cod", customer }));
    expect(cod.status).toBe(201);
    const card = await storefront.post("/order", orderRequest({ paymentMethod: "credit", customer }));
    expect(card.status).toBe(201);
    const paid = await ecpay.post(
      "/ecpay",
      ecpayForm(paidNotification(card.body.payment.fields.MerchantTradeNo, card.body.order.total)),
    );
    expect(paid.text).toBe("1|OK");

    // The worker keeps trying, recording why, and never gives up within the test.
    const record = await eventually(async () => {
      const r = await mailRecord(cod.body.order.id, "received");
      return r && r.attempts >= 2 ? r : undefined;
    });
    expect(["pending", "sending"]).toContain(record.state); // between tries, or mid-try
    expect(record.lastError).toBeTruthy();
    const storedOrder = (await storefront.get(`/order?id=${card.body.order.id}&phone=${customer.phone}`)).body.order;
    expect(storedOrder.status).toBe("paid");

    await ses.start();
    const expected = [
      `【小島良品】訂單 ${cod.body.order.id} 已成立`,
      `【小島良品】訂單 ${card.body.order.id} 已成立`,
      `【小島良品】訂單 ${card.body.order.id} 付款完成`,
    ];
    await eventually(async () => {
      const mine = (await readMailbox(stack.sesUrl)).filter((m) => m.destination.to.includes(email));
      return mine.length >= expected.length ? true : undefined;
    }, 20_000);
    // Several more runs: nothing is sent twice.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const mine = (await readMailbox(stack.sesUrl)).filter((m) => m.destination.to.includes(email));
    expect(mine.map((m) => m.subject).sort()).toEqual([...expected].sort());
    const owner = (await readMailbox(stack.sesUrl)).filter(
      (m) =>
        m.destination.to.includes("owner@example.tw") &&
        (m.subject.includes(cod.body.order.id) || m.subject.includes(card.body.order.id)),
    );
    expect(owner).toHaveLength(2);
    expect((await mailRecord(cod.body.order.id, "received"))?.state).toBe("sent");
  });
});
