/**
 * A local stand-in for the Lambda Invoke API, for the scheduled functions: `POST
 * /2015-03-31/functions/{FunctionName}/invocations` with the event as the body (an empty body = a fresh EventBridge
 * scheduled event), answered like Lambda's RequestResponse invocation (the handler's result; a failed run with
 * `X-Amz-Function-Error: Unhandled`). `npm run reconcile` uses it to run one reconciler pass on the running shop, and
 * the same request works against AWS (`aws lambda invoke --function-name shop-prod-reconciler`), see
 * docs/operations.md. No signature is checked: it listens on loopback only, like the rest of the local stack.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { ScheduledEvent } from "aws-lambda";
import type { LocalScheduler } from "./scheduler";

export interface LocalLambdaEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startLocalLambdaEndpoint(options: {
  scheduler: LocalScheduler;
  port?: number;
  host?: string;
  log?: (line: string) => void;
}): Promise<LocalLambdaEndpoint> {
  const log = options.log ?? (() => {});
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body ?? null));
    };
    const url = new URL(request.url ?? "/", "http://local");
    const match = INVOKE.exec(url.pathname);
    if (request.method === "GET" && /^\/2015-03-31\/functions\/?$/.test(url.pathname)) {
      request.resume();
      return send(200, { Functions: options.scheduler.schedules.map((s) => ({ FunctionName: s.functionName })) });
    }
    if (request.method !== "POST" || !match) {
      request.resume();
      return send(
        404,
        { Type: "User", Message: `No such operation: ${request.method} ${url.pathname}` },
        {
          "x-amzn-ErrorType": "UnknownOperationException",
        },
      );
    }
    const name = decodeURIComponent(match[1] as string);
    const schedule = options.scheduler.schedules.find((s) => s.functionName === name || s.functionId === name);
    readBody(request)
      .then(async (body) => {
        if (!schedule) {
          return send(
            404,
            { Type: "User", Message: `Function not found: ${name} (only scheduled functions are served here)` },
            {
              "x-amzn-ErrorType": "ResourceNotFoundException",
            },
          );
        }
        let event: ScheduledEvent | undefined;
        if (body.trim() !== "") {
          try {
            event = JSON.parse(body) as ScheduledEvent;
          } catch {
            return send(
              400,
              { Type: "User", Message: "Could not parse request body into json" },
              {
                "x-amzn-ErrorType": "InvalidRequestContentException",
              },
            );
          }
        }
        const run = await options.scheduler.invoke(schedule.functionId, event);
        const headers = { "x-amzn-RequestId": run.requestId, "x-amz-executed-version": "$LATEST" };
        if (run.outcome === "ok") return send(200, run.result, headers);
        const errorMessage = run.outcome === "timeout" ? "Task timed out" : (run.error ?? "Unhandled error");
        return send(
          200,
          { errorType: run.outcome === "timeout" ? "Sandbox.Timedout" : "Error", errorMessage },
          {
            ...headers,
            "X-Amz-Function-Error": "Unhandled",
          },
        );
      })
      .catch((error: unknown) => send(500, { Type: "Service", Message: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3003, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  log(
    `local Lambda invoke endpoint on ${url} (${options.scheduler.schedules.map((s) => s.functionName).join(", ") || "no scheduled functions"})`,
  );
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
