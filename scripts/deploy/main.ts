/**
 * The deploy commands (package.json scripts call these):
 *
 *   npm run deploy:first  -- --env stag|prod [--site-url URL] [--content DIR]   a new environment, once (safe to re-run)
 *   npm run deploy:stack  -- --env stag|prod [--app-version V] [--yes]          sam build + sam deploy (the pipeline)
 *   npm run deploy:pages  -- --env stag|prod [--branch B] [--prebuilt]          build + wrangler pages deploy
 *   npm run check:config  -- --env stag|prod                                     no placeholder left? (every deploy runs it)
 *   npm run stack:delete  -- --env stag                                          empty the bucket, delete the stack
 *
 * Rehearsal-only options (npm run deploy:rehearse passes them): --endpoint URL (an AWS emulator instead of AWS),
 * --config-dir DIR (a copy of wrangler.toml and aws/samconfig.toml), --template FILE, --no-smoke.
 */
import { appendFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DeleteStackCommand } from "@aws-sdk/client-cloudformation";
import { createPrompter } from "../lib/prompt";
import { type AwsTarget, clients, deleteAccessKeys, emptyBucket, stackOutputs } from "./aws";
import {
  configFiles,
  formatProblems,
  placeholderProblems,
  readStackConfig,
  readStorefrontConfig,
} from "./config-files";
import { environment, StepError, UsageError } from "./environments";
import { deployFirst } from "./first";
import { deployStorefront } from "./pages";
import { deployStack, waitForStack } from "./stack";
import { Wrangler } from "./wrangler";

const options = {
  env: { type: "string" },
  endpoint: { type: "string" },
  "config-dir": { type: "string" },
  template: { type: "string" },
  "site-url": { type: "string" },
  content: { type: "string" },
  "app-version": { type: "string" },
  branch: { type: "string" },
  commit: { type: "string" },
  prebuilt: { type: "boolean" },
  yes: { type: "boolean" },
  "no-smoke": { type: "boolean" },
} as const;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
  const env = environment(values.env);
  const files = configFiles(values["config-dir"] ? path.resolve(values["config-dir"]) : undefined);
  const log = (line: string) => console.log(line);
  const stackConfig = () => readStackConfig(files, env);
  const target = (): AwsTarget => ({
    region: stackConfig().region,
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  });
  const requireReadyConfig = () => {
    const problems = placeholderProblems(files, env);
    if (problems.length) throw new StepError(formatProblems(env, problems));
  };

  switch (command) {
    case "first": {
      const prompter = createPrompter();
      try {
        await deployFirst({
          env,
          files,
          wrangler: new Wrangler(undefined, files.root),
          prompter,
          ...(values.endpoint ? { endpoint: values.endpoint } : {}),
          ...(values["site-url"] ? { siteUrl: values["site-url"] } : {}),
          ...(values.content ? { content: path.resolve(values.content) } : {}),
          ...(values.template ? { template: path.resolve(values.template) } : {}),
          ...(values.prebuilt ? { prebuilt: true } : {}),
          smoke: !values["no-smoke"],
          log,
        });
      } finally {
        prompter.close();
      }
      return;
    }
    case "check": {
      requireReadyConfig();
      log(
        `${env.name}: configuration complete (${path.relative(process.cwd(), files.wranglerToml) || files.wranglerToml} [env.${env.pagesEnv}], ${path.relative(process.cwd(), files.samconfigToml)} [${env.name}])`,
      );
      return;
    }
    case "stack": {
      requireReadyConfig();
      const config = stackConfig();
      const parameters = {
        ...config.parameters,
        ...(values["app-version"] ? { AppVersion: values["app-version"] } : {}),
      };
      await deployStack({
        target: target(),
        stackName: config.stackName,
        configEnv: env.name,
        samconfig: files.samconfigToml,
        parameters,
        ...(values.template ? { template: path.resolve(values.template) } : {}),
        ...(values.yes ? { noConfirm: true } : {}),
        log,
      });
      return;
    }
    case "pages": {
      requireReadyConfig();
      const deployment = await deployStorefront({
        env,
        wrangler: new Wrangler(undefined, files.root),
        project: readStorefrontConfig(files, env).project,
        ...(values.branch ? { branch: values.branch } : {}),
        ...(values.commit ? { commit: values.commit } : {}),
        ...(values.prebuilt ? { prebuilt: true } : {}),
        log,
      });
      const url = deployment.alias ?? deployment.url;
      log(`deployed ${deployment.url}${deployment.alias ? ` (branch URL ${deployment.alias})` : ""}`);
      // In GitHub Actions, hand the URL to later steps.
      if (process.env.GITHUB_OUTPUT)
        appendFileSync(process.env.GITHUB_OUTPUT, `url=${url}\ndeployment-url=${deployment.url}\n`);
      return;
    }
    case "delete": {
      if (env.name === "prod") {
        throw new StepError(
          "refusing to delete production: its table and bucket are retained and the table has deletion protection; do it by hand in the AWS console if you really mean it",
        );
      }
      const { stackName } = stackConfig();
      const t = target();
      const outputs = await stackOutputs(t, stackName);
      if (!outputs) {
        log(`stack ${stackName} does not exist; nothing to delete`);
        return;
      }
      if (outputs.BucketName)
        log(
          `emptied s3://${outputs.BucketName}: ${await emptyBucket(t, outputs.BucketName)} versions and delete markers`,
        );
      for (const output of ["StorefrontInvokerUserName", "OwnerAdminInvokerUserName"]) {
        const user = outputs[output];
        if (user)
          log(
            `deleted ${await deleteAccessKeys(t, user)} access key(s) of ${user} (CloudFormation cannot delete a user that has keys)`,
          );
      }
      await clients.cloudformation(t).send(new DeleteStackCommand({ StackName: stackName }));
      const status = await waitForStack(t, stackName);
      if (status !== "DELETE_COMPLETE") throw new StepError(`stack ${stackName} ended ${status}`);
      log(
        `stack ${stackName} deleted. Its Pages secrets for ${env.pagesEnv} now hold deleted keys: deploy:first puts new ones.`,
      );
      return;
    }
    default:
      throw new UsageError(`unknown command ${command ?? "(none)"}: first, stack, pages, check or delete`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`usage: ${error.message}`);
      process.exit(2);
    }
    if (error instanceof StepError) {
      console.error(`\n${error.message}`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
