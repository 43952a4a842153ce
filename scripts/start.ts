/**
 * `npm start`: builds the storefront and runs the whole shop on this machine.
 * `npm run dev`: the same stack with the Remix dev server (hot reload) instead of the production build.
 *
 *   storefront  http://127.0.0.1:8788   (workerd via `wrangler pages dev`, or `remix vite:dev`)
 *   order API   http://127.0.0.1:3001   (API Gateway stand-in running the real Lambda handlers)
 *   ECPay       http://127.0.0.1:3002   (sandbox speaking the AIO protocol)
 *   DynamoDB    http://127.0.0.1:4567   (dynalite; data in .local-data/)
 *   S3          http://127.0.0.1:4569   (s3rver; data in .local-data/)
 *
 * Every port can be changed with an environment variable (see README). Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_PRINCIPALS, startLocalStack } from "../aws/local/stack";
import { hashPassword } from "./hash-password";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ports = {
  storefront: port("PORT", 8788),
  api: port("API_PORT", 3001),
  ecpay: port("ECPAY_PORT", 3002),
  dynamodb: port("DYNAMODB_PORT", 4567),
  s3: port("S3_PORT", 4569),
};
const dataDir = path.resolve(root, process.env.DATA_DIR ?? ".local-data");
const DEV_OWNER_PASSWORD = process.env.DEV_OWNER_PASSWORD ?? "shop-owner-dev";
const storefrontUrl = `http://127.0.0.1:${ports.storefront}`;

// wrangler reports usage and looks up Cloudflare data unless told not to; this machine talks only to loopback.
const quietWrangler = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_UPDATE_NOTIFIER: "1",
};

const children: ChildProcess[] = [];
let stopping = false;

function run(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  // Own process group, so stopping it also stops the esbuild and workerd processes it starts.
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...quietWrangler, ...env },
    stdio: "inherit",
    detached: true,
  });
  children.push(child);
  return child;
}

function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {}
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500 || res.status === 503) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function main(): Promise<void> {
  if (!dev) {
    console.log("Building the storefront…");
    const code = await waitForExit(run("npx", ["remix", "vite:build"]));
    if (code !== 0) throw new Error(`storefront build failed (exit ${code})`);
  }

  console.log("Starting the local AWS stack…");
  const stack = await startLocalStack({ dataDir, ports, storefrontUrl, log: (line) => console.log(`  ${line}`) });

  // The storefront's local secrets: dev principals of the local API and a dev owner password. Regenerated on
  // every start from the ports in use; production values live in Cloudflare's secret store.
  const vars: Record<string, string> = {
    APP_ENV: "local",
    ORDER_API_URL: stack.apiUrl,
    AWS_REGION: stack.region,
    S3_BUCKET_URL: `${stack.s3Endpoint}/${stack.bucketName}`,
    SITE_URL: storefrontUrl,
    ECPAY_GATEWAY_ORIGIN: stack.ecpayUrl,
    STOREFRONT_ACCESS_KEY_ID: DEV_PRINCIPALS.storefront.accessKeyId,
    STOREFRONT_SECRET_ACCESS_KEY: DEV_PRINCIPALS.storefront.secretAccessKey,
    ADMIN_ACCESS_KEY_ID: DEV_PRINCIPALS.admin.accessKeyId,
    ADMIN_SECRET_ACCESS_KEY: DEV_PRINCIPALS.admin.secretAccessKey,
    SESSION_SECRET: "local-dev-session-secret-not-for-production",
    ADMIN_PASSWORD_HASH: await hashPassword(DEV_OWNER_PASSWORD),
  };
  await writeFile(
    path.join(root, ".dev.vars"),
    `# Written by \`npm start\` / \`npm run dev\` on every start (git-ignored). Local development values only.\n${Object.entries(
      vars,
    )
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n")}\n`,
  );

  const storefront = dev
    ? run("npx", ["remix", "vite:dev", "--port", String(ports.storefront), "--host", "127.0.0.1", "--strictPort"])
    : run("npx", ["wrangler", "pages", "dev", "./build/client", "--port", String(ports.storefront), "--ip", "127.0.0.1"]);

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    for (const child of children) stopChild(child);
    await Promise.all(children.map((c) => (c.exitCode === null ? waitForExit(c) : Promise.resolve(0))));
    await stack.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  storefront.once("exit", (code) => {
    if (!stopping) {
      console.error(`The storefront server exited (${code}); stopping the stack.`);
      void shutdown(code ?? 1);
    }
  });

  if (!(await waitForHttp(`${storefrontUrl}/healthz`, 60_000))) {
    console.error("The storefront did not come up within 60 s.");
    return shutdown(1);
  }
  console.log(`
  The shop is running${dev ? " (dev mode, hot reload)" : ""}:

    Storefront      ${storefrontUrl}
    Owner admin     ${storefrontUrl}/admin   password: ${DEV_OWNER_PASSWORD}
    Order API       ${stack.apiUrl}   (SigV4: ${DEV_PRINCIPALS.storefront.accessKeyId} / ${DEV_PRINCIPALS.admin.accessKeyId})
    ECPay sandbox   ${stack.ecpayUrl}   (test card 4311-9522-2222-2222, CVV 222)
    DynamoDB        ${stack.dynamodbEndpoint}   table ${stack.tableName}
    S3              ${stack.s3Endpoint}   bucket ${stack.bucketName}
    Data            ${path.relative(root, dataDir)}/

  Press Ctrl-C to stop.
`);
}

main().catch((error) => {
  console.error(error);
  for (const child of children) stopChild(child);
  process.exit(1);
});
