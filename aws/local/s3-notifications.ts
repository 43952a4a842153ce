/**
 * S3 event notifications for the local stack: when s3rver stores an object, the functions the template triggers on
 * that bucket, event and key filter (an `Events` entry of Type S3, e.g. ProcessUploadFunction on `uploads/`) run in
 * this process with the event S3 would send, asynchronously and retried as Lambda retries an asynchronous
 * invocation (`EventInvokeConfig.MaximumRetryAttempts`, 2 by default: about one and two minutes later in AWS).
 *
 * So `npm start` and the test stacks process an uploaded photo with the same code, on the same trigger, as AWS.
 * Differences: delivery is immediate and exactly once here (S3 may deliver late or twice: the handler is written for
 * it), and a timed-out run is reported but cannot be stopped (it finishes in the background).
 */
import type { Context, S3Event } from "aws-lambda";
import type S3rver from "s3rver";
import type { LocalApiFaults } from "./api-gateway";
import { lambdaContext } from "./api-gateway/payload";
import { applyFunctionEnvironment, type LogCapture, runInFunction, withTimeout } from "./lambda-runtime";
import {
  createResolveContext,
  DEFAULT_TEMPLATE_PATH,
  functionName,
  listS3Triggers,
  loadTemplate,
  type S3Trigger,
} from "./template";

type S3Handler = (event: S3Event, context: Context) => Promise<unknown>;

export interface S3NotificationOptions {
  templatePath?: string;
  parameters?: Record<string, string>;
  region: string;
  accountId: string;
  /** Waits before each retry of a failed run; AWS waits about 1 and 2 minutes. */
  retryDelaysMs?: number[];
  /** The same fault hooks as the local API (`FaultPlan`), asked with method "S3" and the object key as path. */
  faults?: LocalApiFaults;
  /** The functions' log groups (lambda-runtime.ts). */
  logs?: LogCapture;
  /** Extra variables merged into process.env (after the functions' template environment). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface S3Notifications {
  triggers: S3Trigger[];
  /** Runs started per function logical id (retries included). */
  invocations: Record<string, number>;
  /** Resolves when every run started so far, and its retries, has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const AWS_RETRY_DELAYS_MS = [60_000, 120_000];

/** `s3:ObjectCreated:*` matches `ObjectCreated:Post`. */
function eventMatches(patterns: string[], eventName: string): boolean {
  return patterns.some((pattern) => {
    const bare = pattern.replace(/^s3:/, "");
    return bare.endsWith("*") ? eventName.startsWith(bare.slice(0, -1)) : eventName === bare;
  });
}

/** Keys in S3 notifications are URL-encoded, spaces as "+". */
const encodeKey = (key: string) => encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");

export async function startS3Notifications(server: S3rver, options: S3NotificationOptions): Promise<S3Notifications> {
  const log = options.log ?? (() => {});
  const template = await loadTemplate(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  const ctx = createResolveContext(template, {
    parameters: { Env: "local", ...options.parameters },
    region: options.region,
    accountId: options.accountId,
  });
  const triggers = listS3Triggers(template);
  applyFunctionEnvironment(
    template,
    [...new Set(triggers.map((t) => t.functionId))],
    ctx,
    options.env ?? {},
    options.region,
    log,
  );
  const retryDelays = options.retryDelaysMs ?? AWS_RETRY_DELAYS_MS;
  const invocations: Record<string, number> = {};
  const running = new Set<Promise<void>>();
  const handlers = new Map<string, Promise<S3Handler>>();
  let closed = false;
  const closing = new AbortController();
  /** A retry's wait, cut short when the stack closes. */
  const pause = (ms: number | undefined) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        closing.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms ?? 0);
      closing.signal.addEventListener("abort", done, { once: true });
    });

  const handlerOf = (trigger: S3Trigger): Promise<S3Handler> => {
    let loading = handlers.get(trigger.functionId);
    if (!loading) {
      loading = import(trigger.entry).then((module: { handler?: unknown }) => {
        if (typeof module.handler !== "function") throw new Error(`${trigger.entry} does not export a handler`);
        return module.handler as S3Handler;
      });
      loading.catch(() => handlers.delete(trigger.functionId));
      handlers.set(trigger.functionId, loading);
    }
    return loading;
  };

  const runOnce = async (trigger: S3Trigger, event: S3Event, key: string): Promise<void> => {
    const name = functionName(trigger.functionId, ctx);
    invocations[trigger.functionId] = (invocations[trigger.functionId] ?? 0) + 1;
    const call = { functionId: trigger.functionId, method: "S3", path: key };
    if (options.faults?.beforeInvoke?.(call) === "fail")
      throw new Error(`[${name}] injected fault: failed before running`);
    const handler = await handlerOf(trigger);
    const context = lambdaContext({
      functionName: name,
      region: options.region,
      accountId: options.accountId,
      memoryMb: trigger.memoryMb,
      deadline: Date.now() + trigger.timeoutSeconds * 1000,
    });
    const outcome = await withTimeout(
      runInFunction(options.logs, { functionName: name, requestId: context.awsRequestId }, () =>
        Promise.resolve().then(() => handler(event, context)),
      ),
      trigger.timeoutSeconds * 1000,
    );
    if (outcome.timedOut)
      throw new Error(`[${name}] Task timed out after ${trigger.timeoutSeconds.toFixed(2)} seconds`);
    if (options.faults?.afterInvoke?.(call) === "fail")
      throw new Error(`[${name}] injected fault: failed after running`);
  };

  const deliver = async (trigger: S3Trigger, event: S3Event, key: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await runOnce(trigger, event, key);
        log(`[${trigger.functionId}] ${key} processed${attempt > 0 ? ` on retry ${attempt}` : ""}`);
        return;
      } catch (error) {
        const retries = Math.min(trigger.maximumRetryAttempts, retryDelays.length);
        console.error(
          `[${trigger.functionId}] ${key}: attempt ${attempt + 1} failed:`,
          (error as Error).message ?? error,
        );
        if (attempt >= retries || closed) return;
        await pause(retryDelays[attempt]);
        if (closed) return;
      }
    }
  };

  server.on("event", (notification) => {
    for (const record of notification.Records) {
      const bucket = record.s3.bucket.name;
      const key = record.s3.object.key;
      for (const trigger of triggers) {
        if (ctx.resources[trigger.bucketId] !== bucket) continue;
        if (!eventMatches(trigger.events, record.eventName)) continue;
        if (trigger.prefix && !key.startsWith(trigger.prefix)) continue;
        if (trigger.suffix && !key.endsWith(trigger.suffix)) continue;
        const event = {
          Records: [
            {
              eventVersion: "2.1",
              eventSource: "aws:s3",
              awsRegion: options.region,
              eventTime: new Date().toISOString(),
              eventName: record.eventName,
              userIdentity: { principalId: "AWS:LOCAL" },
              requestParameters: { sourceIPAddress: "127.0.0.1" },
              responseElements: { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
              s3: {
                s3SchemaVersion: "1.0",
                configurationId: trigger.functionId,
                bucket: { name: bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${bucket}` },
                object: {
                  key: encodeKey(key),
                  size: record.s3.object.size ?? 0,
                  eTag: record.s3.object.eTag ?? "",
                  sequencer: Date.now().toString(16).toUpperCase(),
                },
              },
            },
          ],
        } as S3Event;
        const run = deliver(trigger, event, key).finally(() => running.delete(run));
        running.add(run);
      }
    }
  });
  log(`S3 notifications: ${triggers.map((t) => `${t.functionId} on ${t.prefix ?? ""}*${t.suffix ?? ""}`).join(", ")}`);

  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    triggers,
    invocations,
    idle,
    close: async () => {
      closed = true;
      closing.abort();
      await idle();
    },
  };
}
