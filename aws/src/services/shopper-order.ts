/**
 * A shopper reaches their order with its id and their mobile phone. One answer for "no such order" and "wrong
 * phone", compared in constant time, so neither route can be used to probe order ids.
 */
import { timingSafeEqual } from "node:crypto";
import type { Order } from "../contract";
import { ApiError } from "../lib/http";
import { addLogContext } from "../lib/logger";
import { getOrder } from "../lib/orders-repo";

export const shopperOrderNotFound = () => new ApiError("not_found", "查無此訂單，請確認訂單編號與手機號碼。");

export async function orderForShopper(id: string, phone: string): Promise<Order> {
  addLogContext({ orderId: id });
  const stored = await getOrder(id);
  if (!stored || !samePhone(stored.customer.phone, phone)) throw shopperOrderNotFound();
  const { idempotencyKey: _k, bodyHash: _h, ...order } = stored;
  return order;
}

function samePhone(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
