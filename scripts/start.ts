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
};
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
    // The outbox worker (emails, stock holds) every 2 s instead of every minute.
    schedules: { intervalMs: 2_000 },
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
    ECPay sandbox   ${stack.ecpayUrl}   test card 4311-9522-2222-2222, CVV 222
    DynamoDB        ${stack.dynamodbEndpoint}   table ${stack.tableName}
    S3              ${stack.s3Endpoint}   bucket ${stack.bucketName}
    Email (SES)     ${stack.sesUrl}   every email the shop sent (outbox worker runs every 2 s locally)
    Data            ${path.relative(repoRoot, dataDir)}/

  Press Ctrl-C to stop.
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
