import { adminShipmentsRequestSchema } from "../contract";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { createShipments } from "../services/logistics";
import { apiBaseUrl } from "../services/payment";

/** Creates the ECPay logistics orders of store-pickup orders (one, or several at once). */
export const handler = jsonEndpoint("admin-create-shipments", async (event) => {
  const { ids } = parseWith(adminShipmentsRequestSchema, jsonBody(event), "shipments");
  return json(200, { results: await createShipments(ids, apiBaseUrl(event.requestContext.domainName)) });
});
