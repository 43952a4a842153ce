/**
 * API Gateway HTTP API ↔ Lambda, payload format 2.0: the event a function receives, the Lambda context, and how
 * the function's return value becomes the HTTP response (including API Gateway's inference rules).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";

export interface IamCaller {
  accessKey: string;
  accountId: string;
  userArn: string;
  userId: string;
}

export interface EventInput {
  method: string;
  rawPath: string;
  rawQueryString: string;
  /** Lower-cased names, repeated headers comma-joined. */
  headers: Record<string, string>;
  body: Buffer;
  routeKey: string;
  pathParameters?: Record<string, string>;
  accountId: string;
  apiId: string;
  requestId: string;
  sourceIp: string;
  requestTime: Date;
  iam?: IamCaller;
}

/** What API Gateway passes through as text; every other body (and a body without content-type) arrives base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "application/xml" ||
    type.endsWith("+xml") ||
    type === "application/javascript"
  );
}

/** HTTP API request ids look like `JKJaXmPLvHcESHA=`. */
export function newRequestId(): string {
  return randomBytes(11).toString("base64");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `27/Nov/2026:10:05:46 +0000`, the requestContext.time format. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

/** A stable, IAM-looking unique id (AIDA…) for a local user, so callerId/userId stay the same across runs. */
export function localIamUserId(userArn: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const digest = createHash("sha256").update(userArn).digest();
  let id = "AIDA";
  for (let i = 0; i < 17; i++) id += alphabet[(digest[i] as number) % alphabet.length];
  return id;
}

function decodeQueryComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Decoded query parameters, repeated ones comma-joined; undefined when there are none (as API Gateway sends it). */
export function queryStringParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeQueryComponent(pair.slice(eq + 1));
    parameters[key] = key in parameters ? `${parameters[key]},${value}` : value;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

export function buildEvent(input: EventInput): APIGatewayProxyEventV2 {
  const headers = { ...input.headers };
  // Payload 2.0 moves cookies out of the headers into their own list.
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ?.split(";")
    .map((cookie) => cookie.trim())
    .filter(Boolean);
  const host = headers.host ?? "localhost";
  const isText = isTextContentType(headers["content-type"]);
  const query = queryStringParameters(input.rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      // Only IAM-authorized routes carry the caller; public routes have no authorizer block at all.
      ...(input.iam
        ? {
            authorizer: {
              iam: {
                accessKey: input.iam.accessKey,
                accountId: input.iam.accountId,
                callerId: input.iam.userId,
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: input.iam.userArn,
                userId: input.iam.userId,
              },
            },
          }
        : {}),
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: input.method.toUpperCase(),
        path: input.rawPath,
        protocol: "HTTP/1.1",
        sourceIp: input.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: "$default",
      time: formatRequestTime(input.requestTime),
      timeEpoch: input.requestTime.getTime(),
    } as APIGatewayProxyEventV2["requestContext"],
    isBase64Encoded: input.body.length > 0 && !isText,
  };
  if (input.body.length > 0) event.body = isText ? input.body.toString("utf8") : input.body.toString("base64");
  return event;
}

export interface LambdaContextInput {
  functionName: string;
  region: string;
  accountId: string;
  memoryMb: number;
  deadline: number;
}

export function lambdaContext(input: LambdaContextInput): Context {
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is the legacy callback API; return a Promise from the handler instead`);
  };
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${input.region}:${input.accountId}:function:${input.functionName}`,
    memoryLimitInMB: String(input.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${input.functionName}`,
    logStreamName: `${date}/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => Math.max(0, input.deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}

export interface HttpResponse {
  statusCode: number;
  /** Pairs, because Set-Cookie (and multiValueHeaders) repeat names. */
  headers: [string, string][];
  body: Buffer;
}

export class InvalidLambdaResult extends Error {
  override name = "InvalidLambdaResult";
}

function headerValue(value: unknown, name: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new InvalidLambdaResult(`header ${name} must be a string, number or boolean`);
}

/**
 * A result with `statusCode` is used as is; anything else that is valid JSON becomes a 200 application/json
 * response whose body is the serialised value (API Gateway's payload 2.0 inference). Malformed results throw,
 * which the gateway turns into a 500 like API Gateway does.
 */
export function mapLambdaResult(result: unknown): HttpResponse {
  if (result === null || typeof result !== "object" || Array.isArray(result) || !("statusCode" in result)) {
    const serialised = JSON.stringify(result === undefined ? null : result);
    return {
      statusCode: 200,
      headers: [["content-type", "application/json"]],
      body: Buffer.from(serialised, "utf8"),
    };
  }
  const structured = result as Record<string, unknown>;
  const statusCode = structured.statusCode;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new InvalidLambdaResult(`statusCode must be an integer HTTP status, got ${JSON.stringify(statusCode)}`);
  }
  const headers: [string, string][] = [];
  if (structured.headers !== undefined) {
    if (structured.headers === null || typeof structured.headers !== "object")
      throw new InvalidLambdaResult("headers must be an object");
    for (const [name, value] of Object.entries(structured.headers))
      headers.push([name.toLowerCase(), headerValue(value, name)]);
  }
  if (structured.multiValueHeaders !== undefined) {
    if (structured.multiValueHeaders === null || typeof structured.multiValueHeaders !== "object") {
      throw new InvalidLambdaResult("multiValueHeaders must be an object");
    }
    for (const [name, values] of Object.entries(structured.multiValueHeaders)) {
      if (!Array.isArray(values)) throw new InvalidLambdaResult(`multiValueHeaders.${name} must be a list`);
      for (const value of values) headers.push([name.toLowerCase(), headerValue(value, name)]);
    }
  }
  if (structured.cookies !== undefined) {
    if (!Array.isArray(structured.cookies)) throw new InvalidLambdaResult("cookies must be a list of strings");
    for (const cookie of structured.cookies) headers.push(["set-cookie", headerValue(cookie, "cookies")]);
  }
  const body = structured.body;
  if (body !== undefined && body !== null && typeof body !== "string")
    throw new InvalidLambdaResult("body must be a string");
  const isBase64Encoded = structured.isBase64Encoded === true;
  return {
    statusCode,
    headers,
    body: typeof body === "string" ? Buffer.from(body, isBase64Encoded ? "base64" : "utf8") : Buffer.alloc(0),
  };
}
