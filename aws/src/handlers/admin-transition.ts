import { adminTransitionRequestSchema, orderIdSchema } from "../contract";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { transitionByOwner } from "../services/admin-orders";

export const handler = jsonEndpoint("admin-transition", async (event) => {
  const id = parseWith(orderIdSchema, event.pathParameters?.id, "order id");
  const { to, note, shipment } = parseWith(adminTransitionRequestSchema, jsonBody(event), "transition");
  return json(200, { order: await transitionByOwner(id, to, note, shipment) });
});
