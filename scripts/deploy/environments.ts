/**
 * The two deployed environments and how each maps onto AWS (a SAM config-env and stack) and Cloudflare Pages (an
 * environment of the one Pages project, and the branch whose deployment is the environment's storefront).
 *
 *   stag: stack shop-stag, Pages "preview" settings; its storefront is the `staging` branch deployment
 *         (https://staging.<project>.pages.dev), and every other branch's preview runs against it too.
 *   prod: stack shop-prod, Pages "production" settings; its storefront is the production branch (`main`).
 */
export const ENV_NAMES = ["stag", "prod"] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export interface Environment {
  name: EnvName;
  /** The Pages environment whose vars (wrangler.toml [env.<this>]) and secrets the storefront gets. */
  pagesEnv: "preview" | "production";
  /** The branch deployed as this environment's storefront. */
  pagesBranch: string;
  /** D1 database for the storefront's rate limits (wrangler.toml [[env.<pagesEnv>.d1_databases]]). */
  d1DatabaseName: string;
  /** The ECPay gateway this environment must talk to. */
  ecpayGatewayUrl: string;
  /** ECPay Logistics (store map, slips) and B2C e-invoice hosts of this environment (ADR 0027). */
  ecpayLogisticsUrl: string;
  ecpayEinvoiceUrl: string;
}

export const PRODUCTION_BRANCH = "main";
export const STAGING_BRANCH = "staging";

export const ENVIRONMENTS: Record<EnvName, Environment> = {
  stag: {
    name: "stag",
    pagesEnv: "preview",
    pagesBranch: STAGING_BRANCH,
    d1DatabaseName: "shop-rate-limit-stag",
    ecpayGatewayUrl: "https://payment-stage.ecpay.com.tw",
    ecpayLogisticsUrl: "https://logistics-stage.ecpay.com.tw",
    ecpayEinvoiceUrl: "https://einvoice-stage.ecpay.com.tw",
  },
  prod: {
    name: "prod",
    pagesEnv: "production",
    pagesBranch: PRODUCTION_BRANCH,
    d1DatabaseName: "shop-rate-limit-prod",
    ecpayGatewayUrl: "https://payment.ecpay.com.tw",
    ecpayLogisticsUrl: "https://logistics.ecpay.com.tw",
    ecpayEinvoiceUrl: "https://einvoice.ecpay.com.tw",
  },
};

export function environment(name: string | undefined): Environment {
  if (name === "stag" || name === "prod") return ENVIRONMENTS[name];
  throw new UsageError(`--env must be stag or prod${name ? ` (got "${name}")` : ""}`);
}

/** A mistake in how a command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A step that cannot go on, with what to do about it: printed without a stack trace, exit code 1. */
export class StepError extends Error {
  override readonly name = "StepError";
}

/**
 * The storefront URLs of an environment on a Pages project whose subdomain is e.g. `taiwan-shop.pages.dev`:
 * production is the project's own domain, staging its `staging` branch alias, and previews any branch alias.
 */
export function pagesSiteUrl(env: Environment, subdomain: string): string {
  return env.name === "prod" ? `https://${subdomain}` : `https://${env.pagesBranch}.${subdomain}`;
}

/** The origins the order API accepts for an environment (template parameter AllowedOrigins). */
export function allowedOriginsFor(env: Environment, siteUrl: string, subdomain: string | undefined): string {
  if (env.name === "prod" || !subdomain) return siteUrl;
  const previews = `https://*.${subdomain}`;
  return siteUrl === previews ? siteUrl : `${siteUrl},${previews}`;
}
