import { ecpayNack } from "../ecpay";
import { ecpayEndpoint } from "../lib/ecpay-endpoint";
import { handleLogisticsStatus } from "../services/logistics";

/** ECPay Logistics' ServerReplyURL (public, verified by an MD5 CheckMacValue: the only route that accepts MD5). */
export const handler = ecpayEndpoint("ecpay-logistics", (body) => handleLogisticsStatus(body), ecpayNack);
