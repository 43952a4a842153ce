/**
 * `npm run bench`: the shop's figures, each beside a baseline measured in the same run on the same machine. Prints
 * tables and writes bench/results.json. Benchmarks report; they assert nothing about time.
 *
 *   npm run bench                        everything (about a minute)
 *   npm run bench -- --only lambdas      lambdas | api | cost (cost needs api) | storefront
 *   npm run bench -- --quick             fewer samples, for a smoke run
 *
 * See docs/performance.md for what each figure means and the latest numbers.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiReport, benchApi } from "./api";
import { accessLogLineBytes, type CostReport, costModel } from "./cost";
import { benchLambdas, type LambdaReport } from "./lambdas";
import { kib, round } from "./stats";
import { STOREFRONT_BENCHMARKS, type StorefrontFigure } from "./storefront";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const format = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  console.log(`\n${title}`);
  console.log(format(header));
  console.log(widths.map((w) => "─".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(format(r));
}

function printLambdas(report: LambdaReport): void {
  const b = report.baseline;
  const sdk = report.sdkBaseline;
  table(
    `Lambda bundles (esbuild as aws/template.yaml's Metadata says; target ≤ ${kib(report.targetBytes)} raw, AWS SDK external)`,
    ["function", "raw", "zipped", "zip+map", "zod", "own code", "cold import ms (min / median)", "min × SDK only"],
    [
      ...report.functions.map((f) => [
        `${f.withinTarget ? " " : "!"} ${f.functionId}`,
        kib(f.rawBytes),
        kib(f.zippedBytes),
        kib(f.zippedWithMapBytes),
        kib(f.zodBytes),
        kib(f.ownBytes),
        `${f.coldImportMinMs} / ${f.coldImportMs}`,
        round(f.coldImportMinMs / sdk.coldImportMinMs, 2),
      ]),
      ...[b, sdk].map((base) => [
        `  baseline: ${base.functionId}`,
        kib(base.rawBytes),
        kib(base.zippedBytes),
        kib(base.zippedWithMapBytes),
        kib(base.zodBytes),
        kib(base.ownBytes),
        `${base.coldImportMinMs} / ${base.coldImportMs}`,
        round(base.coldImportMinMs / sdk.coldImportMinMs, 2),
      ]),
    ],
  );
  table(
    "What-if: the same schemas with zod classic and zod/mini (bench/zod-variants), bundled the same way",
    ["variant", "raw", "zipped", "zod", "cold import ms (min / median)"],
    report.zodVariants.map((v) => [
      v.functionId,
      kib(v.rawBytes),
      kib(v.zippedBytes),
      kib(v.zodBytes),
      `${v.coldImportMinMs} / ${v.coldImportMs}`,
    ]),
  );
  const over = report.functions.filter((f) => !f.withinTarget).length;
  console.log(`${over} of ${report.functions.length} bundles over the target ("!"); see docs/performance.md for why.`);
}

function printApi(report: ApiReport): void {
  const { latency, throughput } = report.ordering;
  table(
    "Ordering through the signed local API (SigV4 + IAM verified, real handlers, dynalite, s3rver)",
    ["measure", "POST /order", "GET / (ping, baseline)", "ratio"],
    [
      ["p50 ms, one at a time", latency.order.p50Ms, latency.ping.p50Ms, latency.p50Ratio],
      ["p99 ms, one at a time", latency.order.p99Ms, latency.ping.p99Ms, latency.p99Ratio],
      [
        `req/s, ${throughput.concurrency} in flight`,
        throughput.order.perSecond,
        throughput.ping.perSecond,
        throughput.ratio,
      ],
      [
        `p99 ms, ${throughput.concurrency} in flight`,
        throughput.order.p99Ms,
        throughput.ping.p99Ms,
        round(throughput.order.p99Ms / throughput.ping.p99Ms, 2),
      ],
      [
        "failures",
        latency.order.failures + throughput.order.failures,
        latency.ping.failures + throughput.ping.failures,
        "",
      ],
    ],
  );
  table(
    "AWS usage per API call (measured at proxies in front of dynalite and s3rver)",
    ["route", "DynamoDB requests", "RRU", "WRU (LSI)", "S3 GET", "S3 PUT", "log B", "answer B", "local p50 ms"],
    report.usage.map((u) => [
      u.route,
      Object.entries(u.dynamodbRequests)
        .map(([op, n]) => `${n}×${op}`)
        .join(" ") || "-",
      u.readUnits,
      `${u.writeUnits} (${u.indexWriteUnits})`,
      u.s3Gets,
      u.s3Puts,
      u.appLogBytes,
      u.responseBytes,
      u.localP50Ms,
    ]),
  );
}

function printCost(report: CostReport): void {
  const money = (usd: number) => `$${usd < 0.01 ? usd.toFixed(5) : usd.toFixed(4)}`;
  table(
    `Cost per 1,000 orders (${report.prices.asOf}; ${report.prices.aws.region})`,
    ["item", "quantity", "unit", "USD"],
    [
      ...report.per1000Orders.lines.map((l) => [l.item, l.quantity, l.unit, money(l.usd)]),
      ["total", "", "", money(report.per1000Orders.totalUsd)],
    ],
  );
  table(
    "Cost per 1,000,000 page views (Cloudflare; per-view request counts are assumptions until measured)",
    ["item", "quantity", "unit", "USD"],
    [
      ...report.perMillionPageViews.lines.map((l) => [l.item, l.quantity, l.unit, money(l.usd)]),
      ["total", "", "", money(report.perMillionPageViews.totalUsd)],
    ],
  );
  table(
    "Fixed per month",
    ["item", "quantity", "unit", "USD"],
    [
      ...report.monthlyFixed.lines.map((l) => [l.item, l.quantity, l.unit, money(l.usd)]),
      ["total", "", "", money(report.monthlyFixed.totalUsd)],
    ],
  );
}

function printStorefront(figures: Record<string, StorefrontFigure>): void {
  table(
    "Storefront benchmarks (next round)",
    ["benchmark", "status", "target"],
    Object.entries(figures).map(([name, f]) => [name, f.status, f.status === "not measured yet" ? f.target : ""]),
  );
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main() {
  const only = new Set((arg("only") ?? "lambdas,api,cost,storefront").split(","));
  const quick = process.argv.includes("--quick");
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}`,
    loadAverageAtStart: os.loadavg().map((n) => round(n, 2)),
  };
  const results: Record<string, unknown> = { generatedAt: new Date().toISOString(), commit: gitCommit(), machine };

  if (only.has("lambdas")) {
    const lambdas = await benchLambdas({ runs: quick ? 3 : 7 });
    results.lambdas = lambdas;
    printLambdas(lambdas);
  }
  if (only.has("api") || only.has("cost")) {
    const api = await benchApi(quick ? { latencyRuns: 60, throughputRuns: 120, usageCalls: 5 } : {});
    results.api = api;
    printApi(api);
    const cost = costModel(api.usage, await accessLogLineBytes());
    results.cost = cost;
    printCost(cost);
  }
  if (only.has("storefront")) {
    const figures: Record<string, StorefrontFigure> = {};
    for (const [name, run] of Object.entries(STOREFRONT_BENCHMARKS)) figures[name] = await run();
    results.storefront = figures;
    printStorefront(figures);
  }

  (results.machine as Record<string, unknown>).loadAverageAtEnd = os.loadavg().map((n) => round(n, 2));
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\nwrote ${path.relative(process.cwd(), RESULTS)} (machine load ${machine.loadAverageAtStart.join(" ")} → ${os
      .loadavg()
      .map((n) => round(n, 2))
      .join(" ")})`,
  );
}

await main();
