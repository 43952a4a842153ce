import { json, jsonEndpoint } from "../lib/http";
import { ownerStockLevels } from "../services/stock";

export const handler = jsonEndpoint("admin-get-stock", async () => json(200, { stock: await ownerStockLevels() }));
