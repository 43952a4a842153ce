/**
 * `npm run metrics`: what the shop's functions have reported, from the local log groups `npm start` keeps in
 * .local-data/logs/ (the EMF lines CloudWatch would turn into metrics). One row per metric and dimension set.
 *
 *   npm run metrics                  everything since the logs were started
 *   npm run metrics -- --since 30    the last 30 minutes
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { formatMetricRows, summariseEmf } from "../aws/local/metrics-view";
import { repoRoot } from "./lib/processes";

const dir = path.resolve(repoRoot, process.env.DATA_DIR ?? ".local-data", "logs");
const sinceIndex = process.argv.indexOf("--since");
const sinceMinutes = sinceIndex >= 0 ? Number(process.argv[sinceIndex + 1]) : undefined;
const since = sinceMinutes !== undefined && Number.isFinite(sinceMinutes) ? Date.now() - sinceMinutes * 60_000 : 0;

let files: string[];
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".log"));
} catch {
  console.error(`No function logs in ${path.relative(repoRoot, dir)}/ yet: start the shop with npm start and use it.`);
  process.exit(1);
}

const docs: Record<string, unknown>[] = [];
for (const file of files) {
  for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
    if (!line.startsWith("{") || !line.includes('"_aws"')) continue;
    try {
      const doc = JSON.parse(line) as Record<string, unknown>;
      const at = (doc._aws as { Timestamp?: number } | undefined)?.Timestamp ?? 0;
      if (at >= since) docs.push(doc);
    } catch {}
  }
}
console.log(
  `Metrics from ${files.length} function log(s) in ${path.relative(repoRoot, dir)}/${sinceMinutes ? ` (last ${sinceMinutes} min)` : ""}:\n`,
);
console.log(formatMetricRows(summariseEmf(docs)));
