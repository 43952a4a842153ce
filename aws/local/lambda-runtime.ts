/**
 * What the Lambda service does around a handler, for the local stack: each function's output goes to its own log
 * group (kept in memory and, for `npm start`, appended to `<dataDir>/logs/<function>.log`), with the JSON log
 * format's rules applied as Lambda applies them:
 *
 * - lines written straight to stdout/stderr stay as they are; a JSON line whose `level` is below the function's
 *   `AWS_LAMBDA_LOG_LEVEL` is dropped, and a line without a valid `level` counts as INFO;
 * - `console.*` calls are wrapped into `{"timestamp","level","requestId","message"}` (an object argument stays an
 *   object, a string stays a string), which is how a stringified JSON ends up escaped inside `message` in AWS.
 *
 * The local HTTP API (routes) and the local scheduler (EventBridge schedules) run handlers through `runInFunction`.
 * Handlers share this process, so the capture tells invocations apart with AsyncLocalStorage, not by process.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { format } from "node:util";
import { functionEnvironment, type ResolveContext, type Template } from "./template";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;

export interface FunctionLogLine {
  /** The function's name (FunctionName), i.e. its log group's suffix. */
  functionName: string;
  requestId: string;
  stream: "stdout" | "stderr";
  /** The line as CloudWatch would store it (no trailing newline). */
  line: string;
  /** The parsed line when it is a JSON object. */
  json?: Record<string, unknown>;
}

export interface LogCaptureOptions {
  /** Folder for one `<function>.log` per function (JSON lines); omitted = memory only. */
  dir?: string;
  /** Also print the lines on this process's own stdout/stderr (npm start). */
  echo?: boolean;
}

export interface LogCapture {
  /** Every kept line, oldest first; optionally of one function only. */
  lines(functionName?: string): FunctionLogLine[];
  clear(): void;
  close(): void;
}

interface Invocation {
  capture: CaptureImpl;
  functionName: string;
  requestId: string;
}

const invocations = new AsyncLocalStorage<Invocation>();

class CaptureImpl implements LogCapture {
  private kept: FunctionLogLine[] = [];
  closed = false;

  constructor(readonly options: LogCaptureOptions) {
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  record(invocation: Invocation, stream: "stdout" | "stderr", text: string): void {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const json = parseObject(line);
      if (!passesLevelFilter(json)) continue;
      const entry: FunctionLogLine = {
        functionName: invocation.functionName,
        requestId: invocation.requestId,
        stream,
        line,
        ...(json ? { json } : {}),
      };
      this.kept.push(entry);
      if (this.options.dir) {
        appendFileSync(path.join(this.options.dir, `${safeFileName(invocation.functionName)}.log`), `${line}\n`);
      }
      if (this.options.echo) originalWrite[stream](`[${invocation.functionName}] ${line}\n`);
    }
  }

  lines(functionName?: string): FunctionLogLine[] {
    return functionName ? this.kept.filter((l) => l.functionName === functionName) : [...this.kept];
  }

  clear(): void {
    this.kept = [];
  }

  close(): void {
    this.closed = true;
  }
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Lambda's application log-level filter for the JSON log format. */
function passesLevelFilter(json: Record<string, unknown> | undefined): boolean {
  const threshold = String(process.env.AWS_LAMBDA_LOG_LEVEL ?? "").toUpperCase();
  if (process.env.AWS_LAMBDA_LOG_FORMAT !== "JSON" || !(LEVELS as readonly string[]).includes(threshold)) return true;
  const raw = typeof json?.level === "string" ? json.level.toUpperCase() : "";
  const level = (LEVELS as readonly string[]).includes(raw) ? raw : "INFO";
  return LEVELS.indexOf(level as (typeof LEVELS)[number]) >= LEVELS.indexOf(threshold as (typeof LEVELS)[number]);
}

// ---------------------------------------------------------------------------------------------
// One patch per process: writes made inside an invocation go to that invocation's capture.

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
const originalWrite: Record<"stdout" | "stderr", (text: string) => void> = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};
let patched = false;

function patchProcess(): void {
  if (patched) return;
  patched = true;
  for (const stream of ["stdout", "stderr"] as const) {
    const target = process[stream];
    const write = target.write.bind(target) as Write;
    originalWrite[stream] = (text) => void write(text);
    target.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const invocation = invocations.getStore();
      if (!invocation || invocation.capture.closed) return write(chunk, ...rest);
      invocation.capture.record(
        invocation,
        stream,
        typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"),
      );
      const callback = rest.find((item) => typeof item === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof target.write;
  }
  // The Node.js runtime's console in JSON log format: one JSON object per call, the arguments as `message`.
  const consoleLevels: [keyof Console, string, "stdout" | "stderr"][] = [
    ["log", "INFO", "stdout"],
    ["info", "INFO", "stdout"],
    ["debug", "DEBUG", "stdout"],
    ["trace", "TRACE", "stdout"],
    ["warn", "WARN", "stderr"],
    ["error", "ERROR", "stderr"],
  ];
  for (const [method, level, stream] of consoleLevels) {
    const original = (console[method] as (...args: unknown[]) => void).bind(console);
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const invocation = invocations.getStore();
      if (!invocation || invocation.capture.closed) return original(...args);
      const only = args.length === 1 ? args[0] : undefined;
      const message =
        only !== null && typeof only === "object" && !(only instanceof Error) ? only : format(...(args as [unknown]));
      const entry = { timestamp: new Date().toISOString(), level, requestId: invocation.requestId, message };
      invocation.capture.record(invocation, stream, JSON.stringify(entry));
    };
  }
}

export function createLogCapture(options: LogCaptureOptions = {}): LogCapture {
  patchProcess();
  return new CaptureImpl(options);
}

/** Runs one invocation of a function with its output going to the capture (when there is one). */
export function runInFunction<T>(
  capture: LogCapture | undefined,
  invocation: { functionName: string; requestId: string },
  run: () => T,
): T {
  if (!capture) return run();
  return invocations.run({ capture: capture as CaptureImpl, ...invocation }, run);
}

/** Waits for `work` at most `ms`; a Lambda timeout is the caller's to report. */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  return Promise.race([work.then((value) => ({ timedOut: false as const, value })), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/** Process-wide settings that only take effect when a Node process starts, so copying them does nothing useful. */
const ENV_NOT_COPIED = new Set(["NODE_OPTIONS"]);

/**
 * The handlers share this process, so the functions' environment is set once on process.env: the template's
 * variables (a conflict between functions is reported), then the caller's overrides.
 */
export function applyFunctionEnvironment(
  template: Template,
  functionIds: string[],
  ctx: ResolveContext,
  overrides: Record<string, string>,
  region: string,
  log: (line: string) => void,
): void {
  const merged: Record<string, string> = {};
  for (const functionId of functionIds) {
    for (const [name, value] of Object.entries(functionEnvironment(template, functionId, ctx))) {
      if (ENV_NOT_COPIED.has(name)) continue;
      if (name in merged && merged[name] !== value) {
        log(
          `warning: ${name} differs between functions (${merged[name]} vs ${value}); the local stack shares one process.env`,
        );
      }
      merged[name] = value;
    }
  }
  Object.assign(process.env, merged, overrides);
  // Lambda always provides the region to the SDK clients.
  process.env.AWS_REGION ??= region;
}
