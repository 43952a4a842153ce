import { readCatalog } from "../lib/content";
import { json, jsonEndpoint } from "../lib/http";

export const handler = jsonEndpoint("admin-get-products", async () => {
  const catalog = await readCatalog();
  return json(200, { products: catalog.products });
});
