/**
 * The per-environment values an owner (or `deploy:first`) fills in, in the two files the tools read them from:
 * `wrangler.toml` ([env.preview] / [env.production]: the storefront's vars and its D1 database) and
 * `aws/samconfig.toml` ([stag|prod.deploy.parameters]: the stack's parameter overrides). Reading uses a TOML parser;
 * writing changes one value in place, so comments and layout stay as the owner left them.
 *
 * `placeholderProblems` is the check every deploy runs first: a value still at its placeholder (an example.tw host,
 * an account of zeros, an all-zero D1 id) stops the deploy before anything changes, naming the value and its file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { repoRoot } from "../lib/processes";
import type { Environment } from "./environments";

export interface ConfigFiles {
  /** The folder holding wrangler.toml (the repo root, or a copy for a rehearsal). */
  root: string;
  wranglerToml: string;
  samconfigToml: string;
}

export function configFiles(root: string = repoRoot): ConfigFiles {
  return {
    root,
    wranglerToml: path.join(root, "wrangler.toml"),
    samconfigToml: path.join(root, "aws", "samconfig.toml"),
  };
}

type Table = Record<string, unknown>;

function readToml(file: string): Table {
  try {
    return parse(readFileSync(file, "utf8")) as Table;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function table(root: Table, dotted: string): Table | undefined {
  let current: unknown = root;
  for (const part of dotted.split(".")) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Table)[part];
  }
  return current && typeof current === "object" && !Array.isArray(current) ? (current as Table) : undefined;
}

// ---------------------------------------------------------------------------------------------
// wrangler.toml

export interface StorefrontConfig {
  /** The Pages project name (top-level `name`). */
  project: string;
  vars: Record<string, string>;
  d1: { binding: string; database_name: string; database_id: string }[];
}

export function readStorefrontConfig(files: ConfigFiles, env: Environment): StorefrontConfig {
  const toml = readToml(files.wranglerToml);
  const envTable = table(toml, `env.${env.pagesEnv}`) ?? {};
  const vars = (envTable.vars ?? {}) as Record<string, unknown>;
  return {
    project: String(toml.name ?? ""),
    vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])),
    d1: ((envTable.d1_databases ?? []) as StorefrontConfig["d1"][number][]).map((d) => ({
      binding: String(d.binding ?? ""),
      database_name: String(d.database_name ?? ""),
      database_id: String(d.database_id ?? ""),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// aws/samconfig.toml

export interface StackConfig {
  stackName: string;
  region: string;
  /** parameter_overrides as a map, in the order written. */
  parameters: Record<string, string>;
}

export function readStackConfig(files: ConfigFiles, env: Environment): StackConfig {
  const deploy = table(readToml(files.samconfigToml), `${env.name}.deploy.parameters`);
  if (!deploy) throw new Error(`${files.samconfigToml}: no [${env.name}.deploy.parameters] table`);
  return {
    stackName: String(deploy.stack_name ?? ""),
    region: String(deploy.region ?? ""),
    parameters: parseParameterOverrides(String(deploy.parameter_overrides ?? "")),
  };
}

/** `Env=stag StorefrontUrl=https://… Key="a value"` → { Env: "stag", … }, as the SAM CLI reads the setting. */
export function parseParameterOverrides(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const pattern = /([A-Za-z0-9]+)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g;
  for (const match of text.matchAll(pattern)) {
    const [, key, doubleQuoted, singleQuoted, bare] = match;
    result[key as string] =
      doubleQuoted !== undefined ? doubleQuoted.replace(/\\(.)/g, "$1") : (singleQuoted ?? bare ?? "");
  }
  return result;
}

export function formatParameterOverrides(parameters: Record<string, string>): string {
  return Object.entries(parameters)
    .map(([key, value]) =>
      /^[^\s"'\\]+$/.test(value) ? `${key}=${value}` : `${key}="${value.replace(/["\\]/g, "\\$&")}"`,
    )
    .join(" ");
}

// ---------------------------------------------------------------------------------------------
// Writing one value in place

/**
 * Sets `key = "value"` in `[header]` (or, with `arrayTable`, in the first `[[header]]` entry) of a TOML text, keeping
 * every other line as it was. The key is added at the end of the table when it is not there yet.
 */
export function setTomlString(text: string, header: string, key: string, value: string, arrayTable = false): string {
  const lines = text.split("\n");
  const escaped = header.replace(/[.[\]]/g, "\\$&");
  const headerPattern = arrayTable
    ? new RegExp(`^\\s*\\[\\[\\s*${escaped}\\s*\\]\\]\\s*(#.*)?$`)
    : new RegExp(`^\\s*\\[\\s*${escaped}\\s*\\]\\s*(#.*)?$`);
  const start = lines.findIndex((line) => headerPattern.test(line));
  if (start < 0) throw new Error(`no ${arrayTable ? `[[${header}]]` : `[${header}]`} table`);
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^\s*\[/.test(lines[i] as string)) {
      end = i;
      break;
    }
  }
  const assignment = `${key} = ${JSON.stringify(value)}`;
  const keyPattern = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`);
  for (let i = start + 1; i < end; i++) {
    if (keyPattern.test(lines[i] as string)) {
      lines[i] = assignment;
      return lines.join("\n");
    }
  }
  let insertAt = start + 1;
  for (let i = start + 1; i < end; i++) if (/^\s*[A-Za-z0-9_-]+\s*=/.test(lines[i] as string)) insertAt = i + 1;
  lines.splice(insertAt, 0, assignment);
  return lines.join("\n");
}

/** Applies `changes` to a TOML file and checks that the file still parses with the new values in place. */
export interface TomlChange {
  header: string;
  key: string;
  value: string;
  arrayTable?: boolean;
}

export function updateTomlFile(file: string, changes: TomlChange[]): void {
  let text = readFileSync(file, "utf8");
  for (const change of changes) {
    try {
      text = setTomlString(text, change.header, change.key, change.value, change.arrayTable);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
  }
  parse(text);
  writeFileSync(file, text);
}

export function writeStorefrontConfig(
  files: ConfigFiles,
  env: Environment,
  values: { vars?: Record<string, string>; d1DatabaseId?: string },
): void {
  const changes: TomlChange[] = Object.entries(values.vars ?? {}).map(([key, value]) => ({
    header: `env.${env.pagesEnv}.vars`,
    key,
    value,
  }));
  if (values.d1DatabaseId) {
    const header = `env.${env.pagesEnv}.d1_databases`;
    changes.push({ header, key: "database_name", value: env.d1DatabaseName, arrayTable: true });
    changes.push({ header, key: "database_id", value: values.d1DatabaseId, arrayTable: true });
  }
  updateTomlFile(files.wranglerToml, changes);
}

export function writeStackParameters(files: ConfigFiles, env: Environment, parameters: Record<string, string>): void {
  const current = readStackConfig(files, env).parameters;
  updateTomlFile(files.samconfigToml, [
    {
      header: `${env.name}.deploy.parameters`,
      key: "parameter_overrides",
      value: formatParameterOverrides({ ...current, ...parameters }),
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Placeholder checks

export interface ConfigProblem {
  file: string;
  /** Where in the file, e.g. `[env.preview.vars] ORDER_API_URL`. */
  where: string;
  problem: string;
}

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a URL value cannot be deployed (a placeholder, or not https), or null. */
export function urlPlaceholder(value: string | undefined): string | null {
  if (!value) return "is not set";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a URL (${value})`;
  }
  if (url.protocol !== "https:") return `must be an https URL (${value})`;
  const host = url.hostname;
  if (/(^|\.)example\.(tw|com|org|net)$/.test(host) || host === "example.tw")
    return `is still the placeholder ${value}`;
  if (/(^|[^0-9])000000000000([^0-9]|$)/.test(value))
    return `still holds the placeholder account 000000000000 (${value})`;
  if (value.includes("${")) return `holds an unresolved reference (${value})`;
  return null;
}

export function placeholderProblems(files: ConfigFiles, env: Environment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const wrangler = path.relative(files.root, files.wranglerToml) || files.wranglerToml;
  const samconfig = path.relative(files.root, files.samconfigToml) || files.samconfigToml;
  const storefront = readStorefrontConfig(files, env);
  const vars = `[env.${env.pagesEnv}.vars]`;

  for (const name of ["ORDER_API_URL", "S3_BUCKET_URL", "SITE_URL"]) {
    const problem = urlPlaceholder(storefront.vars[name]);
    if (problem) problems.push({ file: wrangler, where: `${vars} ${name}`, problem });
  }
  for (const [name, expected] of [
    ["ECPAY_GATEWAY_ORIGIN", env.ecpayGatewayUrl],
    ["ECPAY_LOGISTICS_ORIGIN", env.ecpayLogisticsUrl],
  ] as const) {
    const value = storefront.vars[name];
    if (value !== expected) {
      problems.push({
        file: wrangler,
        where: `${vars} ${name}`,
        problem: `must be ${expected} for ${env.name} (is ${value ?? "unset"})`,
      });
    }
  }
  const expectedAppEnv = env.pagesEnv;
  if (storefront.vars.APP_ENV !== expectedAppEnv) {
    problems.push({
      file: wrangler,
      where: `${vars} APP_ENV`,
      problem: `must be ${expectedAppEnv} (is ${storefront.vars.APP_ENV ?? "unset"})`,
    });
  }
  const d1 = storefront.d1[0];
  if (!d1) {
    problems.push({
      file: wrangler,
      where: `[[env.${env.pagesEnv}.d1_databases]]`,
      problem: "is missing (the rate-limit database)",
    });
  } else if (!UUID.test(d1.database_id) || d1.database_id === ZERO_UUID) {
    problems.push({
      file: wrangler,
      where: `[[env.${env.pagesEnv}.d1_databases]] database_id`,
      problem: `is still the placeholder ${d1.database_id || "(empty)"}: create the database (npx wrangler d1 create ${env.d1DatabaseName}) and put its id here`,
    });
  }

  const stack = readStackConfig(files, env);
  const overrides = `[${env.name}.deploy.parameters] parameter_overrides`;
  const storefrontUrl = stack.parameters.StorefrontUrl;
  const storefrontProblem = urlPlaceholder(storefrontUrl);
  if (storefrontProblem)
    problems.push({ file: samconfig, where: `${overrides} StorefrontUrl`, problem: storefrontProblem });
  if (stack.parameters.Env !== env.name) {
    problems.push({
      file: samconfig,
      where: `${overrides} Env`,
      problem: `must be ${env.name} (is ${stack.parameters.Env ?? "unset"})`,
    });
  }
  for (const [name, expected] of [
    ["EcpayGatewayUrl", env.ecpayGatewayUrl],
    ["EcpayLogisticsUrl", env.ecpayLogisticsUrl],
    ["EcpayEinvoiceUrl", env.ecpayEinvoiceUrl],
  ] as const) {
    if (stack.parameters[name] !== expected) {
      problems.push({
        file: samconfig,
        where: `${overrides} ${name}`,
        problem: `must be ${expected} for ${env.name}`,
      });
    }
  }
  const origins = (stack.parameters.AllowedOrigins ?? "").split(",").filter(Boolean);
  for (const origin of origins) {
    const problem = urlPlaceholder(origin.replace("://*.", "://wildcard."));
    if (problem)
      problems.push({
        file: samconfig,
        where: `${overrides} AllowedOrigins`,
        problem: problem.replace("wildcard.", "*."),
      });
  }
  if (!storefrontProblem && storefront.vars.SITE_URL && storefrontUrl !== storefront.vars.SITE_URL) {
    problems.push({
      file: samconfig,
      where: `${overrides} StorefrontUrl`,
      problem: `(${storefrontUrl}) differs from ${wrangler} ${vars} SITE_URL (${storefront.vars.SITE_URL}); both are the storefront's address`,
    });
  }
  return problems;
}

export function formatProblems(env: Environment, problems: ConfigProblem[]): string {
  return [
    `The ${env.name} configuration is not ready to deploy (${problems.length} value${problems.length === 1 ? "" : "s"}):`,
    ...problems.map((p) => `  - ${p.file} ${p.where} ${p.problem}`),
    `A new environment: npm run deploy:first -- --env ${env.name} fills these in. Otherwise edit the files (README, Deploy).`,
  ].join("\n");
}
