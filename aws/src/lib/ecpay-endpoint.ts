/**
 * ECPay callback endpoints answer plain text (`1|OK` or `0|reason`), always with HTTP 200 as ECPay expects.
 * A fault on our side answers `0|…` so ECPay delivers the notification again later; nothing is half-applied
 * because every write behind it is a single conditional update.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { rawBody, text } from "./http";
import { logger } from "./logger";

export function ecpayEndpoint(
  name: string,
  handle: (body: string) => Promise<string>,
  nack: (message: string) => string,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    try {
      return text(200, await handle(rawBody(event)));
    } catch (error) {
      logger.error(`${name} failed`, { error });
      return text(200, nack("temporary error, please retry"));
    }
  };
}
