import { retryPaymentRequestSchema } from "../contract";
import { ecpayMerchant } from "../lib/config";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { apiBaseUrl, paymentRedirect, requestedStorefrontOrigin } from "../services/payment";
import { retryPayment } from "../services/retry-payment";
import { orderForShopper } from "../services/shopper-order";

export const handler = jsonEndpoint("retry-payment", async (event) => {
  const request = parseWith(retryPaymentRequestSchema, jsonBody(event), "payment request");
  const storefrontOrigin = requestedStorefrontOrigin(request.origin);
  const { order, payable } = await retryPayment(await orderForShopper(request.id, request.phone));
  const payment = payable
    ? paymentRedirect(order, await ecpayMerchant(), {
        apiBaseUrl: apiBaseUrl(event.requestContext.domainName),
        ...(storefrontOrigin ? { storefrontOrigin } : {}),
      })
    : null;
  return json(200, { order, payment });
});
