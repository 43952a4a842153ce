/**
 * Answers carry exactly the contract's fields: nothing the table stores for its own use (keys, the phone copy, the
 * idempotency key and body hash) may leak into an order. schemathesis found the owner's transition answering with
 * `idempotencyKey` and `bodyHash`; these checks keep every order-returning route honest.
 */
import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/contract";
import { orderRequest, stack } from "../support";
import { apiClient } from "./support";

const CONTRACT_FIELDS = new Set(Object.keys(orderSchema.shape));

function onlyContractFields(order: Record<string, unknown>) {
  expect(Object.keys(order).filter((key) => !CONTRACT_FIELDS.has(key))).toEqual([]);
}

describe("orders in answers", () => {
  it("carry only the contract's fields on every route that returns one", async () => {
    const storefront = apiClient(stack(), "storefront");
    const admin = apiClient(stack(), "admin");
    const request = orderRequest({ paymentMethod: "cod" });
    const created = await storefront.post("/order", request);
    expect(created.status).toBe(201);
    const id = created.body.order.id as string;

    const answers = [
      created.body.order,
      (await storefront.post("/order", request)).body.order, // idempotent replay
      (await storefront.get(`/order?id=${id}&phone=${request.customer.phone}`)).body.order,
      (await admin.get(`/admin/orders/${id}`)).body.order,
      (await admin.post(`/admin/orders/${id}/transition`, { to: "shipped" })).body.order,
      (await admin.post(`/admin/orders/${id}/transition`, { to: "shipped" })).body.order, // already there
      ...(await admin.get(`/admin/orders?phone=${request.customer.phone}`)).body.orders,
    ];
    for (const order of answers) onlyContractFields(order);
    expect(answers.at(-1).status).toBe("shipped");
  });
});
