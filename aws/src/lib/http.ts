/**
 * The thin layer between API Gateway (payload 2.0) and the domain: parsing input with zod, turning
 * domain errors into `{ error: { code, message } }` with a 4xx, and keeping 500s for real faults only.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { ZodType, z } from "zod";
import { type ErrorCode, type ErrorResponse, fieldErrorsOf } from "../contract";
import { addLogContext, currentLogContext, logger, withLogContext } from "./logger";

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  price_changed: 409,
  idempotency_mismatch: 409,
  product_unavailable: 422,
  sold_out: 409,
  invalid_transition: 409,
  site_closed: 503,
  upstream_error: 502,
  internal_error: 500,
};

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorResponse["error"], "code" | "message"> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

export function text(status: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { "content-type": "text/plain; charset=utf-8" }, body };
}

export function errorResponse(error: ApiError): APIGatewayProxyStructuredResultV2 {
  return json(error.status, { error: { code: error.code, message: error.message, ...error.extra } } satisfies ErrorResponse);
}

export function parseWith<S extends ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const fields = fieldErrorsOf(result.error);
    const summary = Object.entries(fields)
      .slice(0, 3)
      .map(([path, message]) => `${path}: ${message}`)
      .join("; ");
    throw new ApiError("bad_request", `Invalid ${what}: ${summary}`, { fields });
  }
  return result.data;
}

/** The request body as JSON; API Gateway base64-encodes bodies it considers binary. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = rawBody(event);
  if (raw.trim() === "") throw new ApiError("bad_request", "Request body is empty; send JSON");
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError("bad_request", "Request body is not valid JSON");
  }
}

export function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

export function queryParams(event: APIGatewayProxyEventV2): Record<string, string> {
  // API Gateway joins repeated parameters with commas; we accept each parameter once.
  return Object.fromEntries([...new URLSearchParams(event.rawQueryString ?? "")].filter(([, value]) => value !== ""));
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wraps a JSON endpoint: ApiErrors become their 4xx/5xx, anything else is logged and answered with a
 * generic 500 so no internal detail leaks to the caller.
 */
export function jsonEndpoint(name: string, run: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>): Handler {
  return (event, context) =>
    withRequestLog(event, context, async () => {
      try {
        return await run(event, context);
      } catch (error) {
        if (error instanceof ApiError) {
          // Which fields were wrong (their names, never their values).
          const fields = error.extra.fields ? { invalidFields: Object.keys(error.extra.fields) } : {};
          addLogContext({ outcome: error.code, ...fields });
          // The message of a 4xx names what was wrong with the input (never its value); 5xx are our side's trouble.
          if (error.status >= 500) logger.warn(`${name}: ${error.code}`, { detail: error.message });
          return errorResponse(error);
        }
        addLogContext({ outcome: "internal_error" });
        logger.error(`${name} failed`, { error });
        return errorResponse(new ApiError("internal_error", "Internal error; it has been logged"));
      }
    });
}

/**
 * Every line of one request carries its request id and route; the request ends with one line saying how it went
 * (status, outcome, order id when known, duration). Works for any API Gateway handler (JSON or the ECPay callbacks).
 */
export async function withRequestLog(
  event: APIGatewayProxyEventV2,
  context: Context | undefined,
  run: () => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  const started = Date.now();
  const route = event.routeKey ?? `${event.requestContext?.http?.method} ${event.rawPath}`;
  return withLogContext({ requestId: context?.awsRequestId ?? event.requestContext?.requestId, route }, async () => {
    const result = await run();
    const status = result.statusCode ?? 200;
    const { outcome } = currentLogContext();
    const line = { status, outcome: outcome ?? (status < 400 ? "ok" : "refused"), durationMs: Date.now() - started };
    if (status >= 500) logger.error("request failed", line);
    else logger.info("request done", line);
    return result;
  });
}
