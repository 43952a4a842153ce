import { ecpayNack } from "../ecpay";
import { ecpayEndpoint } from "../lib/ecpay-endpoint";
import { handlePaymentInfo } from "../services/ecpay-callbacks";

/** ECPay PaymentInfoURL (public, verified by CheckMacValue): an ATM virtual account was issued. */
export const handler = ecpayEndpoint("ecpay-payment-info", handlePaymentInfo, ecpayNack);
