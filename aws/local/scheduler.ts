/**
 * Runs the template's scheduled functions (EventBridge `Schedule` events) in this process, like the local API runs
 * the routes' functions: the same handler modules, the template's environment, one run at a time per function (runs
 * may overlap in AWS; the functions are written for it). Locally they run every `intervalMs` instead of the template's
 * rate, so a queued email goes out within a second or two; `invoke` runs a function now.
 */
import {
  createResolveContext,
  DEFAULT_TEMPLATE_PATH,
  functionEnvironment,
  listScheduledFunctions,
  loadTemplate,
  type ScheduledFunction,
} from "./template";

type ScheduledHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LocalScheduler {
  schedules: ScheduledFunction[];
  /** Runs one function (by logical id) now, after any run of it already under way; resolves with its result. */
  invoke(functionId: string): Promise<unknown>;
  /** Completed runs per function. */
  runs: Record<string, number>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  templatePath?: string;
  parameters?: Record<string, string>;
  region?: string;
  /** Milliseconds between runs; 0 runs nothing by itself (only `runOnce`). */
  intervalMs: number;
  /** Variables merged into process.env after the functions' own (endpoints of the stand-ins…). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export async function startScheduler(options: SchedulerOptions): Promise<LocalScheduler> {
  const log = options.log ?? (() => {});
  const template = await loadTemplate(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  const ctx = createResolveContext(template, {
    parameters: { Env: "local", ...options.parameters },
    region: options.region ?? "ap-northeast-1",
  });
  const functions = listScheduledFunctions(template);
  for (const fn of functions) {
    const { NODE_OPTIONS: _ignored, ...variables } = functionEnvironment(template, fn.functionId, ctx);
    Object.assign(process.env, variables, options.env ?? {});
  }

  const runs: Record<string, number> = Object.fromEntries(functions.map((fn) => [fn.functionId, 0]));
  const handlers = new Map<string, Promise<ScheduledHandler>>();
  const running = new Map<string, Promise<unknown>>();
  let stopped = false;

  const handlerOf = (fn: ScheduledFunction) => {
    let loading = handlers.get(fn.functionId);
    if (!loading) {
      loading = import(fn.entry).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== "function") throw new Error(`${fn.entry} does not export a handler function`);
        return module.handler as ScheduledHandler;
      });
      loading.catch(() => handlers.delete(fn.functionId));
      handlers.set(fn.functionId, loading);
    }
    return loading;
  };

  const run = (fn: ScheduledFunction): Promise<unknown> => {
    const previous = running.get(fn.functionId) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        const handler = await handlerOf(fn);
        const event = { source: "aws.events", "detail-type": "Scheduled Event", time: new Date().toISOString(), detail: {} };
        try {
          return await handler(event, { functionName: fn.functionId, awsRequestId: crypto.randomUUID() });
        } catch (error) {
          log(`${fn.functionId} failed: ${(error as Error).message}`);
          return { error: (error as Error).message };
        } finally {
          runs[fn.functionId] = (runs[fn.functionId] ?? 0) + 1;
        }
      });
    running.set(fn.functionId, next);
    return next;
  };

  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    await Promise.all(functions.map((fn) => run(fn)));
    if (!stopped) timer = setTimeout(tick, options.intervalMs);
  };
  if (options.intervalMs > 0 && functions.length > 0) timer = setTimeout(tick, options.intervalMs);
  log(`scheduled functions: ${functions.map((fn) => `${fn.functionId} (${fn.schedule}, locally every ${options.intervalMs} ms)`).join(", ") || "none"}`);

  return {
    schedules: functions,
    runs,
    invoke: (functionId) => {
      const fn = functions.find((f) => f.functionId === functionId);
      return fn ? run(fn) : Promise.reject(new Error(`no scheduled function ${functionId}`));
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...running.values()].map((p) => p.catch(() => {})));
    },
  };
}
