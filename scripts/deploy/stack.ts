/**
 * Building and deploying the order API's stack.
 *
 * - To AWS: `sam build` then `sam deploy --config-env <env>` with the parameter overrides from aws/samconfig.toml
 *   (merged with any given here, e.g. AppVersion): SAM packages the functions and CloudFormation runs the transforms.
 * - To an AWS emulator (the rehearsal): the same `sam build`, then `sam package` into the emulator's S3, then the
 *   template expanded by aws-sam-translator (scripts/deploy/expand_template.py; emulators run no transforms), then
 *   a change set on the emulator's CloudFormation, as `sam deploy` would make one.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Capability,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { repoRoot } from "../lib/processes";
import { type AwsTarget, clients } from "./aws";
import { StepError } from "./environments";

export const TEMPLATE = path.join(repoRoot, "aws", "template.yaml");
const BUILD_DIR = path.join(repoRoot, "aws", ".aws-sam", "build");
const CAPABILITIES: Capability[] = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"];

/** The SAM CLI: `SAM_CLI` if set, else `sam` on PATH. */
export function samCommand(): string {
  return process.env.SAM_CLI ?? "sam";
}

/** The Python that has aws-sam-translator (the rehearsal's): `SHOP_PYTHON`, else .ci/.venv's, else python3. */
export function pythonCommand(): string {
  const venv = path.join(repoRoot, ".ci", ".venv", "bin", "python");
  return process.env.SHOP_PYTHON ?? (existsSync(venv) ? venv : "python3");
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, streaming its output through `log` line by line unless `capture`; never through a shell. */
export function runCommand(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    capture?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const forward = (chunk: Buffer, into: "out" | "err") => {
      const text = chunk.toString("utf8");
      if (into === "out") stdout += text;
      else stderr += text;
      if (!options.capture && options.log) for (const line of text.split("\n")) if (line.trim()) options.log(line);
    };
    child.stdout.on("data", (c: Buffer) => forward(c, "out"));
    child.stderr.on("data", (c: Buffer) => forward(c, "err"));
    child.once("error", (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? new StepError(`${command} is not installed (or not on PATH)`)
          : error,
      ),
    );
    child.once("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** What a failed tool said that matters: its `Error:` lines first (SAM prints a traceback after them), then the end. */
function tail(text: string, lines = 12): string {
  const all = text.trim().split("\n");
  const errors = all.filter((line) => /^\s*Error:/.test(line));
  return [...errors, ...(errors.length ? [] : all.slice(-lines))].join("\n");
}

export interface StackDeploy {
  target: AwsTarget;
  stackName: string;
  /** The environment's SAM config-env (stag / prod). */
  configEnv: string;
  samconfig: string;
  parameters: Record<string, string>;
  template?: string;
  /** Skip the change-set confirmation samconfig asks for in prod (the pipeline's approval gate replaces it). */
  noConfirm?: boolean;
  log: (line: string) => void;
}

export async function samBuild(template: string): Promise<void> {
  // build_in_source lets SAM find the repo's esbuild (aws/samconfig.toml); nothing is added to PATH.
  const result = await runCommand(
    samCommand(),
    ["build", "--template-file", template, "--build-dir", BUILD_DIR, "--build-in-source", "--cached", "--parallel"],
    { cwd: path.join(repoRoot, "aws"), env: { SAM_CLI_TELEMETRY: "0" }, capture: true },
  );
  if (result.code !== 0) throw new StepError(`sam build failed:\n${tail(result.stdout + result.stderr)}`);
}

export async function deployStack(deploy: StackDeploy): Promise<void> {
  const template = deploy.template ?? TEMPLATE;
  deploy.log(`sam build (${path.relative(repoRoot, template)})`);
  await samBuild(template);
  if (deploy.target.endpoint) await deployToEmulator(deploy);
  else await samDeploy(deploy);
}

async function samDeploy(deploy: StackDeploy): Promise<void> {
  const overrides = Object.entries(deploy.parameters).map(([k, v]) => `${k}=${v}`);
  const args = [
    "deploy",
    "--config-file",
    deploy.samconfig,
    "--config-env",
    deploy.configEnv,
    "--template-file",
    path.join(BUILD_DIR, "template.yaml"),
    "--parameter-overrides",
    ...overrides,
    "--no-fail-on-empty-changeset",
  ];
  if (deploy.noConfirm) args.push("--no-confirm-changeset");
  deploy.log(`sam deploy --config-env ${deploy.configEnv} (stack ${deploy.stackName}, ${deploy.target.region})`);
  const result = await new Promise<number>((resolve, reject) => {
    // Inherit the terminal: sam deploy shows the change set and may ask to confirm it.
    const child = spawn(samCommand(), args, {
      cwd: path.join(repoRoot, "aws"),
      stdio: "inherit",
      env: { ...process.env, SAM_CLI_TELEMETRY: "0" },
    });
    child.once("error", (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === "ENOENT" ? new StepError(`${samCommand()} is not installed`) : error,
      ),
    );
    child.once("close", (code) => resolve(code ?? 1));
  });
  if (result !== 0) throw new StepError(`sam deploy failed for ${deploy.stackName} (see its output above)`);
}

// ---------------------------------------------------------------------------------------------
// The emulator path

const ARTIFACTS_BUCKET = "shop-deploy-artifacts";

async function deployToEmulator(deploy: StackDeploy): Promise<void> {
  const { target, stackName } = deploy;
  const work = mkdtempSync(path.join(tmpdir(), "shop-deploy-"));
  const emulatorEnv = {
    AWS_ENDPOINT_URL: target.endpoint,
    AWS_DEFAULT_REGION: target.region,
    AWS_REGION: target.region,
    SAM_CLI_TELEMETRY: "0",
  };

  // What resolve_s3 gives a real deploy: a bucket for the packaged functions.
  const s3 = clients.s3(target);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: ARTIFACTS_BUCKET }));
  } catch {
    await s3.send(
      new CreateBucketCommand({
        Bucket: ARTIFACTS_BUCKET,
        CreateBucketConfiguration: { LocationConstraint: target.region as never },
      }),
    );
  }

  deploy.log(`sam package → s3://${ARTIFACTS_BUCKET}/${stackName} (emulator ${target.endpoint})`);
  const packaged = path.join(work, "packaged.yaml");
  const pack = await runCommand(
    samCommand(),
    [
      "package",
      "--template-file",
      path.join(BUILD_DIR, "template.yaml"),
      "--s3-bucket",
      ARTIFACTS_BUCKET,
      "--s3-prefix",
      stackName,
      "--output-template-file",
      packaged,
    ],
    { cwd: path.join(repoRoot, "aws"), env: emulatorEnv, capture: true },
  );
  if (pack.code !== 0) throw new StepError(`sam package failed:\n${tail(pack.stdout + pack.stderr)}`);

  deploy.log("expanding the SAM template with aws-sam-translator (the emulator runs no transforms)");
  const expand = await runCommand(
    pythonCommand(),
    [
      path.join(repoRoot, "scripts", "deploy", "expand_template.py"),
      packaged,
      "--parameters",
      JSON.stringify(deploy.parameters),
    ],
    { env: emulatorEnv, capture: true },
  );
  if (expand.code !== 0) throw new StepError(`the template could not be expanded:\n${tail(expand.stderr)}`);
  const expanded = path.join(work, "expanded.json");
  writeFileSync(expanded, expand.stdout);

  await applyChangeSet(deploy, readFileSync(expanded, "utf8"));
}

async function stackStatus(target: AwsTarget, stackName: string): Promise<string | null> {
  try {
    const { Stacks } = await clients.cloudformation(target).send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks?.[0]?.StackStatus ?? null;
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return null;
    throw error;
  }
}

async function applyChangeSet(deploy: StackDeploy, templateBody: string): Promise<void> {
  const { target, stackName } = deploy;
  const cloudformation = clients.cloudformation(target);
  const status = await stackStatus(target, stackName);
  const type = status === null || status === "REVIEW_IN_PROGRESS" ? "CREATE" : "UPDATE";
  const changeSetName = `shop-deploy-${Date.now()}`;
  await cloudformation.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      TemplateBody: templateBody,
      Capabilities: CAPABILITIES,
      Parameters: Object.entries(deploy.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    }),
  );
  let changeSet = await cloudformation.send(
    new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
  );
  for (let i = 0; i < 600 && /PENDING|IN_PROGRESS/.test(changeSet.Status ?? ""); i++) {
    await new Promise((r) => setTimeout(r, 500));
    changeSet = await cloudformation.send(
      new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
    );
  }
  if (changeSet.Status === "FAILED") {
    if (/didn't contain changes|No updates are to be performed/.test(changeSet.StatusReason ?? "")) {
      deploy.log(`stack ${stackName}: no changes`);
      return;
    }
    throw new StepError(`the change set for ${stackName} failed: ${changeSet.StatusReason}`);
  }
  deploy.log(
    `stack ${stackName}: ${type === "CREATE" ? "creating" : "updating"} (${changeSet.Changes?.length ?? 0} changes)`,
  );
  await cloudformation.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
  const final = await waitForStack(target, stackName);
  if (!/^(CREATE|UPDATE)_COMPLETE$/.test(final)) {
    throw new StepError(`stack ${stackName} ended ${final}:\n${await failedEvents(target, stackName)}`);
  }
  deploy.log(`stack ${stackName}: ${final}`);
}

export async function waitForStack(target: AwsTarget, stackName: string, timeoutMs = 30 * 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await stackStatus(target, stackName)) ?? "DELETE_COMPLETE";
    if (!status.endsWith("_IN_PROGRESS")) return status;
    if (Date.now() > deadline)
      throw new StepError(`stack ${stackName} still ${status} after ${timeoutMs / 60_000} minutes`);
    await new Promise((r) => setTimeout(r, target.endpoint ? 250 : 5_000));
  }
}

async function failedEvents(target: AwsTarget, stackName: string): Promise<string> {
  try {
    const { StackEvents } = await clients
      .cloudformation(target)
      .send(new DescribeStackEventsCommand({ StackName: stackName }));
    const failed = (StackEvents ?? []).filter((e) => /FAILED/.test(e.ResourceStatus ?? ""));
    return (
      failed.map((e) => `  ${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason}`).join("\n") ||
      "  (no failed events)"
    );
  } catch {
    return "  (events unavailable)";
  }
}
