import { adminShipmentsRequestSchema } from "../contract";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { printShipments } from "../services/logistics";

/** The form that opens ECPay's labels or slips for these orders' shipments. */
export const handler = jsonEndpoint("admin-print-shipments", async (event) => {
  const { ids } = parseWith(adminShipmentsRequestSchema, jsonBody(event), "shipments");
  return json(200, await printShipments(ids));
});
