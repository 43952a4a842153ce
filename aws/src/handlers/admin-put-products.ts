import { adminProductsSchema, catalogSchema } from "../contract";
import { writeCatalog } from "../lib/content";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

export const handler = jsonEndpoint("admin-put-products", async (event) => {
  const { products, revision } = parseWith(adminProductsSchema, jsonBody(event), "products");
  // The catalog schema adds the cross-product rules (unique ids).
  const catalog = parseWith(catalogSchema, { products }, "catalog");
  const saved = await writeCatalog(catalog, revision);
  return json(200, { products: saved.catalog.products, revision: saved.revision });
});
