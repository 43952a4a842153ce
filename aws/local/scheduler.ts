/**
 * The local stand-in for EventBridge schedules: every function with a SAM `Schedule` event in aws/template.yaml runs
 * on its rate (or a shorter local interval), invoked with the event EventBridge sends — `"detail-type": "Scheduled
 * Event"`, `source: "aws.events"`, the rule's ARN in `resources` — with a Lambda context whose deadline is the
 * function's Timeout, its output in its own log group (lambda-runtime.ts). One home for "run a scheduled function
 * locally": `npm start` (on an interval), `npm run reconcile` (one run by hand, through the local Lambda endpoint)
 * and the tests (`invoke`) all go through here. See docs/decisions/0014-scheduled-reconciler.md.
 *
 * Like EventBridge with Lambda's asynchronous invocation, a run that fails or times out is reported and not retried
 * (the function is deployed with MaximumRetryAttempts 0: the next run catches up); runs of one function never
 * overlap locally (in AWS they can, which the functions must survive anyway).
 */
import { randomUUID } from "node:crypto";
import type { Context, ScheduledEvent } from "aws-lambda";
import { lambdaContext } from "./api-gateway/payload";
import { type LogCapture, applyFunctionEnvironment, runInFunction, withTimeout } from "./lambda-runtime";
import {
  functionName,
  listScheduledFunctions,
  type ResolveContext,
  type ScheduledFunction,
  type Template,
} from "./template";

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface SchedulerOptions {
  template: Template;
  ctx: ResolveContext;
  logs?: LogCapture;
  /** Run each schedule every this many ms instead of its rate; undefined = its rate; 0 = never on its own. */
  intervalMs?: number;
  /** Only these functions (logical ids) run on their own; the others only when invoked. Default: all. */
  onlyFunctions?: string[];
  /** Extra variables merged into process.env (after the functions' template environment). */
  env?: Record<string, string>;
  loadHandler?: (entry: string) => Promise<ScheduledHandler>;
  log?: (line: string) => void;
}

export interface ScheduleRun {
  functionName: string;
  requestId: string;
  event: ScheduledEvent;
  outcome: "ok" | "error" | "timeout";
  result?: unknown;
  error?: string;
  durationMs: number;
}

export interface LocalScheduler {
  schedules: (ScheduledFunction & { functionName: string; ruleArn: string; everyMs: number })[];
  /** One run now, by logical id or FunctionName, with a fresh scheduled event (or the given one). */
  invoke(function_: string, event?: ScheduledEvent): Promise<ScheduleRun>;
  stop(): Promise<void>;
}

/** `rate(5 minutes)` in milliseconds. cron() is not emulated (no schedule in this template uses it). */
export function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match)
    throw new Error(`schedule ${JSON.stringify(expression)}: only rate(N minutes|hours|days) is emulated locally`);
  const n = Number(match[1]);
  const unit = match[2] as string;
  if (n < 1 || (n === 1) !== !unit.endsWith("s"))
    throw new Error(`schedule ${expression}: EventBridge wants rate(1 minute) or rate(N minutes)`);
  const minutes = unit.startsWith("minute") ? 1 : unit.startsWith("hour") ? 60 : 1440;
  return n * minutes * 60_000;
}

/** The event an EventBridge schedule rule sends its Lambda target. */
export function scheduledEvent(input: {
  region: string;
  accountId: string;
  ruleArn: string;
  time?: Date;
}): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: input.accountId,
    // EventBridge writes whole seconds: 2026-11-27T10:00:00Z.
    time: (input.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: input.region,
    resources: [input.ruleArn],
    detail: {},
  };
}

async function defaultLoadHandler(entry: string): Promise<ScheduledHandler> {
  const module = (await import(entry)) as { handler?: unknown };
  if (typeof module.handler !== "function") throw new Error(`${entry} does not export a handler function`);
  return module.handler as ScheduledHandler;
}

export function startScheduler(options: SchedulerOptions): LocalScheduler {
  const { template, ctx } = options;
  const log = options.log ?? (() => {});
  const loadHandler = options.loadHandler ?? defaultLoadHandler;
  const schedules = listScheduledFunctions(template, ctx)
    .filter((s) => s.enabled)
    .map((s) => ({
      ...s,
      functionName: functionName(s.functionId, ctx),
      ruleArn: `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${s.ruleName}`,
      everyMs: rateMs(s.expression),
    }));
  applyFunctionEnvironment(
    template,
    [...new Set(schedules.map((s) => s.functionId))],
    ctx,
    options.env ?? {},
    ctx.region,
    log,
  );

  const handlers = new Map<string, Promise<ScheduledHandler>>();
  const running = new Map<string, Promise<ScheduleRun>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const run = async (schedule: (typeof schedules)[number], event: ScheduledEvent): Promise<ScheduleRun> => {
    let loading = handlers.get(schedule.functionId);
    if (!loading) {
      loading = loadHandler(schedule.entry);
      loading.catch(() => handlers.delete(schedule.functionId));
      handlers.set(schedule.functionId, loading);
    }
    const started = Date.now();
    const context = lambdaContext({
      functionName: schedule.functionName,
      region: ctx.region,
      accountId: ctx.accountId,
      memoryMb: schedule.memoryMb,
      deadline: started + schedule.timeoutSeconds * 1000,
    });
    const done = (outcome: ScheduleRun["outcome"], extra: Partial<ScheduleRun> = {}): ScheduleRun => {
      const result = {
        functionName: schedule.functionName,
        requestId: context.awsRequestId,
        event,
        outcome,
        durationMs: Date.now() - started,
        ...extra,
      };
      log(`schedule ${schedule.ruleName} → ${schedule.functionName} ${outcome} ${result.durationMs}ms`);
      return result;
    };
    try {
      const handler = await loading;
      const outcome = await withTimeout(
        runInFunction(options.logs, { functionName: schedule.functionName, requestId: context.awsRequestId }, () =>
          Promise.resolve().then(() => handler(event, context)),
        ),
        schedule.timeoutSeconds * 1000,
      );
      if (outcome.timedOut) {
        console.error(
          `[${schedule.functionName}] ${context.awsRequestId} Task timed out after ${schedule.timeoutSeconds.toFixed(2)} seconds`,
        );
        return done("timeout");
      }
      return done("ok", { result: outcome.value });
    } catch (error) {
      console.error(`[${schedule.functionName}] ${context.awsRequestId} Invoke Error`, error);
      return done("error", { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const busy = new Map<string, number>();
  const invokeSchedule = (schedule: (typeof schedules)[number], event?: ScheduledEvent): Promise<ScheduleRun> => {
    const previous = running.get(schedule.functionId) ?? Promise.resolve(undefined);
    busy.set(schedule.functionId, (busy.get(schedule.functionId) ?? 0) + 1);
    // Runs of one function queue behind each other locally, as a reserved concurrency of one would make them.
    const next = previous
      .catch(() => undefined)
      .then(() =>
        run(
          schedule,
          event ?? scheduledEvent({ region: ctx.region, accountId: ctx.accountId, ruleArn: schedule.ruleArn }),
        ),
      )
      .finally(() => busy.set(schedule.functionId, (busy.get(schedule.functionId) ?? 1) - 1));
    running.set(schedule.functionId, next);
    return next;
  };

  if (options.intervalMs !== 0) {
    for (const schedule of schedules.filter((s) => !options.onlyFunctions || options.onlyFunctions.includes(s.functionId))) {
      const every = options.intervalMs ?? schedule.everyMs;
      const tick = () => {
        if (stopped) return;
        if ((busy.get(schedule.functionId) ?? 0) > 0) {
          log(`schedule ${schedule.ruleName}: the previous run is still going; this one is skipped`);
          return;
        }
        void invokeSchedule(schedule);
      };
      timers.push(setInterval(tick, every));
      log(
        `schedule ${schedule.ruleName} (${schedule.expression}) → ${schedule.functionName} every ${Math.round(every / 1000)} s locally`,
      );
    }
  }

  return {
    schedules,
    invoke: (name, event) => {
      const schedule = schedules.find((s) => s.functionId === name || s.functionName === name);
      if (!schedule) return Promise.reject(new Error(`no scheduled function ${name}`));
      return invokeSchedule(schedule, event);
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...running.values()]);
    },
  };
}
