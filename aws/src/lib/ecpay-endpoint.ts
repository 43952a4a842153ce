/**
 * ECPay callback endpoints answer plain text (`1|OK` or `0|reason`), always with HTTP 200 as ECPay expects.
 * A fault on our side answers `0|…` so ECPay delivers the notification again later; nothing is half-applied
 * because every write behind it is a single conditional update.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { rawBody, text, withRequestLog } from "./http";
import { addLogContext, currentLogContext, logger } from "./logger";

export function ecpayEndpoint(
  name: string,
  handle: (body: string) => Promise<string>,
  nack: (message: string) => string,
): (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  return (event, context) =>
    withRequestLog(event, context, async () => {
      try {
        const reply = await handle(rawBody(event));
        // The outcome the service recorded (paid, duplicate, refused…), else whether ECPay was acknowledged.
        if (!currentLogContext().outcome) addLogContext({ outcome: reply.startsWith("1|") ? "acknowledged" : "refused" });
        return text(200, reply);
      } catch (error) {
        addLogContext({ outcome: "internal_error" });
        logger.error(`${name} failed`, { error });
        return text(200, nack("temporary error, please retry"));
      }
    });
}
