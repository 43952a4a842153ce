/**
 * `npm run reconcile`: one reconciler pass now, on the shop `npm start` is running (through its local Lambda
 * Invoke endpoint, with a real EventBridge scheduled event). Prints the pass's summary. In AWS the same is
 * `aws lambda invoke --function-name shop-<env>-reconciler out.json` (docs/operations.md).
 */
export {};

const port = Number(process.env.LAMBDA_PORT ?? 3003);
const url = `http://127.0.0.1:${port}/2015-03-31/functions/shop-local-reconciler/invocations`;

try {
  const response = await fetch(url, { method: "POST", body: "" });
  const body = await response.text();
  const failed = response.headers.get("x-amz-function-error");
  console.log(JSON.stringify(JSON.parse(body), null, 2));
  if (!response.ok || failed) {
    console.error(
      failed
        ? `The pass failed (${failed}); see the reconciler's log lines in the npm start window.`
        : `HTTP ${response.status}`,
    );
    process.exit(1);
  }
} catch (error) {
  console.error(
    `Could not reach the local Lambda endpoint at ${url} (is npm start running? LAMBDA_PORT?): ${String(error)}`,
  );
  process.exit(1);
}
