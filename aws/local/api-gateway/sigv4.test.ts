import { describe, expect, it } from "vitest";
import {
  formatAmzDate,
  INVALID_TOKEN_MESSAGE,
  type IncomingSignedRequest,
  parseAmzDate,
  SIGNATURE_MISMATCH_MESSAGE,
  verifySigV4,
} from "./sigv4";

// AWS SigV4 test suite, get-vanilla: a published fixed point, independent of both our signer and our verifier.
const VANILLA_KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
const VANILLA_TIME = new Date("2015-08-30T12:36:00Z");

function vanilla(overrides: Partial<IncomingSignedRequest> = {}, signature = VANILLA_SIGNATURE): IncomingSignedRequest {
  return {
    method: "GET",
    rawPath: "/",
    rawQueryString: "",
    headers: {
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    body: new Uint8Array(),
    ...overrides,
  };
}

const verifier = (
  now = VANILLA_TIME,
  secrets: Record<string, string> = { [VANILLA_KEY.accessKeyId]: VANILLA_KEY.secretAccessKey },
) => ({
  region: "us-east-1",
  service: "service",
  secretFor: (key: string) => secrets[key],
  now: () => now,
});

describe("verifySigV4", () => {
  it("accepts the published get-vanilla request", async () => {
    await expect(verifySigV4(vanilla(), verifier())).resolves.toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE" });
  });

  it("accepts it within five minutes either side of the clock", async () => {
    for (const skew of [-299_000, 299_000]) {
      const result = await verifySigV4(vanilla(), verifier(new Date(VANILLA_TIME.getTime() + skew)));
      expect(result.ok).toBe(true);
    }
  });

  it("rejects a flipped signature digit", async () => {
    const tampered = `${VANILLA_SIGNATURE.slice(0, -1)}0`;
    await expect(verifySigV4(vanilla({}, tampered), verifier())).resolves.toEqual({
      ok: false,
      errorType: "InvalidSignatureException",
      message: SIGNATURE_MISMATCH_MESSAGE,
    });
  });

  it("rejects the same request with another path, query, method or body", async () => {
    for (const change of [
      { rawPath: "/x" },
      { rawQueryString: "a=1" },
      { method: "POST" },
      { body: new TextEncoder().encode("{}") },
    ]) {
      const result = await verifySigV4(vanilla(change), verifier());
      expect(result, JSON.stringify(change)).toMatchObject({ ok: false, message: SIGNATURE_MISMATCH_MESSAGE });
    }
  });

  it("rejects the right signature under a wrong secret", async () => {
    const result = await verifySigV4(vanilla(), verifier(VANILLA_TIME, { AKIDEXAMPLE: "not-the-secret" }));
    expect(result).toMatchObject({ ok: false, message: SIGNATURE_MISMATCH_MESSAGE });
  });

  it("rejects an unknown access key as an invalid security token", async () => {
    const result = await verifySigV4(vanilla(), verifier(VANILLA_TIME, {}));
    expect(result).toEqual({ ok: false, errorType: "UnrecognizedClientException", message: INVALID_TOKEN_MESSAGE });
  });

  it("reports expired and not-yet-current dates the way AWS words them", async () => {
    const late = await verifySigV4(vanilla(), verifier(new Date(VANILLA_TIME.getTime() + 6 * 60_000)));
    expect(late).toMatchObject({
      ok: false,
      message: "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)",
    });
    const early = await verifySigV4(vanilla(), verifier(new Date(VANILLA_TIME.getTime() - 6 * 60_000)));
    expect(early).toMatchObject({
      ok: false,
      message:
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T123000Z + 5 min.)",
    });
  });

  it("rejects a credential scoped to another region or service", async () => {
    const region = await verifySigV4(vanilla(), { ...verifier(), region: "ap-northeast-1" });
    expect(region).toMatchObject({
      ok: false,
      message: expect.stringContaining("Credential should be scoped to a valid region"),
    });
    const service = await verifySigV4(vanilla(), { ...verifier(), service: "execute-api" });
    expect(service).toMatchObject({
      ok: false,
      message: expect.stringContaining("Credential should be scoped to correct service"),
    });
  });

  it("answers Forbidden without an Authorization header and names what a malformed one lacks", async () => {
    const { authorization: _omit, ...unsigned } = vanilla().headers;
    await expect(verifySigV4(vanilla({ headers: unsigned }), verifier())).resolves.toEqual({
      ok: false,
      errorType: "ForbiddenException",
      message: "Forbidden",
    });
    const malformed = await verifySigV4(vanilla({ headers: { ...unsigned, authorization: "Bearer abc" } }), verifier());
    expect(malformed).toMatchObject({ ok: false, errorType: "IncompleteSignatureException" });
    expect(malformed.ok === false && malformed.message).toContain(
      "Authorization header requires 'Credential' parameter.",
    );
  });

  it("insists that host is signed", async () => {
    const headers = {
      ...vanilla().headers,
      authorization: vanilla().headers.authorization?.replace("host;x-amz-date", "x-amz-date") ?? "",
    };
    const result = await verifySigV4(vanilla({ headers }), verifier());
    expect(result).toMatchObject({ ok: false, errorType: "IncompleteSignatureException" });
  });
});

describe("amz dates", () => {
  it("round-trip the ISO 8601 basic format and reject anything else", () => {
    expect(formatAmzDate(parseAmzDate("20261127T100546Z") as Date)).toBe("20261127T100546Z");
    expect(parseAmzDate("2026-11-27T10:05:46Z")).toBeUndefined();
  });
});
