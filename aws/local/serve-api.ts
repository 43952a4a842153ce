/**
 * Only the AWS side of the local stack (dynalite, s3rver, ECPay sandbox, local HTTP API with the real handlers), for
 * tools outside Node that need an API to talk to, e.g. schemathesis (.ci/schemathesis.sh). Data is temporary.
 *
 *   node --import tsx aws/local/serve-api.ts [--port 0] [--ready-file path]   (or npx tsx …)
 *
 * Prints one JSON line with the URLs when ready (and writes it to --ready-file), then runs until SIGINT/SIGTERM.
 */
import { writeFileSync } from "node:fs";
import { startLocalStack } from "./stack";

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const stack = await startLocalStack({
  ports: { api: Number(option("port") ?? 0), ecpay: 0, dynamodb: 0, s3: 0 },
  log: process.env.LOG_LEVEL === "debug" ? (line) => console.error(line) : () => {},
});
const { close, ...urls } = stack;
const line = JSON.stringify(urls);
const readyFile = option("ready-file");
if (readyFile) writeFileSync(readyFile, `${line}\n`);
console.log(line);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    close().finally(() => process.exit(0));
  });
}
