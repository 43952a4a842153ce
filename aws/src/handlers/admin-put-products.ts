import { adminProductsSchema, catalogSchema } from "../contract";
import { writeCatalog } from "../lib/content";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

export const handler = jsonEndpoint("admin-put-products", async (event) => {
  const { products } = parseWith(adminProductsSchema, jsonBody(event), "products");
  // The catalog schema adds the cross-product rules (unique ids).
  const catalog = parseWith(catalogSchema, { products }, "catalog");
  const saved = await writeCatalog(catalog);
  return json(200, { products: saved.products });
});
