import { cvsMapRequestSchema } from "../contract";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";
import { cvsMapForm } from "../services/logistics";
import { requestedStorefrontOrigin } from "../services/payment";

/** The form that opens ECPay's store map (storefront). */
export const handler = jsonEndpoint("cvs-map", async (event) => {
  const request = parseWith(cvsMapRequestSchema, jsonBody(event), "store map request");
  const origin = requestedStorefrontOrigin(request.origin);
  return json(200, await cvsMapForm({ ...request, ...(origin ? { origin } : {}) }));
});
