/**
 * Turns an order into the ECPay checkout form the shopper's browser posts. The fields are rebuilt from what is
 * stored on the order (MerchantTradeNo, trade date), so an idempotent retry returns byte-identical fields.
 */
import type { Order, PaymentRedirect } from "../contract";
import { canonicalOrigin, originAllowed, parseOriginAllowlist } from "../domain/storefront-origin";
import { ECPAY_CHECKOUT_PATH, buildCheckoutFields } from "../ecpay";
import { type EcpayMerchant, lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";

export interface CallbackUrls {
  /** Base URL of this API as ECPay's servers reach it. */
  apiBaseUrl: string;
  /** The storefront to send the shopper back to, when not the order's own (pay again from another preview). */
  storefrontOrigin?: string;
}

/**
 * The storefront origin a request asks ECPay to send the shopper back to, checked against the allowlist
 * (StorefrontUrl + ALLOWED_ORIGINS); undefined when none was asked for (the default storefront). Anything else is a
 * 400 before anything is stored: the API never sends a shopper to a site it does not know.
 */
export function requestedStorefrontOrigin(requested: string | undefined): string | undefined {
  if (requested === undefined) return undefined;
  const env = lambdaEnv();
  const origin = canonicalOrigin(requested);
  const rules = parseOriginAllowlist(`${env.STOREFRONT_URL.replace(/\/$/, "")},${env.ALLOWED_ORIGINS}`);
  if (!origin || !originAllowed(origin, rules)) {
    throw new ApiError(
      "bad_request",
      `origin ${requested} is not one of this shop's storefronts; ECPay returns shoppers only to those`,
      {
        fields: { origin: "not an allowed storefront origin" },
      },
    );
  }
  return origin;
}

/** The API's public base URL: configured, or the API Gateway domain this request arrived on. */
export function apiBaseUrl(domainName: string | undefined): string {
  const configured = lambdaEnv().PUBLIC_API_URL;
  if (configured) return configured.replace(/\/$/, "");
  if (!domainName) throw new Error("cannot tell the API's public URL: set PUBLIC_API_URL");
  return `https://${domainName}`;
}

export function paymentRedirect(order: Order, merchant: EcpayMerchant, urls: CallbackUrls): PaymentRedirect | null {
  if (order.paymentMethod === "cod" || !order.payment) return null;
  const env = lambdaEnv();
  const storefront = (urls.storefrontOrigin ?? order.origin ?? env.STOREFRONT_URL).replace(/\/$/, "");
  const orderPage = `${storefront}/orders/${order.id}`;
  const fields = buildCheckoutFields({
    merchantId: merchant.merchantId,
    keys: { hashKey: merchant.hashKey, hashIV: merchant.hashIV },
    merchantTradeNo: order.payment.merchantTradeNo,
    // Each attempt's number has its own trade date; the first attempt's is the order's.
    tradeDate: new Date(order.payment.issuedAt ?? order.createdAt),
    totalAmount: order.total,
    // Fees are lines of their own on ECPay's receipt too, so the items add up to TotalAmount.
    items: [
      ...order.lines.map((line) => ({ name: line.name, unitPrice: line.unitPrice, quantity: line.quantity })),
      ...(order.fees ?? []).map((fee) => ({ name: fee.name, unitPrice: fee.amount, quantity: 1 })),
    ],
    tradeDesc: `訂單 ${order.id}`,
    paymentMethod: order.paymentMethod,
    returnUrl: `${urls.apiBaseUrl}/ecpay`,
    ...(order.paymentMethod === "atm"
      ? { paymentInfoUrl: `${urls.apiBaseUrl}/ecpay/payment-info`, clientBackUrl: orderPage }
      : // The browser comes back with a POST that carries no session cookie; the storefront turns it into a GET.
        { orderResultUrl: `${orderPage}/return`, clientBackUrl: orderPage }),
    customField1: order.id,
  });
  return { action: `${env.ECPAY_GATEWAY_URL.replace(/\/$/, "")}${ECPAY_CHECKOUT_PATH}`, fields };
}
