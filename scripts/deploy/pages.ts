/**
 * Deploying the storefront to Cloudflare Pages: build once (`npm run build`), copy the static output, and outside
 * production add `X-Robots-Tag: noindex` to every static file through `_headers` (dynamic responses get it from the
 * worker), then `wrangler pages deploy` on the environment's branch. Returns the deployment's stable URL.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../lib/processes";
import { type Environment, StepError } from "./environments";
import { runCommand } from "./stack";
import type { Wrangler } from "./wrangler";

export const BUILD_CLIENT_DIR = path.join(repoRoot, "build", "client");

/** The block that keeps every static file of a non-production deployment out of search engines. */
export const NOINDEX_HEADERS_RULE = "/*\n  X-Robots-Tag: noindex\n";

/** `_headers` for a deployment: production's as built; elsewhere with the noindex rule added for every path. */
export function headersFor(env: Pick<Environment, "pagesEnv">, built: string): string {
  if (env.pagesEnv === "production") return built;
  return `${built.replace(/\n*$/, "\n")}\n# Not production: keep every static file out of search engines (scripts/deploy/pages.ts).\n${NOINDEX_HEADERS_RULE}`;
}

export async function buildStorefront(log: (line: string) => void): Promise<void> {
  log("npm run build (the storefront)");
  const result = await runCommand("npm", ["run", "build"], { capture: true });
  if (result.code !== 0)
    throw new StepError(
      `npm run build failed:\n${(result.stdout + result.stderr).trim().split("\n").slice(-15).join("\n")}`,
    );
}

export interface PagesDeployment {
  url: string;
  /** The branch's stable alias (https://<branch>.<project>.pages.dev), when Pages reports one. */
  alias: string | null;
}

export async function deployStorefront(options: {
  env: Environment;
  wrangler: Wrangler;
  project: string;
  branch?: string;
  commit?: string;
  /** Use the existing build/client (e.g. built by an earlier job) instead of building. */
  prebuilt?: boolean;
  log: (line: string) => void;
}): Promise<PagesDeployment> {
  const { env, log } = options;
  if (!options.prebuilt) await buildStorefront(log);
  if (
    !existsSync(path.join(BUILD_CLIENT_DIR, "index.html")) &&
    !existsSync(path.join(BUILD_CLIENT_DIR, "_routes.json"))
  ) {
    throw new StepError(`${path.relative(repoRoot, BUILD_CLIENT_DIR)} holds no storefront build: run npm run build`);
  }
  const staging = mkdtempSync(path.join(tmpdir(), "storefront-"));
  try {
    cpSync(BUILD_CLIENT_DIR, staging, { recursive: true });
    const headersFile = path.join(staging, "_headers");
    const built = existsSync(headersFile) ? readFileSync(headersFile, "utf8") : "";
    writeFileSync(headersFile, headersFor(env, built));
    const branch = options.branch ?? env.pagesBranch;
    log(`wrangler pages deploy → project ${options.project}, branch ${branch} (${env.pagesEnv})`);
    return await options.wrangler.pagesDeploy(staging, options.project, branch, options.commit);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
