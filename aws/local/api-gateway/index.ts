/**
 * A local stand-in for the deployed API Gateway HTTP API, built from aws/template.yaml: the same routes, the same
 * AWS_IAM checks (SigV4 verification, then the invoking user's IAM policy from the template), the same payload 2.0
 * events and response mapping, and the Lambda handlers run in this process. See docs/decisions/0003-local-api-gateway.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import {
  createResolveContext,
  DEFAULT_TEMPLATE_PATH,
  functionName,
  type HttpRoute,
  LOCAL_API_ID,
  listHttpRoutes,
  loadTemplate,
  type PrincipalPolicy,
  principalPolicies,
  resolveValue,
  type Template,
} from "../template";
import { applyFunctionEnvironment, type LogCapture, runInFunction, withTimeout } from "../lambda-runtime";
import { executeApiArn, isActionAllowed } from "./iam";
import {
  buildEvent,
  type HttpResponse,
  type IamCaller,
  lambdaContext,
  localIamUserId,
  mapLambdaResult,
  newRequestId,
} from "./payload";
import { matchRoute } from "./routing";
import { verifySigV4 } from "./sigv4";

export type { HttpRoute } from "../template";

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface LocalApiPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  /** Logical id of the AWS::IAM::User in the template whose policies apply to this key. */
  iamUser: string;
}

export interface LocalApiOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  host?: string;
  templatePath?: string;
  /** Template parameters; Env defaults to "local". */
  parameters?: Record<string, string>;
  region?: string;
  accountId?: string;
  principals?: LocalApiPrincipal[];
  /** How a route's function is loaded; default `import(route.entry)` (works under tsx and vitest). */
  loadHandler?: (route: HttpRoute) => Promise<LambdaHandler>;
  /** Extra variables merged into process.env once at start, after the template's function environment. */
  env?: Record<string, string>;
  /** HTTP API's integration timeout (30 s, not configurable in AWS); lowered only by tests. */
  integrationTimeoutSeconds?: number;
  /** Opt-in fault injection for the reliability tests (aws/local/faults/); never set by `npm start`. */
  faults?: LocalApiFaults;
  /** Where the functions' output goes (per-function log groups, Lambda's JSON log rules); default: this process's. */
  logs?: LogCapture;
  log?: (line: string) => void;
}

/** Which invocation a fault hook is asked about. */
export interface InvocationInfo {
  functionId: string;
  method: string;
  path: string;
}

/**
 * Faults the local API can inject around a function, as the reliability tests need them. "fail" turns the answer
 * into what API Gateway sends for a function error (500 `Internal Server Error`).
 */
export interface LocalApiFaults {
  /** Asked before the function runs: "fail" is a function that crashed on start (nothing it would do happens). */
  beforeInvoke?(call: InvocationInfo): "fail" | undefined;
  /** Asked after the function returned: "fail" is a function that did its work and then crashed (its writes stay). */
  afterInvoke?(call: InvocationInfo): "fail" | undefined;
}

export interface LocalApi {
  url: string;
  port: number;
  routes: HttpRoute[];
  /** Handler invocations per function logical id (gateway-level rejections never count). */
  invocations: Record<string, number>;
  close(): Promise<void>;
}

export const DEFAULT_PRINCIPALS: readonly LocalApiPrincipal[] = [
  { accessKeyId: "local-storefront", secretAccessKey: "local-storefront-secret", iamUser: "StorefrontInvoker" },
  { accessKeyId: "local-admin", secretAccessKey: "local-admin-secret", iamUser: "OwnerAdminInvoker" },
];

/** HTTP API's payload limit. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** HTTP API gives up on an integration after 30 s whatever the function's own timeout. */
export const INTEGRATION_TIMEOUT_SECONDS = 30;

interface CorsSettings {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

class GatewayResponse {
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, string>,
    readonly errorType?: string,
  ) {}
}

const NOT_FOUND = () => new GatewayResponse(404, { message: "Not Found" }, "NotFoundException");
const INTERNAL_ERROR = () =>
  new GatewayResponse(500, { message: "Internal Server Error" }, "InternalServerErrorException");

async function defaultLoadHandler(route: HttpRoute): Promise<LambdaHandler> {
  const module = (await import(route.entry)) as { handler?: unknown };
  if (typeof module.handler !== "function") throw new Error(`${route.entry} does not export a handler function`);
  return module.handler as LambdaHandler;
}

function corsSettings(template: Template, resolve: (value: unknown) => unknown): CorsSettings | undefined {
  const api = Object.values(template.Resources).find((resource) => resource.Type === "AWS::Serverless::HttpApi");
  const raw = (api?.Properties?.CorsConfiguration ?? template.Globals?.HttpApi?.CorsConfiguration) as unknown;
  if (!raw) return undefined;
  const config = resolve(raw) as Record<string, unknown> | true;
  // `CorsConfiguration: true` means allow every origin.
  if (config === true) {
    return {
      allowOrigins: ["*"],
      allowMethods: ["*"],
      allowHeaders: ["*"],
      exposeHeaders: [],
      allowCredentials: false,
    };
  }
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  return {
    allowOrigins: list(config.AllowOrigins),
    allowMethods: list(config.AllowMethods).map((m) => m.toUpperCase()),
    allowHeaders: list(config.AllowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: list(config.ExposeHeaders),
    ...(config.MaxAge !== undefined ? { maxAge: Number(config.MaxAge) } : {}),
    allowCredentials: config.AllowCredentials === true,
  };
}

function allowedOrigin(cors: CorsSettings | undefined, origin: string | undefined): string | undefined {
  if (!cors || !origin) return undefined;
  if (cors.allowOrigins.includes(origin)) return origin;
  return cors.allowOrigins.includes("*") ? "*" : undefined;
}

/** Lower-cased names, repeated headers comma-joined (API Gateway's presentation of request headers). */
function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values) headers[name.toLowerCase()] = values.join(",");
  }
  return headers;
}

function sourceIpOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      if (size > limit) return; // already refused: keep draining so the 413 can still be delivered
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const region = options.region ?? "ap-northeast-1";
  const accountId = options.accountId ?? "000000000000";
  const log = options.log ?? (() => {});
  const template = await loadTemplate(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  const ctx = createResolveContext(template, {
    parameters: { Env: "local", ...options.parameters },
    region,
    accountId,
  });
  const routes = listHttpRoutes(template);
  const cors = corsSettings(template, (value) => resolveValue(value, ctx));
  const policies = principalPolicies(template, ctx);
  const loadHandler = options.loadHandler ?? defaultLoadHandler;

  const principals = new Map<string, LocalApiPrincipal & { policy: PrincipalPolicy }>();
  for (const principal of options.principals ?? DEFAULT_PRINCIPALS) {
    const policy = policies[principal.iamUser];
    if (!policy)
      throw new Error(
        `Principal ${principal.accessKeyId}: no AWS::IAM::User "${principal.iamUser}" in ${template.path}`,
      );
    principals.set(principal.accessKeyId, { ...principal, policy });
  }

  applyFunctionEnvironment(
    template,
    [...new Set(routes.map((route) => route.functionId))],
    ctx,
    options.env ?? {},
    region,
    log,
  );

  const invocations: Record<string, number> = {};
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const getHandler = (route: HttpRoute): Promise<LambdaHandler> => {
    let loading = handlers.get(route.functionId);
    if (!loading) {
      loading = loadHandler(route);
      // A failed import is retried on the next request instead of being remembered for ever.
      loading.catch(() => handlers.delete(route.functionId));
      handlers.set(route.functionId, loading);
    }
    return loading;
  };

  const iamCaller = (accessKeyId: string): { caller: IamCaller; policy: PrincipalPolicy } => {
    const principal = principals.get(accessKeyId) as LocalApiPrincipal & { policy: PrincipalPolicy };
    return {
      caller: {
        accessKey: accessKeyId,
        accountId,
        userArn: principal.policy.userArn,
        userId: localIamUserId(principal.policy.userArn),
      },
      policy: principal.policy,
    };
  };

  /** Everything between the socket and the function: returns what to send, never throws. */
  const handle = async (
    request: IncomingMessage,
    requestId: string,
    started: Date,
  ): Promise<{ response: HttpResponse | GatewayResponse; functionId?: string; preflight?: boolean }> => {
    const method = (request.method ?? "GET").toUpperCase();
    const target = request.url ?? "/";
    const queryStart = target.indexOf("?");
    const rawPath = queryStart < 0 ? target : target.slice(0, queryStart);
    const rawQueryString = queryStart < 0 ? "" : target.slice(queryStart + 1);
    const headers = flattenHeaders(request);

    // With CORS configured, API Gateway answers every preflight itself, before routing and authorization.
    if (cors && method === "OPTIONS" && headers.origin && headers["access-control-request-method"]) {
      request.resume();
      return { response: preflightResponse(cors, headers), preflight: true };
    }

    const match = matchRoute(routes, method, rawPath);
    if (!match) {
      request.resume();
      return { response: NOT_FOUND() };
    }
    const { route } = match;

    let body: Buffer;
    try {
      body = await readBody(request, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return {
          response: new GatewayResponse(413, { message: "Request Entity Too Large" }, "RequestEntityTooLargeException"),
        };
      throw error;
    }

    let iam: IamCaller | undefined;
    if (route.auth === "AWS_IAM") {
      const verification = await verifySigV4(
        { method, rawPath, rawQueryString, headers, body },
        { region, service: "execute-api", secretFor: (key) => principals.get(key)?.secretAccessKey },
      );
      if (!verification.ok) {
        return { response: new GatewayResponse(403, { message: verification.message }, verification.errorType) };
      }
      const { caller, policy } = iamCaller(verification.accessKeyId);
      const arn = executeApiArn({ region, accountId, apiId: LOCAL_API_ID, stage: "$default", method, path: rawPath });
      if (!isActionAllowed(policy.statements, "execute-api:Invoke", arn)) {
        return {
          response: new GatewayResponse(
            403,
            { Message: `User: ${policy.userArn} is not authorized to perform: execute-api:Invoke on resource: ${arn}` },
            "AccessDeniedException",
          ),
        };
      }
      iam = caller;
    }

    const event = buildEvent({
      method,
      rawPath,
      rawQueryString,
      headers: forwardedHeaders(headers, request, requestId),
      body,
      routeKey: match.routeKey,
      ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
      accountId,
      apiId: LOCAL_API_ID,
      requestId,
      sourceIp: sourceIpOf(request),
      requestTime: started,
      ...(iam ? { iam } : {}),
    });
    return { response: await invoke(route, event), functionId: route.functionId };
  };

  const invoke = async (route: HttpRoute, event: APIGatewayProxyEventV2): Promise<HttpResponse | GatewayResponse> => {
    const name = functionName(route.functionId, ctx);
    let handler: LambdaHandler;
    try {
      handler = await getHandler(route);
    } catch (error) {
      console.error(`[${name}] Runtime.ImportModuleError: could not load ${route.entry}`, error);
      return INTERNAL_ERROR();
    }
    const lambdaTimeoutMs = route.timeoutSeconds * 1000;
    const gatewayTimeoutSeconds = options.integrationTimeoutSeconds ?? INTEGRATION_TIMEOUT_SECONDS;
    const gatewayTimeoutMs = gatewayTimeoutSeconds * 1000;
    const context = lambdaContext({
      functionName: name,
      region,
      accountId,
      memoryMb: route.memoryMb,
      deadline: Date.now() + lambdaTimeoutMs,
    });
    invocations[route.functionId] = (invocations[route.functionId] ?? 0) + 1;
    const call: InvocationInfo = {
      functionId: route.functionId,
      method: event.requestContext.http.method,
      path: event.rawPath,
    };
    if (options.faults?.beforeInvoke?.(call) === "fail") {
      log(`[${name}] ${context.awsRequestId} injected fault: failed before running`);
      return INTERNAL_ERROR();
    }
    try {
      const outcome = await withTimeout(
        runInFunction(options.logs, { functionName: name, requestId: context.awsRequestId }, () =>
          Promise.resolve().then(() => handler(event, context)),
        ),
        Math.min(lambdaTimeoutMs, gatewayTimeoutMs),
      );
      if (outcome.timedOut) {
        // The function's own timeout is a function error (500); only HTTP API's 30 s integration cap gives 503.
        if (lambdaTimeoutMs <= gatewayTimeoutMs) {
          console.error(
            `[${name}] ${context.awsRequestId} Task timed out after ${route.timeoutSeconds.toFixed(2)} seconds`,
          );
          return INTERNAL_ERROR();
        }
        console.error(`[${name}] integration timed out after ${gatewayTimeoutSeconds} s (HTTP API limit)`);
        return new GatewayResponse(503, { message: "Service Unavailable" }, "ServiceUnavailableException");
      }
      if (options.faults?.afterInvoke?.(call) === "fail") {
        log(`[${name}] ${context.awsRequestId} injected fault: failed after running`);
        return INTERNAL_ERROR();
      }
      return mapLambdaResult(outcome.value);
    } catch (error) {
      // What CloudWatch would show for an unhandled error or a malformed result; the caller only sees a 500.
      console.error(`[${name}] ${context.awsRequestId} Invoke Error`, error);
      return INTERNAL_ERROR();
    }
  };

  const send = (
    request: IncomingMessage,
    response: ServerResponse,
    result: HttpResponse | GatewayResponse,
    requestId: string,
    preflight: boolean,
  ) => {
    const origin = allowedOrigin(cors, request.headers.origin);
    const headers: [string, string][] =
      result instanceof GatewayResponse
        ? [
            ["content-type", "application/json"],
            ...(result.errorType ? ([["x-amzn-ErrorType", result.errorType]] as [string, string][]) : []),
            ["x-amzn-RequestId", requestId],
          ]
        : [...result.headers];
    headers.push(["apigw-requestid", requestId]);
    // A preflight carries its own CORS headers; other answers get the allowed origin added, as API Gateway does.
    if (origin && !preflight && !(result instanceof GatewayResponse && result.statusCode === 404)) {
      headers.push(["access-control-allow-origin", origin]);
      if (cors?.exposeHeaders.length) headers.push(["access-control-expose-headers", cors.exposeHeaders.join(",")]);
      if (cors?.allowCredentials) headers.push(["access-control-allow-credentials", "true"]);
    }
    const body = result instanceof GatewayResponse ? Buffer.from(JSON.stringify(result.body), "utf8") : result.body;
    const grouped = new Map<string, string[]>();
    for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    for (const [name, values] of grouped)
      response.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    response.setHeader("content-length", body.length);
    if (result.statusCode === 413) response.setHeader("connection", "close");
    response.writeHead(result.statusCode);
    response.end(body);
  };

  const server = createServer((request, response) => {
    const requestId = newRequestId();
    const started = new Date();
    handle(request, requestId, started)
      .catch((error: unknown) => {
        console.error("[local-api] gateway error", error);
        return { response: INTERNAL_ERROR(), functionId: undefined, preflight: false };
      })
      .then(({ response: result, functionId, preflight }) => {
        send(request, response, result, requestId, preflight === true);
        log(
          `${request.method} ${pathOnly(request.url)} → ${result.statusCode} ${Date.now() - started.getTime()}ms${functionId ? ` ${functionId}` : ""}`,
        );
      });
  });
  // Many parallel requests: don't let Node's defaults cap or drop idle keep-alive connections early.
  server.maxRequestsPerSocket = 0;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3001, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  log(`local HTTP API on ${url} (${routes.length} routes from ${template.path})`);

  return {
    url,
    port,
    routes,
    invocations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function preflightResponse(cors: CorsSettings, headers: Record<string, string>): HttpResponse {
  const origin = allowedOrigin(cors, headers.origin);
  const requestedMethod = (headers["access-control-request-method"] ?? "").toUpperCase();
  const requestedHeaders = (headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const methodAllowed = cors.allowMethods.includes("*") || cors.allowMethods.includes(requestedMethod);
  const headersAllowed =
    cors.allowHeaders.includes("*") || requestedHeaders.every((h) => cors.allowHeaders.includes(h));
  // A disallowed preflight still gets 204, just without the Access-Control-* headers, so the browser blocks the call.
  if (!origin || !methodAllowed || !headersAllowed) return { statusCode: 204, headers: [], body: Buffer.alloc(0) };
  const out: [string, string][] = [
    ["access-control-allow-origin", origin],
    ["access-control-allow-methods", cors.allowMethods.join(",")],
  ];
  if (cors.allowHeaders.length > 0) out.push(["access-control-allow-headers", cors.allowHeaders.join(",")]);
  if (cors.maxAge !== undefined) out.push(["access-control-max-age", String(cors.maxAge)]);
  if (cors.allowCredentials) out.push(["access-control-allow-credentials", "true"]);
  return { statusCode: 204, headers: out, body: Buffer.alloc(0) };
}

/** Headers API Gateway adds on the way to the integration. */
function forwardedHeaders(
  headers: Record<string, string>,
  request: IncomingMessage,
  requestId: string,
): Record<string, string> {
  const sourceIp = sourceIpOf(request);
  const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${Buffer.from(requestId, "base64").toString("hex").padEnd(24, "0").slice(0, 24)}`;
  return {
    ...headers,
    "x-forwarded-for": headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${sourceIp}` : sourceIp,
    "x-forwarded-port": String(request.socket.localPort ?? ""),
    "x-forwarded-proto": "http",
    "x-amzn-trace-id": traceId,
  };
}

/** The request's path for the local log: query strings can hold a shopper's phone number (GET /order), so never them. */
function pathOnly(url: string | undefined): string {
  const target = url ?? "/";
  const query = target.indexOf("?");
  return query < 0 ? target : `${target.slice(0, query)}?…`;
}
