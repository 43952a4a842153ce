import { json, jsonEndpoint } from "../lib/http";
import { publicStockLevels } from "../services/stock";

/** The storefront's view of the counts (tracked products only); it caches them briefly, orders re-check them. */
export const handler = jsonEndpoint("get-stock", async () => json(200, { stock: await publicStockLevels() }));
