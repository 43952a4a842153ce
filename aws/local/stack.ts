/**
 * The whole AWS side on this machine: dynalite (or an external DynamoDB Local), s3rver, the ECPay sandbox, the SES
 * stand-in, the local HTTP API running the real Lambda handlers and the scheduled functions on a short interval. `npm start`, `npm run dev` and the integration tests all start
 * it through here, so they cannot drift apart.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { resetClients } from "../src/lib/clients";
import { resetConfigCache } from "../src/lib/config";
import { resetMailer } from "../src/lib/mailer";
import { type LocalApiFaults, startLocalApi } from "./api-gateway";
import { ensureTables } from "./dynamodb-tables";
import { startEcpaySandbox } from "./ecpay-sandbox";
import { ECPAY_STAGE_MERCHANT } from "./ecpay-sandbox/stage-merchant";
import { EINVOICE_STAGE_MERCHANT } from "../src/ecpay/einvoice";
import { LOGISTICS_STAGE_MERCHANTS } from "../src/ecpay/logistics";
import { createLogCapture, type LogCapture } from "./lambda-runtime";
import { startLocalLambdaEndpoint } from "./lambda-endpoint";
import { ensureBuckets, localS3Client } from "./s3-buckets";
import { type LocalScheduler, startScheduler } from "./scheduler";
import { type LocalSes, startLocalSes } from "./ses";
import { enforceConditionalWrites } from "./s3-conditional-writes";
import { makeWritesAtomic } from "./s3-consistency";
import { type S3Notifications, startS3Notifications } from "./s3-notifications";
import { enforcePostPolicies } from "./s3-post-policies";
import { SEED_SITE, seedContent } from "./seed/catalog";
import { createResolveContext, loadTemplate, localPhysicalNames } from "./template";

export const LOCAL_REGION = "ap-northeast-1";
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_MAIL_FROM = "shop@example.tw";
export const LOCAL_OWNER_EMAIL = "owner@example.tw";
/** s3rver only accepts these credentials; dynalite and DynamoDB Local accept any. */
const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export const DEV_PRINCIPALS = {
  storefront: { accessKeyId: "local-storefront", secretAccessKey: "local-storefront-secret" },
  admin: { accessKeyId: "local-admin", secretAccessKey: "local-admin-secret" },
} as const;

export interface LocalStackOptions {
  /** Where DynamoDB and S3 keep their data; omitted means a temporary folder removed on close. */
  dataDir?: string;
  ports?: { api?: number; ecpay?: number; dynamodb?: number; s3?: number; lambda?: number; ses?: number };
  /** Use this DynamoDB endpoint (e.g. DynamoDB Local) instead of starting dynalite. */
  dynamodbEndpoint?: string;
  storefrontUrl?: string;
  /** Further storefront origins the API accepts (ALLOWED_ORIGINS), e.g. a second local storefront. */
  allowedOrigins?: string[];
  /** Seed the sample catalog and an open site when the bucket has none. Default true. */
  seed?: boolean;
  /** Delays between the sandbox's ReturnURL re-deliveries. */
  ecpayRetryDelaysMs?: number[];
  /** Fault injection around the functions (reliability tests only; see aws/local/faults/). */
  apiFaults?: LocalApiFaults;
  /** Waits before Lambda-style retries of a failed S3-triggered run (photo processing); AWS waits ~1 and 2 min. */
  s3RetryDelaysMs?: number[];
  /**
   * Scheduled functions (EventBridge schedules in the template) run every `intervalMs` (npm start), or at their
   * deployed rate with `"rate"`. Default: never on their own, so no test sees a pass it did not ask for (tests run
   * them with `localRuntime(stack).scheduler.invoke`, tools through the local Lambda endpoint).
   */
  schedules?: { intervalMs?: number | "rate"; /** Only these (logical ids) run on their own; default all. */ functions?: string[] };
  /** Variables for the functions on top of the template's (e.g. the reconciler's thresholds in tests). */
  functionEnv?: Record<string, string>;
  /** Functions' log lines: also printed here (npm start), and kept in `<dir>/<function>.log`. Always kept in memory. */
  functionLogs?: { echo?: boolean; dir?: string };
  /** The template's LogLevel parameter (the functions' AWS_LAMBDA_LOG_LEVEL); default the template's (INFO). */
  logLevel?: string;
  /** The ECPay sandbox starts with every ReturnURL/PaymentInfoURL dropped (`ECPAY_DROP_CALLBACKS=1 npm start`). */
  ecpaySuppressCallbacks?: boolean;
  /** First retry delay of a failed email (the template's default is a minute). */
  mailRetryBaseMs?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  apiUrl: string;
  ecpayUrl: string;
  /** The local Lambda Invoke endpoint for the scheduled functions (lambda-endpoint.ts). */
  lambdaUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** The SES stand-in: its web page lists the mail sent, `/store` has it as JSON. */
  sesUrl: string;
  tableName: string;
  bucketName: string;
  region: string;
  close(): Promise<void>;
}

/** What only the process that started a stack can reach: the functions' log groups, the scheduler, S3's triggers. */
export interface LocalRuntime {
  logs: LogCapture;
  ses: LocalSes;
  scheduler: LocalScheduler;
  /** The functions S3 event notifications run (photo processing); `idle()` waits for every run and retry. */
  notifications: S3Notifications;
}

const runtimes = new WeakMap<LocalStack, LocalRuntime>();

/** The in-process parts of a stack started here (kept off the stack object so it stays plain data plus `close`). */
export function localRuntime(stack: LocalStack): LocalRuntime {
  const runtime = runtimes.get(stack);
  if (!runtime) throw new Error("localRuntime: this stack was not started in this process");
  return runtime;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  // The Lambda endpoint and the SES stand-in are only fixed when asked for (npm start: LAMBDA_PORT 3003, SES_PORT 8005).
  const ports = { api: 3001, ecpay: 3002, dynamodb: 4567, s3: 4569, lambda: 0, ses: 0, ...options.ports };
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "shop-stack-")));
  const ephemeral = options.dataDir === undefined;
  const parameters: Record<string, string> = {
    Env: "local",
    // The template leaves the email addresses empty (a first deploy has no SES sender yet); locally they are set.
    MailFromAddress: LOCAL_MAIL_FROM,
    OwnerEmailAddress: LOCAL_OWNER_EMAIL,
    ...(options.logLevel ? { LogLevel: options.logLevel } : {}),
  };
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
    if (ephemeral) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      await mkdir(path.join(dataDir, "dynamodb"), { recursive: true });
      const server = dynalite({
        path: path.join(dataDir, "dynamodb"),
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(ports.dynamodb, "127.0.0.1", () => resolve());
      });
      closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      dynamodbEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    await mkdir(path.join(dataDir, "s3"), { recursive: true });
    const s3rver = new S3rver({
      port: ports.s3,
      address: "127.0.0.1",
      silent: true,
      directory: path.join(dataDir, "s3"),
    });
    makeWritesAtomic(s3rver);
    enforceConditionalWrites(s3rver);
    enforcePostPolicies(s3rver, {
      region: LOCAL_REGION,
      secretFor: (key) => (key === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : undefined),
    });
    const s3Address = (await s3rver.run()) as AddressInfo;
    closers.push(() => s3rver.close());
    const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

    const template = await loadTemplate();
    const names = localPhysicalNames(template, parameters);
    await ensureTables({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, parameters });
    await ensureBuckets({ endpoint: s3Endpoint, parameters });

    const sandbox = await startEcpaySandbox({
      port: ports.ecpay,
      merchants: [ECPAY_STAGE_MERCHANT],
      ...(options.ecpayRetryDelaysMs ? { retryDelaysMs: options.ecpayRetryDelaysMs, logistics: { retryDelaysMs: options.ecpayRetryDelaysMs } } : {}),
      ...(options.ecpaySuppressCallbacks ? { suppressCallbacks: true } : {}),
      log,
    });
    closers.push(() => sandbox.close());

    const ses = await startLocalSes(ports.ses);
    closers.push(() => ses.close());

    // The handlers run in this process, like one warm Lambda container per function.
    const apiPortGuess = ports.api;
    const lambdaEnvironment: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      S3_ENDPOINT: s3Endpoint,
      ENV: "local",
      TABLE_NAME: names.tableName,
      BUCKET_NAME: names.bucketName,
      ECPAY_GATEWAY_URL: sandbox.url,
      STOREFRONT_URL: options.storefrontUrl ?? "http://127.0.0.1:8788",
      ALLOWED_ORIGINS: (options.allowedOrigins ?? []).join(","),
      ECPAY_MERCHANT_ID: ECPAY_STAGE_MERCHANT.merchantId,
      ECPAY_HASH_KEY: ECPAY_STAGE_MERCHANT.hashKey,
      ECPAY_HASH_IV: ECPAY_STAGE_MERCHANT.hashIV,
      ECPAY_PARAMETER_PATH: "",
      // Store pickup and e-invoices (ADR 0027): ECPay's public staging merchants, served by the same sandbox.
      ECPAY_LOGISTICS_URL: sandbox.url,
      ECPAY_LOGISTICS_MERCHANT_ID: LOGISTICS_STAGE_MERCHANTS.C2C.merchantId,
      ECPAY_LOGISTICS_HASH_KEY: LOGISTICS_STAGE_MERCHANTS.C2C.hashKey,
      ECPAY_LOGISTICS_HASH_IV: LOGISTICS_STAGE_MERCHANTS.C2C.hashIV,
      ECPAY_LOGISTICS_PARAMETER_PATH: "",
      ECPAY_EINVOICE_URL: sandbox.url,
      ECPAY_EINVOICE_MERCHANT_ID: EINVOICE_STAGE_MERCHANT.merchantId,
      ECPAY_EINVOICE_HASH_KEY: EINVOICE_STAGE_MERCHANT.hashKey,
      ECPAY_EINVOICE_HASH_IV: EINVOICE_STAGE_MERCHANT.hashIV,
      ECPAY_EINVOICE_PARAMETER_PATH: "",
      APP_VERSION: process.env.APP_VERSION ?? "local",
      PUBLIC_API_URL: `http://127.0.0.1:${apiPortGuess}`,
      SES_ENDPOINT: ses.url,
      MAIL_RETRY_BASE_MS: String(options.mailRetryBaseMs ?? 2_000),
      ...options.functionEnv,
    };
    Object.assign(process.env, lambdaEnvironment);
    const logs = createLogCapture({
      echo: options.functionLogs?.echo ?? false,
      ...(options.functionLogs?.dir ? { dir: options.functionLogs.dir } : {}),
    });
    closers.push(async () => logs.close());
    const api = await startLocalApi({
      port: ports.api,
      parameters,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      principals: [
        { ...DEV_PRINCIPALS.storefront, iamUser: "StorefrontInvoker" },
        { ...DEV_PRINCIPALS.admin, iamUser: "OwnerAdminInvoker" },
      ],
      env: lambdaEnvironment,
      ...(options.apiFaults ? { faults: options.apiFaults } : {}),
      logs,
      log,
    });
    closers.push(() => api.close());
    // Photos posted under uploads/ are processed by the function the template triggers, in this process.
    const notifications = await startS3Notifications(s3rver, {
      parameters,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      ...(options.s3RetryDelaysMs ? { retryDelaysMs: options.s3RetryDelaysMs } : {}),
      ...(options.apiFaults ? { faults: options.apiFaults } : {}),
      logs,
      env: lambdaEnvironment,
      log,
    });
    closers.push(() => notifications.close());
    const scheduler = startScheduler({
      template,
      ctx: createResolveContext(template, { parameters, region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID }),
      logs,
      env: lambdaEnvironment,
      ...(options.schedules?.intervalMs !== "rate" ? { intervalMs: options.schedules?.intervalMs ?? 0 } : {}),
      ...(options.schedules?.functions ? { onlyFunctions: options.schedules.functions } : {}),
      log,
    });
    closers.push(() => scheduler.stop());
    const lambda = await startLocalLambdaEndpoint({ scheduler, port: ports.lambda, log });
    closers.push(() => lambda.close());
    // With a random port the callback URL is only known now.
    process.env.PUBLIC_API_URL = api.url;
    resetConfigCache();
    resetClients();
    closers.push(async () => {
      resetClients();
      resetMailer();
      resetConfigCache();
    });

    if (options.seed ?? true) await seedIfEmpty(s3Endpoint, names.bucketName, log);

    const stack: LocalStack = {
      apiUrl: api.url,
      ecpayUrl: sandbox.url,
      lambdaUrl: lambda.url,
      dynamodbEndpoint,
      s3Endpoint,
      sesUrl: ses.url,
      tableName: names.tableName,
      bucketName: names.bucketName,
      region: LOCAL_REGION,
      close,
    };
    runtimes.set(stack, { logs, scheduler, ses, notifications });
    return stack;
  } catch (error) {
    await close();
    throw error;
  }
}

async function seedIfEmpty(endpoint: string, bucket: string, log: (line: string) => void): Promise<void> {
  const s3 = localS3Client(endpoint);
  try {
    try {
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "catalog.json" }));
      return;
    } catch (error) {
      if ((error as { name?: string }).name !== "NoSuchKey") throw error;
    }
    const images: { key: string; body: Buffer }[] = [];
    const catalog = seedContent((_id, png) => {
      const key = `images/${createHash("sha256").update(png).digest("hex").slice(0, 32)}.png`;
      images.push({ key, body: png });
      return key;
    });
    for (const image of images) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: image.key,
          Body: image.body,
          ContentType: "image/png",
          CacheControl: "public, max-age=31536000, immutable",
        }),
      );
    }
    const json = (value: unknown) => ({
      Bucket: bucket,
      Body: JSON.stringify({ ...(value as object), updatedAt: new Date().toISOString() }),
      ContentType: "application/json; charset=utf-8",
      CacheControl: "public, max-age=30, stale-while-revalidate=60",
    });
    await s3.send(new PutObjectCommand({ ...json(SEED_SITE), Key: "site.json" }));
    await s3.send(new PutObjectCommand({ ...json(catalog), Key: "catalog.json" }));
    log(`seeded ${catalog.products.length} products and an open site status`);
  } finally {
    s3.destroy();
  }
}
