import { afterEach, describe, expect, it, vi } from "vitest";
import wranglerToml from "../wrangler.toml?raw";
import { EnvValidationError, parseEnv, SECRET_NAMES } from "./env";
import { getLoadContext } from "./load-context";
import { IsolateState } from "./shared-read";
import { RAW_TEST_ENV } from "./test/helpers";

const REQUIRED = [
  "APP_ENV",
  "ORDER_API_URL",
  "AWS_REGION",
  "S3_BUCKET_URL",
  "SITE_URL",
  "CACHE_TTL_SECONDS",
  "ECPAY_GATEWAY_ORIGIN",
  // Without the admin password hash the shop still sells; only the admin answers 503 (worker/admin/config.ts).
  ...SECRET_NAMES.filter((name) => name !== "ADMIN_PASSWORD_HASH"),
  "RATE_LIMIT_DB",
];

function problemsOf(raw: unknown): string[] {
  try {
    parseEnv(raw);
  } catch (error) {
    if (error instanceof EnvValidationError) return [...error.problems];
    throw error;
  }
  throw new Error("expected parseEnv to throw");
}

/** The `KEY = "value"` lines of one table of wrangler.toml; enough TOML for our flat [vars] tables. */
function varsTable(toml: string, table: string): Record<string, string> {
  const start = toml.indexOf(`[${table}]`);
  if (start < 0) throw new Error(`wrangler.toml has no [${table}]`);
  const rest = toml.slice(start + table.length + 2);
  const end = rest.search(/^\[/m);
  const vars: Record<string, string> = {};
  for (const match of (end < 0 ? rest : rest.slice(0, end)).matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)) {
    vars[match[1]!] = match[2]!;
  }
  return vars;
}

afterEach(() => vi.restoreAllMocks());

describe("parseEnv", () => {
  it("accepts the local settings and types them", () => {
    const env = parseEnv({ ...RAW_TEST_ENV, ORDER_API_URL: "http://127.0.0.1:3001/" });
    expect(env.CACHE_TTL_SECONDS).toBe(30);
    // Trailing slashes go, so `${base}/path` never doubles them.
    expect(env.ORDER_API_URL).toBe("http://127.0.0.1:3001");
    expect(env.S3_ACCESS_KEY_ID).toBeUndefined();
  });

  it("names every missing variable at once, in declaration order", () => {
    const problems = problemsOf({});
    expect(problems).toEqual(REQUIRED.map((name) => `${name}: is missing`));
  });

  it("names each invalid variable with the reason, never echoing a value", () => {
    const problems = problemsOf({
      ...RAW_TEST_ENV,
      ORDER_API_URL: "api.example.tw",
      APP_ENV: "staging",
      CACHE_TTL_SECONDS: "thirty",
      ECPAY_GATEWAY_ORIGIN: "https://payment-stage.ecpay.com.tw/Cashier",
      SESSION_SECRET: "short-secret-value",
      STOREFRONT_SECRET_ACCESS_KEY: "",
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "APP_ENV",
      "ORDER_API_URL",
      "CACHE_TTL_SECONDS",
      "ECPAY_GATEWAY_ORIGIN",
      "STOREFRONT_SECRET_ACCESS_KEY",
      "SESSION_SECRET",
    ]);
    expect(problems.join("\n")).not.toContain("short-secret-value");
    expect(problems).toContain("STOREFRONT_SECRET_ACCESS_KEY: is missing");
    expect(problems).toContain("SESSION_SECRET: must be at least 32 characters");
  });

  it("wants the optional S3 key as a pair", () => {
    expect(problemsOf({ ...RAW_TEST_ENV, S3_ACCESS_KEY_ID: "S3RVER" })).toEqual([
      "S3_SECRET_ACCESS_KEY: is missing (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together)",
    ]);
  });

  it("leaves the admin password hash to the admin: missing or malformed, the shop still starts", () => {
    const { ADMIN_PASSWORD_HASH: _, ...withoutHash } = RAW_TEST_ENV;
    expect(parseEnv({ ...withoutHash, APP_ENV: "production" }).ADMIN_PASSWORD_HASH).toBeUndefined();
    expect(
      parseEnv({ ...RAW_TEST_ENV, APP_ENV: "production", ADMIN_PASSWORD_HASH: "nonsense" }).ADMIN_PASSWORD_HASH,
    ).toBe("nonsense");
  });

  it("takes the Cloudflare Access settings as a pair and normalises the team domain", () => {
    const aud = "a".repeat(64);
    const env = parseEnv({
      ...RAW_TEST_ENV,
      CF_ACCESS_TEAM_DOMAIN: "shop-team.cloudflareaccess.com",
      CF_ACCESS_AUD: aud,
    });
    expect(env.CF_ACCESS_TEAM_DOMAIN).toBe("https://shop-team.cloudflareaccess.com");
    expect(env.CF_ACCESS_AUD).toBe(aud);
    expect(parseEnv({ ...RAW_TEST_ENV, CF_ACCESS_TEAM_DOMAIN: "", CF_ACCESS_AUD: "" }).CF_ACCESS_AUD).toBeUndefined();
    expect(problemsOf({ ...RAW_TEST_ENV, CF_ACCESS_AUD: aud })).toEqual([
      "CF_ACCESS_TEAM_DOMAIN: is missing (CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together)",
    ]);
    expect(problemsOf({ ...RAW_TEST_ENV, CF_ACCESS_TEAM_DOMAIN: "example.com", CF_ACCESS_AUD: aud })).toEqual([
      "CF_ACCESS_TEAM_DOMAIN: must be <team>.cloudflareaccess.com",
    ]);
  });

  it("validates once per bindings object", () => {
    const raw = { ...RAW_TEST_ENV };
    expect(parseEnv(raw)).toBe(parseEnv(raw));
    expect(parseEnv({ ...RAW_TEST_ENV })).not.toBe(parseEnv(raw));
  });

  it.each(["vars", "env.preview.vars", "env.production.vars"])(
    "accepts wrangler.toml [%s] plus the secrets",
    (table) => {
      const vars = varsTable(wranglerToml, table);
      const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, RAW_TEST_ENV[name]]));
      expect(() => parseEnv({ ...vars, ...secrets, RATE_LIMIT_DB: RAW_TEST_ENV.RATE_LIMIT_DB })).not.toThrow();
      // Secrets belong in the dashboard or .dev.vars, never in the repository.
      for (const name of SECRET_NAMES) expect(vars).not.toHaveProperty(name);
    },
  );
});

describe("getLoadContext", () => {
  const ctx = { waitUntil: () => {}, passThroughOnException: () => {} };
  const request = new Request("http://127.0.0.1:8788/");

  it("hands loaders the validated env and the execution context", () => {
    const context = getLoadContext({ request, context: { cloudflare: { env: { ...RAW_TEST_ENV }, ctx } } });
    expect(context.cloudflare.env.CACHE_TTL_SECONDS).toBe(30);
    expect(context.cloudflare.ctx).toBe(ctx);
  });

  it("hands every request the isolate's one shared-read state (the page cache and Remix's loaders share it)", () => {
    const first = getLoadContext({ request, context: { cloudflare: { env: { ...RAW_TEST_ENV }, ctx } } });
    const second = getLoadContext({ request, context: { cloudflare: { env: { ...RAW_TEST_ENV }, ctx } } });
    expect(first.cloudflare.isolate).toBeInstanceOf(IsolateState);
    expect(second.cloudflare.isolate).toBe(first.cloudflare.isolate);
  });

  it("logs and rethrows a configuration error naming the missing variables", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { SESSION_SECRET: _, ...withoutSession } = RAW_TEST_ENV;
    expect(() => getLoadContext({ request, context: { cloudflare: { env: withoutSession, ctx } } })).toThrow(
      /SESSION_SECRET: is missing/,
    );
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("SESSION_SECRET"));
  });
});
