import { orderIdSchema } from "../contract";
import { json, jsonEndpoint, parseWith } from "../lib/http";
import { requireOrder } from "../services/admin-orders";

export const handler = jsonEndpoint("admin-get-order", async (event) => {
  const id = parseWith(orderIdSchema, event.pathParameters?.id, "order id");
  return json(200, { order: await requireOrder(id) });
});
