/**
 * ECPay's public staging merchant (developers.ecpay.com.tw/?p=16447). These keys are published
 * for everyone's testing and are the documented local default; real keys never belong in code.
 */
export const ECPAY_STAGE_MERCHANT = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIV: "EkRm7iFT261dpevs",
} as const;
