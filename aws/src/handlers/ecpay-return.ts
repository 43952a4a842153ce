import { ecpayNack } from "../ecpay";
import { ecpayEndpoint } from "../lib/ecpay-endpoint";
import { handlePaymentResult } from "../services/ecpay-callbacks";

/** ECPay ReturnURL (public, verified by CheckMacValue). */
export const handler = ecpayEndpoint("ecpay-return", handlePaymentResult, ecpayNack);
