/**
 * The local view of the functions' metrics: reads the EMF lines the handlers wrote (to the local log groups) and
 * sums them the way CloudWatch would store them, one row per metric and dimension set. `npm run metrics` prints it;
 * the tests use `checkEmf` to hold every metric line to the parts of the EMF specification CloudWatch enforces.
 */

export interface MetricRow {
  namespace: string;
  name: string;
  /** `Env=local`, `Env=local PaymentMethod=atm`… */
  dimensions: string;
  sum: number;
  samples: number;
  last: string;
}

interface EmfMetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}

/** Problems CloudWatch would have with this document (empty = it becomes metrics). */
export function checkEmf(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws !== "object") return ["no _aws member"];
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp))
    problems.push("_aws.Timestamp is not an integer of milliseconds");
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0)
    return [...problems, "no CloudWatchMetrics directive"];
  for (const directive of aws.CloudWatchMetrics as EmfMetricDirective[]) {
    if (typeof directive.Namespace !== "string" || !/^[^:].{0,254}$/.test(directive.Namespace))
      problems.push("bad Namespace");
    for (const set of directive.Dimensions ?? []) {
      if (!Array.isArray(set) || set.length > 30) problems.push("a dimension set is not a list of at most 30 keys");
      for (const key of set) if (typeof doc[key] !== "string") problems.push(`dimension ${key} has no string value`);
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length === 0 || directive.Metrics.length > 100)
      problems.push("Metrics must hold 1–100 metrics");
    for (const metric of directive.Metrics ?? []) {
      const value = doc[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0 || values.some((v) => typeof v !== "number" || !Number.isFinite(v)))
        problems.push(`metric ${metric.Name} has no numeric value`);
    }
  }
  return problems;
}

export function isEmf(doc: Record<string, unknown> | undefined): doc is Record<string, unknown> {
  return !!doc && typeof doc._aws === "object" && doc._aws !== null;
}

export function summariseEmf(docs: Iterable<Record<string, unknown>>): MetricRow[] {
  const rows = new Map<string, MetricRow>();
  for (const doc of docs) {
    if (!isEmf(doc) || checkEmf(doc).length > 0) continue;
    const aws = doc._aws as { Timestamp: number; CloudWatchMetrics: EmfMetricDirective[] };
    const at = new Date(aws.Timestamp).toISOString();
    for (const directive of aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = set.map((key) => `${key}=${doc[key]}`).join(" ");
        for (const metric of directive.Metrics) {
          const raw = doc[metric.Name];
          const values = (Array.isArray(raw) ? raw : [raw]) as number[];
          const key = `${directive.Namespace}\u0000${metric.Name}\u0000${dimensions}`;
          const row = rows.get(key) ?? {
            namespace: directive.Namespace,
            name: metric.Name,
            dimensions,
            sum: 0,
            samples: 0,
            last: at,
          };
          row.sum += values.reduce((a, b) => a + b, 0);
          row.samples += values.length;
          if (at > row.last) row.last = at;
          rows.set(key, row);
        }
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name) || a.dimensions.localeCompare(b.dimensions));
}

/** The rows as a plain-text table. */
export function formatMetricRows(rows: MetricRow[]): string {
  if (rows.length === 0) return "no metrics yet";
  const header = ["metric", "dimensions", "sum", "samples", "last"];
  const body = rows.map((r) => [
    r.name,
    r.dimensions,
    String(r.sum),
    String(r.samples),
    r.last.replace("T", " ").slice(0, 19),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] as string).length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...body.map(format)].join("\n");
}
