/**
 * Asking ECPay (QueryTradeInfo) about one checkout attempt, as reconcile, pay again and the scheduled reconciler do:
 * with the merchant's keys from SSM. `askEcpay` turns ECPay being unreachable or answering nonsense into a 502 for an
 * API caller; `queryTrade` leaves the EcpayError (HTTP status, timeout…) to the reconciler, which backs off on it.
 */
import { EcpayError, queryTradeInfo } from "../ecpay";
import { ecpayMerchant, lambdaEnv } from "../lib/config";
import { ApiError } from "../lib/http";

export type TradeInfo = Awaited<ReturnType<typeof queryTradeInfo>>;

export async function queryTrade(merchantTradeNo: string, now: Date, timeoutMs?: number): Promise<TradeInfo> {
  const merchant = await ecpayMerchant();
  return queryTradeInfo({
    gatewayBaseUrl: lambdaEnv().ECPAY_GATEWAY_URL,
    merchantId: merchant.merchantId,
    keys: merchant,
    merchantTradeNo,
    now,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

export async function askEcpay(merchantTradeNo: string, now: Date): Promise<TradeInfo> {
  try {
    return await queryTrade(merchantTradeNo, now);
  } catch (error) {
    if (error instanceof EcpayError)
      throw new ApiError("upstream_error", `ECPay QueryTradeInfo failed: ${error.message}`);
    throw error;
  }
}

/** The answer carried `SimulatePaid=1` (ECPay does not document it for QueryTradeInfo; honoured if present). */
export function isSimulated(trade: Pick<TradeInfo, "raw">): boolean {
  return trade.raw.SimulatePaid === "1";
}

/** The payment record a paid QueryTradeInfo answer stands for. */
export function paymentFrom(trade: Pick<TradeInfo, "tradeNo" | "paymentType" | "paymentDate" | "raw">) {
  return {
    tradeNo: trade.tradeNo,
    paymentType: trade.paymentType,
    paymentDate: trade.paymentDate,
    simulated: isSimulated(trade),
  };
}
