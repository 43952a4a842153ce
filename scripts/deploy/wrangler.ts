/**
 * The Cloudflare account calls of a deploy, through the wrangler CLI (the repo's pinned wrangler, or the command in
 * `WRANGLER`, which the rehearsal points at its recorded stand-in). Secrets always travel on stdin, never in argv.
 * Output formats are wrangler 4.86.0's: `--json` lists where wrangler has them, text otherwise.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { QUIET_WRANGLER_ENV, repoRoot } from "../lib/processes";
import { StepError } from "./environments";
import { runCommand } from "./stack";

export interface PagesProject {
  name: string;
  /** e.g. ["taiwan-shop.pages.dev", "shop.example.tw"] */
  domains: string[];
}

export interface D1Database {
  name: string;
  uuid: string;
}

export class Wrangler {
  private readonly command: string;
  private readonly prefix: string[];

  constructor(
    command: string = process.env.WRANGLER ?? path.join(repoRoot, "node_modules", ".bin", "wrangler"),
    private readonly cwd: string = repoRoot,
  ) {
    const [first, ...rest] = command.split(" ").filter(Boolean);
    this.command = first as string;
    this.prefix = rest;
  }

  private async run(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
    const result = await runCommand(this.command, [...this.prefix, ...args], {
      cwd: this.cwd,
      capture: true,
      env: { ...QUIET_WRANGLER_ENV, FORCE_COLOR: "0", ...options.env },
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    if (result.code !== 0) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-8).join("\n");
      throw new StepError(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${output}`);
    }
    return result.stdout;
  }

  /** Null when logged in (or CLOUDFLARE_API_TOKEN works), else what wrangler said. */
  async loginProblem(): Promise<string | null> {
    try {
      const out = await this.run(["whoami"]);
      return /not authenticated|not logged in/i.test(out) ? "wrangler is not logged in (npx wrangler login)" : null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async pagesProjects(): Promise<PagesProject[]> {
    const rows = JSON.parse(await this.run(["pages", "project", "list", "--json"])) as Record<string, string>[];
    return rows.map((row) => ({
      name: String(row["Project Name"] ?? ""),
      domains: String(row["Project Domains"] ?? "")
        .split(",")
        .map((d) => d.trim())
        .filter(Boolean),
    }));
  }

  async createPagesProject(name: string, productionBranch: string): Promise<void> {
    await this.run(["pages", "project", "create", name, "--production-branch", productionBranch]);
  }

  async d1Databases(): Promise<D1Database[]> {
    const rows = JSON.parse(await this.run(["d1", "list", "--json"])) as { name?: string; uuid?: string }[];
    return rows.map((row) => ({ name: String(row.name ?? ""), uuid: String(row.uuid ?? "") }));
  }

  async createD1Database(name: string): Promise<void> {
    await this.run(["d1", "create", name]);
  }

  async pagesSecretNames(project: string, pagesEnv: string): Promise<string[]> {
    const out = await this.run(["pages", "secret", "list", "--project-name", project, "--env", pagesEnv]);
    return [...out.matchAll(/^\s*-\s*([A-Za-z0-9_]+):/gm)].map((m) => m[1] as string);
  }

  /** The value goes on stdin; wrangler reads it from there when stdin is not a terminal. */
  async putPagesSecret(project: string, pagesEnv: string, name: string, value: string): Promise<void> {
    await this.run(["pages", "secret", "put", name, "--project-name", project, "--env", pagesEnv], { input: value });
  }

  /** Deploys a folder of static assets (with functions/ from the working directory); returns the deployment's URLs. */
  async pagesDeploy(
    directory: string,
    project: string,
    branch: string,
    commit?: string,
  ): Promise<{ url: string; alias: string | null }> {
    const outputDir = mkdtempSync(path.join(tmpdir(), "wrangler-output-"));
    const outputFile = path.join(outputDir, "output.json");
    try {
      const args = ["pages", "deploy", directory, "--project-name", project, "--branch", branch, "--commit-dirty=true"];
      if (commit) args.push("--commit-hash", commit);
      await this.run(args, { env: { WRANGLER_OUTPUT_FILE_PATH: outputFile } });
      // wrangler writes one JSON object per line; pages-deploy-detailed carries the branch alias.
      const entries = readFileSync(outputFile, "utf8")
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as { type?: string; url?: string; alias?: string | null });
      const detailed =
        entries.find((e) => e.type === "pages-deploy-detailed") ?? entries.find((e) => e.type === "pages-deploy");
      if (!detailed?.url) throw new StepError("wrangler pages deploy reported no deployment URL");
      return { url: detailed.url, alias: detailed.alias ?? null };
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  }
}
