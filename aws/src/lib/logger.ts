/**
 * Logs that help at 3 a.m.: one JSON object per line, written straight to stdout the way Lambda's JSON log format
 * expects (`timestamp`, `level`, `requestId`, `message`, then our fields), so Logs Insights and metric filters can
 * query every field. A string passed to `console.log` would be wrapped by the runtime into an escaped `message`
 * instead (docs/decisions/0015-logs-and-metrics.md), which is why nothing here uses `console`.
 *
 * - Every line of an invocation carries its request id, route (or schedule) and, once known, the order id: the
 *   handler wrappers open a context (`withLogContext`) and services add to it (`addLogContext({ orderId })`).
 * - The level is the function's `LoggingConfig.ApplicationLogLevel` (Lambda sets `AWS_LAMBDA_LOG_LEVEL` from it,
 *   and the template takes it from the `LogLevel` parameter). Lines below it are not even built.
 * - No personal data: callers pass ids and outcomes, never a customer; as a second line of defence the values of
 *   keys that name personal data are replaced (`[redacted]`) at any depth. aws/test/operations-logs.test.ts checks
 *   every line of a whole purchase.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every line of one invocation carries. */
export interface LogContext {
  requestId?: string;
  /** `POST /order`, `schedule shop-prod-reconciler`… */
  route?: string;
  orderId?: string;
  [field: string]: unknown;
}

const contexts = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with these fields on every log line (and metric line) it writes; nested contexts add to the outer one. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contexts.run({ ...contexts.getStore(), ...context }, fn);
}

/** Adds fields (typically the order id once it is known) to the current invocation's lines. */
export function addLogContext(fields: LogContext): void {
  const store = contexts.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): Readonly<LogContext> {
  return contexts.getStore() ?? {};
}

/** The function's log level as Lambda applies it; INFO when unset or unknown (Lambda's default). */
export function configuredLogLevel(): LogLevel {
  const raw = (process.env.AWS_LAMBDA_LOG_LEVEL ?? "").toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as LogLevel) : "INFO";
}

export function levelEnabled(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(configuredLogLevel());
}

/** Keys whose values are personal data wherever they appear. */
const PERSONAL_KEYS = new Set(["customer", "phone", "email", "address"]);

function clean(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  }
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = PERSONAL_KEYS.has(key.toLowerCase()) ? "[redacted]" : clean(item, depth + 1);
  }
  return out;
}

/** One line on stdout; Lambda keeps stdout lines as they are (only `console.*` calls are wrapped). */
export function writeLine(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}

function write(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  // The last outcome logged is the invocation's outcome (the request's closing line reports it), whatever the level.
  if (typeof fields.outcome === "string") addLogContext({ outcome: fields.outcome });
  if (!levelEnabled(level)) return;
  const { requestId, ...context } = currentLogContext();
  const entry: Record<string, unknown> = {
    timestamp: new Date().toISOString(),
    level,
    ...(requestId ? { requestId } : {}),
    message,
    ...context,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) entry[key] = value;
  }
  writeLine(clean(entry) as Record<string, unknown>);
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write("DEBUG", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("INFO", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("WARN", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("ERROR", message, fields),
};
