#!/usr/bin/env node
/**
 * A recorded stand-in for the wrangler CLI's Cloudflare account commands, for `npm run deploy:rehearse` (no
 * emulator of Cloudflare's account API exists). It answers the commands a deploy uses with wrangler 4.86.0's own
 * output formats (transcribed from its source: `pages project list --json`, `d1 list --json`, the text of
 * `pages secret list`, the WRANGLER_OUTPUT_FILE_PATH records of `pages deploy`), keeps the account's state in a
 * JSON file, and records every call (argv, and the stdin a secret arrived on) so the rehearsal can check them.
 * Any other command fails, so an unexpected call cannot pass unnoticed.
 *
 *   WRANGLER_STAND_IN_STATE=state.json WRANGLER_STAND_IN_LOG=calls.jsonl node wrangler-stand-in.mjs <wrangler args>
 */
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const statePath = process.env.WRANGLER_STAND_IN_STATE;
const logPath = process.env.WRANGLER_STAND_IN_LOG;
if (!statePath || !logPath) {
  console.error("wrangler stand-in: set WRANGLER_STAND_IN_STATE and WRANGLER_STAND_IN_LOG");
  process.exit(2);
}

const args = process.argv.slice(2);
const state = existsSync(statePath)
  ? JSON.parse(readFileSync(statePath, "utf8"))
  : { loggedIn: true, projects: [], databases: [], deployments: [] };
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));

function readStdin() {
  try {
    return readFileSync(0, "utf8");
  } catch {
    return "";
  }
}

function option(name) {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

function fail(message) {
  console.error(`✘ [ERROR] ${message}`);
  process.exitCode = 1;
}

function project(name) {
  return state.projects.find((p) => p.name === name);
}

const record = { at: new Date().toISOString(), argv: args, cwd: process.cwd() };
const command = args.filter((a) => !a.startsWith("-")).slice(0, 3);
const is = (...words) => words.every((w, i) => command[i] === w);

if (is("whoami")) {
  if (state.loggedIn)
    console.log("👋 You are logged in with an API Token, associated with the email owner@example.tw.");
  else console.log("You are not authenticated. Please run `wrangler login`.");
} else if (is("pages", "project", "list")) {
  const rows = state.projects.map((p) => ({
    "Project Name": p.name,
    "Project Domains": p.domains.join(", "),
    "Git Provider": "No",
    "Last Modified": "a minute ago",
  }));
  console.log(JSON.stringify(rows, null, 2));
} else if (is("pages", "project", "create")) {
  const name = command[3] ?? args.find((a, i) => i > 2 && !a.startsWith("-"));
  const branch = option("production-branch");
  if (!name || !branch) fail("Must specify a project name and a production branch.");
  else if (project(name)) fail(`A project with this name already exists. [code: 8000002]`);
  else {
    state.projects.push({
      name,
      domains: [`${name}.pages.dev`],
      productionBranch: branch,
      secrets: { production: {}, preview: {} },
    });
    save();
    console.log(
      `✨ Successfully created the '${name}' project. It will be available at https://${name}.pages.dev/ once you create your first deployment.`,
    );
    console.log("To deploy a folder of assets, run 'wrangler pages deploy [directory]'.");
  }
} else if (is("d1", "list")) {
  console.log(JSON.stringify(state.databases, null, 2));
} else if (is("d1", "create")) {
  const name = args[2];
  if (state.databases.some((d) => d.name === name)) fail(`A database with that name already exists [code: 7502]`);
  else {
    const db = {
      uuid: randomUUID(),
      name,
      created_at: new Date().toISOString(),
      version: "production",
      num_tables: 0,
      file_size: 0,
    };
    state.databases.push(db);
    save();
    console.log(`✅ Successfully created DB '${name}'\nCreated your new D1 database.\n`);
    console.log(
      JSON.stringify({ d1_databases: [{ binding: "DB", database_name: name, database_id: db.uuid }] }, null, 2),
    );
  }
} else if (is("pages", "secret", "list") || is("pages", "secret", "put")) {
  const name = option("project-name");
  const env = option("env") ?? "production";
  const p = project(name);
  if (!p) fail(`Project "${name}" does not exist.`);
  else if (is("pages", "secret", "list")) {
    console.log(`The "${env}" environment of your Pages project "${name}" has access to the following secrets:`);
    for (const key of Object.keys(p.secrets[env])) console.log(`  - ${key}: Value Encrypted`);
  } else {
    const key = args[3];
    const value = readStdin().replace(/\s+$/, "");
    record.stdin = value;
    if (!value) fail("No secret value given on stdin.");
    else {
      p.secrets[env][key] = value;
      save();
      console.log(`🌀 Creating the secret for the Pages project "${name}" (${env})`);
      console.log(`✨ Success! Uploaded secret ${key}`);
    }
  }
} else if (is("pages", "deploy")) {
  const directory = args[2];
  const name = option("project-name");
  const branch = option("branch");
  const p = project(name);
  if (!p) fail(`Project "${name}" does not exist.`);
  else if (!directory || !existsSync(path.join(directory, "_routes.json")))
    fail(`${directory} is not a Pages build output`);
  else {
    record.headers = readFileSync(path.join(directory, "_headers"), "utf8");
    const id = randomBytes(4).toString("hex");
    const environment = branch === p.productionBranch ? "production" : "preview";
    const url = `https://${id}.${p.domains[0]}`;
    const alias = environment === "preview" ? `https://${branch}.${p.domains[0]}` : null;
    state.deployments.push({ id, branch, environment, url });
    save();
    console.log(`✨ Deployment complete! Take a peek over at ${url}`);
    if (process.env.WRANGLER_OUTPUT_FILE_PATH) {
      const entry = { version: 1, pages_project: name, deployment_id: id, url };
      appendFileSync(process.env.WRANGLER_OUTPUT_FILE_PATH, `${JSON.stringify({ type: "pages-deploy", ...entry })}\n`);
      appendFileSync(
        process.env.WRANGLER_OUTPUT_FILE_PATH,
        `${JSON.stringify({ type: "pages-deploy-detailed", ...entry, alias, environment, production_branch: p.productionBranch })}\n`,
      );
    }
  }
} else {
  fail(`the wrangler stand-in does not know \`wrangler ${args.join(" ")}\``);
}

record.exitCode = process.exitCode ?? 0;
appendFileSync(logPath, `${JSON.stringify(record)}\n`);
