/**
 * Server-side SigV4 verification, as API Gateway does for AWS_IAM routes: recompute the signature with
 * @smithy/signature-v4 from what actually arrived and compare. The request is rebuilt from method, raw path,
 * query, ONLY the headers listed in SignedHeaders, and the body; `applyChecksum: false` because execute-api does
 * not add x-amz-content-sha256 (with it every signature would mismatch). Error texts and types copy AWS's, so the
 * BFF sees locally what it would see in AWS.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** API Gateway accepts request dates at most this far from its clock, either way. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface IncomingSignedRequest {
  method: string;
  /** The path exactly as it arrived on the request line (still percent-encoded), without the query. */
  rawPath: string;
  /** Everything after `?`, as it arrived; "" when none. */
  rawQueryString: string;
  /** Lower-cased names; repeated headers joined with "," (how Node and API Gateway present them). */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface VerifierOptions {
  region: string;
  service: string;
  /** The secret for an access key id, or undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  /** Injectable clock for tests; defaults to the wall clock. */
  now?: () => Date;
}

export type VerificationFailure = {
  ok: false;
  /** The value of AWS's x-amzn-ErrorType header. */
  errorType: string;
  message: string;
};

export type VerificationResult = { ok: true; accessKeyId: string; sessionToken?: string } | VerificationFailure;

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
export const INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid.";

function fail(errorType: string, message: string): VerificationFailure {
  return { ok: false, errorType, message };
}

interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  signedHeaders: string[];
  signature: string;
}

/** Splits `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; a string describes what is missing. */
export function parseAuthorization(header: string, hasDate: boolean): ParsedAuthorization | string {
  const missing: string[] = [];
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  const fields = new Map<string, string>();
  for (const part of rest.join(" ").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (algorithm !== SIGV4_ALGORITHM || !credential)
    missing.push("Authorization header requires 'Credential' parameter.");
  if (algorithm !== SIGV4_ALGORITHM || !signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (algorithm !== SIGV4_ALGORITHM || !signedHeaders)
    missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0 || !credential || !signature || !signedHeaders)
    return `${missing.join(" ")} Authorization=${header}`;
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request" || !scope[0]) {
    return `Credential should be scoped to a valid Credential: '${credential}'.`;
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = scope as [string, string, string, string];
  return {
    accessKeyId,
    scopeDate,
    scopeRegion,
    scopeService,
    signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

/** `20261127T100546Z` → Date, or undefined when it is not the ISO 8601 basic format. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Query parameters decoded once, as the signer expects them (it re-encodes them canonically). */
function signerQuery(rawQueryString: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (!rawQueryString) return query;
  for (const pair of rawQueryString.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

/**
 * Form-style decoding ("+" is a space): a URLSearchParams-built query carries spaces as "+", and aws4fetch signs
 * those as "%20" after the same decoding, so this is what makes such calls verify (as they do in AWS).
 */
function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function sha256Hex(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function verifySigV4(
  request: IncomingSignedRequest,
  options: VerifierOptions,
): Promise<VerificationResult> {
  const authorization = request.headers.authorization;
  // No Authorization header at all is the plain "Forbidden" HTTP APIs give unsigned calls.
  if (!authorization) return fail("ForbiddenException", "Forbidden");

  const amzDate = request.headers["x-amz-date"];
  const parsed = parseAuthorization(authorization, amzDate !== undefined);
  if (typeof parsed === "string") return fail("IncompleteSignatureException", parsed);
  if (amzDate === undefined) {
    return fail(
      "IncompleteSignatureException",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) {
    return fail(
      "IncompleteSignatureException",
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  if (!parsed.signedHeaders.includes("host")) {
    return fail(
      "IncompleteSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  if (parsed.scopeDate !== amzDate.slice(0, 8)) {
    return fail(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${amzDate.slice(0, 8)}', from 'X-Amz-Date'.`,
    );
  }

  const secretAccessKey = options.secretFor(parsed.accessKeyId);
  if (secretAccessKey === undefined) return fail("UnrecognizedClientException", INVALID_TOKEN_MESSAGE);

  if (parsed.scopeRegion !== options.region) {
    return fail(
      "InvalidSignatureException",
      `Credential should be scoped to a valid region, not '${parsed.scopeRegion}'. `,
    );
  }
  if (parsed.scopeService !== options.service) {
    return fail("InvalidSignatureException", `Credential should be scoped to correct service: '${options.service}'. `);
  }

  const now = (options.now ?? (() => new Date()))();
  if (signingDate.getTime() < now.getTime() - MAX_CLOCK_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS));
    return fail(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${limit} (${formatAmzDate(now)} - 5 min.)`,
    );
  }
  if (signingDate.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    const limit = formatAmzDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS));
    return fail(
      "InvalidSignatureException",
      `Signature not yet current: ${amzDate} is still later than ${limit} (${formatAmzDate(now)} + 5 min.)`,
    );
  }

  // A signed x-amz-content-sha256 is what the signer hashes instead of the body, so check it against the body.
  const declaredPayloadHash = request.headers["x-amz-content-sha256"];
  if (
    parsed.signedHeaders.includes("x-amz-content-sha256") &&
    declaredPayloadHash !== undefined &&
    declaredPayloadHash !== "UNSIGNED-PAYLOAD" &&
    declaredPayloadHash.toLowerCase() !== sha256Hex(request.body)
  ) {
    return fail("InvalidSignatureException", SIGNATURE_MISMATCH_MESSAGE);
  }

  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const sessionToken = request.headers["x-amz-security-token"];
  const signer = new SignatureV4({
    credentials: { accessKeyId: parsed.accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    region: options.region,
    service: options.service,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const host = headers.host ?? "";
  const signed = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: "https:",
      hostname: host.replace(/:\d+$/, ""),
      path: request.rawPath,
      query: signerQuery(request.rawQueryString),
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    },
    // Headers the signer would normally skip (user-agent…) still count when the client chose to sign them.
    { signingDate, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
  if (!expected || !safeEqualHex(expected, parsed.signature))
    return fail("InvalidSignatureException", SIGNATURE_MISMATCH_MESSAGE);
  return { ok: true, accessKeyId: parsed.accessKeyId, ...(sessionToken ? { sessionToken } : {}) };
}
