import { readCatalogRevision } from "../lib/content";
import { json, jsonEndpoint } from "../lib/http";

export const handler = jsonEndpoint("admin-get-products", async () => {
  const { catalog, revision } = await readCatalogRevision();
  return json(200, { products: catalog.products, revision });
});
