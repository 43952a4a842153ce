/**
 * `npm run deploy:first -- --env stag|prod`: a new environment from an empty AWS and Cloudflare account, in one
 * command that is safe to run again (each step reads what exists and creates only what is missing; nothing is
 * overwritten). See the README's Deploy section for what it does and what it leaves to the owner.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ECPAY_STAGE_MERCHANT } from "../../aws/local/ecpay-sandbox/stage-merchant";
import { EINVOICE_STAGE_MERCHANT } from "../../aws/src/ecpay/einvoice";
import { LOGISTICS_STAGE_MERCHANTS } from "../../aws/src/ecpay/logistics";
import { hashPassword, passwordProblem } from "../hash-password";
import type { Prompter } from "../lib/prompt";
import { runSmoke } from "../smoke";
import {
  type AwsTarget,
  accessKeyIds,
  callerAccount,
  createAccessKey,
  ECPAY_PARAMETERS,
  type EcpayKeySet,
  type EcpayParameter,
  ecpayParameterName,
  existingEcpayParameters,
  putEcpayParameter,
  seedObjects,
  stackOutputs,
} from "./aws";
import {
  type ConfigFiles,
  formatProblems,
  placeholderProblems,
  readStackConfig,
  readStorefrontConfig,
  urlPlaceholder,
  writeStackParameters,
  writeStorefrontConfig,
} from "./config-files";
import { allowedOriginsFor, type Environment, PRODUCTION_BRANCH, pagesSiteUrl, StepError } from "./environments";
import { deployStorefront } from "./pages";
import { deployStack, pythonCommand, runCommand, samCommand } from "./stack";
import { starterObjects } from "./starter-content";
import type { Wrangler } from "./wrangler";

export interface FirstDeployOptions {
  env: Environment;
  files: ConfigFiles;
  wrangler: Wrangler;
  prompter: Prompter;
  /** An AWS emulator (the rehearsal); unset for AWS. */
  endpoint?: string;
  /** The storefront's address when it is not the Pages default (a custom domain already set up in Cloudflare). */
  siteUrl?: string;
  /** A folder with the owner's own catalog.json / site.json to start from. */
  content?: string;
  template?: string;
  /** Skip building the storefront and deploy build/client as it is. */
  prebuilt?: boolean;
  smoke?: boolean;
  log?: (line: string) => void;
}

export interface FirstDeployReport {
  created: string[];
  kept: string[];
  siteUrl: string;
  apiUrl: string;
}

/** The four principals' secrets the storefront needs, by IAM output name. */
const PRINCIPALS = [
  { output: "StorefrontInvokerUserName", id: "STOREFRONT_ACCESS_KEY_ID", secret: "STOREFRONT_SECRET_ACCESS_KEY" },
  { output: "OwnerAdminInvokerUserName", id: "ADMIN_ACCESS_KEY_ID", secret: "ADMIN_SECRET_ACCESS_KEY" },
] as const;

type Merchant = { merchantId: string; hashKey: string; hashIV: string };
const PARAMETER_FIELDS: Record<EcpayParameter, keyof Merchant> = {
  "merchant-id": "merchantId",
  "hash-key": "hashKey",
  "hash-iv": "hashIV",
};
const PARAMETER_LABELS: Record<EcpayParameter, string> = {
  "merchant-id": "MerchantID",
  "hash-key": "HashKey",
  "hash-iv": "HashIV",
};

/**
 * The three sets of ECPay keys (ADR 0027), in the order they are asked: ECPay's public test merchants of each
 * protocol (the first is staging's default; production refuses all of them), and where the owner finds their own.
 * Store pickup and e-invoices are switched on in site.json, so production may leave their keys for later.
 */
const ECPAY_KEYS: {
  set: EcpayKeySet;
  label: string;
  test: readonly Merchant[];
  testNote: string;
  where: string;
  optionalInProd: string | false;
}[] = [
  {
    set: "ecpay",
    label: "ECPay",
    test: [ECPAY_STAGE_MERCHANT],
    testNote: "ECPay's public test merchant (3002607), which is what staging needs",
    where: "ECPay's vendor back office, 廠商管理後台 → 系統開發管理",
    optionalInProd: false,
  },
  {
    set: "ecpay-logistics",
    label: "ECPay Logistics",
    test: [LOGISTICS_STAGE_MERCHANTS.B2C, LOGISTICS_STAGE_MERCHANTS.C2C],
    testNote: "ECPay's public B2C logistics test merchant (2000132; for a C2C account type 2000933's values)",
    where: "ECPay's vendor back office, the logistics contract's keys (not the payment ones)",
    optionalInProd: "store pickup stays off until site.json's pickup is set",
  },
  {
    set: "ecpay-einvoice",
    label: "ECPay e-invoice",
    test: [EINVOICE_STAGE_MERCHANT],
    testNote: "ECPay's public e-invoice test merchant (2000132, its own keys)",
    where: "ECPay's vendor back office, the e-invoice contract's keys (not the payment ones)",
    optionalInProd: "e-invoices stay off until site.json's einvoice is true; a small shop may be exempt",
  },
];

export async function deployFirst(options: FirstDeployOptions): Promise<FirstDeployReport> {
  const { env, files, wrangler, prompter } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const created: string[] = [];
  const kept: string[] = [];
  const note = (didCreate: boolean, what: string) => {
    (didCreate ? created : kept).push(what);
    log(`      ${didCreate ? "created" : "exists, kept"}: ${what}`);
  };
  let step = 0;
  const TOTAL = 9;
  const heading = (title: string) => log(`\n[${++step}/${TOTAL}] ${title}`);

  const stackConfig = readStackConfig(files, env);
  const target: AwsTarget = { region: stackConfig.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };

  heading("Tools and accounts");
  const missing: string[] = [];
  let account = "";
  try {
    account = await callerAccount(target);
    log(
      `      AWS account ${account}, region ${target.region}${target.endpoint ? ` (emulator ${target.endpoint})` : ""}`,
    );
  } catch (error) {
    missing.push(
      `AWS credentials: ${(error as Error).message.split("\n")[0]} — run \`aws configure\` (or set AWS_PROFILE) with an administrator of the account`,
    );
  }
  const sam = await runCommand(samCommand(), ["--version"], { capture: true }).catch((e: Error) => ({
    code: 127,
    stdout: "",
    stderr: e.message,
  }));
  if (sam.code !== 0)
    missing.push(
      `AWS SAM CLI: \`${samCommand()} --version\` failed — install it (pip install -r .ci/requirements-deploy.txt)`,
    );
  else log(`      ${sam.stdout.trim()}`);
  if (options.endpoint) {
    const translator = await runCommand(pythonCommand(), ["-c", "import samtranslator"], { capture: true }).catch(
      () => ({ code: 1 }),
    );
    if (translator.code !== 0)
      missing.push(`aws-sam-translator for ${pythonCommand()} (pip install -r .ci/requirements-deploy.txt)`);
  }
  const login = await wrangler.loginProblem();
  if (login)
    missing.push(
      `Cloudflare: ${login} — run \`npx wrangler login\` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID)`,
    );
  if (missing.length)
    throw new StepError(`Missing before anything can be deployed:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
  // Fail on bad starter content now, before anything is created.
  const content = starterObjects(options.content);

  heading("Cloudflare Pages project and D1 database");
  const project = readStorefrontConfig(files, env).project;
  let found = (await wrangler.pagesProjects()).find((p) => p.name === project);
  const projectIsNew = !found;
  if (!found) {
    await wrangler.createPagesProject(project, PRODUCTION_BRANCH);
    found = (await wrangler.pagesProjects()).find((p) => p.name === project);
    if (!found) throw new StepError(`Pages project ${project} was created but is not listed`);
  }
  note(projectIsNew, `Pages project ${project} (${found.domains.join(", ")})`);
  const subdomain = found.domains.find((d) => d.endsWith(".pages.dev"));
  if (!subdomain)
    throw new StepError(`Pages project ${project} has no *.pages.dev domain (domains: ${found.domains.join(", ")})`);
  let database = (await wrangler.d1Databases()).find((d) => d.name === env.d1DatabaseName);
  const databaseIsNew = !database;
  if (!database) {
    await wrangler.createD1Database(env.d1DatabaseName);
    database = (await wrangler.d1Databases()).find((d) => d.name === env.d1DatabaseName);
    if (!database) throw new StepError(`D1 database ${env.d1DatabaseName} was created but is not listed`);
  }
  note(databaseIsNew, `D1 database ${env.d1DatabaseName} (${database.uuid})`);

  heading("Storefront address and the origins the API accepts");
  const configured = readStorefrontConfig(files, env).vars.SITE_URL;
  const siteUrl = (
    options.siteUrl ??
    (urlPlaceholder(configured) ? undefined : configured) ??
    pagesSiteUrl(env, subdomain)
  ).replace(/\/$/, "");
  const allowedOrigins = allowedOriginsFor(env, siteUrl, subdomain);
  writeStackParameters(files, env, { StorefrontUrl: siteUrl, AllowedOrigins: allowedOrigins });
  log(
    `      StorefrontUrl ${siteUrl}\n      AllowedOrigins ${allowedOrigins}\n      (written to ${path.relative(files.root, files.samconfigToml)})`,
  );

  heading(`Order API stack ${stackConfig.stackName}`);
  const stackExisted = (await stackOutputs(target, stackConfig.stackName)) !== null;
  await deployStack({
    target,
    stackName: stackConfig.stackName,
    configEnv: env.name,
    samconfig: files.samconfigToml,
    parameters: readStackConfig(files, env).parameters,
    ...(options.template ? { template: options.template } : {}),
    log: (line) => log(`      ${line}`),
  });
  const outputs = await stackOutputs(target, stackConfig.stackName);
  const apiUrl = outputs?.ApiUrl?.replace(/\/$/, "");
  if (!outputs || !apiUrl || !outputs.BucketName || !outputs.BucketUrl) {
    throw new StepError(`stack ${stackConfig.stackName} has no ApiUrl/BucketName/BucketUrl outputs`);
  }
  note(!stackExisted, `stack ${stackConfig.stackName} (API ${apiUrl})`);

  heading("ECPay credentials (SSM SecureStrings: payments, Logistics, e-invoices)");
  const present = await existingEcpayParameters(target, env.name);
  for (const keys of ECPAY_KEYS) {
    const names = ECPAY_PARAMETERS.map((n) => ecpayParameterName(env.name, keys.set, n));
    for (const name of names.filter((n) => present.has(n))) note(false, name);
    const absent = ECPAY_PARAMETERS.filter((n) => !present.has(ecpayParameterName(env.name, keys.set, n)));
    if (absent.length === 0) continue;
    if (env.name === "stag") log(`      ${keys.label}: empty answers use ${keys.testNote}.`);
    else if (keys.optionalInProd && absent.length === ECPAY_PARAMETERS.length)
      log(`      ${keys.label}: an empty MerchantID skips it (${keys.optionalInProd}).`);
    for (const name of absent) {
      const label = `${keys.label} ${PARAMETER_LABELS[name]}`;
      let value = (await prompter.hidden(`      ${label} for ${env.name}: `)).trim();
      if (!value && env.name === "stag") value = keys.test[0]![PARAMETER_FIELDS[name]];
      if (!value && env.name === "prod" && keys.optionalInProd && name === "merchant-id" && absent.length === 3) {
        log(`      skipped: ${keys.label} (nothing stored; run deploy:first again to add it before switching it on)`);
        break;
      }
      if (!value) throw new StepError(`${label} is required for ${env.name} (${keys.where})`);
      if (env.name === "prod" && keys.test.some((merchant) => merchant[PARAMETER_FIELDS[name]] === value))
        throw new StepError(`${label}: production cannot use ECPay's public test merchant`);
      await putEcpayParameter(target, env.name, keys.set, name, value);
      note(true, ecpayParameterName(env.name, keys.set, name));
    }
  }

  heading(`Starter content in ${outputs.BucketName}`);
  const seeded = await seedObjects(target, outputs.BucketName, content);
  for (const key of seeded.created) note(true, `s3://${outputs.BucketName}/${key}`);
  for (const key of seeded.kept) note(false, `s3://${outputs.BucketName}/${key}`);

  heading(`Cloudflare Pages secrets (${project}, ${env.pagesEnv})`);
  const secrets = new Set(await wrangler.pagesSecretNames(project, env.pagesEnv));
  for (const principal of PRINCIPALS) {
    const user = outputs[principal.output];
    if (!user) throw new StepError(`stack output ${principal.output} is missing`);
    const keys = await accessKeyIds(target, user);
    if (keys.length === 0) {
      const key = await createAccessKey(target, user);
      await wrangler.putPagesSecret(project, env.pagesEnv, principal.id, key.accessKeyId);
      await wrangler.putPagesSecret(project, env.pagesEnv, principal.secret, key.secretAccessKey);
      note(true, `access key ${key.accessKeyId} of ${user} → ${principal.id}, ${principal.secret}`);
    } else if (secrets.has(principal.id) && secrets.has(principal.secret)) {
      note(false, `access key of ${user} (${keys.join(", ")}) and its two Pages secrets`);
    } else {
      throw new StepError(
        `IAM user ${user} already has an access key (${keys.join(", ")}) but the ${env.pagesEnv} secrets ${principal.id} / ${principal.secret} are not both in Cloudflare, and a key's secret cannot be read back. Delete the key and run again:\n  aws iam delete-access-key --user-name ${user} --access-key-id ${keys[0]}`,
      );
    }
  }
  if (secrets.has("SESSION_SECRET")) note(false, "SESSION_SECRET");
  else {
    await wrangler.putPagesSecret(project, env.pagesEnv, "SESSION_SECRET", randomBytes(48).toString("base64url"));
    note(true, "SESSION_SECRET (48 random bytes)");
  }
  if (secrets.has("ADMIN_PASSWORD_HASH")) note(false, "ADMIN_PASSWORD_HASH");
  else {
    const password = await prompter.hidden(
      `      The owner's admin password for ${env.name} (at least 12 characters): `,
    );
    const problem = passwordProblem(password);
    if (problem) throw new StepError(`admin password refused: ${problem}`);
    if ((await prompter.hidden("      Again: ")) !== password) throw new StepError("the two admin passwords differ");
    await wrangler.putPagesSecret(project, env.pagesEnv, "ADMIN_PASSWORD_HASH", await hashPassword(password));
    note(true, "ADMIN_PASSWORD_HASH (PBKDF2 of the password you typed)");
  }

  heading(`Storefront configuration (${path.relative(files.root, files.wranglerToml)} [env.${env.pagesEnv}])`);
  writeStorefrontConfig(files, env, {
    vars: {
      APP_ENV: env.pagesEnv,
      ORDER_API_URL: apiUrl,
      S3_BUCKET_URL: outputs.BucketUrl,
      SITE_URL: siteUrl,
      ECPAY_GATEWAY_ORIGIN: env.ecpayGatewayUrl,
      ECPAY_LOGISTICS_ORIGIN: env.ecpayLogisticsUrl,
    },
    d1DatabaseId: database.uuid,
  });
  const problems = placeholderProblems(files, env);
  if (problems.length) throw new StepError(formatProblems(env, problems));
  log(
    `      ORDER_API_URL ${apiUrl}\n      S3_BUCKET_URL ${outputs.BucketUrl}\n      SITE_URL ${siteUrl}\n      no placeholder left`,
  );

  heading("Storefront deploy and smoke test");
  const deployment = await deployStorefront({
    env,
    wrangler,
    project,
    ...(options.prebuilt ? { prebuilt: true } : {}),
    log: (line) => log(`      ${line}`),
  });
  log(`      deployed: ${deployment.url}${deployment.alias ? ` (branch URL ${deployment.alias})` : ""}`);
  if (options.smoke ?? true) {
    const smoke = await runSmoke(siteUrl, { log: (line) => log(`      ${line}`) });
    if (!smoke.ok)
      throw new StepError(
        `the smoke test of ${siteUrl} failed (above); the deploy itself is complete, so fix and re-run`,
      );
  } else {
    log("      smoke test skipped (--no-smoke)");
  }

  log(`
Done: ${env.name} is deployed at ${siteUrl} (created ${created.length}, kept ${kept.length}).
Left to you:
  - Commit ${path.relative(files.root, files.wranglerToml)} and ${path.relative(files.root, files.samconfigToml)} (the ids and URLs above); the pipeline deploys from them.
  - Open the shop when it is ready: ${siteUrl}/admin → 商店狀態 (it starts closed, with one sample product to replace).
  - Store pickup and e-invoices start off: site.json's pickup (the logistics account, B2C or C2C, and the sender) and einvoice: true switch them on (README, Configuration).
  - ${env.name === "prod" ? "Check that the ECPay keys (payments, and Logistics / e-invoices if stored) are your production ones (ECPay's back offices)." : "Staging pays through ECPay's test gateway; production needs your own merchant keys (asked by --env prod)."}
  - Optional: a custom domain for the storefront (Cloudflare Pages → Custom domains, then --site-url and re-run) and for the API (ApiDomainName in aws/samconfig.toml).
  - Recommended: protect ${siteUrl}/admin with Cloudflare Access (CF_ACCESS_TEAM_DOMAIN, CF_ACCESS_AUD; README, Configuration).
  - Once per repository: the pipeline's bootstrap stack and GitHub secrets (README, Deploy).`);
  return { created, kept, siteUrl, apiUrl };
}
