import { createOrderRequestSchema } from "../contract";
import { ecpayMerchant } from "../lib/config";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { createOrder } from "../services/create-order";
import { apiBaseUrl, paymentRedirect, requestedStorefrontOrigin } from "../services/payment";

export const handler = jsonEndpoint("create-order", async (event) => {
  const request = parseWith(createOrderRequestSchema, jsonBody(event), "order");
  const origin = requestedStorefrontOrigin(request.origin);
  const { order } = await createOrder({ ...request, ...(origin ? { origin } : {}) });
  const payment =
    order.paymentMethod === "cod"
      ? null
      : paymentRedirect(order, await ecpayMerchant(), { apiBaseUrl: apiBaseUrl(event.requestContext.domainName) });
  return json(201, { order, payment });
});
