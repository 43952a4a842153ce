import { adminListOrdersQuerySchema } from "../contract";
import { json, jsonEndpoint, parseWith, queryParams } from "../lib/http";
import { listForOwner } from "../services/admin-orders";

export const handler = jsonEndpoint("admin-list-orders", async (event) => {
  const query = parseWith(adminListOrdersQuerySchema, queryParams(event), "query");
  return json(200, await listForOwner(query));
});
