/**
 * Configuration of the edge (Cloudflare Pages Functions): plain settings come from `[vars]` in wrangler.toml,
 * secrets from the Pages dashboard / `wrangler pages secret put`, or locally from `.dev.vars` or `--binding`.
 *
 * Everything is validated once per isolate so a misconfigured deployment fails on its first request with a
 * message naming every bad variable, instead of failing later inside some loader with `undefined`.
 */
import { z } from "zod";

const APP_ENVS = ["local", "preview", "production"] as const;

/**
 * The secrets, listed once so docs, error messages and `.dev.vars` checks agree on the names. All are required
 * except ADMIN_PASSWORD_HASH: without it (or with a malformed one) the shop keeps selling and only the admin
 * answers 503 (worker/admin/config.ts, ADR 0007).
 */
export const SECRET_NAMES = [
  "STOREFRONT_ACCESS_KEY_ID",
  "STOREFRONT_SECRET_ACCESS_KEY",
  "ADMIN_ACCESS_KEY_ID",
  "ADMIN_SECRET_ACCESS_KEY",
  "SESSION_SECRET",
  "ADMIN_PASSWORD_HASH",
] as const;

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  // Callers append paths with `${base}/path`; a trailing slash would double it.
  .transform((value) => value.replace(/\/+$/, ""));

const origin = httpUrl.refine(
  (value) => new URL(value).origin === value,
  "must be an origin (scheme://host[:port]) without a path",
);

/**
 * The slice of Cloudflare D1 the edge uses, typed structurally because this module is also compiled by the Node
 * tsconfig (vite.config.ts imports it), where workerd's `D1Database` global does not exist.
 */
export interface SqlDatabase {
  prepare(query: string): SqlStatement;
  /** Runs the statements in order, in one round trip and one transaction. */
  batch<T = Record<string, unknown>>(statements: SqlStatement[]): Promise<{ results?: T[] }[]>;
}
interface SqlStatement {
  bind(...values: unknown[]): SqlStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  run(): Promise<unknown>;
}

/** An optional setting; an empty value counts as unset. */
const optionalVar = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const secret = (minLength = 1) => z.string().min(minLength, `must be at least ${minLength} characters`);

export const envSchema = z.object({
  APP_ENV: z.enum(APP_ENVS, { error: `must be one of ${APP_ENVS.join(", ")}` }),
  /** Base URL of the order API (API Gateway HTTP API, or the local stand-in). */
  ORDER_API_URL: httpUrl,
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like ap-northeast-1"),
  /** Path-style bucket URL: objects live at `${S3_BUCKET_URL}/${key}`. */
  S3_BUCKET_URL: httpUrl,
  /** Public URL of the storefront itself, for absolute links (ECPay return URLs, canonical meta). */
  SITE_URL: httpUrl,
  /** How long site.json / catalog.json count as fresh at the edge. Vars may arrive as strings or numbers. */
  CACHE_TTL_SECONDS: z.coerce
    .number({ error: "must be a whole number of seconds" })
    .int("must be a whole number of seconds")
    .min(0, "must be between 0 and 3600")
    .max(3600, "must be between 0 and 3600"),
  /** Origin the checkout form posts to; the CSP's form-action must allow it. */
  ECPAY_GATEWAY_ORIGIN: origin,
  /** ECPay Logistics' origin (store map, labels and slips: ADR 0027); the CSP's form-action allows it when set. */
  ECPAY_LOGISTICS_ORIGIN: origin.optional(),

  STOREFRONT_ACCESS_KEY_ID: secret(),
  STOREFRONT_SECRET_ACCESS_KEY: secret(),
  ADMIN_ACCESS_KEY_ID: secret(),
  ADMIN_SECRET_ACCESS_KEY: secret(),
  SESSION_SECRET: secret(32),
  /** Checked by the admin itself (worker/admin/config.ts), so a bad value disables only the admin. */
  ADMIN_PASSWORD_HASH: z.string().optional(),

  /**
   * Cloudflare Access in front of /admin (optional, as a pair): the team domain (`<team>.cloudflareaccess.com`)
   * and the application's AUD tag. When set, every admin request needs a valid `Cf-Access-Jwt-Assertion`.
   */
  CF_ACCESS_TEAM_DOMAIN: optionalVar(
    z
      .string()
      .trim()
      .regex(/^(https:\/\/)?[a-z0-9-]+\.cloudflareaccess\.com\/?$/, "must be <team>.cloudflareaccess.com")
      .transform((value) => `https://${value.replace(/^https:\/\//, "").replace(/\/$/, "")}`),
  ),
  CF_ACCESS_AUD: optionalVar(
    z
      .string()
      .trim()
      .regex(/^[A-Fa-f0-9]{32,128}$/, "must be the Access application's AUD tag"),
  ),

  /**
   * Optional principal for S3 content reads; without it they are signed as the storefront principal (the
   * deployed setup). Exists because s3rver, the local S3 stand-in, accepts only its fixed key `S3RVER`.
   */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),

  /** D1 database for what must hold across requests and isolates: the throttles' counters (ADR 0006) and the owner's sessions (ADR 0007). */
  RATE_LIMIT_DB: z.custom<SqlDatabase>(
    (value) => typeof value === "object" && value !== null && typeof (value as SqlDatabase).prepare === "function",
    'must be a D1 binding ([[d1_databases]] binding = "RATE_LIMIT_DB" in wrangler.toml)',
  ),
});

export type Env = z.infer<typeof envSchema>;

export class EnvValidationError extends Error {
  override readonly name = "EnvValidationError";
  constructor(
    /** One entry per offending variable, e.g. `SESSION_SECRET: is missing`. Never contains values. */
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid environment configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
    );
  }
}

const validated = new WeakMap<object, Env>();

/**
 * Validates the raw bindings. The result is memoised per bindings object: Pages hands every request in an
 * isolate the same `env`, so the schema runs once per isolate. Failures are not memoised, so a fixed
 * binding (e.g. a secret added while the isolate lives) is picked up.
 */
export function parseEnv(raw: unknown): Env {
  const cacheKey = typeof raw === "object" && raw !== null ? raw : undefined;
  const cached = cacheKey && validated.get(cacheKey);
  if (cached) return cached;

  const bindings = (cacheKey ?? {}) as Record<string, unknown>;
  const result = envSchema.safeParse(bindings);
  // One line per variable, in declaration order; "is missing" reads better than zod's type message for the
  // commonest mistake (a secret that was never set), and zod may report several issues for one name.
  const byName = new Map<string, string>();
  for (const issue of result.success ? [] : result.error.issues) {
    const name = String(issue.path[0] ?? "(env)");
    if (byName.has(name)) continue;
    const value = bindings[name];
    byName.set(name, value === undefined || value === "" ? "is missing" : issue.message);
  }
  // The optional S3 key only makes sense as a pair.
  const hasS3Id = isSet(bindings.S3_ACCESS_KEY_ID);
  if (hasS3Id !== isSet(bindings.S3_SECRET_ACCESS_KEY)) {
    byName.set(
      hasS3Id ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID",
      "is missing (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together)",
    );
  }

  const hasAccessTeam = isSet(bindings.CF_ACCESS_TEAM_DOMAIN);
  if (hasAccessTeam !== isSet(bindings.CF_ACCESS_AUD)) {
    byName.set(
      hasAccessTeam ? "CF_ACCESS_AUD" : "CF_ACCESS_TEAM_DOMAIN",
      "is missing (CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together)",
    );
  }

  if (!result.success || byName.size > 0) {
    const declared: string[] = Object.keys(envSchema.shape);
    const problems = [...byName]
      .sort(([a], [b]) => declared.indexOf(a) - declared.indexOf(b))
      .map(([name, message]) => `${name}: ${message}`);
    throw new EnvValidationError(problems);
  }
  if (cacheKey) validated.set(cacheKey, result.data);
  return result.data;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== "";
}
