/**
 * What the shop costs to run, from the request counts `npm run bench` measures (bench/api.ts: per API route, the
 * DynamoDB capacity units, S3 requests, log and response bytes) at list prices. Two figures: per 1,000 orders (the
 * AWS side, plus the BFF's Workers requests of the checkout) and per 1,000,000 page views (Cloudflare), and the
 * fixed monthly costs that do not scale with either.
 *
 * PRICES are list prices as known on the date below, written down from memory on a machine without internet: check
 * them against the AWS and Cloudflare pricing pages before relying on the figures. Where a count cannot be measured
 * locally (Lambda's billed duration, the storefront's requests per page view — next round's benchmarks), the
 * ASSUMPTIONS say so and the report lists them beside the figures.
 */
import { loadTemplate } from "../aws/local/template";
import type { RouteUsage } from "./api";
import { round } from "./stats";

export const PRICES = {
  asOf: "2025-06 list prices, from memory (no internet here to re-check)",
  aws: {
    region: "ap-northeast-1 (Tokyo)",
    /** HTTP API, first 300 million requests a month. */
    httpApiPerMillion: 1.29,
    /** Lambda arm64. */
    lambdaPerGbSecond: 0.0000133334,
    lambdaRequestsPerMillion: 0.2,
    /** DynamoDB on-demand, after the November 2024 price cut. */
    dynamodbWritePerMillion: 0.715,
    dynamodbReadPerMillion: 0.143,
    s3GetPerThousand: 0.00037,
    s3PutPerThousand: 0.0047,
    /** CloudWatch Logs, standard ingestion. */
    logsIngestPerGb: 0.76,
    /** X-Ray traces recorded (the functions have Tracing: Active); the first 100,000 a month are free. */
    xrayTracesPerMillion: 5.0,
    /** Data transfer out to the internet, first 10 TB a month. */
    transferOutPerGb: 0.114,
  },
  cloudflare: {
    /** Workers Paid (Pages Functions bill as Workers): $5 a month includes 10 M requests and 30 M CPU-ms. */
    workersPaidMonthly: 5.0,
    workersIncludedRequests: 10_000_000,
    workersRequestsPerMillion: 0.3,
    workersIncludedCpuMs: 30_000_000,
    workersCpuPerMillionMs: 0.02,
    /** Static asset requests on Pages are free. */
    pagesStaticPerMillion: 0,
  },
} as const;

export const ASSUMPTIONS = {
  /** Payment method mix of orders. */
  mix: { credit: 0.6, atm: 0.25, cod: 0.15 },
  /** Shopper order-page lookups per order (after paying, and once more later). */
  lookupsPerOrder: 2,
  /** Owner actions per order: open it, ship it (pay-on-arrival: also mark it paid); one list page per 10 orders. */
  adminViewsPerOrder: 1,
  adminTransitionsPerOrder: { credit: 1, atm: 1, cod: 2 },
  adminListPagesPerOrder: 0.1,
  /** Billed Lambda duration per invocation at 128 MB (I/O-bound handlers, a few AWS calls): not measurable locally. */
  lambdaBilledMs: 100,
  lambdaMemoryGb: 0.125,
  /** Share of invocations that are cold starts, and the init time billed for them. */
  coldStartShare: 0.05,
  coldStartInitMs: 400,
  /** Lambda's platform log lines per invocation in JSON format (platform.start + platform.report). */
  platformLogBytesPerInvocation: 700,
  /** X-Ray traces per invocation: at this shop's traffic (< 1 request/s) the default sampling rule records all. */
  tracesPerInvocation: 1,
  /** Storefront (Workers) requests per order for the checkout: cart, checkout page, checkout post, ECPay return, order page ×2. */
  workerRequestsPerOrder: 6,
  /**
   * Storefront, per page view: one SSR request, image requests through /images/*. `npm run bench` replaces these
   * with the Workers requests Lighthouse counts on a first catalog view when it runs the storefront benchmarks.
   */
  workerRequestsPerPageView: 1,
  imageRequestsPerPageView: 2,
  workerCpuMsPerRequest: 3,
  /** Edge cache: at most one S3 refresh per key per TTL window per data centre (ADR 0002); keys site.json, catalog.json. */
  edgeDataCentres: 5,
  edgeTtlSeconds: 60,
  edgeKeys: 2,
  /**
   * Stock counts at the edge (worker/stock.server.ts, ADR 0024): at most one GET /stock per 10 s per data centre while
   * shoppers browse — priced as if each data centre did so all month (the ceiling). Each call reads the catalog from
   * S3 and one stock item per catalog product, strongly consistent (1 RRU each).
   */
  stockRefreshSeconds: 10,
  stockReadUnitsPerCall: 8,
} as const;

/** The assumptions, with the per-view request counts widened so a run can put measured ones in. */
export type Assumptions = Omit<typeof ASSUMPTIONS, "workerRequestsPerPageView" | "imageRequestsPerPageView"> & {
  workerRequestsPerPageView: number;
  imageRequestsPerPageView: number;
};

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

export interface CostReport {
  prices: typeof PRICES;
  assumptions: Assumptions;
  accessLogLineBytes: number;
  per1000Orders: { lines: CostLine[]; totalUsd: number; awsUsd: number; cloudflareUsd: number };
  perMillionPageViews: { lines: CostLine[]; totalUsd: number; note: string };
  monthlyFixed: { lines: CostLine[]; totalUsd: number };
}

/** One access-log line as the template's AccessLogSettings.Format writes it, with typical values. */
export async function accessLogLineBytes(): Promise<number> {
  const template = await loadTemplate();
  const api = Object.values(template.Resources).find((r) => r.Type === "AWS::Serverless::HttpApi");
  const format = String((api?.Properties?.AccessLogSettings as { Format?: string } | undefined)?.Format ?? "");
  const sample: Record<string, string> = {
    "$context.requestId": "JKJaXmPLvHcESHA=",
    "$context.identity.sourceIp": "203.0.113.10",
    "$context.requestTime": "27/Nov/2026:10:05:46 +0000",
    "$context.routeKey": "POST /order",
    "$context.status": "201",
    "$context.protocol": "HTTP/1.1",
    "$context.responseLength": "1288",
    "$context.responseLatency": "85",
    "$context.integrationLatency": "80",
    "$context.integrationErrorMessage": "-",
    "$context.authorizer.error": "-",
    "$context.identity.userArn": "arn:aws:iam::123456789012:user/shop-prod-storefront",
    "$context.error.message": "-",
  };
  const line = format.replace(/\$context\.[A-Za-z.]+/g, (name) => sample[name] ?? "-");
  return Buffer.byteLength(line) + 1;
}

function byRoute(usage: RouteUsage[], route: string): RouteUsage {
  const found = usage.find((u) => u.route === route);
  if (!found) throw new Error(`no measured usage for ${route}`);
  return found;
}

const line = (item: string, quantity: number, unit: string, usd: number): CostLine => ({
  item,
  quantity: round(quantity, 2),
  unit,
  usd: round(usd, 5),
});

/** GET /stock from the edge at its ceiling: API Gateway, Lambda, DynamoDB, S3 and X-Ray for every call. */
function stockRefreshLines(a: Assumptions, p: typeof PRICES): CostLine[] {
  const calls = a.edgeDataCentres * ((30 * 86_400) / a.stockRefreshSeconds);
  const gbSeconds = calls * a.lambdaMemoryGb * ((a.lambdaBilledMs + a.coldStartShare * a.coldStartInitMs) / 1000);
  const label = "GET /stock from the edge (≤ 1 per 10 s per data centre)";
  return [
    line(
      `${label}: API Gateway + Lambda requests`,
      calls,
      "requests",
      (calls / 1e6) * (p.aws.httpApiPerMillion + p.aws.lambdaRequestsPerMillion),
    ),
    line(`${label}: Lambda compute`, round(gbSeconds, 0), "GB-s", gbSeconds * p.aws.lambdaPerGbSecond),
    line(
      `${label}: DynamoDB reads`,
      calls * a.stockReadUnitsPerCall,
      "RRU",
      ((calls * a.stockReadUnitsPerCall) / 1e6) * p.aws.dynamodbReadPerMillion,
    ),
    line(`${label}: S3 GETs (the catalog)`, calls, "requests", (calls / 1000) * p.aws.s3GetPerThousand),
    line(
      `${label}: X-Ray traces`,
      calls * a.tracesPerInvocation,
      "traces",
      ((calls * a.tracesPerInvocation) / 1e6) * p.aws.xrayTracesPerMillion,
    ),
  ];
}

export function costModel(
  usage: RouteUsage[],
  logLineBytes: number,
  a: Assumptions = ASSUMPTIONS,
  p = PRICES,
): CostReport {
  // API calls per order, by route, from the mix.
  const calls: [RouteUsage, number][] = [
    [byRoute(usage, "POST /order (credit)"), a.mix.credit],
    [byRoute(usage, "POST /order (atm)"), a.mix.atm],
    [byRoute(usage, "POST /order (cod)"), a.mix.cod],
    [byRoute(usage, "POST /ecpay (ReturnURL)"), a.mix.credit + a.mix.atm],
    [byRoute(usage, "POST /ecpay/payment-info"), a.mix.atm],
    [byRoute(usage, "GET /order"), a.lookupsPerOrder],
    [byRoute(usage, "GET /admin/orders/{id}"), a.adminViewsPerOrder],
    [
      byRoute(usage, "POST /admin/orders/{id}/transition"),
      a.mix.credit * a.adminTransitionsPerOrder.credit +
        a.mix.atm * a.adminTransitionsPerOrder.atm +
        a.mix.cod * a.adminTransitionsPerOrder.cod,
    ],
    [byRoute(usage, "GET /admin/orders (default: 90 days, 50 per page)"), a.adminListPagesPerOrder],
  ];
  const sum = (f: (u: RouteUsage) => number) => calls.reduce((total, [u, n]) => total + f(u) * n, 0) * 1000;
  const requests = sum(() => 1);
  const wru = sum((u) => u.writeUnits);
  const rru = sum((u) => u.readUnits);
  const s3Gets = sum((u) => u.s3Gets);
  const s3Puts = sum((u) => u.s3Puts);
  const responseGb = sum((u) => u.responseBytes) / 1e9;
  const logGb = (sum((u) => u.appLogBytes) + requests * (a.platformLogBytesPerInvocation + logLineBytes)) / 1e9;
  const gbSeconds = requests * a.lambdaMemoryGb * ((a.lambdaBilledMs + a.coldStartShare * a.coldStartInitMs) / 1000);
  const workerRequests = 1000 * a.workerRequestsPerOrder;

  const orderLines = [
    line("API Gateway HTTP API requests", requests, "requests", (requests / 1e6) * p.aws.httpApiPerMillion),
    line("Lambda requests", requests, "invocations", (requests / 1e6) * p.aws.lambdaRequestsPerMillion),
    line("Lambda compute (arm64, 128 MB)", gbSeconds, "GB-s", gbSeconds * p.aws.lambdaPerGbSecond),
    line("DynamoDB write request units (incl. lsi-phone)", wru, "WRU", (wru / 1e6) * p.aws.dynamodbWritePerMillion),
    line("DynamoDB read request units", rru, "RRU", (rru / 1e6) * p.aws.dynamodbReadPerMillion),
    line("S3 GET (catalog.json, site.json per order)", s3Gets, "requests", (s3Gets / 1000) * p.aws.s3GetPerThousand),
    line("S3 PUT", s3Puts, "requests", (s3Puts / 1000) * p.aws.s3PutPerThousand),
    line("CloudWatch Logs ingestion (Lambda + access logs)", logGb, "GB", logGb * p.aws.logsIngestPerGb),
    line(
      "X-Ray traces (Tracing: Active)",
      requests * a.tracesPerInvocation,
      "traces",
      ((requests * a.tracesPerInvocation) / 1e6) * p.aws.xrayTracesPerMillion,
    ),
    line("Data transfer out (API answers)", responseGb, "GB", responseGb * p.aws.transferOutPerGb),
    line(
      "Workers requests (checkout pages, beyond the included 10 M)",
      workerRequests,
      "requests",
      (workerRequests / 1e6) * p.cloudflare.workersRequestsPerMillion,
    ),
    line(
      "Workers CPU",
      workerRequests * a.workerCpuMsPerRequest,
      "CPU-ms",
      ((workerRequests * a.workerCpuMsPerRequest) / 1e6) * p.cloudflare.workersCpuPerMillionMs,
    ),
  ];
  const cloudflareUsd = orderLines.filter((l) => l.item.startsWith("Workers")).reduce((s, l) => s + l.usd, 0);
  const orderTotal = orderLines.reduce((s, l) => s + l.usd, 0);

  const views = 1_000_000;
  const viewRequests = views * (a.workerRequestsPerPageView + a.imageRequestsPerPageView);
  const viewLines = [
    line(
      "Workers requests (SSR + /images/*), beyond the included 10 M",
      viewRequests,
      "requests",
      (viewRequests / 1e6) * p.cloudflare.workersRequestsPerMillion,
    ),
    line(
      "Workers CPU",
      viewRequests * a.workerCpuMsPerRequest,
      "CPU-ms",
      ((viewRequests * a.workerCpuMsPerRequest) / 1e6) * p.cloudflare.workersCpuPerMillionMs,
    ),
    line("Pages static assets (JS, CSS)", views * 3, "requests", 0),
  ];
  const viewTotal = viewLines.reduce((s, l) => s + l.usd, 0);

  const refreshesPerMonth = a.edgeDataCentres * a.edgeKeys * ((30 * 86_400) / a.edgeTtlSeconds);
  const fixedLines = [
    line("Workers Paid plan (includes 10 M requests, 30 M CPU-ms)", 1, "month", p.cloudflare.workersPaidMonthly),
    line(
      "S3 GETs from the edge cache (≤ 1 per key per TTL per data centre)",
      refreshesPerMonth,
      "requests",
      (refreshesPerMonth / 1000) * p.aws.s3GetPerThousand,
    ),
    ...stockRefreshLines(a, p),
  ];
  return {
    prices: p,
    assumptions: a,
    accessLogLineBytes: logLineBytes,
    per1000Orders: {
      lines: orderLines,
      totalUsd: round(orderTotal, 4),
      awsUsd: round(orderTotal - cloudflareUsd, 4),
      cloudflareUsd: round(cloudflareUsd, 4),
    },
    perMillionPageViews: {
      lines: viewLines,
      totalUsd: round(viewTotal, 4),
      note: "page views touch no AWS service but S3 (through the edge cache, a fixed monthly cost); requests per view: measured by `npm run bench` (Lighthouse's first catalog view) when the storefront runs, else the assumption",
    },
    monthlyFixed: {
      lines: fixedLines,
      totalUsd: round(
        fixedLines.reduce((s, l) => s + l.usd, 0),
        4,
      ),
    },
  };
}
