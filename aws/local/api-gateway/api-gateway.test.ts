import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../src/contract";
import { createResolveContext, listHttpRoutes, loadTemplate, principalPolicies } from "../template";
import { executeApiArn, iamWildcardMatch, isActionAllowed } from "./iam";
import { type HttpRoute, type LambdaHandler, type LocalApi, MAX_BODY_BYTES, startLocalApi } from "./index";
import { matchRoute } from "./routing";
import { SIGNATURE_MISMATCH_MESSAGE } from "./sigv4";

const FIXTURE_TEMPLATE = fileURLToPath(new URL("./fixtures/template.yaml", import.meta.url));
const REGION = "ap-northeast-1";
const ACCOUNT = "000000000000";

const KEYS = {
  writer: { accessKeyId: "writer-key", secretAccessKey: "writer-secret" },
  reader: { accessKeyId: "reader-key", secretAccessKey: "reader-secret" },
  denied: { accessKeyId: "denied-key", secretAccessKey: "denied-secret" },
};

/** Signs like the BFF does: aws4fetch, execute-api, explicit region, no retries. */
function signer(
  key: { accessKeyId: string; secretAccessKey: string },
  overrides: { region?: string; service?: string } = {},
) {
  return new AwsClient({
    ...key,
    service: overrides.service ?? "execute-api",
    region: overrides.region ?? REGION,
    retries: 0,
  });
}

interface Echo {
  event: APIGatewayProxyEventV2 & { requestContext: { authorizer?: { iam?: Record<string, unknown> } } };
  context: {
    functionName: string;
    awsRequestId: string;
    invokedFunctionArn: string;
    memoryLimitInMB: string;
    remainingMs: number;
  };
  env: Record<string, string | undefined>;
}

/** Sends raw bytes, for what fetch cannot express (a header sent twice). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
    });
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
}

describe("local HTTP API on the fixture template", () => {
  let api: LocalApi;
  const writer = signer(KEYS.writer);

  beforeAll(async () => {
    api = await startLocalApi({
      port: 0,
      templatePath: FIXTURE_TEMPLATE,
      parameters: { Env: "test" },
      principals: [
        { ...KEYS.writer, iamUser: "WriterUser" },
        { ...KEYS.reader, iamUser: "ReaderUser" },
        { ...KEYS.denied, iamUser: "DeniedUser" },
      ],
      env: { FIXTURE_OVERRIDE: "from-options" },
      integrationTimeoutSeconds: 1,
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  const invoked = (functionId: string) => api.invocations[functionId] ?? 0;

  it("passes a signed GET to the handler as a payload 2.0 event", async () => {
    const response = await writer.fetch(`${api.url}/echo/abc%20d?b=2&a=1&a=3`, {
      headers: { cookie: "theme=dark; session=xyz", "X-Custom": "Value", "user-agent": "fixture-agent/1.0" },
    });
    expect(response.status).toBe(200);
    const { event, context, env } = (await response.json()) as Echo;
    const requestId = response.headers.get("apigw-requestid");
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);

    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /echo/{id}",
      rawPath: "/echo/abc%20d",
      rawQueryString: "b=2&a=1&a=3",
      cookies: ["theme=dark", "session=xyz"],
      queryStringParameters: { b: "2", a: "1,3" },
      pathParameters: { id: "abc d" },
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
    expect(event.headers["x-custom"]).toBe("Value");
    expect(event.headers.host).toBe(`127.0.0.1:${api.port}`);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);

    const rc = event.requestContext;
    expect(rc).toMatchObject({
      accountId: ACCOUNT,
      apiId: "local",
      domainName: `127.0.0.1:${api.port}`,
      domainPrefix: "127",
      http: {
        method: "GET",
        path: "/echo/abc%20d",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "fixture-agent/1.0",
      },
      requestId,
      routeKey: "GET /echo/{id}",
      stage: "$default",
    });
    expect(rc.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(rc.timeEpoch - Date.now())).toBeLessThan(10_000);
    const iam = rc.authorizer?.iam;
    expect(iam).toMatchObject({
      accessKey: "writer-key",
      accountId: ACCOUNT,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: `arn:aws:iam::${ACCOUNT}:user/fixture-test-writer`,
    });
    expect(iam?.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(iam?.callerId).toBe(iam?.userId);

    expect(context).toMatchObject({
      functionName: "fixture-test-echo",
      invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fixture-test-echo`,
      memoryLimitInMB: "256",
    });
    expect(context.remainingMs).toBeGreaterThan(4_000);
    expect(context.remainingMs).toBeLessThanOrEqual(5_000);
    // Template Globals resolved for Env=test, then the caller's overrides.
    expect(env).toEqual({
      FIXTURE_ENV: "test",
      FIXTURE_TABLE: "fixture-test-table",
      FIXTURE_IS_TEST: "yes",
      FIXTURE_TABLE_ARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/fixture-test-table`,
      FIXTURE_OVERRIDE: "from-options",
    });
  });

  it("passes a signed JSON POST body through as text", async () => {
    const body = JSON.stringify({ name: "王小明", items: [1, 2] });
    const response = await writer.fetch(`${api.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
    const { event } = (await response.json()) as Echo;
    expect(event).toMatchObject({ routeKey: "POST /echo", body, isBase64Encoded: false });
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(event.headers["content-type"]).toBe("application/json");
  });

  it("base64-encodes binary bodies", async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const response = await writer.fetch(`${api.url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    const { event } = (await response.json()) as Echo;
    expect(event.isBase64Encoded).toBe(true);
    expect([...Buffer.from(event.body ?? "", "base64")]).toEqual([...bytes]);
  });

  it("lets anyone call a public route, and base64-encodes a form post as HTTP APIs do", async () => {
    const before = invoked("PublicFunction");
    const response = await fetch(`${api.url}/public`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "MerchantID=3002607&RtnCode=1",
    });
    expect(response.status).toBe(200);
    const { event } = (await response.json()) as Echo;
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64").toString("utf8")).toBe("MerchantID=3002607&RtnCode=1");
    expect(invoked("PublicFunction")).toBe(before + 1);
  });

  it("joins repeated request headers with commas", async () => {
    const reply = await rawRequest(
      api.port,
      "POST /public HTTP/1.1\r\nHost: localhost\r\nX-Repeat: one\r\nX-Repeat: two\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    );
    const echo = JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4)) as Echo;
    expect(echo.event.headers["x-repeat"]).toBe("one,two");
    expect(echo.event.body).toBe("hi");
  });

  describe("rejects with 403 before the handler runs", () => {
    const expectRejected = async (response: Response, errorType: string, message: string | RegExp) => {
      expect(response.status).toBe(403);
      expect(response.headers.get("x-amzn-errortype")).toBe(errorType);
      expect(response.headers.get("x-amzn-requestid")).toBeTruthy();
      const body = (await response.json()) as { message?: string; Message?: string };
      const text = body.message ?? body.Message ?? "";
      if (typeof message === "string") expect(text).toBe(message);
      else expect(text).toMatch(message);
    };

    it("an unsigned call", async () => {
      const before = invoked("EchoFunction");
      await expectRejected(await fetch(`${api.url}/echo/1`), "ForbiddenException", "Forbidden");
      expect(invoked("EchoFunction")).toBe(before);
    });

    it("a signature made with the wrong secret", async () => {
      const before = invoked("EchoFunction");
      const wrong = signer({ accessKeyId: "writer-key", secretAccessKey: "not-the-secret" });
      await expectRejected(
        await wrong.fetch(`${api.url}/echo/1`),
        "InvalidSignatureException",
        SIGNATURE_MISMATCH_MESSAGE,
      );
      expect(invoked("EchoFunction")).toBe(before);
    });

    it("an unknown access key", async () => {
      const stranger = signer({ accessKeyId: "AKIASTRANGER", secretAccessKey: "whatever" });
      await expectRejected(
        await stranger.fetch(`${api.url}/echo/1`),
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    });

    it("a tampered body", async () => {
      const before = invoked("EchoFunction");
      const signed = await writer.sign(`${api.url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"total":100}',
      });
      const tampered = await fetch(signed.url, { method: "POST", headers: signed.headers, body: '{"total":1}' });
      await expectRejected(tampered, "InvalidSignatureException", SIGNATURE_MISMATCH_MESSAGE);
      expect(invoked("EchoFunction")).toBe(before);
    });

    it("a tampered query or path", async () => {
      const signed = await writer.sign(`${api.url}/echo/1?phone=0912345678`);
      const otherQuery = await fetch(signed.url.replace("0912345678", "0987654321"), { headers: signed.headers });
      await expectRejected(otherQuery, "InvalidSignatureException", SIGNATURE_MISMATCH_MESSAGE);
      const otherPath = await fetch(signed.url.replace("/echo/1", "/echo/2"), { headers: signed.headers });
      await expectRejected(otherPath, "InvalidSignatureException", SIGNATURE_MISMATCH_MESSAGE);
    });

    it("a credential scoped to another region or service", async () => {
      await expectRejected(
        await signer(KEYS.writer, { region: "us-east-1" }).fetch(`${api.url}/echo/1`),
        "InvalidSignatureException",
        /^Credential should be scoped to a valid region/,
      );
      await expectRejected(
        await signer(KEYS.writer, { service: "lambda" }).fetch(`${api.url}/echo/1`),
        "InvalidSignatureException",
        /^Credential should be scoped to correct service: 'execute-api'/,
      );
    });

    it("a request date six minutes away from the clock", async () => {
      const amzDate = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().replace(/[-:]|\.\d{3}/g, "");
      const old = await writer.sign(`${api.url}/echo/1`, { aws: { datetime: amzDate(-6 * 60_000) } });
      await expectRejected(
        await fetch(old),
        "InvalidSignatureException",
        /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
      );
      const future = await writer.sign(`${api.url}/echo/1`, { aws: { datetime: amzDate(6 * 60_000) } });
      await expectRejected(await fetch(future), "InvalidSignatureException", /^Signature not yet current: /);
    });

    it("a malformed Authorization header", async () => {
      await expectRejected(
        await fetch(`${api.url}/echo/1`, { headers: { authorization: "AWS4-HMAC-SHA256 Credential=writer-key" } }),
        "IncompleteSignatureException",
        /Authorization header requires 'Signature' parameter\./,
      );
    });

    it("a caller whose IAM policy does not allow the route", async () => {
      const before = invoked("EchoFunction");
      const reader = signer(KEYS.reader);
      expect((await reader.fetch(`${api.url}/echo/1`)).status).toBe(200);
      await expectRejected(
        await reader.fetch(`${api.url}/echo`, { method: "POST", body: "{}" }),
        "AccessDeniedException",
        `User: arn:aws:iam::${ACCOUNT}:user/fixture-test-reader is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${REGION}:${ACCOUNT}:local/$default/POST/echo`,
      );
      expect(invoked("EchoFunction")).toBe(before + 1);
    });

    it("an explicit Deny, which beats an Allow", async () => {
      const denied = signer(KEYS.denied);
      expect((await denied.fetch(`${api.url}/echo/1`)).status).toBe(200);
      await expectRejected(
        await denied.fetch(`${api.url}/echo`, { method: "POST", body: "{}" }),
        "AccessDeniedException",
        /not authorized/,
      );
    });
  });

  describe("routing", () => {
    it("answers 404 for a path or method no route declares", async () => {
      for (const [method, path] of [
        ["GET", "/nowhere"],
        ["GET", "/public"],
        ["GET", "/echo"],
        ["GET", "/echo/1/extra"],
      ] as const) {
        const response = await fetch(`${api.url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toEqual({ message: "Not Found" });
      }
    });

    it("prefers a literal segment over a path variable", async () => {
      const { event, context } = (await (await writer.fetch(`${api.url}/echo/special`)).json()) as Echo;
      expect(event.routeKey).toBe("GET /echo/special");
      expect(event.pathParameters).toBeUndefined();
      expect(context.functionName).toBe("LiteralFunction");
    });

    it("matches {proxy+} greedily, and an exact method before ANY", async () => {
      const put = (await (
        await writer.fetch(`${api.url}/files/a/b/c.txt`, { method: "PUT", body: "x" })
      ).json()) as Echo;
      expect(put.event).toMatchObject({ routeKey: "ANY /files/{proxy+}", pathParameters: { proxy: "a/b/c.txt" } });
      const post = (await (await writer.fetch(`${api.url}/files/a`, { method: "POST", body: "x" })).json()) as Echo;
      expect(post.event.routeKey).toBe("POST /files/{proxy+}");
    });
  });

  describe("response mapping", () => {
    it("turns a thrown error into a bare 500 and logs it with the function name", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const response = await writer.fetch(`${api.url}/throw`);
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ message: "Internal Server Error" });
        expect(response.headers.get("apigw-requestid")).toBeTruthy();
        expect(String(logged.mock.calls[0]?.[0])).toContain("fixture-test-throw");
        expect(
          logged.mock.calls[0]?.some((arg) => arg instanceof Error && arg.message.includes("database is on fire")),
        ).toBe(true);
      } finally {
        logged.mockRestore();
      }
    });

    it("serialises a result without statusCode as a 200 JSON body", async () => {
      const response = await writer.fetch(`${api.url}/result/inferred`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.json()).toEqual({ hello: "世界", n: 1 });
      const text = await writer.fetch(`${api.url}/result/string`);
      expect(await text.text()).toBe('"just a string"');
    });

    it("decodes base64 bodies and sends cookies and multi-value headers", async () => {
      const response = await writer.fetch(`${api.url}/result/binary`);
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(response.headers.get("x-number")).toBe("7");
      expect(response.headers.get("x-multi")).toBe("a, b");
      expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; HttpOnly"]);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    });

    it("answers 500 for a malformed result", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        for (const kind of ["invalid-status", "object-body"]) {
          const response = await writer.fetch(`${api.url}/result/${kind}`);
          expect(response.status, kind).toBe(500);
          expect(await response.json()).toEqual({ message: "Internal Server Error" });
        }
      } finally {
        logged.mockRestore();
      }
    });

    it("sends an empty body when the result has none", async () => {
      const response = await writer.fetch(`${api.url}/result/empty`);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe("");
    });
  });

  describe("limits", () => {
    it("fails a function that runs past its Timeout with 500 (a Lambda timeout is a function error)", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const started = Date.now();
        const response = await writer.fetch(`${api.url}/slow`);
        expect(response.status).toBe(500);
        expect(await response.json()).toEqual({ message: "Internal Server Error" });
        expect(Date.now() - started).toBeLessThan(2_400);
        expect(logged.mock.calls.some((call) => String(call[0]).includes("Task timed out after 1.00 seconds"))).toBe(
          true,
        );
      } finally {
        logged.mockRestore();
      }
    });

    it("answers 503 when the integration outlasts HTTP API's own timeout", async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const response = await writer.fetch(`${api.url}/very-slow`);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ message: "Service Unavailable" });
      } finally {
        logged.mockRestore();
      }
    });

    it("refuses a body over 10 MB with 413 without invoking the function", async () => {
      const before = invoked("PublicFunction");
      const response = await fetch(`${api.url}/public`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: new Uint8Array(MAX_BODY_BYTES + 1),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
      expect(invoked("PublicFunction")).toBe(before);

      // Without a Content-Length the limit is enforced while streaming.
      const big = new Uint8Array(MAX_BODY_BYTES + 1);
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < big.length; i += 65_536) controller.enqueue(big.subarray(i, i + 65_536));
          controller.close();
        },
      });
      const streamed = await fetch(`${api.url}/public`, {
        method: "POST",
        body: chunked,
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(invoked("PublicFunction")).toBe(before);
    });

    it("serves many signed requests in parallel", async () => {
      const before = invoked("EchoFunction");
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          writer
            .fetch(`${api.url}/echo/${i}`)
            .then(async (r) => ({ status: r.status, echo: (await r.json()) as Echo })),
        ),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(new Set(responses.map((r) => r.echo.event.pathParameters?.id)).size).toBe(60);
      expect(new Set(responses.map((r) => r.echo.event.requestContext.requestId)).size).toBe(60);
      expect(invoked("EchoFunction")).toBe(before + 60);
    });
  });

  describe("CORS", () => {
    it("answers a preflight from the storefront origin itself, without invoking anything", async () => {
      const before = { ...api.invocations };
      const response = await fetch(`${api.url}/echo`, {
        method: "OPTIONS",
        headers: {
          origin: "https://shop.example.tw",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example.tw");
      expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST");
      expect(response.headers.get("access-control-max-age")).toBe("600");
      expect(api.invocations).toEqual(before);
    });

    it("gives other origins no CORS headers", async () => {
      const preflight = await fetch(`${api.url}/echo`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      const simple = await writer.fetch(`${api.url}/echo/1`, { headers: { origin: "https://evil.example" } });
      expect(simple.headers.get("access-control-allow-origin")).toBeNull();
      const allowed = await writer.fetch(`${api.url}/echo/1`, { headers: { origin: "https://shop.example.tw" } });
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example.tw");
    });
  });
});

describe("local HTTP API on aws/template.yaml (echo handlers)", () => {
  let api: LocalApi;
  const storefront = signer({ accessKeyId: "local-storefront", secretAccessKey: "local-storefront-secret" });
  const admin = signer({ accessKeyId: "local-admin", secretAccessKey: "local-admin-secret" });
  const echo =
    (route: HttpRoute): LambdaHandler =>
    async (event) => ({
      statusCode: 200,
      body: JSON.stringify({
        functionId: route.functionId,
        routeKey: event.routeKey,
        pathParameters: event.pathParameters ?? null,
      }),
    });

  beforeAll(async () => {
    // Default principals (local-storefront → StorefrontInvoker, local-admin → OwnerAdminInvoker); env untouched.
    api = await startLocalApi({ port: 0, loadHandler: async (route) => echo(route), env: {} });
  });

  afterAll(async () => {
    await api?.close();
  });

  const concretePath = (path: string) => path.replace("{id}", "261127-04831");
  const call = (client: AwsClient | undefined, method: string, path: string) => {
    const init = {
      method,
      ...(method === "GET" ? {} : { body: "{}", headers: { "content-type": "application/json" } }),
    };
    return client ? client.fetch(`${api.url}${path}`, init) : fetch(`${api.url}${path}`, init);
  };

  it("declares exactly the routes of the shared contract, every one with a handler file", async () => {
    const declared = api.routes.map((route) => `${route.method} ${route.path}`).sort();
    expect(declared).toEqual(
      Object.values(ROUTES)
        .map((route) => `${route.method} ${route.path}`)
        .sort(),
    );
    const template = await loadTemplate();
    for (const route of listHttpRoutes(template)) {
      expect(route.entry).toMatch(/aws\/src\/handlers\/[a-z-]+\.ts$/);
      expect(route.timeoutSeconds).toBe(10);
      expect(route.memoryMb).toBe(128);
    }
  });

  it("keeps exactly the ECPay callbacks public (payments and logistics)", () => {
    const publicRoutes = api.routes
      .filter((route) => route.auth === "NONE")
      .map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.sort()).toEqual(["POST /ecpay", "POST /ecpay/logistics", "POST /ecpay/payment-info"]);
  });

  it("lets the storefront and admin keys invoke only the deployed stage ($default), not any stage", async () => {
    const template = await loadTemplate();
    const api = Object.values(template.Resources).find((resource) => resource.Type === "AWS::Serverless::HttpApi");
    expect(api?.Properties?.StageName).toBeUndefined(); // so SAM deploys the API to `$default`
    const ctx = createResolveContext(template);
    const policies = principalPolicies(template, ctx);
    const arn = (stage: string, method: string, path: string) =>
      executeApiArn({
        region: ctx.region,
        accountId: ctx.accountId,
        apiId: ctx.resources.HttpApi!,
        stage,
        method,
        path,
      });
    for (const [user, method, path] of [
      ["StorefrontInvoker", "POST", "/order"],
      ["StorefrontInvoker", "GET", "/"],
      ["OwnerAdminInvoker", "POST", "/admin/orders/261127-04831/transition"],
    ] as const) {
      const statements = policies[user]!.statements;
      expect(isActionAllowed(statements, "execute-api:Invoke", arn("$default", method, path)), user).toBe(true);
      expect(isActionAllowed(statements, "execute-api:Invoke", arn("test", method, path)), user).toBe(false);
    }
    // Every route either key may invoke, routes added later included: on `$default` only.
    for (const user of ["StorefrontInvoker", "OwnerAdminInvoker"]) {
      const statements = policies[user]!.statements;
      const invocable = Object.values(ROUTES).filter((route) =>
        isActionAllowed(statements, "execute-api:Invoke", arn("$default", route.method, concretePath(route.path))),
      );
      expect(invocable.length, user).toBeGreaterThan(1);
      for (const route of invocable) {
        const elsewhere = arn("test", route.method, concretePath(route.path));
        expect(
          isActionAllowed(statements, "execute-api:Invoke", elsewhere),
          `${user} ${route.method} ${route.path}`,
        ).toBe(false);
      }
    }
  });

  // Who may call what, straight from the IAM users' policies in the template.
  const shopperRoutes = new Set(["ping", "createOrder", "getOrder", "retryPayment", "getStock", "cvsMap"]);
  const publicRoutes = new Set(["ecpayReturn", "ecpayPaymentInfo", "ecpayLogistics"]);

  for (const [name, route] of Object.entries(ROUTES)) {
    const path = concretePath(route.path);
    it(`${route.method} ${route.path}: unsigned, storefront and admin callers`, async () => {
      const unsigned = await call(undefined, route.method, path);
      expect(unsigned.status).toBe(publicRoutes.has(name) ? 200 : 403);

      const asStorefront = await call(storefront, route.method, path);
      const asAdmin = await call(admin, route.method, path);
      if (publicRoutes.has(name)) {
        expect(asStorefront.status).toBe(200);
        expect(asAdmin.status).toBe(200);
        return;
      }
      const storefrontAllowed = shopperRoutes.has(name);
      const adminAllowed = name === "ping" || name.startsWith("admin");
      expect(asStorefront.status).toBe(storefrontAllowed ? 200 : 403);
      expect(asAdmin.status).toBe(adminAllowed ? 200 : 403);
      if (!storefrontAllowed) {
        expect(await asStorefront.json()).toEqual({
          Message: `User: arn:aws:iam::${ACCOUNT}:user/shop-local-storefront is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${REGION}:${ACCOUNT}:local/$default/${route.method}${path}`,
        });
      }
      if (!adminAllowed) {
        expect(((await asAdmin.json()) as { Message: string }).Message).toContain(
          "user/shop-local-owner-admin is not authorized",
        );
      }
    });
  }

  it("routes path parameters to the right function", async () => {
    const response = await admin.fetch(`${api.url}/admin/orders/261127-04831/transition`, {
      method: "POST",
      body: "{}",
    });
    expect(await response.json()).toEqual({
      functionId: "AdminTransitionFunction",
      routeKey: "POST /admin/orders/{id}/transition",
      pathParameters: { id: "261127-04831" },
    });
    const list = await admin.fetch(`${api.url}/admin/orders?from=2026-11-01&to=2026-11-27`);
    expect(((await list.json()) as { functionId: string }).functionId).toBe("AdminListOrdersFunction");
  });

  it("never invokes a function for a rejected call", async () => {
    const before = api.invocations.AdminListOrdersFunction ?? 0;
    expect((await storefront.fetch(`${api.url}/admin/orders`)).status).toBe(403);
    expect((await fetch(`${api.url}/admin/orders`)).status).toBe(403);
    expect(api.invocations.AdminListOrdersFunction ?? 0).toBe(before);
  });
});

describe("building blocks", () => {
  it("IAM wildcards: * spans anything including slashes, ? exactly one character", () => {
    expect(
      iamWildcardMatch(
        "arn:aws:execute-api:r:1:api/*/*/admin/*",
        "arn:aws:execute-api:r:1:api/$default/POST/admin/orders/1/transition",
      ),
    ).toBe(true);
    expect(
      iamWildcardMatch("arn:aws:execute-api:r:1:api/*/GET/", "arn:aws:execute-api:r:1:api/$default/GET/order"),
    ).toBe(false);
    expect(iamWildcardMatch("a?c", "abc")).toBe(true);
    expect(iamWildcardMatch("a?c", "ac")).toBe(false);
    expect(iamWildcardMatch("a.c", "abc")).toBe(false);
  });

  it("route matching falls back to $default last", () => {
    const route = (method: string, path: string): HttpRoute => ({
      functionId: `${method} ${path}`,
      method,
      path,
      auth: "NONE",
      entry: "",
      timeoutSeconds: 3,
      memoryMb: 128,
    });
    const routes = [route("ANY", "$default"), route("GET", "/a/{x}"), route("ANY", "/a/{proxy+}")];
    expect(matchRoute(routes, "GET", "/a/b")?.route.path).toBe("/a/{x}");
    expect(matchRoute(routes, "GET", "/a/b/c")?.route.path).toBe("/a/{proxy+}");
    expect(matchRoute(routes, "DELETE", "/zzz")?.routeKey).toBe("$default");
  });
});
