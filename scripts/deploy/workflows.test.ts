/**
 * The delivery pipeline's promises, read from .github/workflows (actionlint checks their syntax and shell; this
 * checks what they are for): actions pinned to commit SHAs, least permissions, staging before production, the
 * smoke test after each deploy and before any promotion, one deploy per environment at a time, previews reported.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../lib/processes";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  "continue-on-error"?: unknown;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  /** A reusable workflow this job runs instead of steps. */
  uses?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: { name: string; url?: string } | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  "continue-on-error"?: unknown;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

const dir = path.join(repoRoot, ".github", "workflows");
const sources = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => [f, readFileSync(path.join(dir, f), "utf8")]),
);
const workflow = (file: string) => parse(sources[file] as string) as Workflow;
const stepsOf = (job: Job): Step[] => job.steps ?? [];
const stepIndex = (job: Job, pattern: RegExp) => stepsOf(job).findIndex((s) => pattern.test(s.run ?? ""));

describe("GitHub Actions workflows", () => {
  it("has the three workflows", () => {
    expect(Object.keys(sources).sort()).toEqual(["ci.yml", "deploy.yml", "preview.yml"]);
  });

  it("pins every action to a full commit SHA with its release tag, the same SHA wherever it is used", () => {
    const pins = new Map<string, string>();
    for (const [file, text] of Object.entries(sources)) {
      // Local reusable workflows (./.github/workflows/…) come from this commit; everything else is pinned.
      for (const line of text.split("\n").filter((l) => /^\s*(-\s+)?uses:\s+[^.\s]/.test(l))) {
        const match = line.match(/uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$/);
        expect(match, `${file}: ${line.trim()} is not pinned as owner/repo@<40-hex SHA> # vX.Y.Z`).not.toBeNull();
        const [, action, sha, tag] = match as RegExpMatchArray;
        const pin = `${sha} # ${tag}`;
        expect(pins.get(action as string) ?? pin, `${action} is pinned differently in ${file}`).toBe(pin);
        pins.set(action as string, pin);
      }
    }
    expect(pins.size).toBeGreaterThanOrEqual(5);
  });

  it("grants nothing at the top and only what each job needs", () => {
    for (const [file] of Object.entries(sources)) {
      const wf = workflow(file);
      expect(wf.permissions, `${file}: top-level permissions`).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(typeof job.permissions, `${file} ${name}: explicit permissions`).toBe("object");
        const granted = job.permissions as Record<string, string>;
        expect(granted.contents, `${file} ${name}`).toBe("read");
        for (const [scope, level] of Object.entries(granted)) {
          if (level !== "write") continue;
          // id-token only where a job assumes an AWS role; pull-requests only for the preview's comment.
          const allowed = file === "deploy.yml" ? ["id-token"] : file === "preview.yml" ? ["pull-requests"] : [];
          expect(allowed, `${file} ${name}: ${scope}: write`).toContain(scope);
        }
        for (const step of stepsOf(job).filter((s) => s.uses?.startsWith("actions/checkout@")))
          expect(step.with?.["persist-credentials"], `${file} ${name}: checkout keeps no token`).toBe(false);
      }
    }
  });

  it("ci.yml runs bash .ci/run on every push and pull request, on main as deploy.yml's first job", () => {
    const ci = workflow("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
    expect(ci.on.push).toEqual({ "branches-ignore": ["main"] });
    expect(Object.values(ci.jobs).flatMap((j) => stepsOf(j).map((s) => s.run))).toContain("bash .ci/run");
    // The job's condition must let deploy.yml's events (push, workflow_dispatch) through, or nothing deploys.
    for (const job of Object.values(ci.jobs)) expect(job.if).toMatch(/^github\.event_name != 'pull_request' \|\|/);
  });

  describe("deploy.yml", () => {
    const deploy = workflow("deploy.yml");
    const staging = deploy.jobs.staging as Job;
    const production = deploy.jobs.production as Job;

    it("runs on main only: CI first, then staging, production after staging succeeded, behind the production environment", () => {
      expect(deploy.on.push).toEqual({ branches: ["main"] });
      expect(deploy.jobs.ci?.uses).toBe("./.github/workflows/ci.yml");
      expect([staging.needs].flat()).toEqual(["ci"]);
      expect(staging.if).toBeUndefined();
      expect([production.needs].flat()).toEqual(["staging"]);
      // `needs` without `if: always()` or similar: a failed staging job (its smoke test included) stops production.
      expect(production.if).toBeUndefined();
      expect((staging.environment as { name: string }).name).toBe("staging");
      expect((production.environment as { name: string }).name).toBe("production");
    });

    it("never runs two deploys of one environment at once, and never cancels one half-way", () => {
      expect(deploy.concurrency).toBeUndefined();
      const groups = [staging, production].map((job) => job.concurrency as { group: string });
      expect(groups.map((g) => g.group)).toEqual(["deploy-staging", "deploy-production"]);
      for (const job of [staging, production])
        expect((job.concurrency as { "cancel-in-progress": boolean })["cancel-in-progress"]).toBe(false);
    });

    for (const [name, env] of [
      ["staging", "stag"],
      ["production", "prod"],
    ] as const) {
      it(`${name}: config check, then stack, then storefront, then the smoke test against what was deployed`, () => {
        const job = deploy.jobs[name] as Job;
        const check = stepIndex(job, new RegExp(`^npm run check:config -- --env ${env}$`));
        const stack = stepIndex(job, new RegExp(`^npm run deploy:stack -- --env ${env} `));
        const pages = stepIndex(job, new RegExp(`^npm run deploy:pages -- --env ${env} `));
        const smoke = stepIndex(job, /^npm run smoke -- "\$URL"$/);
        expect([check, stack, pages, smoke].every((i) => i >= 0)).toBe(true);
        expect(check < stack && stack < pages && pages < smoke).toBe(true);
        const pagesStep = stepsOf(job)[pages] as Step;
        expect(stepsOf(job)[smoke]?.env?.URL).toBe(`\${{ steps.${pagesStep.id}.outputs.url }}`);
        const role = stepsOf(job).findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        expect(role).toBeGreaterThan(check);
        expect(role).toBeLessThan(stack);
        // Nothing may turn a failure into a success, or run a step after one.
        expect(job["continue-on-error"]).toBeUndefined();
        for (const step of stepsOf(job)) {
          expect(step["continue-on-error"], step.name ?? step.run).toBeUndefined();
          expect(step.if, step.name ?? step.run).toBeUndefined();
        }
      });
    }
  });

  describe("preview.yml", () => {
    const preview = workflow("preview.yml");
    const job = Object.values(preview.jobs)[0] as Job;

    it("deploys every branch but main and staging, against the staging stack", () => {
      expect(preview.on.push).toEqual({ "branches-ignore": ["main", "staging"] });
      expect(job.if).toMatch(/github\.head_ref != 'main' && github\.head_ref != 'staging'/);
      // Dependabot's runs see no repository secrets: a preview of its branches could only fail.
      expect(job.if).toMatch(/^github\.actor != 'dependabot\[bot\]' &&/);
      expect(stepIndex(job, /^npm run deploy:pages -- --env stag --branch "\$BRANCH"/)).toBeGreaterThanOrEqual(0);
      expect(preview.concurrency?.["cancel-in-progress"]).toBe(true);
    });

    it("reports the preview's address in the job summary and on the pull request", () => {
      const report = stepsOf(job).at(-1) as Step;
      expect(report.env?.URL).toMatch(/^\$\{\{ steps\.\w+\.outputs\.url \}\}$/);
      expect(report.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      expect(report.run).toMatch(/gh pr comment "\$pr" .*--edit-last --create-if-none/);
    });
  });
});
