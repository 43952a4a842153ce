/**
 * `npm run bench`: the shop's figures, each beside a baseline measured in the same run on the same machine. Prints
 * tables and writes bench/results.json. Benchmarks report; they assert nothing about time.
 *
 *   npm run bench                        everything (about a minute)
 *   npm run bench -- --only lambdas      lambdas | api | cost (cost needs api) | storefront | images
 *   npm run bench -- --quick             fewer samples, for a smoke run
 *   npm run bench -- --only storefront --no-lighthouse --skip-build
 *                                        the storefront without Lighthouse, on the existing ./build
 *   npm run bench -- --only storefront --storefront catalog,ordering      some of the storefront benchmarks
 *                                        (catalog, edge, ordering, lookup, payload, lighthouse)
 *   npm run bench -- --only images --skip-build --no-lighthouse
 *                                        product photos: the catalog with five 12-MP phone photos on a 390-px
 *                                        phone, processing one photo, AVIF vs WebP
 *
 * See docs/performance.md for what each figure means and the latest numbers.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiReport, benchApi } from "./api";
import { ASSUMPTIONS, accessLogLineBytes, type CostReport, costModel } from "./cost";
import {
  benchCatalogPhotos,
  benchCodecs,
  benchPhotoProcessing,
  CATALOG_IMAGES_TARGET_BYTES,
  type CatalogPhotosFigures,
  type CodecRow,
  type PhotoProcessingReport,
} from "./images";
import { benchLambdas, type LambdaReport } from "./lambdas";
import { kib, round } from "./stats";
import {
  benchStorefront,
  type CatalogFigures,
  type EdgeCacheFigures,
  type LighthouseRow,
  type LookupFigures,
  type OrderingFigures,
  PAYLOAD_LIMIT_BYTES,
  type PagePayload,
  type StorefrontFigure,
} from "./storefront";

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
    `Cost per 1,000,000 page views (Cloudflare; Workers requests per view ${
      (report as CostReport & { pageViewRequests?: string }).pageViewRequests === "measured"
        ? "as Lighthouse counted them on a first catalog view"
        : "assumed"
    })`,
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

function verdict(f: StorefrontFigure): string {
  if (f.status !== "measured") return `not measured (${f.reason}); target ${f.target}`;
  return `target ${f.target}: ${f.met === undefined ? "n/a" : f.met ? "met" : "MISSED"}`;
}

function printStorefront(figures: Record<string, StorefrontFigure>): void {
  const catalog = figures["Catalog page vs static asset"] as StorefrontFigure<CatalogFigures> | undefined;
  if (catalog?.status === "measured") {
    const c = catalog.figures;
    table(
      `Catalog and product pages vs a static asset, same wrangler pages dev (${c.concurrency} in flight, ${c.rounds} alternating rounds of ${c.requestsPerRound}; median round)`,
      ["what", "path", "req/s", "rounds req/s", "p50 ms", "p99 ms", "failures", "÷ static"],
      c.loads.map((l) => [
        l.label,
        l.path,
        l.perSecond,
        l.perRound.join(" "),
        l.p50Ms,
        l.p99Ms,
        l.failures,
        c.ratios[l.label] ?? "",
      ]),
    );
    console.log(verdict(catalog));
  }
  const edge = figures["Edge cache: S3 requests per 1,000 views"] as StorefrontFigure<EdgeCacheFigures> | undefined;
  if (edge?.status === "measured") {
    const e = edge.figures;
    const counts = (c: Record<string, number>) =>
      Object.entries(c)
        .map(([k, n]) => `${n}×${k.replace("GET ", "")}`)
        .join(" ") || "0";
    table(
      "Edge cache: S3 GETs counted at a proxy in front of s3rver",
      ["run", "TTL s", "views", "seconds", "S3 GETs", "per 1,000 views"],
      [
        ["cold cache", e.ttlSeconds, e.cold.views, e.cold.seconds, counts(e.cold.s3Requests), e.cold.perThousandViews],
        ["warm cache", e.ttlSeconds, e.warm.views, e.warm.seconds, counts(e.warm.s3Requests), e.warm.perThousandViews],
        [
          "cold cache, S3 40 ms away, half the views via /?utm_source=… (Remix without the page cache)",
          e.ttlSeconds,
          e.coldMixed.views,
          e.coldMixed.seconds,
          counts(e.coldMixed.s3Requests),
          e.coldMixed.perThousandViews,
        ],
        [
          `sustained (${e.sustained.windows} TTL windows; min gap ms ${counts(e.sustained.minGapMs)})`,
          e.sustained.ttlSeconds,
          e.sustained.views,
          e.sustained.seconds,
          counts(e.sustained.refreshesPerKey),
          round((total(e.sustained.refreshesPerKey) * 1000) / e.sustained.views, 2),
        ],
      ],
    );
    console.log(verdict(edge));
  }
  const ordering = figures["Ordering through the BFF"] as StorefrontFigure<OrderingFigures> | undefined;
  if (ordering?.status === "measured") {
    const o = ordering.figures;
    table(
      `Ordering through the BFF (checkout form post → signed POST /order → Lambda → DynamoDB; ${o.paymentMethod}) vs a signed ping through the BFF (/healthz)`,
      ["measure", "checkout", "ping (baseline)", "ratio"],
      [
        ["p50 ms, one at a time", o.latency.order.p50Ms, o.latency.ping.p50Ms, o.latency.p50Ratio],
        ["p99 ms, one at a time", o.latency.order.p99Ms, o.latency.ping.p99Ms, o.latency.p99Ratio],
        [
          `req/s, ${o.concurrency} in flight`,
          o.throughput.order.perSecond,
          o.throughput.ping.perSecond,
          o.throughput.ratio,
        ],
        [
          `p50 ms, ${o.concurrency} in flight`,
          o.throughput.order.p50Ms,
          o.throughput.ping.p50Ms,
          round(o.throughput.order.p50Ms / o.throughput.ping.p50Ms, 2),
        ],
        [
          `p99 ms, ${o.concurrency} in flight`,
          o.throughput.order.p99Ms,
          o.throughput.ping.p99Ms,
          o.throughput.p99Ratio,
        ],
        [
          "failures",
          o.latency.order.failures + o.throughput.order.failures,
          o.latency.ping.failures + o.throughput.ping.failures,
          "",
        ],
      ],
    );
    console.log(verdict(ordering));
  }
  const lookup = figures["Order lookup through the BFF"] as StorefrontFigure<LookupFigures> | undefined;
  if (lookup?.status === "measured") {
    const l = lookup.figures;
    table(
      "Order lookup through the BFF (lookup form post → D1 throttle → signed GET /order) vs a signed ping through the BFF (/healthz)",
      ["measure", "found (303)", "not found (404)", "ping (baseline)", "found ÷ ping", "not found ÷ ping"],
      [
        [
          "p50 ms, one at a time",
          l.latency.found.p50Ms,
          l.latency.missed.p50Ms,
          l.latency.ping.p50Ms,
          l.latency.foundP50Ratio,
          l.latency.missedP50Ratio,
        ],
        [
          "p99 ms, one at a time",
          l.latency.found.p99Ms,
          l.latency.missed.p99Ms,
          l.latency.ping.p99Ms,
          round(l.latency.found.p99Ms / l.latency.ping.p99Ms, 2),
          round(l.latency.missed.p99Ms / l.latency.ping.p99Ms, 2),
        ],
        [
          `req/s, ${l.concurrency} in flight`,
          l.throughput.found.perSecond,
          "",
          l.throughput.ping.perSecond,
          l.throughput.ratio,
          "",
        ],
        [
          "failures",
          l.latency.found.failures + l.throughput.found.failures,
          l.latency.missed.failures,
          l.latency.ping.failures + l.throughput.ping.failures,
          "",
          "",
        ],
      ],
    );
  }
  const payload = figures["Payload per shopper page"] as StorefrontFigure<PagePayload[]> | undefined;
  if (payload?.status === "measured") {
    const kb = (n: number) => `${round(n / 1000, 1)} kB`;
    table(
      "Payload per shopper page (gzip -9 per file)",
      ["page", "path", "JS files", "JS raw", "JS gzip", "CSS raw", "CSS gzip", "HTML gzip", "inline script raw"],
      payload.figures.map((r) => [
        `${r.jsGzipBytes <= PAYLOAD_LIMIT_BYTES ? " " : "!"} ${r.page}`,
        r.path,
        r.jsFiles,
        kb(r.jsBytes),
        kb(r.jsGzipBytes),
        kb(r.cssBytes),
        kb(r.cssGzipBytes),
        kb(r.htmlGzipBytes),
        kb(r.inlineScriptBytes),
      ]),
    );
    console.log(verdict(payload));
  }
  const lighthouse = figures.Lighthouse as StorefrontFigure<LighthouseRow[]> | undefined;
  if (lighthouse?.status === "measured") {
    table(
      "Lighthouse 12.8.2, mobile preset",
      [
        "page",
        "perf",
        "a11y",
        "best practices",
        "SEO (without deliberate noindex)",
        "FCP",
        "LCP",
        "TBT",
        "CLS",
        "failing audits (non-performance)",
      ],
      lighthouse.figures.map((r) => [
        `${r.page} (run ${r.run})`,
        r.performance,
        r.accessibility,
        r.bestPractices,
        r.seo === r.seoWithoutDeliberateNoindex ? r.seo : `${r.seo} (${r.seoWithoutDeliberateNoindex})`,
        r.fcp,
        r.lcp,
        r.tbt,
        r.cls,
        r.failing.join("; ") || "-",
      ]),
    );
  }
  if (lighthouse) console.log(verdict(lighthouse));
}

function printImages(catalog: CatalogPhotosFigures, processing: PhotoProcessingReport, codecs: CodecRow[]): void {
  const { width, height, deviceScaleFactor } = catalog.screen;
  table(
    `Catalog images on a ${width} × ${height} phone (DPR ${deviceScaleFactor}, empty cache); target ≤ ${kib(CATALOG_IMAGES_TARGET_BYTES)} on load`,
    ["catalog", "on load: images", "KiB", "scrolled to the end: images", "KiB"],
    catalog.rows.map((r) => [
      r.scenario,
      r.onLoad.requests,
      kib(r.onLoad.bytes),
      r.afterScroll.requests,
      kib(r.afterScroll.bytes),
    ]),
  );
  const after = catalog.rows.at(-1)!;
  console.log(
    `variants ÷ as uploaded, on load: ${catalog.ratioToAsUploaded}; files fetched: ${after.afterScroll.files
      .map((f) => `${f.path.replace(/^\/images\/[0-9a-f]+-/, "")} ${kib(f.bytes)}`)
      .join(", ")}`,
  );
  console.log(
    `target (≤ ${kib(CATALOG_IMAGES_TARGET_BYTES)} of images on load): ${after.onLoad.bytes <= CATALOG_IMAGES_TARGET_BYTES ? "met" : "MISSED"}; ` +
      `owner's wait per photo (upload → variants ready): ${catalog.uploadMs} ms`,
  );
  if (catalog.lighthouse && "performance" in catalog.lighthouse) {
    const l = catalog.lighthouse;
    console.log(
      `Lighthouse mobile, catalog with the five photos: performance ${l.performance}, LCP ${l.lcp}, images ${kib(l.imageBytes)} ` +
        `(target ≥ 95 and ≤ 2.5 s: ${l.performance >= 95 && l.lcpMs <= 2500 ? "met" : "MISSED"})`,
    );
  } else if (catalog.lighthouse) {
    console.log(`Lighthouse: not measured (${catalog.lighthouse.error})`);
  }
  table(
    `Processing one ${processing.input.width} × ${processing.input.height} phone JPEG (${kib(processing.input.bytes)}), median of ${processing.runs}`,
    ["work", "ms", "÷ decode only"],
    [
      [
        "orientation, 4:3 frame, 6 WebP + 1 JPEG (lib/photos.ts)",
        processing.processMs,
        round(processing.processMs / processing.decodeOnlyMs, 2),
      ],
      ["baseline: decode the JPEG only", processing.decodeOnlyMs, 1],
    ],
  );
  console.log(`outputs: ${processing.outputs.map((o) => `${o.key} ${kib(o.bytes)}`).join(", ")}`);
  table(
    "Does AVIF pay for itself? Each codec at the lowest quality whose SSIM reaches the shipped WebP's (q75)",
    ["width", "SSIM", "WebP KiB / ms", "AVIF q · KiB / ms", "AVIF ÷ WebP bytes", "AVIF ÷ WebP time", "mozjpeg q · KiB"],
    codecs.map((c) => [
      c.width,
      c.ssimTarget,
      `${kib(c.webp.bytes)} / ${c.webp.encodeMs}`,
      c.avif ? `${c.avif.quality} · ${kib(c.avif.bytes)} / ${c.avif.encodeMs}` : "never reaches it",
      c.avif ? round(c.avif.bytes / c.webp.bytes, 2) : "-",
      c.avif ? round(c.avif.encodeMs / Math.max(1, c.webp.encodeMs), 1) : "-",
      c.jpeg ? `${c.jpeg.quality} · ${kib(c.jpeg.bytes)}` : "-",
    ]),
  );
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main() {
  const only = new Set((arg("only") ?? "lambdas,api,cost,storefront,images").split(","));
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
  let api: ApiReport | undefined;
  if (only.has("api") || only.has("cost")) {
    api = await benchApi(quick ? { latencyRuns: 60, throughputRuns: 120, usageCalls: 5 } : {});
    results.api = api;
    printApi(api);
  }
  let lighthouse: LighthouseRow[] | undefined;
  if (only.has("storefront")) {
    const figures = await benchStorefront({
      quick,
      lighthouse: !process.argv.includes("--no-lighthouse"),
      skipBuild: process.argv.includes("--skip-build"),
      ...(arg("storefront") ? { only: new Set(arg("storefront")!.split(",")) } : {}),
    });
    results.storefront = figures;
    printStorefront(figures);
    const lh = figures.Lighthouse as StorefrontFigure<LighthouseRow[]> | undefined;
    if (lh?.status === "measured") lighthouse = lh.figures;
  }
  if (only.has("images")) {
    const catalog = await benchCatalogPhotos({
      skipBuild: process.argv.includes("--skip-build") || only.has("storefront"),
      lighthouse: !process.argv.includes("--no-lighthouse"),
      log: (line) => console.log(`  [images] ${line}`),
    });
    const processing = await benchPhotoProcessing({ runs: quick ? 2 : 5 });
    const codecs = await benchCodecs(quick ? { widths: [640] } : {});
    results.images = { catalog, processing, codecs };
    printImages(catalog, processing, codecs);
  }
  if (api) {
    // Page views: the Workers requests of a catalog view as Lighthouse saw them (first view, empty browser cache),
    // when the storefront was measured in this run; the assumptions otherwise.
    const catalog = lighthouse?.find((r) => r.page === "catalog")?.functionRequests;
    const assumptions = catalog
      ? {
          ...ASSUMPTIONS,
          workerRequestsPerPageView: catalog.document + catalog.other,
          imageRequestsPerPageView: catalog.images,
        }
      : ASSUMPTIONS;
    const cost = {
      ...costModel(api.usage, await accessLogLineBytes(), assumptions),
      pageViewRequests: catalog ? "measured" : "assumed",
    };
    results.cost = cost;
    printCost(cost);
    console.log(
      catalog
        ? `page views priced at the measured ${catalog.total} Workers requests of a first catalog view (${catalog.images} images, ${catalog.other} other)`
        : "page views priced at the assumed requests per view (run the storefront benchmarks with Lighthouse to measure them)",
    );
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
