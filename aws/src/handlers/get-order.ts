import { timingSafeEqual } from "node:crypto";
import { getOrderQuerySchema } from "../contract";
import { ApiError, json, jsonEndpoint, queryParams } from "../lib/http";
import { getOrder } from "../lib/orders-repo";

// One answer for "no such order" and "wrong phone", so the lookup cannot be used to probe order ids.
const NOT_FOUND = () => new ApiError("not_found", "查無此訂單，請確認訂單編號與手機號碼。");

export const handler = jsonEndpoint("get-order", async (event) => {
  const query = getOrderQuerySchema.safeParse(queryParams(event));
  if (!query.success) throw NOT_FOUND();
  const stored = await getOrder(query.data.id);
  if (!stored || !samePhone(stored.customer.phone, query.data.phone)) throw NOT_FOUND();
  const { idempotencyKey: _k, bodyHash: _h, ...order } = stored;
  return json(200, { order });
});

function samePhone(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
