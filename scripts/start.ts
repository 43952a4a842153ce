/**
 * `npm start`: builds the storefront and runs the whole shop on this machine.
 * `npm run dev`: the same stack with the Remix dev server (hot reload) instead of the production build.
 *
 *   storefront  http://127.0.0.1:8788   (workerd via `wrangler pages dev`, or `remix vite:dev`)
 *   order API   http://127.0.0.1:3001   (API Gateway stand-in running the real Lambda handlers)
 *   ECPay       http://127.0.0.1:3002   (sandbox speaking the AIO protocol)
 *   DynamoDB    http://127.0.0.1:4567   (dynalite; data in .local-data/)
 *   S3          http://127.0.0.1:4569   (s3rver; data in .local-data/)
 *   SES         http://127.0.0.1:8005   (aws-ses-v2-local: the mail the shop sent, on a web page)
 *   Lambda      http://127.0.0.1:3003   (Invoke API for the scheduled functions: `npm run reconcile`)
 *
 * Every port can be changed with an environment variable (see README). Ctrl-C stops everything.
 */
import path from "node:path";
import { DEV_PRINCIPALS, startLocalStack } from "../aws/local/stack";
import { repoRoot } from "./lib/processes";
import { type RunningStorefront, startStorefront } from "./lib/storefront";

const dev = process.argv.includes("--dev");
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ports = {
  storefront: port("PORT", 8788),
  api: port("API_PORT", 3001),
  ecpay: port("ECPAY_PORT", 3002),
  dynamodb: port("DYNAMODB_PORT", 4567),
  s3: port("S3_PORT", 4569),
  ses: port("SES_PORT", 8005),
  lambda: port("LAMBDA_PORT", 3003),
};
/** Scheduled functions (the reconciler) run this often locally instead of their deployed rate. */
const scheduleIntervalSeconds = Number(process.env.SCHEDULE_INTERVAL_SECONDS ?? 60);
const dataDir = path.resolve(repoRoot, process.env.DATA_DIR ?? ".local-data");
const ownerPassword = process.env.DEV_OWNER_PASSWORD ?? "shop-owner-dev";
const storefrontUrl = `http://127.0.0.1:${ports.storefront}`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  console.log("Starting the local AWS stack…");
  const stack = await startLocalStack({
    dataDir,
    ports,
    storefrontUrl,
    schedules: { intervalMs: scheduleIntervalSeconds * 1000 },
    // Locally a lost callback is picked up after a minute (deployed: 5), so the reconciler can be watched at work.
    functionEnv: { RECONCILE_MIN_AGE_MINUTES: process.env.RECONCILE_MIN_AGE_MINUTES ?? "1" },
    // Every function's JSON log lines (metric lines included) are printed here and kept in .local-data/logs/.
    functionLogs: { echo: process.env.FUNCTION_LOGS !== "quiet", dir: path.join(dataDir, "logs") },
    ...(process.env.LOG_LEVEL ? { logLevel: process.env.LOG_LEVEL.toUpperCase() } : {}),
    ecpaySuppressCallbacks: process.env.ECPAY_DROP_CALLBACKS === "1",
    log: (line) => console.log(`  ${line}`),
  });

  let storefront: RunningStorefront | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await storefront?.stop();
    await stack.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  console.log(dev ? "Starting the Remix dev server…" : "Building the storefront and starting it under wrangler…");
  try {
    storefront = await startStorefront({
      mode: dev ? "dev" : "build",
      port: ports.storefront,
      stack,
      ownerPassword,
      persistTo: path.join(dataDir, "wrangler"),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return shutdown(1);
  }
  storefront.process.once("exit", (code) => {
    if (!stopping) {
      console.error(`The storefront server exited (${code}); stopping the stack.`);
      void shutdown(code ?? 1);
    }
  });

  console.log(`
  The shop is running${dev ? " (dev mode, hot reload)" : ""}:

    Storefront      ${storefront.url}
    Owner login     password "${ownerPassword}" (admin pages under ${storefront.url}/admin)
    Order API       ${stack.apiUrl}   SigV4 principals ${DEV_PRINCIPALS.storefront.accessKeyId}, ${DEV_PRINCIPALS.admin.accessKeyId}
    ECPay sandbox   ${stack.ecpayUrl}   test card 4311-9522-2222-2222, CVV 222${process.env.ECPAY_DROP_CALLBACKS === "1" ? " (callbacks dropped)" : ""}
    Logistics       ${stack.ecpayUrl}/Express/map (store map)  /__sandbox/logistics (shipments; POST …/{id}/advance moves one)
    E-invoices      ${stack.ecpayUrl}/B2CInvoice/   every invoice issued (merchant 2000132)
    Reconciler      every ${scheduleIntervalSeconds} s; one pass now: npm run reconcile   (Lambda endpoint ${stack.lambdaUrl})
    Metrics         npm run metrics   (function logs in ${path.relative(repoRoot, path.join(dataDir, "logs"))}/)
    DynamoDB        ${stack.dynamodbEndpoint}   table ${stack.tableName}
    S3              ${stack.s3Endpoint}   bucket ${stack.bucketName}
    Email (SES)     ${stack.sesUrl}   every email the shop sent (the outbox worker runs with the other schedules)
    Data            ${path.relative(repoRoot, dataDir)}/

  Press Ctrl-C to stop.
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
