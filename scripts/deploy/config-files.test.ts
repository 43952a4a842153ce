import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../lib/processes";
import {
  type ConfigFiles,
  configFiles,
  formatParameterOverrides,
  formatProblems,
  parseParameterOverrides,
  placeholderProblems,
  readStackConfig,
  readStorefrontConfig,
  setTomlString,
  writeStackParameters,
  writeStorefrontConfig,
} from "./config-files";
import { allowedOriginsFor, ENVIRONMENTS, type Environment, pagesSiteUrl } from "./environments";
import { headersFor, NOINDEX_HEADERS_RULE } from "./pages";

const dirs: string[] = [];
function copyOfRepoConfig() {
  const root = mkdtempSync(path.join(tmpdir(), "config-files-"));
  dirs.push(root);
  mkdirSync(path.join(root, "aws"));
  cpSync(path.join(repoRoot, "wrangler.toml"), path.join(root, "wrangler.toml"));
  cpSync(path.join(repoRoot, "aws", "samconfig.toml"), path.join(root, "aws", "samconfig.toml"));
  return configFiles(root);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const { stag, prod } = ENVIRONMENTS;

/**
 * wrangler.toml as deploy:first leaves it for `env` (the stack's API and bucket, the Pages address, a D1 id), with
 * `vars` on top.
 */
function writeDeployedStorefront(files: ConfigFiles, env: Environment, vars: Record<string, string> = {}): void {
  writeStorefrontConfig(files, env, {
    vars: {
      ORDER_API_URL: "https://a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com",
      S3_BUCKET_URL: `https://s3.ap-northeast-1.amazonaws.com/shop-${env.name}-content-123456789012`,
      SITE_URL: env === prod ? "https://taiwan-shop.pages.dev" : "https://staging.taiwan-shop.pages.dev",
      ...vars,
    },
    d1DatabaseId: env === prod ? "5a1f0c3e-9d2b-4c6e-8f7a-0b1c2d3e4f51" : "5a1f0c3e-9d2b-4c6e-8f7a-0b1c2d3e4f50",
  });
}

describe("placeholder checks", () => {
  it("name every value a deploy of a fresh clone would still need, with its file", () => {
    const files = copyOfRepoConfig();
    const problems = placeholderProblems(files, stag);
    const where = problems.map((p) => `${p.file} ${p.where}`);
    expect(where).toEqual(
      expect.arrayContaining([
        "wrangler.toml [env.preview.vars] ORDER_API_URL",
        "wrangler.toml [env.preview.vars] S3_BUCKET_URL",
        "wrangler.toml [env.preview.vars] SITE_URL",
        "wrangler.toml [[env.preview.d1_databases]] database_id",
        "aws/samconfig.toml [stag.deploy.parameters] parameter_overrides StorefrontUrl",
      ]),
    );
    const message = formatProblems(stag, problems);
    expect(message).toContain("npm run deploy:first -- --env stag");
    expect(message).toMatch(/ORDER_API_URL is still the placeholder https:\/\/api\.stag\.example\.tw/);
    expect(message).toMatch(/database_id is still the placeholder 00000000-0000-0000-0000-000000000000/);
  });

  it("pass once deploy:first has written real values, and check each environment on its own", () => {
    const files = copyOfRepoConfig();
    writeDeployedStorefront(files, stag);
    writeStackParameters(files, stag, {
      StorefrontUrl: "https://staging.taiwan-shop.pages.dev",
      AllowedOrigins: "https://staging.taiwan-shop.pages.dev,https://*.taiwan-shop.pages.dev",
    });
    expect(placeholderProblems(files, stag)).toEqual([]);
    expect(placeholderProblems(files, prod).length).toBeGreaterThan(3);
  });

  it("refuse production pointed at ECPay's test gateway, and a storefront URL that differs between the files", () => {
    const files = copyOfRepoConfig();
    writeDeployedStorefront(files, prod, { ECPAY_GATEWAY_ORIGIN: "https://payment-stage.ecpay.com.tw" });
    writeStackParameters(files, prod, { StorefrontUrl: "https://shop.taiwan-tea.tw" });
    const problems = placeholderProblems(files, prod).map((p) => `${p.where} ${p.problem}`);
    expect(problems).toEqual([
      "[env.production.vars] ECPAY_GATEWAY_ORIGIN must be https://payment.ecpay.com.tw for prod (is https://payment-stage.ecpay.com.tw)",
      "[prod.deploy.parameters] parameter_overrides StorefrontUrl (https://shop.taiwan-tea.tw) differs from wrangler.toml [env.production.vars] SITE_URL (https://taiwan-shop.pages.dev); both are the storefront's address",
    ]);
  });
});

describe("ECPay Logistics and e-invoice hosts (ADR 0027)", () => {
  it("refuse production's logistics map origin or logistics / e-invoice hosts left at ECPay's staging", () => {
    const files = copyOfRepoConfig();
    writeDeployedStorefront(files, prod, { ECPAY_LOGISTICS_ORIGIN: "https://logistics-stage.ecpay.com.tw" });
    writeStackParameters(files, prod, {
      StorefrontUrl: "https://taiwan-shop.pages.dev",
      EcpayEinvoiceUrl: "https://einvoice-stage.ecpay.com.tw",
    });
    const problems = placeholderProblems(files, prod).map((p) => `${p.where} ${p.problem}`);
    expect(problems).toEqual([
      "[env.production.vars] ECPAY_LOGISTICS_ORIGIN must be https://logistics.ecpay.com.tw for prod (is https://logistics-stage.ecpay.com.tw)",
      "[prod.deploy.parameters] parameter_overrides EcpayEinvoiceUrl must be https://einvoice.ecpay.com.tw for prod",
    ]);
  });

  it("the committed samconfig.toml and wrangler.toml point each environment at its own ECPay hosts", () => {
    const files = copyOfRepoConfig();
    for (const env of [stag, prod]) {
      const stack = readStackConfig(files, env).parameters;
      expect([stack.EcpayGatewayUrl, stack.EcpayLogisticsUrl, stack.EcpayEinvoiceUrl]).toEqual([
        env.ecpayGatewayUrl,
        env.ecpayLogisticsUrl,
        env.ecpayEinvoiceUrl,
      ]);
      expect(readStorefrontConfig(files, env).vars.ECPAY_LOGISTICS_ORIGIN).toBe(env.ecpayLogisticsUrl);
    }
  });
});

describe("editing the TOML files in place", () => {
  it("changes only the value asked for, keeps comments, and adds a missing key to its table", () => {
    const text = '# top\n[a]\nx = "1" \n# note\ny = 2\n\n[[b.c]]\nid = "0"\n\n[[b.c]]\nid = "other"\n';
    const changed = setTomlString(setTomlString(text, "a", "x", 'new "quoted"'), "b.c", "id", "uuid", true);
    expect(changed).toBe(
      '# top\n[a]\nx = "new \\"quoted\\""\n# note\ny = 2\n\n[[b.c]]\nid = "uuid"\n\n[[b.c]]\nid = "other"\n',
    );
    expect(setTomlString(text, "a", "z", "v")).toBe(
      '# top\n[a]\nx = "1" \n# note\ny = 2\nz = "v"\n\n[[b.c]]\nid = "0"\n\n[[b.c]]\nid = "other"\n',
    );
    expect(() => setTomlString(text, "missing", "x", "v")).toThrow("no [missing] table");
  });

  it("rewrites only the stag parameter overrides, merging, and leaves the rest of samconfig.toml byte for byte", () => {
    const files = copyOfRepoConfig();
    const before = readFileSync(files.samconfigToml, "utf8");
    writeStackParameters(files, stag, { StorefrontUrl: "https://staging.taiwan-shop.pages.dev" });
    const after = readFileSync(files.samconfigToml, "utf8");
    const changed = after.split("\n").filter((line, i) => line !== before.split("\n")[i]);
    expect(changed).toHaveLength(1);
    expect(readStackConfig(files, stag).parameters).toMatchObject({
      Env: "stag",
      StorefrontUrl: "https://staging.taiwan-shop.pages.dev",
      LogRetentionDays: "14",
    });
    expect(readStackConfig(files, prod).parameters.StorefrontUrl).toBe(
      readStackConfig(configFiles(repoRoot), prod).parameters.StorefrontUrl,
    );
    expect(readStorefrontConfig(files, stag).project).toBe("taiwan-shop");
  });

  it("reads and writes SAM's parameter_overrides syntax", () => {
    const parsed = parseParameterOverrides("Env=stag Url=https://a,https://*.b Quoted=\"two words\" Single='x y'");
    expect(parsed).toEqual({ Env: "stag", Url: "https://a,https://*.b", Quoted: "two words", Single: "x y" });
    expect(parseParameterOverrides(formatParameterOverrides(parsed))).toEqual(parsed);
  });
});

describe("environments", () => {
  it("staging is the `staging` branch of the Pages project and accepts its previews; production only itself", () => {
    expect(pagesSiteUrl(stag, "taiwan-shop.pages.dev")).toBe("https://staging.taiwan-shop.pages.dev");
    expect(pagesSiteUrl(prod, "taiwan-shop.pages.dev")).toBe("https://taiwan-shop.pages.dev");
    expect(allowedOriginsFor(stag, "https://staging.taiwan-shop.pages.dev", "taiwan-shop.pages.dev")).toBe(
      "https://staging.taiwan-shop.pages.dev,https://*.taiwan-shop.pages.dev",
    );
    expect(allowedOriginsFor(prod, "https://shop.taiwan-tea.tw", "taiwan-shop.pages.dev")).toBe(
      "https://shop.taiwan-tea.tw",
    );
  });

  it("static files outside production carry X-Robots-Tag: noindex; production's headers are left as built", () => {
    const built = "/*\n  X-Frame-Options: DENY\n";
    expect(headersFor({ pagesEnv: "production" }, built)).toBe(built);
    const preview = headersFor({ pagesEnv: "preview" }, built);
    expect(preview.startsWith(built)).toBe(true);
    expect(preview.endsWith(NOINDEX_HEADERS_RULE)).toBe(true);
  });
});
