import { lambdaEnv } from "../lib/config";
import { json, jsonEndpoint } from "../lib/http";

export const handler = jsonEndpoint("ping", async () => {
  const env = lambdaEnv();
  return json(200, { ok: true, env: env.ENV, version: env.APP_VERSION });
});
