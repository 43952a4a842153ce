/**
 * Post-deploy check of a storefront, using only what the deployed shop shows anyone:
 *
 *     npm run smoke -- https://staging.taiwan-shop.pages.dev
 *     npm run smoke -- http://127.0.0.1:8788            (against `npm start`)
 *
 * Checks: the catalog page renders with products; the security headers are present; the BFF's signed ping reaches
 * the order API (/healthz); looking up a made-up order answers the uniform not-found; the admin login page loads and
 * /admin without a session does not. It places no order and changes nothing, so it is safe on production.
 * Prints one line per check and exits non-zero when any fails.
 */
import { randomInt } from "node:crypto";

export interface SmokeCheck {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface SmokeOptions {
  log?: (line: string) => void;
  /** Per request. */
  timeoutMs?: number;
}

const REQUIRED_HEADERS: Record<string, (value: string) => boolean> = {
  "content-security-policy": (v) => /default-src/.test(v) && /frame-ancestors/.test(v),
  "strict-transport-security": (v) => /max-age=\d+/.test(v),
  "x-content-type-options": (v) => v.toLowerCase() === "nosniff",
  "x-frame-options": (v) => /deny|sameorigin/i.test(v),
  "referrer-policy": (v) => v.length > 0,
};

class CheckFailed extends Error {}

function fail(message: string): never {
  throw new CheckFailed(message);
}

/** A made-up order id in the shop's format (today's Taipei date and five digits) that no real order is likely to have. */
export function madeUpOrderId(now = new Date()): string {
  const taipei = new Date(now.getTime() + 8 * 3600_000);
  const date = taipei.toISOString().slice(2, 10).replace(/-/g, "");
  return `${date}-${String(randomInt(0, 100_000)).padStart(5, "0")}`;
}

export async function runSmoke(
  siteUrl: string,
  options: SmokeOptions = {},
): Promise<{ ok: boolean; checks: SmokeCheck[] }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = new URL(siteUrl);
  const origin = base.origin;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const checks: SmokeCheck[] = [];

  const request = async (path: string, init: RequestInit = {}) => {
    try {
      return await fetch(new URL(path, origin), {
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        ...init,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      fail(`${path}: no answer (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
  };

  const check = async (name: string, run: () => Promise<string>) => {
    const started = Date.now();
    try {
      const detail = await run();
      checks.push({ name, ok: true, detail, ms: Date.now() - started });
      log(`  ok    ${name}: ${detail} (${Date.now() - started} ms)`);
    } catch (error) {
      const detail =
        error instanceof CheckFailed ? error.message : `unexpected error: ${(error as Error).stack ?? error}`;
      checks.push({ name, ok: false, detail, ms: Date.now() - started });
      log(`  FAIL  ${name}: ${detail}`);
    }
  };

  log(`Smoke test of ${origin}`);

  let catalog: Response | undefined;
  await check("catalog page renders with products", async () => {
    catalog = await request("/");
    if (catalog.status !== 200) fail(`GET / answered ${catalog.status}`);
    const html = await catalog.text();
    const products = new Set([...html.matchAll(/href="\/products\/([^"?#]+)"/g)].map((m) => m[1]));
    if (products.size === 0) fail("GET / has no product links (an empty catalog, or the page did not render)");
    return `${products.size} products`;
  });

  await check("security headers present", async () => {
    const response = catalog ?? (await request("/"));
    const missing = Object.entries(REQUIRED_HEADERS)
      .filter(([name, valid]) => !valid(response.headers.get(name) ?? ""))
      .map(([name]) => name);
    if (missing.length) fail(`missing or weak on GET /: ${missing.join(", ")}`);
    return Object.keys(REQUIRED_HEADERS).join(", ");
  });

  await check("signed ping through the BFF to the order API", async () => {
    const response = await request("/healthz");
    const text = await response.text();
    if (response.status !== 200) fail(`GET /healthz answered ${response.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { ok?: boolean; api?: { env?: string; version?: string } };
    if (body.ok !== true) fail(`GET /healthz: ${text.slice(0, 300)}`);
    return `API ${JSON.stringify(body.api ?? {})}`;
  });

  await check("a made-up order answers the uniform not-found", async () => {
    const id = madeUpOrderId();
    const response = await request("/orders", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
      body: new URLSearchParams({ id, phone: "0900000000" }).toString(),
    });
    if (response.status !== 404) fail(`POST /orders (${id}) answered ${response.status}, expected 404`);
    if (!/role="alert"/.test(await response.text())) fail("POST /orders answered 404 without the not-found message");
    return `${id} → 404`;
  });

  await check("admin login page loads", async () => {
    const response = await request("/admin/login");
    if (response.status === 503)
      fail("GET /admin/login answered 503: the admin is switched off (ADMIN_PASSWORD_HASH missing or malformed)");
    if (response.status !== 200) fail(`GET /admin/login answered ${response.status}`);
    if (!/type="password"/.test(await response.text())) fail("GET /admin/login has no password field");
    return "200 with a password field";
  });

  await check("/admin without a session does not open", async () => {
    const response = await request("/admin");
    if (response.status === 200) fail("GET /admin answered 200 without a session");
    if (response.status >= 500) fail(`GET /admin answered ${response.status}`);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && !/\/admin\/login/.test(location ?? "")) {
      fail(`GET /admin redirected to ${location}, not to the login page`);
    }
    return `${response.status}${location ? ` → ${location}` : ""}`;
  });

  const failed = checks.filter((c) => !c.ok);
  log(
    failed.length
      ? `Smoke test FAILED: ${failed.length} of ${checks.length} checks`
      : `Smoke test passed: ${checks.length} checks`,
  );
  return { ok: failed.length === 0, checks };
}

async function main(): Promise<number> {
  const url = process.argv.slice(2).find((a) => !a.startsWith("-"));
  if (!url || !/^https?:\/\//.test(url)) {
    console.error("usage: npm run smoke -- <storefront URL>   e.g. npm run smoke -- http://127.0.0.1:8788");
    return 2;
  }
  return (await runSmoke(url)).ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
