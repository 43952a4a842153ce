import { retryPaymentRequestSchema } from "../contract";
import { ecpayMerchant } from "../lib/config";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { apiBaseUrl, paymentRedirect } from "../services/payment";
import { retryPayment } from "../services/retry-payment";
import { orderForShopper } from "../services/shopper-order";

export const handler = jsonEndpoint("retry-payment", async (event) => {
  const { id, phone } = parseWith(retryPaymentRequestSchema, jsonBody(event), "payment request");
  const { order, payable } = await retryPayment(await orderForShopper(id, phone));
  const payment = payable
    ? paymentRedirect(order, await ecpayMerchant(), { apiBaseUrl: apiBaseUrl(event.requestContext.domainName) })
    : null;
  return json(200, { order, payment });
});
