/**
 * Asking ECPay (QueryTradeInfo) about one checkout attempt, as reconcile and pay-again both do: with the merchant's
 * keys from SSM, and ECPay being unreachable or answering nonsense as a 502 for our caller.
 */
import { EcpayError, queryTradeInfo } from "../ecpay";
import { ecpayMerchant, lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";

export type TradeInfo = Awaited<ReturnType<typeof queryTradeInfo>>;

export async function askEcpay(merchantTradeNo: string, now: Date): Promise<TradeInfo> {
  const merchant = await ecpayMerchant();
  try {
    return await queryTradeInfo({
      gatewayBaseUrl: lambdaEnv().ECPAY_GATEWAY_URL,
      merchantId: merchant.merchantId,
      keys: merchant,
      merchantTradeNo,
      now,
    });
  } catch (error) {
    if (error instanceof EcpayError) throw new ApiError("upstream_error", `ECPay QueryTradeInfo failed: ${error.message}`);
    throw error;
  }
}

/** The payment record a paid QueryTradeInfo answer stands for (never simulated: ECPay reports real money only). */
export function paymentFrom(trade: TradeInfo) {
  return { tradeNo: trade.tradeNo, paymentType: trade.paymentType, paymentDate: trade.paymentDate, simulated: false };
}
