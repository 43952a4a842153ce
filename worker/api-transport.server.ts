/**
 * The one way the BFF talks to the order API: sign as a principal, send JSON, read JSON, and sort what came back
 * into four outcomes. The storefront's and the owner's clients (order-api.server.ts, admin/admin-api.server.ts)
 * each turn those outcomes into the messages their pages show.
 */
import type { z } from "zod";
import { createSignedClient, UpstreamError } from "./aws.server";
import type { BffContext } from "./bff-context";

export type ApiTransportDeps = Pick<BffContext, "env" | "fetch" | "retryBaseDelayMs"> & { timeoutMs?: number };

export interface ApiRequest<T> {
  /** Route as the contract names it (for logs) and the path actually requested (parameters filled in). */
  route: { method: string; path: string };
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  responseSchema: z.ZodType<T>;
  retries: number;
}

export type ApiOutcome<T> =
  | { outcome: "ok"; data: T }
  /** The API answered with a non-2xx status; `payload` is its JSON body, if any. */
  | { outcome: "error"; status: number; payload: unknown }
  | { outcome: "unreachable"; timedOut: boolean }
  /** A 2xx the contract does not allow: a deploy skew between edge and API. */
  | { outcome: "contract_mismatch" };

export async function sendApiRequest<T>(
  deps: ApiTransportDeps,
  principal: { accessKeyId: string; secretAccessKey: string; logAs: string },
  request: ApiRequest<T>,
): Promise<ApiOutcome<T>> {
  const { env } = deps;
  const client = createSignedClient({
    accessKeyId: principal.accessKeyId,
    secretAccessKey: principal.secretAccessKey,
    service: "execute-api",
    region: env.AWS_REGION,
    retries: request.retries,
    timeoutMs: deps.timeoutMs,
    retryBaseDelayMs: deps.retryBaseDelayMs,
    fetch: deps.fetch,
  });
  const url = new URL(env.ORDER_API_URL + (request.path ?? request.route.path));
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const what = `${request.route.method} ${request.route.path}`;

  let status: number;
  let payload: unknown;
  try {
    const response = await client.fetch(url, {
      method: request.route.method,
      headers:
        request.body === undefined
          ? { accept: "application/json" }
          : { accept: "application/json", "content-type": "application/json" },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    status = response.status;
    const text = await response.text();
    payload = text ? safeJson(text) : undefined;
  } catch (error) {
    const timedOut = error instanceof UpstreamError && error.kind === "timeout";
    console.error(
      JSON.stringify({
        at: principal.logAs,
        call: what,
        problem: timedOut ? "timeout" : "network",
        detail: String(error),
      }),
    );
    return { outcome: "unreachable", timedOut };
  }

  if (status < 200 || status >= 300) return { outcome: "error", status, payload };
  const parsed = request.responseSchema.safeParse(payload);
  if (parsed.success) return { outcome: "ok", data: parsed.data };
  console.error(
    JSON.stringify({
      at: principal.logAs,
      call: what,
      problem: "contract_mismatch",
      issues: parsed.error.issues.slice(0, 5),
    }),
  );
  return { outcome: "contract_mismatch" };
}

/** zod issues as `{ "customer.phone": "message" }`, the shape forms show next to each field. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join(".") || "_";
    fields[path] ??= issue.message;
  }
  return fields;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
