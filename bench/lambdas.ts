/**
 * Lambda bundles: every function of aws/template.yaml built with esbuild exactly as its
 * `Metadata.BuildProperties` say (what `sam build` runs), then measured: raw size, zipped size (code alone, and with
 * the source map SAM ships beside it), what zod and our own code contribute, and the cold import time of the bundle
 * in a fresh Node process (`--enable-source-maps`, as the template's NODE_OPTIONS). The baseline is an empty handler
 * bundled the same way.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { loadTemplate, type Template } from "../aws/local/template";
import { median, round } from "./stats";
import { zipSize } from "./zip";

/** Under the repo's node_modules, so the bundles resolve the external @aws-sdk/* as the Lambda runtime provides it. */
const OUT_DIR = path.resolve("node_modules/.cache/shop-bench/lambdas");
export const TARGET_BYTES = 100 * 1024;

interface BuildProperties {
  EntryPoints: string[];
  Format?: "esm" | "cjs";
  Target?: string;
  Minify?: boolean;
  Sourcemap?: boolean;
  External?: string[];
  OutExtension?: string[];
  Banner?: string[];
}

export interface LambdaFigures {
  functionId: string;
  entry: string;
  rawBytes: number;
  mapBytes: number;
  zippedBytes: number;
  zippedWithMapBytes: number;
  /** Bytes of the bundle that come from node_modules/zod, and from our own sources. */
  zodBytes: number;
  ownBytes: number;
  /** Median and fastest of the runs: on a busy machine the fastest is the better estimate of the bundle's own cost. */
  coldImportMs: number;
  coldImportMinMs: number;
  coldImportRuns: number[];
  withinTarget: boolean;
}

export interface LambdaReport {
  targetBytes: number;
  /** An empty handler bundled the same way. */
  baseline: LambdaFigures;
  /** A handler that only creates the AWS SDK clients ours use (DynamoDB document client, S3, SSM): the SDK's import cost. */
  sdkBaseline: LambdaFigures;
  functions: LambdaFigures[];
  /** The same schemas with zod classic and with zod/mini (bench/zod-variants), bundled the same way: the what-if. */
  zodVariants: LambdaFigures[];
}

function pairs(list: string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (list ?? []).map((item) => {
      const eq = item.indexOf("=");
      return [item.slice(0, eq), item.slice(eq + 1)];
    }),
  );
}

function codeDir(template: Template, functionId: string): string {
  const own = template.Resources[functionId]?.Properties?.CodeUri;
  const codeUri = String(own ?? template.Globals?.Function?.CodeUri ?? ".");
  return path.resolve(path.dirname(template.path), codeUri);
}

async function bundle(
  name: string,
  entry: string,
  props: BuildProperties,
): Promise<{ dir: string; file: string; metafile: Metafile }> {
  const dir = path.join(OUT_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: props.Format ?? "esm",
    ...(props.Target ? { target: props.Target } : {}),
    minify: props.Minify ?? false,
    sourcemap: props.Sourcemap ?? false,
    external: props.External ?? [],
    outExtension: pairs(props.OutExtension),
    banner: pairs(props.Banner),
    outdir: dir,
    metafile: true,
    logLevel: "error",
  });
  const ext = pairs(props.OutExtension)[".js"] ?? ".js";
  return {
    dir,
    file: path.join(dir, `${path.basename(entry).replace(/\.[cm]?[jt]s$/, "")}${ext}`),
    metafile: result.metafile,
  };
}

/** Time to import the bundle in a fresh process (milliseconds, from just before `import()` until it resolved). */
function coldImport(file: string, runs: number): number[] {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== "function") process.exit(2); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_REGION: "ap-northeast-1",
        ENV: "stag",
        TABLE_NAME: "shop-stag-orders",
        BUCKET_NAME: "shop-stag-content-000000000000",
        ECPAY_GATEWAY_URL: "https://payment-stage.ecpay.com.tw",
        STOREFRONT_URL: "https://stag.shop.example.tw",
      },
    });
    if (child.status !== 0) throw new Error(`cold import of ${file} failed: ${child.stderr}`);
    times.push(Number(child.stdout.trim()));
  }
  return times;
}

/** Sizes now; cold import times are filled in by `timeColdImports` once every bundle is built. */
function figures(
  functionId: string,
  entry: string,
  built: { file: string; metafile: Metafile },
): LambdaFigures & { file: string } {
  const code = readFileSync(built.file);
  const map = readFileSync(`${built.file}.map`, { flag: "r" });
  const output = Object.entries(built.metafile.outputs).find(([name]) => name.endsWith(".mjs") || name.endsWith(".js"));
  let zodBytes = 0;
  let ownBytes = 0;
  for (const [input, info] of Object.entries(output?.[1].inputs ?? {})) {
    if (input.includes("node_modules/zod/")) zodBytes += info.bytesInOutput;
    else if (!input.includes("node_modules/") || input.includes("shop-bench/")) ownBytes += info.bytesInOutput;
  }
  const name = path.basename(built.file);
  return {
    file: built.file,
    functionId,
    entry: path.relative(process.cwd(), entry),
    rawBytes: code.length,
    mapBytes: map.length,
    zippedBytes: zipSize([{ name, data: code }]),
    zippedWithMapBytes: zipSize([
      { name, data: code },
      { name: `${name}.map`, data: map },
    ]),
    zodBytes,
    ownBytes,
    coldImportMs: 0,
    coldImportMinMs: 0,
    coldImportRuns: [],
    withinTarget: code.length <= TARGET_BYTES,
  };
}

/**
 * Round-robin over the bundles, one fresh process per import, so a change in the machine's load during the run
 * spreads over every bundle instead of favouring the first ones.
 */
function timeColdImports(all: (LambdaFigures & { file: string })[], runs: number): void {
  for (let run = 0; run < runs; run++) {
    for (const f of all) f.coldImportRuns.push(round(coldImport(f.file, 1)[0] as number, 1));
  }
  for (const f of all) {
    f.coldImportMs = round(median(f.coldImportRuns), 1);
    f.coldImportMinMs = round(Math.min(...f.coldImportRuns), 1);
  }
}

const withoutFile = ({ file: _file, ...rest }: LambdaFigures & { file: string }): LambdaFigures => rest;

export async function benchLambdas(options: { runs?: number } = {}): Promise<LambdaReport> {
  const runs = options.runs ?? 7;
  const template = await loadTemplate();
  const functions: (LambdaFigures & { file: string })[] = [];
  let baselineProps: BuildProperties | undefined;
  for (const [functionId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::Serverless::Function") continue;
    const props = resource.Metadata?.BuildProperties as BuildProperties | undefined;
    if (resource.Metadata?.BuildMethod !== "esbuild" || !props?.EntryPoints?.[0]) {
      throw new Error(`${functionId}: expected Metadata.BuildMethod esbuild with EntryPoints`);
    }
    baselineProps ??= props;
    const entry = path.resolve(codeDir(template, functionId), props.EntryPoints[0]);
    functions.push(figures(functionId, entry, await bundle(functionId, entry, props)));
  }
  if (!baselineProps) throw new Error("no functions in the template");

  // Baseline: a handler that does nothing, bundled with the same properties.
  const baselineDir = path.join(OUT_DIR, "_baseline-src");
  mkdirSync(baselineDir, { recursive: true });
  const baselineEntry = path.join(baselineDir, "empty-handler.ts");
  writeFileSync(baselineEntry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  const baseline = figures("(empty handler)", baselineEntry, await bundle("_baseline", baselineEntry, baselineProps));
  const sdkEntry = path.join(baselineDir, "sdk-only-handler.ts");
  writeFileSync(
    sdkEntry,
    [
      'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";',
      'import { S3Client } from "@aws-sdk/client-s3";',
      'import { SSMClient } from "@aws-sdk/client-ssm";',
      'import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";',
      "const clients = [DynamoDBDocumentClient.from(new DynamoDBClient({})), new S3Client({}), new SSMClient({})];",
      "export const handler = async () => ({ statusCode: 200, body: String(clients.length) });",
      "",
    ].join("\n"),
  );
  const sdkBuilt = await bundle("_sdk-baseline", sdkEntry, baselineProps);
  const sdkBaseline = figures("(AWS SDK clients only)", sdkEntry, sdkBuilt);
  const variants = [];
  for (const variant of ["classic", "mini"]) {
    const entry = fileURLToPath(new URL(`./zod-variants/${variant}.ts`, import.meta.url));
    variants.push(
      figures(`(same schemas, zod ${variant})`, entry, await bundle(`_zod-${variant}`, entry, baselineProps)),
    );
  }
  timeColdImports([baseline, sdkBaseline, ...variants, ...functions], runs);
  return {
    targetBytes: TARGET_BYTES,
    baseline: withoutFile(baseline),
    sdkBaseline: withoutFile(sdkBaseline),
    functions: functions.map(withoutFile),
    zodVariants: variants.map(withoutFile),
  };
}
