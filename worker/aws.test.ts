import { describe, expect, it } from "vitest";
import { createSignedClient, UpstreamError } from "./aws.server";
import { hangingTransport, json, scriptedTransport } from "./test/helpers";
import { computeSignature, parseAuthorization, sha256Hex } from "./test/sigv4";

const storefront = {
  accessKeyId: "local-storefront",
  secretAccessKey: "local-storefront-secret",
  region: "ap-northeast-1",
} as const;

describe("the test's own SigV4 verifier", () => {
  it("reproduces the AWS test-suite vector get-vanilla", async () => {
    const signature = await computeSignature({
      method: "GET",
      url: new URL("https://example.amazonaws.com/"),
      headers: new Headers({ "x-amz-date": "20150830T123600Z" }),
      signedHeaders: ["host", "x-amz-date"],
      payloadHash: await sha256Hex(""),
      amzDate: "20150830T123600Z",
      region: "us-east-1",
      service: "service",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    });
    expect(signature).toBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });
});

describe("createSignedClient signing", () => {
  it("signs API calls for execute-api in ap-northeast-1 with a signature AWS would accept", async () => {
    const transport = scriptedTransport(json({ ok: true }));
    const client = createSignedClient({ ...storefront, service: "execute-api", retries: 0, fetch: transport.fetch });
    const body = JSON.stringify({ hello: "世界" });

    await client.fetch("http://127.0.0.1:3001/order?id=261127-00001&phone=0912345678", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });

    const [sent] = transport.calls;
    const auth = parseAuthorization(sent!.headers.get("authorization"));
    const amzDate = sent!.headers.get("x-amz-date")!;
    expect(auth).toMatchObject({
      accessKeyId: "local-storefront",
      region: "ap-northeast-1",
      service: "execute-api",
      date: amzDate.slice(0, 8),
    });
    expect(auth.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-date"]));
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    expect(sent!.body).toBe(body);

    const expected = await computeSignature({
      method: sent!.method,
      url: sent!.url,
      headers: sent!.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash: await sha256Hex(body),
      amzDate,
      region: "ap-northeast-1",
      service: "execute-api",
      secretAccessKey: storefront.secretAccessKey,
    });
    expect(auth.signature).toBe(expected);
  });

  it("signs S3 reads for service s3 with an unsigned payload, as S3 expects for GET", async () => {
    const transport = scriptedTransport(json({}));
    const client = createSignedClient({ ...storefront, service: "s3", retries: 0, fetch: transport.fetch });

    await client.fetch("http://127.0.0.1:4569/shop-local-content-000000000000/site.json");

    const [sent] = transport.calls;
    const auth = parseAuthorization(sent!.headers.get("authorization"));
    expect(auth.service).toBe("s3");
    expect(auth.region).toBe("ap-northeast-1");
    expect(sent!.headers.get("x-amz-content-sha256")).toBe("UNSIGNED-PAYLOAD");
    const expected = await computeSignature({
      method: "GET",
      url: sent!.url,
      headers: sent!.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash: "UNSIGNED-PAYLOAD",
      amzDate: sent!.headers.get("x-amz-date")!,
      region: "ap-northeast-1",
      service: "s3",
      secretAccessKey: storefront.secretAccessKey,
    });
    expect(auth.signature).toBe(expected);
  });

  it("keeps the explicit service and region for a custom domain aws4fetch cannot guess from", async () => {
    const transport = scriptedTransport(json({ ok: true }));
    const client = createSignedClient({ ...storefront, service: "execute-api", retries: 0, fetch: transport.fetch });
    await client.fetch("https://api.stag.example.tw/");
    const auth = parseAuthorization(transport.calls[0]!.headers.get("authorization"));
    expect([auth.service, auth.region]).toEqual(["execute-api", "ap-northeast-1"]);
  });
});

describe("createSignedClient retries and deadline", () => {
  const fast = { ...storefront, service: "execute-api" as const, retryBaseDelayMs: 0 };

  it("retries reads twice on 5xx and 429, re-signing each attempt, and returns the last answer", async () => {
    const transport = scriptedTransport(
      new Response("", { status: 502 }),
      new Response("", { status: 429 }),
      new Response("", { status: 503 }),
    );
    const client = createSignedClient({ ...fast, retries: 2, fetch: transport.fetch });
    const response = await client.fetch("http://127.0.0.1:3001/");
    expect(response.status).toBe(503);
    expect(transport.calls).toHaveLength(3);
    for (const call of transport.calls)
      expect(() => parseAuthorization(call.headers.get("authorization"))).not.toThrow();
  });

  it("stops retrying at the first usable answer", async () => {
    const transport = scriptedTransport(new Error("connection reset"), json({ ok: true }));
    const client = createSignedClient({ ...fast, retries: 2, fetch: transport.fetch });
    const response = await client.fetch("http://127.0.0.1:3001/");
    expect(response.status).toBe(200);
    expect(transport.calls).toHaveLength(2);
  });

  it("never retries a 4xx: the request itself is wrong", async () => {
    const transport = scriptedTransport(json({ error: { code: "bad_request", message: "x" } }, { status: 400 }));
    const client = createSignedClient({ ...fast, retries: 2, fetch: transport.fetch });
    expect((await client.fetch("http://127.0.0.1:3001/")).status).toBe(400);
    expect(transport.calls).toHaveLength(1);
  });

  it("sends a write exactly once when retries is 0, even on 503", async () => {
    const transport = scriptedTransport(new Response("", { status: 503 }));
    const client = createSignedClient({ ...fast, retries: 0, fetch: transport.fetch });
    const response = await client.fetch("http://127.0.0.1:3001/order", { method: "POST", body: "{}" });
    expect(response.status).toBe(503);
    expect(transport.calls).toHaveLength(1);
  });

  it("reports a network failure as UpstreamError(network) once retries are spent", async () => {
    const transport = scriptedTransport(new Error("connection refused"));
    const client = createSignedClient({ ...fast, retries: 2, fetch: transport.fetch });
    const failure = await client.fetch("http://127.0.0.1:3001/").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).kind).toBe("network");
    expect(transport.calls).toHaveLength(3);
  });

  it("gives up at the deadline with UpstreamError(timeout), without leaking the query string", async () => {
    const client = createSignedClient({ ...fast, retries: 2, timeoutMs: 50, fetch: hangingTransport });
    const started = Date.now();
    const failure = await client.fetch("http://127.0.0.1:3001/order?phone=0912345678").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).kind).toBe("timeout");
    expect((failure as Error).message).not.toContain("0912345678");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("gives up at the deadline even when the transport never settles, whatever the signal says", async () => {
    const neverSettles = () => new Promise<Response>(() => {});
    const client = createSignedClient({ ...fast, retries: 2, timeoutMs: 50, fetch: neverSettles });
    const failure = await client.fetch("http://127.0.0.1:3001/ping").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).kind).toBe("timeout");
  });
});
