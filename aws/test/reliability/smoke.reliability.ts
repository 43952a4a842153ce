/**
 * `npm run smoke` against a running shop (the production build under `wrangler pages dev`, on the local stack, as
 * `npm start` runs it): it passes, and when the order API stops answering it fails, naming the checks that did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSmoke } from "../../../scripts/smoke";
import { storefrontEnabled } from "./global-setup";
import { type FaultStorefront, startFaultStorefront } from "./storefront-support";

describe.runIf(storefrontEnabled())("npm run smoke", () => {
  let env: FaultStorefront;
  beforeAll(async () => {
    env = await startFaultStorefront();
  });
  afterAll(async () => {
    await env?.close();
  });

  it("passes against a working shop, with one line per check", async () => {
    const lines: string[] = [];
    const result = await runSmoke(env.url, { log: (line) => lines.push(line) });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.checks.map((c) => c.name)).toEqual([
      "catalog page renders with products",
      "security headers present",
      "signed ping through the BFF to the order API",
      "a made-up order answers the uniform not-found",
      "admin login page loads",
      "/admin without a session does not open",
    ]);
    expect(lines.at(-1)).toBe("Smoke test passed: 6 checks");
  });

  it("fails clearly when the order API does not answer", async () => {
    env.storefrontApi.failNext({ times: Number.POSITIVE_INFINITY, drop: true });
    try {
      const lines: string[] = [];
      const result = await runSmoke(env.url, { log: (line) => lines.push(line) });
      expect(result.ok).toBe(false);
      const failed = Object.fromEntries(result.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
      expect(failed["signed ping through the BFF to the order API"]).toMatch(/GET \/healthz answered 503/);
      expect(failed["a made-up order answers the uniform not-found"]).toMatch(/answered 503, expected 404/);
      expect(lines).toContain(
        `  FAIL  signed ping through the BFF to the order API: ${failed["signed ping through the BFF to the order API"]}`,
      );
      expect(lines.at(-1)).toMatch(/^Smoke test FAILED: \d of 6 checks$/);
    } finally {
      env.storefrontApi.clearFaults();
    }
  });
});
