import { adminPutStockRequestSchema, productIdSchema } from "../contract";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { setStockByOwner } from "../services/stock";

export const handler = jsonEndpoint("admin-put-stock", async (event) => {
  const productId = parseWith(productIdSchema, event.pathParameters?.id, "product id");
  const { stock, expected } = parseWith(adminPutStockRequestSchema, jsonBody(event), "stock");
  return json(200, await setStockByOwner(productId, stock, expected));
});
