/**
 * The first deploy of staging, rehearsed offline: `scripts/deploy/main.ts first --env stag` (what
 * `npm run deploy:first -- --env stag` runs) against moto's server instead of AWS, with the wrangler stand-in instead
 * of Cloudflare, and a copy of wrangler.toml / aws/samconfig.toml as the owner's config. Then the same command again,
 * which must change nothing; then broken inputs, which must fail with a clear message; then `stack:delete`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import { GetRoleCommand, ListAccessKeysCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetObjectCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { GetParametersCommand } from "@aws-sdk/client-ssm";
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResolveContext, resolveValue, type Template } from "../../../aws/local/template";
import { catalogSchema, siteStatusSchema } from "../../../aws/src/contract";
import { freePort, repoRoot } from "../../lib/processes";
import { type AwsTarget, clients } from "../aws";
import { configFiles, placeholderProblems, readStorefrontConfig } from "../config-files";
import { ENVIRONMENTS } from "../environments";

const venvBin = path.join(repoRoot, ".ci", ".venv", "bin");
const env = ENVIRONMENTS.stag;
const STACK = "shop-stag";
const ECPAY = { merchantId: "3002607", hashKey: "pwFHCqoQZGmho4w6", hashIV: "EkRm7iFT261dpevs" };
const OWNER_PASSWORD = "rehearsal owner password";
const SECRETS = [
  "STOREFRONT_ACCESS_KEY_ID",
  "STOREFRONT_SECRET_ACCESS_KEY",
  "ADMIN_ACCESS_KEY_ID",
  "ADMIN_SECRET_ACCESS_KEY",
  "SESSION_SECRET",
  "ADMIN_PASSWORD_HASH",
];

let moto: ChildProcess;
let motoLog = "";
let endpoint: string;
let work: string;
let target: AwsTarget;
const files = () => configFiles(path.join(work, "config"));

interface WranglerCall {
  argv: string[];
  stdin?: string;
  headers?: string;
  exitCode: number;
}

function wranglerCalls(): WranglerCall[] {
  const log = path.join(work, "wrangler-calls.jsonl");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WranglerCall);
}

/** Runs a deploy command as the owner would, answers piped to stdin; resolves with its exit code and output. */
function deploy(command: string, args: string[], stdin = ""): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "scripts/deploy/main.ts"), command, ...args],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PATH: `${venvBin}:${process.env.PATH}`,
          AWS_ACCESS_KEY_ID: "rehearsal",
          AWS_SECRET_ACCESS_KEY: "rehearsal",
          AWS_REGION: "ap-northeast-1",
          AWS_DEFAULT_REGION: "ap-northeast-1",
          WRANGLER: `${process.execPath} ${path.join(repoRoot, "scripts/deploy/rehearsal/wrangler-stand-in.mjs")}`,
          WRANGLER_STAND_IN_STATE: path.join(work, "cloudflare-account.json"),
          WRANGLER_STAND_IN_LOG: path.join(work, "wrangler-calls.jsonl"),
        },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.stdin.end(stdin);
    child.once("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const first = (extra: string[] = [], stdin = "") =>
  deploy(
    "first",
    ["--env", "stag", "--endpoint", endpoint, "--config-dir", path.join(work, "config"), "--no-smoke", ...extra],
    stdin,
  );

/** ECPay's public B2C logistics and e-invoice test merchants (the same id, keys of their own). */
const LOGISTICS = { merchantId: "2000132", hashKey: "5294y06JbISpM5x9", hashIV: "v77hoKGq4kWxNNIS" };
const EINVOICE = { merchantId: "2000132", hashKey: "ejCk326UnaZWKisg", hashIV: "q9jcZX8Ib9LM8wYk" };
const values = (m: typeof ECPAY) => [m.merchantId, m.hashKey, m.hashIV];
/**
 * The answers an owner types on a first deploy: ECPay's three payment values, three empty answers for Logistics
 * (staging takes ECPay's public B2C test merchant), the three e-invoice values, then the admin password twice.
 */
const ANSWERS = `${[...values(ECPAY), "", "", "", ...values(EINVOICE), OWNER_PASSWORD, OWNER_PASSWORD].join("\n")}\n`;
const KEY_SETS = ["ecpay", "ecpay-logistics", "ecpay-einvoice"] as const;

async function stackResources() {
  const resources: {
    LogicalResourceId?: string;
    PhysicalResourceId?: string;
    ResourceType?: string;
    ResourceStatus?: string;
  }[] = [];
  let token: string | undefined;
  do {
    const page = await clients
      .cloudformation(target)
      .send(new ListStackResourcesCommand({ StackName: STACK, NextToken: token }));
    resources.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return resources;
}

async function ecpayParameters() {
  const names = KEY_SETS.flatMap((set) => ["merchant-id", "hash-key", "hash-iv"].map((n) => `/shop/stag/${set}/${n}`));
  const { Parameters } = await clients
    .ssm(target)
    .send(new GetParametersCommand({ Names: names, WithDecryption: true }));
  const byName = new Map((Parameters ?? []).map((p) => [p.Name, p]));
  return new Map(names.filter((n) => byName.has(n)).map((n) => [n, byName.get(n)!]));
}

async function accessKeys(user: string) {
  const { AccessKeyMetadata } = await clients.iam(target).send(new ListAccessKeysCommand({ UserName: user }));
  return (AccessKeyMetadata ?? []).map((k) => k.AccessKeyId);
}

async function contentObject(bucket: string, key: string) {
  const object = await clients.s3(target).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { etag: object.ETag, versionId: object.VersionId, body: JSON.parse(await object.Body!.transformToString()) };
}

beforeAll(async () => {
  if (!existsSync(path.join(venvBin, "sam")) || !existsSync(path.join(venvBin, "moto_server"))) {
    throw new Error(
      ".ci/.venv lacks the SAM CLI or moto: run `bash .ci/sam-checks.sh` (installs .ci/requirements.txt)",
    );
  }
  // This process reads the emulator too; the values are the emulator's, not credentials.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "rehearsal", AWS_SECRET_ACCESS_KEY: "rehearsal" });
  work = mkdtempSync(path.join(tmpdir(), "shop-rehearsal-"));
  mkdirSync(path.join(work, "config", "aws"), { recursive: true });
  cpSync(path.join(repoRoot, "wrangler.toml"), path.join(work, "config", "wrangler.toml"));
  cpSync(path.join(repoRoot, "aws", "samconfig.toml"), path.join(work, "config", "aws", "samconfig.toml"));

  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  target = { region: "ap-northeast-1", endpoint };
  moto = spawn(path.join(venvBin, "python"), [path.join(repoRoot, ".ci", "moto_server.py"), String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    // AWS's managed policies (AWSLambdaBasicExecutionRole…) exist in a real account; moto loads them on request.
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
  });
  moto.stdout?.on("data", (c: Buffer) => (motoLog += c.toString()));
  moto.stderr?.on("data", (c: Buffer) => (motoLog += c.toString()));
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not start:\n${motoLog}`);
});

afterAll(() => {
  moto?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("first deploy of staging, rehearsed on moto", () => {
  it("refuses starter content that breaks the contract before creating anything", async () => {
    const content = path.join(work, "bad-content");
    mkdirSync(content);
    writeFileSync(
      path.join(content, "catalog.json"),
      JSON.stringify({ products: [{ id: "tea", name: "茶", unitPrice: 0, available: true, sortOrder: 0 }] }),
    );
    const run = await first(["--content", content], ANSWERS);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain("does not match the shop's content contract: products.0.unitPrice");
    const creates = wranglerCalls().filter((c) => /create|put|deploy/.test(c.argv.slice(0, 3).join(" ")));
    expect(creates).toEqual([]);
    expect(
      await clients
        .cloudformation(target)
        .send(new DescribeStacksCommand({ StackName: STACK }))
        .catch(() => null),
    ).toBeNull();
  });

  let firstRunCalls = 0;
  it("deploys everything from an empty account", async () => {
    const run = await first([], ANSWERS);
    console.log(run.output);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/Done: stag is deployed at https:\/\/staging\.taiwan-shop\.pages\.dev/);
    firstRunCalls = wranglerCalls().length;
  });

  it("created every resource of the expanded template, and the stack is CREATE_COMPLETE", async () => {
    const { Stacks } = await clients.cloudformation(target).send(new DescribeStacksCommand({ StackName: STACK }));
    expect(Stacks?.[0]?.StackStatus).toBe("CREATE_COMPLETE");
    const parameters = Object.fromEntries(
      (Stacks?.[0]?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    expect(parameters).toMatchObject({
      Env: "stag",
      StorefrontUrl: "https://staging.taiwan-shop.pages.dev",
      AllowedOrigins: "https://staging.taiwan-shop.pages.dev,https://*.taiwan-shop.pages.dev",
    });

    const { TemplateBody } = await clients.cloudformation(target).send(new GetTemplateCommand({ StackName: STACK }));
    const template = { ...(JSON.parse(TemplateBody ?? "{}") as Omit<Template, "path">), path: "" };
    const ctx = createResolveContext(template, { parameters: parameters as Record<string, string> });
    const expected = Object.entries(template.Resources)
      .filter(([, r]) => !r.Condition || resolveValue({ Condition: r.Condition }, ctx) === true)
      .map(([id]) => id)
      .sort();
    expect(expected.length).toBeGreaterThan(60);

    const resources = (await stackResources()).filter((r) => r.LogicalResourceId);
    expect(resources.map((r) => r.LogicalResourceId).sort()).toEqual(expected);
    expect(resources.filter((r) => r.ResourceStatus !== "CREATE_COMPLETE")).toEqual([]);
    // moto answers CREATE_COMPLETE for types it cannot create; those have no physical id (and it logs them).
    // Lambda permissions are the exception: moto adds them to the function's policy without an id of their own.
    // So are layer versions (moto's model has no physical id): the layer itself is asked for below.
    const notCreated = resources.filter(
      (r) =>
        !r.PhysicalResourceId && !["AWS::Lambda::Permission", "AWS::Lambda::LayerVersion"].includes(r.ResourceType!),
    );
    expect(notCreated.map((r) => `${r.LogicalResourceId} (${r.ResourceType})`)).toEqual([]);
    const layers = new AwsClient({
      accessKeyId: "rehearsal",
      secretAccessKey: "rehearsal",
      service: "lambda",
      region: "ap-northeast-1",
    });
    // (moto names a layer made by CloudFormation after the stack and logical id, not after LayerName.)
    const listed = (await (await layers.fetch(`${endpoint}/2018-10-31/layers`)).json()) as {
      Layers?: { LayerName: string; LatestMatchingVersion?: { CompatibleRuntimes?: string[] } }[];
    };
    const sharp = listed.Layers?.find((l) => l.LayerName === "shop-stag-sharp" || l.LayerName.includes("SharpLayer"));
    expect(sharp?.LatestMatchingVersion?.CompatibleRuntimes).toEqual(["nodejs22.x"]);
    expect(motoLog.match(/No Moto CloudFormation support for \S+/g) ?? []).toEqual([]);

    // Each function role has the managed policies SAM gave it (logs, X-Ray) besides its own statements.
    const roles = resources.filter((r) => r.ResourceType === "AWS::IAM::Role");
    expect(roles.length).toBeGreaterThanOrEqual(15);
    for (const role of roles) {
      const declared = (template.Resources[role.LogicalResourceId!]?.Properties?.ManagedPolicyArns ?? []) as string[];
      const { AttachedPolicies } = await clients
        .iam(target)
        .send(new ListAttachedRolePoliciesCommand({ RoleName: role.PhysicalResourceId }));
      expect((AttachedPolicies ?? []).map((p) => p.PolicyArn).sort(), role.LogicalResourceId).toEqual(
        [...declared].sort(),
      );
    }
  });

  it("seeded the starter catalog and a closed site, valid by the contract", async () => {
    const bucket = readStorefrontConfig(files(), env).vars.S3_BUCKET_URL!.split("/").pop()!;
    const catalog = catalogSchema.parse((await contentObject(bucket, "catalog.json")).body);
    expect(catalog.products.map((p) => p.id)).toEqual(["sample-product"]);
    expect(catalog.products[0]?.available).toBe(false);
    expect(siteStatusSchema.parse((await contentObject(bucket, "site.json")).body).open).toBe(false);
  });

  it("stored the nine ECPay values (payments, Logistics, e-invoices) as SecureStrings, as typed or staging's test merchant", async () => {
    const stored = await ecpayParameters();
    expect([...stored.values()].map((p) => [p.Name, p.Type, p.Value, p.Version])).toEqual([
      ["/shop/stag/ecpay/merchant-id", "SecureString", ECPAY.merchantId, 1],
      ["/shop/stag/ecpay/hash-key", "SecureString", ECPAY.hashKey, 1],
      ["/shop/stag/ecpay/hash-iv", "SecureString", ECPAY.hashIV, 1],
      ["/shop/stag/ecpay-logistics/merchant-id", "SecureString", LOGISTICS.merchantId, 1],
      ["/shop/stag/ecpay-logistics/hash-key", "SecureString", LOGISTICS.hashKey, 1],
      ["/shop/stag/ecpay-logistics/hash-iv", "SecureString", LOGISTICS.hashIV, 1],
      ["/shop/stag/ecpay-einvoice/merchant-id", "SecureString", EINVOICE.merchantId, 1],
      ["/shop/stag/ecpay-einvoice/hash-key", "SecureString", EINVOICE.hashKey, 1],
      ["/shop/stag/ecpay-einvoice/hash-iv", "SecureString", EINVOICE.hashIV, 1],
    ]);
  });

  it("gave each principal exactly one access key, handed to Cloudflare on stdin only", async () => {
    const storefrontKeys = await accessKeys("shop-stag-storefront");
    const adminKeys = await accessKeys("shop-stag-owner-admin");
    expect(storefrontKeys).toHaveLength(1);
    expect(adminKeys).toHaveLength(1);

    const puts = wranglerCalls().filter((c) => c.argv.slice(0, 3).join(" ") === "pages secret put");
    expect(puts.map((c) => c.argv[3]).sort()).toEqual([...SECRETS].sort());
    for (const put of puts) {
      expect(put.argv).toEqual([
        "pages",
        "secret",
        "put",
        put.argv[3],
        "--project-name",
        "taiwan-shop",
        "--env",
        "preview",
      ]);
      expect(put.stdin, put.argv[3]).toBeTruthy();
    }
    const value = (name: string) => puts.find((c) => c.argv[3] === name)?.stdin;
    expect(value("STOREFRONT_ACCESS_KEY_ID")).toBe(storefrontKeys[0]);
    expect(value("ADMIN_ACCESS_KEY_ID")).toBe(adminKeys[0]);
    expect(value("SESSION_SECRET")!.length).toBeGreaterThanOrEqual(32);
    expect(value("ADMIN_PASSWORD_HASH")).toMatch(/^pbkdf2-sha256\$100000\$/);
    // No secret value ever appears in any call's arguments.
    const everyArgument = wranglerCalls()
      .flatMap((c) => c.argv)
      .join(" ");
    for (const put of puts) expect(everyArgument).not.toContain(put.stdin);
  });

  it("made the expected Cloudflare calls: project and D1 database created once, the storefront deployed on `staging` with noindex", () => {
    const calls = wranglerCalls().filter((c) => c.exitCode === 0);
    const commands = calls.map((c) => c.argv.filter((a) => !a.startsWith("/")).join(" "));
    expect(commands.filter((c) => c.startsWith("pages project create"))).toEqual([
      "pages project create taiwan-shop --production-branch main",
    ]);
    expect(commands.filter((c) => c.startsWith("d1 create"))).toEqual(["d1 create shop-rate-limit-stag"]);
    const deploys = calls.filter((c) => c.argv[1] === "deploy");
    expect(deploys).toHaveLength(1);
    expect(deploys[0]?.argv).toEqual(expect.arrayContaining(["--project-name", "taiwan-shop", "--branch", "staging"]));
    expect(deploys[0]?.headers).toMatch(/\/\*\n\s+X-Robots-Tag: noindex/);
  });

  it("wrote a storefront and stack config with no placeholder left, from the stack's outputs", async () => {
    expect(placeholderProblems(files(), env)).toEqual([]);
    const { Stacks } = await clients.cloudformation(target).send(new DescribeStacksCommand({ StackName: STACK }));
    const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const storefront = readStorefrontConfig(files(), env);
    expect(storefront.vars).toMatchObject({
      APP_ENV: "preview",
      ORDER_API_URL: outputs.ApiUrl!.replace(/\/$/, ""),
      S3_BUCKET_URL: outputs.BucketUrl,
      SITE_URL: "https://staging.taiwan-shop.pages.dev",
    });
    expect(storefront.vars.ORDER_API_URL).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.ap-northeast-1\.amazonaws\.com$/);
    const account = JSON.parse(readFileSync(path.join(work, "cloudflare-account.json"), "utf8"));
    expect(storefront.d1[0]?.database_id).toBe(account.databases[0].uuid);
    // Only the staging tables changed; production's placeholders are still there for its own first deploy.
    expect(placeholderProblems(files(), ENVIRONMENTS.prod).length).toBeGreaterThan(0);
  });

  it("run again: nothing is re-created or overwritten, and nothing is asked", async () => {
    const keysBefore = [...(await accessKeys("shop-stag-storefront")), ...(await accessKeys("shop-stag-owner-admin"))];
    const bucket = readStorefrontConfig(files(), env).vars.S3_BUCKET_URL!.split("/").pop()!;
    const contentBefore = [await contentObject(bucket, "catalog.json"), await contentObject(bucket, "site.json")];
    const resourcesBefore = await stackResources();
    const configBefore = [readFileSync(files().wranglerToml, "utf8"), readFileSync(files().samconfigToml, "utf8")];

    const run = await first([], ""); // no answers: a question would fail the run
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/created 0, kept \d+/);
    expect(run.output).toContain("stack shop-stag: no changes");

    const again = wranglerCalls().slice(firstRunCalls);
    const changing = again.filter((c) => /^(pages project create|d1 create|pages secret put)/.test(c.argv.join(" ")));
    expect(changing).toEqual([]);
    expect([...(await accessKeys("shop-stag-storefront")), ...(await accessKeys("shop-stag-owner-admin"))]).toEqual(
      keysBefore,
    );
    expect([...(await ecpayParameters()).values()].map((p) => p.Version)).toEqual(Array(9).fill(1));
    expect([await contentObject(bucket, "catalog.json"), await contentObject(bucket, "site.json")]).toEqual(
      contentBefore,
    );
    expect(await stackResources()).toEqual(resourcesBefore);
    expect([readFileSync(files().wranglerToml, "utf8"), readFileSync(files().samconfigToml, "utf8")]).toEqual(
      configBefore,
    );
  });

  it("a broken template fails the deploy with SAM's reason, and leaves the stack as it was", async () => {
    const broken = path.join(repoRoot, "aws", `template.rehearsal-broken.yaml`);
    const source = readFileSync(path.join(repoRoot, "aws", "template.yaml"), "utf8");
    // The ping route points at an API that does not exist.
    const mutated = source.replace(/(PingFunction:[\s\S]*?ApiId: )!Ref HttpApi/, "$1!Ref NoSuchHttpApi");
    expect(mutated).not.toBe(source);
    writeFileSync(broken, mutated);
    try {
      const before = await stackResources();
      const run = await first(["--template", broken], "");
      expect(run.code, run.output).toBe(1);
      expect(run.output).toMatch(/sam build failed:\nError: .*PingFunction.*ApiId must be a valid reference/);
      expect(run.output).not.toContain("Done:");
      expect(await stackResources()).toEqual(before);
    } finally {
      rmSync(broken, { force: true });
    }
  });

  it("the pipeline's bootstrap stack (aws/bootstrap.yaml) creates GitHub's OIDC provider and one deploy role per environment", async () => {
    await clients.cloudformation(target).send(
      new CreateStackCommand({
        StackName: "shop-deploy-roles",
        TemplateBody: readFileSync(path.join(repoRoot, "aws", "bootstrap.yaml"), "utf8"),
        Parameters: [{ ParameterKey: "GitHubRepository", ParameterValue: "shop-owner/taiwan-shop" }],
        Capabilities: ["CAPABILITY_NAMED_IAM"],
      }),
    );
    const { Stacks } = await clients
      .cloudformation(target)
      .send(new DescribeStacksCommand({ StackName: "shop-deploy-roles" }));
    expect(Stacks?.[0]?.StackStatus).toBe("CREATE_COMPLETE");
    const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.StagingDeployRoleArn).toMatch(/:role\/shop-deploy-stag$/);
    for (const [role, environment] of [
      ["shop-deploy-stag", "staging"],
      ["shop-deploy-prod", "production"],
    ] as const) {
      const { Role } = await clients.iam(target).send(new GetRoleCommand({ RoleName: role }));
      const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "{}"));
      expect(trust.Statement[0].Principal.Federated).toMatch(/:oidc-provider\/token\.actions\.githubusercontent\.com$/);
      expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
        `repo:shop-owner/taiwan-shop:environment:${environment}`,
      );
      const { AttachedPolicies } = await clients
        .iam(target)
        .send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
      expect(AttachedPolicies?.map((p) => p.PolicyName).sort()).toEqual([role, `${role}-resources`]);
    }
    expect(motoLog.match(/No Moto CloudFormation support for \S+/g) ?? []).toEqual([]);
  });

  it("stack:delete empties the versioned bucket and the users' keys, then deletes the stack", async () => {
    const bucket = readStorefrontConfig(files(), env).vars.S3_BUCKET_URL!.split("/").pop()!;
    const run = await deploy("delete", [
      "--env",
      "stag",
      "--endpoint",
      endpoint,
      "--config-dir",
      path.join(work, "config"),
    ]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/emptied s3:\/\/shop-stag-content-\d+: \d+ versions/);
    expect(
      await clients
        .cloudformation(target)
        .send(new DescribeStacksCommand({ StackName: STACK }))
        .catch((e: Error) => e.message),
    ).toMatch(/does not exist/);
    // moto leaves a bucket that still holds objects; it is gone because it was emptied first.
    expect(
      await clients
        .s3(target)
        .send(new HeadBucketCommand({ Bucket: bucket }))
        .then(
          () => "exists",
          () => "gone",
        ),
    ).toBe("gone");

    const refused = await deploy("delete", [
      "--env",
      "prod",
      "--endpoint",
      endpoint,
      "--config-dir",
      path.join(work, "config"),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("refusing to delete production");
  });
});
