import { getOrderQuerySchema } from "../contract";
import { json, jsonEndpoint, queryParams } from "../lib/http";
import { orderForShopper, shopperOrderNotFound } from "../services/shopper-order";

export const handler = jsonEndpoint("get-order", async (event) => {
  const query = getOrderQuerySchema.safeParse(queryParams(event));
  if (!query.success) throw shopperOrderNotFound();
  return json(200, { order: await orderForShopper(query.data.id, query.data.phone) });
});
