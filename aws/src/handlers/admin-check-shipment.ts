import { orderIdSchema } from "../contract";
import { json, jsonEndpoint, parseWith } from "../lib/http";
import { checkShipment } from "../services/logistics";

/** The owner's "check now": ECPay's current status of a store-pickup shipment, applied like a notification. */
export const handler = jsonEndpoint("admin-check-shipment", async (event) => {
  const id = parseWith(orderIdSchema, event.pathParameters?.id, "order id");
  return json(200, await checkShipment(id));
});
