/**
 * Wraps a function run by an EventBridge schedule: every line of the run carries its request id and the rule
 * (`route: "schedule shop-prod-reconciler"`), and the run ends with one line saying how it went. An error is logged
 * and rethrown, so Lambda counts it (the function's Errors alarm) — the schedule runs it again at the next rate.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { currentLogContext, logger, withLogContext } from "./logger";

export function scheduledHandler<T>(
  name: string,
  run: (event: ScheduledEvent, context: Context) => Promise<T>,
): (event: ScheduledEvent, context: Context) => Promise<T> {
  return (event, context) => {
    const rule = event?.resources?.[0]?.split("/").pop() ?? "manual";
    return withLogContext({ requestId: context?.awsRequestId, route: `schedule ${rule}` }, async () => {
      const started = Date.now();
      try {
        const result = await run(event, context);
        logger.info(`${name} run done`, {
          outcome: currentLogContext().outcome ?? "ok",
          durationMs: Date.now() - started,
        });
        return result;
      } catch (error) {
        logger.error(`${name} run failed`, { outcome: "internal_error", error, durationMs: Date.now() - started });
        throw error;
      }
    });
  };
}
