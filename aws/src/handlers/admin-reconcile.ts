import { orderIdSchema } from "../contract";
import { json, jsonEndpoint, parseWith } from "../lib/http";
import { reconcileOrder } from "../services/admin-orders";

export const handler = jsonEndpoint("admin-reconcile", async (event) => {
  const id = parseWith(orderIdSchema, event.pathParameters?.id, "order id");
  return json(200, await reconcileOrder(id));
});
