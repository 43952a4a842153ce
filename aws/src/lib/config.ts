/**
 * Lambda configuration: environment variables (set by the SAM template, or by the local stack) and the
 * ECPay merchant secrets (SSM Parameter Store in AWS; plain variables only for local development).
 */
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import * as z from "zod"; // namespace import keeps the Lambda bundles small (see contract/index.ts)

const envSchema = z.object({
  ENV: z.enum(["local", "stag", "prod"]),
  TABLE_NAME: z.string().min(1),
  BUCKET_NAME: z.string().min(1),
  ECPAY_GATEWAY_URL: z.string().url(),
  STOREFRONT_URL: z.string().url(),
  /** Other storefront origins shoppers may come from (comma-separated; `https://*.host` = one subdomain level). */
  ALLOWED_ORIGINS: z.string().default(""),
  APP_VERSION: z.string().default("dev"),
  /** Where ECPay's server callbacks reach this API; defaults to the API Gateway domain the request came in on. */
  PUBLIC_API_URL: z.string().url().optional(),
  ECPAY_PARAMETER_PATH: z.string().optional(),
  ECPAY_MERCHANT_ID: z.string().optional(),
  ECPAY_HASH_KEY: z.string().optional(),
  ECPAY_HASH_IV: z.string().optional(),
  /** ECPay Logistics and B2C e-invoice (ADR 0027): their hosts, and their keys (SSM paths; plain values only locally). */
  ECPAY_LOGISTICS_URL: z.string().url().default("https://logistics-stage.ecpay.com.tw"),
  ECPAY_LOGISTICS_PARAMETER_PATH: z.string().optional(),
  ECPAY_LOGISTICS_MERCHANT_ID: z.string().optional(),
  ECPAY_LOGISTICS_HASH_KEY: z.string().optional(),
  ECPAY_LOGISTICS_HASH_IV: z.string().optional(),
  ECPAY_EINVOICE_URL: z.string().url().default("https://einvoice-stage.ecpay.com.tw"),
  ECPAY_EINVOICE_PARAMETER_PATH: z.string().optional(),
  ECPAY_EINVOICE_MERCHANT_ID: z.string().optional(),
  ECPAY_EINVOICE_HASH_KEY: z.string().optional(),
  ECPAY_EINVOICE_HASH_IV: z.string().optional(),
  /** The shop's sender address (a verified SES identity) and the owner's inbox; the outbox worker's only. */
  MAIL_FROM: z.preprocess((v) => (v === "" ? undefined : v), z.string().email().optional()),
  OWNER_EMAIL: z.preprocess((v) => (v === "" ? undefined : v), z.string().email().optional()),
  /** First retry delay of a failed email, doubling per attempt up to an hour (local tests shorten it). */
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(1).default(60_000),
});
export type LambdaEnv = z.infer<typeof envSchema>;

let cachedEnv: LambdaEnv | undefined;

export function lambdaEnv(): LambdaEnv {
  if (!cachedEnv) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const names = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
      throw new Error(`Lambda environment is missing or invalid: ${names}`);
    }
    cachedEnv = parsed.data;
  }
  return cachedEnv;
}

/** Tests and the local stack change variables between runs; this forgets what was read. */
export function resetConfigCache(): void {
  cachedEnv = undefined;
  cachedMerchant = undefined;
}

export interface EcpayMerchant {
  merchantId: string;
  hashKey: string;
  hashIV: string;
}

const MERCHANT_CACHE_MS = 5 * 60 * 1000;
let cachedMerchant: Partial<Record<MerchantKind, { value: EcpayMerchant; until: number }>> | undefined;
let ssm: SSMClient | undefined;

/**
 * ECPay gives each protocol its own keys: payments (AIO), logistics and e-invoices (ADR 0027). Each function's role
 * may read only the SSM path of the keys it uses, so a function asks for its kind only.
 */
export type MerchantKind = "payment" | "logistics" | "einvoice";
const MERCHANT_ENV = {
  payment: ["ECPAY_MERCHANT_ID", "ECPAY_HASH_KEY", "ECPAY_HASH_IV", "ECPAY_PARAMETER_PATH"],
  logistics: ["ECPAY_LOGISTICS_MERCHANT_ID", "ECPAY_LOGISTICS_HASH_KEY", "ECPAY_LOGISTICS_HASH_IV", "ECPAY_LOGISTICS_PARAMETER_PATH"],
  einvoice: ["ECPAY_EINVOICE_MERCHANT_ID", "ECPAY_EINVOICE_HASH_KEY", "ECPAY_EINVOICE_HASH_IV", "ECPAY_EINVOICE_PARAMETER_PATH"],
} as const satisfies Record<MerchantKind, readonly (keyof LambdaEnv)[]>;

export function ecpayMerchant(): Promise<EcpayMerchant> {
  return merchantKeys("payment");
}

export async function merchantKeys(kind: MerchantKind): Promise<EcpayMerchant> {
  const env = lambdaEnv();
  const [idVar, keyVar, ivVar, pathVar] = MERCHANT_ENV[kind];
  const [id, key, iv] = [env[idVar], env[keyVar], env[ivVar]];
  if (key && iv && id) {
    if (env.ENV === "prod") throw new Error("production reads ECPay secrets from SSM, never from plain variables");
    return { merchantId: id, hashKey: key, hashIV: iv };
  }
  const cached = cachedMerchant?.[kind];
  if (cached && cached.until > Date.now()) return cached.value;
  const path = env[pathVar];
  if (!path) throw new Error(`${pathVar} is not set`);
  ssm ??= new SSMClient({});
  const names = ["merchant-id", "hash-key", "hash-iv"].map((n) => `${path}/${n}`);
  const result = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
  const byName = new Map((result.Parameters ?? []).map((p) => [p.Name, p.Value]));
  const [merchantId, hashKey, hashIV] = names.map((n) => byName.get(n));
  if (!merchantId || !hashKey || !hashIV) {
    throw new Error(`ECPay parameters missing in SSM: ${names.filter((n) => !byName.get(n)).join(", ")}`);
  }
  const value = { merchantId, hashKey, hashIV };
  cachedMerchant = { ...cachedMerchant, [kind]: { value, until: Date.now() + MERCHANT_CACHE_MS } };
  return value;
}

/** One letter in every MerchantTradeNo so staging and production numbers can never collide at ECPay. */
export function envCode(env: LambdaEnv["ENV"]): "L" | "S" | "P" {
  return env === "prod" ? "P" : env === "stag" ? "S" : "L";
}
