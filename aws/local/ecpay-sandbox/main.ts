/**
 * Runs the local ECPay sandbox: `npx tsx aws/local/ecpay-sandbox/main.ts [--port 3002] [--host 127.0.0.1]`.
 * Uses ECPay's public staging merchant so the shop's default dev config works unchanged.
 */
import { parseArgs } from "node:util";
import { startEcpaySandbox } from ".";
import { ECPAY_STAGE_MERCHANT } from "./stage-merchant";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.ECPAY_SANDBOX_PORT ?? "3002" },
    host: { type: "string", default: process.env.ECPAY_SANDBOX_HOST ?? "127.0.0.1" },
  },
});

const sandbox = await startEcpaySandbox({
  port: Number(values.port),
  host: values.host,
  merchants: [ECPAY_STAGE_MERCHANT],
  log: (msg) => console.log(`[ecpay-sandbox] ${new Date().toISOString()} ${msg}`),
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
