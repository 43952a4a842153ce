/**
 * Cloudflare Access in front of /admin: when CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are set, every admin request
 * must carry a valid `Cf-Access-Jwt-Assertion`. Verified with `jose` (createRemoteJWKSet + jwtVerify): RS256 only,
 * signed by one of the team's published keys (`https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`, cached per
 * isolate for an hour; a token naming a key we do not know refetches them, at most every 30 s), issuer = the team,
 * audience = the application, `exp` required, `exp`/`nbf` with a minute of clock skew. It fails closed: no keys, no
 * admin.
 *
 * The key set is kept per isolate, but no fetch of it is shared between requests while it runs (ADR 0002, "Shared
 * reads"): a fetch started by a request the runtime then cancels never settles, and a request that joined it would
 * wait for ever. jose shares its pending fetch everywhere except on Workers, where it detects the runtime and lets
 * each caller await a fetch of its own (panva/jose#355, #509), bounded by `timeoutDuration` on that caller's own
 * timer. So nothing here needs ./shared-read.ts; the price is one certs fetch per request that arrives while the keys
 * are missing or stale. What the requests do share is settled data (the parsed key set) and jose's imported keys
 * (Web Crypto imports, which settle without I/O). access-jwt.test.ts holds the first caller's fetch for ever and
 * checks that a second caller still verifies: it fails if that ever changes (a jose upgrade, a wrapper of ours).
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { FetchLike } from "../aws.server";
import type { AccessSettings } from "./config";

export const ACCESS_JWT_HEADER = "Cf-Access-Jwt-Assertion";
const KEYS_TTL_MS = 60 * 60 * 1000;
/** Unknown kids trigger a refetch, but not more often than this (a forged kid must not hammer the endpoint). */
const REFETCH_MIN_INTERVAL_MS = 30 * 1000;
const CLOCK_SKEW_SECONDS = 60;
const CERTS_TIMEOUT_MS = 5_000;

type AccessCheck = { ok: true; email: string | null } | { ok: false; reason: string };

interface AccessDeps {
  /** The transport for the certs endpoint (jose's `customFetch`); the runtime's fetch otherwise. */
  fetch?: FetchLike;
  /** The clock the claims are checked against (jose's `currentDate`). */
  now?: () => number;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;
const keySets = new Map<string, KeySet>();

/** Tests start each case with an empty key cache. */
export function clearAccessKeyCache(): void {
  keySets.clear();
}

function keysFor(teamOrigin: string, transport: FetchLike | undefined): KeySet {
  let keys = keySets.get(teamOrigin);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${teamOrigin}/cdn-cgi/access/certs`), {
      cacheMaxAge: KEYS_TTL_MS,
      cooldownDuration: REFETCH_MIN_INTERVAL_MS,
      timeoutDuration: CERTS_TIMEOUT_MS,
      ...(transport ? { [customFetch]: (url: string, init: RequestInit) => transport(new Request(url, init)) } : {}),
    });
    keySets.set(teamOrigin, keys);
  }
  return keys;
}

export async function verifyAccessJwt(
  token: string | null,
  settings: AccessSettings,
  deps: AccessDeps = {},
): Promise<AccessCheck> {
  if (!token) return { ok: false, reason: "no Cf-Access-Jwt-Assertion header" };
  try {
    const { payload } = await jwtVerify(token, keysFor(settings.teamOrigin, deps.fetch), {
      algorithms: ["RS256"],
      issuer: settings.teamOrigin,
      audience: settings.aud,
      requiredClaims: ["exp"],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date((deps.now ?? Date.now)()),
    });
    return { ok: true, email: typeof payload.email === "string" ? payload.email : null };
  } catch (error) {
    return { ok: false, reason: reasonFor(error, token) };
  }
}

/** jose's error, as the reason the admin logs (never shown to the client). */
function reasonFor(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong issuer";
    if (error.claim === "aud") return "wrong audience";
    if (error.claim === "nbf") return "not valid yet";
    if (error.claim === "exp") return "expired";
    return `claim ${error.claim} refused`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `unexpected alg ${String(safeHeader(token)?.alg)}`;
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return "unknown signing key";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed token";
  // Anything else is the certs endpoint failing (HTTP status, timeout, network, not a key set).
  console.error(JSON.stringify({ at: "admin-access", problem: "certs_unavailable", detail: String(error) }));
  return "Access signing keys unavailable";
}

function safeHeader(token: string) {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}
