/**
 * Writes the per-function alarms of aws/template.yaml (between `# BEGIN generated function alarms` and `# END …`):
 * for every AWS::Serverless::Function, alarms on its Errors, Throttles and Duration (80 % of its own Timeout), and
 * the composite alarm that emails the owner when any of them fires. Run it after adding or removing a function:
 *
 *   npx tsx scripts/function-alarms.ts          (rewrites the block)
 *   npx tsx scripts/function-alarms.ts --check  (exit 1 if the block is stale; the tests do the same)
 *
 * Why generated and not `Fn::ForEach`: `sam build` (SAM CLI 1.170) cannot read a template that uses it
 * (docs/decisions/0016-alarms-and-dashboard.md).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_TEMPLATE_PATH, listFunctionIds, parseTemplate } from "../aws/local/template";

export const BEGIN = "  # BEGIN generated function alarms\n";
export const END = "  # END generated function alarms\n";

/** Fraction of a function's timeout from which a run counts as "near the timeout". */
export const DURATION_ALARM_FRACTION = 0.8;

interface FunctionInfo {
  id: string;
  /** The part of FunctionName after `shop-${Env}-`. */
  shortName: string;
  timeoutSeconds: number;
}

function functionsOf(source: string): FunctionInfo[] {
  const template = parseTemplate(source, DEFAULT_TEMPLATE_PATH);
  const globalTimeout = Number(template.Globals?.Function?.Timeout ?? 3);
  return listFunctionIds(template).map((id) => {
    const properties = template.Resources[id]?.Properties ?? {};
    const name = (properties.FunctionName as { "Fn::Sub"?: string } | undefined)?.["Fn::Sub"];
    const match = /^shop-\$\{Env\}-([a-z0-9-]+)$/.exec(name ?? "");
    if (!match) throw new Error(`${id}: FunctionName must be !Sub shop-\${Env}-<name> for its alarms`);
    return { id, shortName: match[1] as string, timeoutSeconds: Number(properties.Timeout ?? globalTimeout) };
  });
}

function alarm(
  logicalId: string,
  fields: {
    name: string;
    description: string;
    metric: string;
    functionId: string;
    statistic: string;
    threshold: number;
    evaluation: [number, number];
    unit?: string;
  },
): string {
  const [datapoints, periods] = fields.evaluation;
  return [
    `  ${logicalId}:`,
    "    Type: AWS::CloudWatch::Alarm",
    "    Properties:",
    `      AlarmName: !Sub shop-\${Env}-${fields.name}`,
    `      AlarmDescription: !Sub "${fields.description}"`,
    "      Namespace: AWS/Lambda",
    `      MetricName: ${fields.metric}`,
    `      Dimensions: [{ Name: FunctionName, Value: !Ref ${fields.functionId} }]`,
    `      Statistic: ${fields.statistic}`,
    ...(fields.unit ? [`      Unit: ${fields.unit}`] : []),
    "      Period: 300",
    `      EvaluationPeriods: ${periods}`,
    ...(datapoints !== periods ? [`      DatapointsToAlarm: ${datapoints}`] : []),
    `      Threshold: ${fields.threshold}`,
    "      ComparisonOperator: GreaterThanOrEqualToThreshold",
    "      TreatMissingData: notBreaching",
    "",
  ].join("\n");
}

export function renderFunctionAlarms(source: string): string {
  const functions = functionsOf(source);
  const parts: string[] = [];
  const names: string[] = [];
  for (const fn of functions) {
    const base = fn.id.replace(/Function$/, "");
    const thresholdMs = fn.timeoutSeconds * 1000 * DURATION_ALARM_FRACTION;
    const label = `shop-\${Env}-${fn.shortName}`;
    parts.push(
      alarm(`${base}ErrorsAlarm`, {
        name: `${fn.shortName}-errors`,
        description: `${label} failed in two of the last three 5-minute windows. See docs/operations.md (functions).`,
        metric: "Errors",
        functionId: fn.id,
        statistic: "Sum",
        threshold: 1,
        evaluation: [2, 3],
      }),
      alarm(`${base}ThrottlesAlarm`, {
        name: `${fn.shortName}-throttles`,
        description: `Lambda refused to run ${label} (concurrency limit). See docs/operations.md (functions).`,
        metric: "Throttles",
        functionId: fn.id,
        statistic: "Sum",
        threshold: 1,
        evaluation: [1, 1],
      }),
      alarm(`${base}DurationAlarm`, {
        name: `${fn.shortName}-duration`,
        description: `${label} ran ${thresholdMs / 1000} s or longer (its timeout is ${fn.timeoutSeconds} s) in two of the last three 5-minute windows. See docs/operations.md (functions).`,
        metric: "Duration",
        functionId: fn.id,
        statistic: "Maximum",
        threshold: thresholdMs,
        evaluation: [2, 3],
        unit: "Milliseconds",
      }),
    );
    names.push(`${fn.shortName}-errors`, `${fn.shortName}-throttles`, `${fn.shortName}-duration`);
  }
  const children = functions.flatMap((fn) => {
    const base = fn.id.replace(/Function$/, "");
    return [`${base}ErrorsAlarm`, `${base}ThrottlesAlarm`, `${base}DurationAlarm`];
  });
  parts.push(
    [
      "  FunctionsAlarm:",
      "    Type: AWS::CloudWatch::CompositeAlarm",
      "    # The rule names the alarms, so they must exist first.",
      "    DependsOn:",
      ...children.map((child) => `      - ${child}`),
      "    Properties:",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's ${Env}, not a JavaScript placeholder
      "      AlarmName: !Sub shop-${Env}-functions",
      '      AlarmDescription: "One or more order API functions are failing, throttled or close to their timeout; the message lists which. See docs/operations.md (functions)."',
      "      AlarmActions: [!Ref AlarmTopic]",
      "      OKActions: [!Ref AlarmTopic]",
      "      AlarmRule: !Sub >-",
      names.map((n) => `        ALARM("shop-\${Env}-${n}")`).join(" OR\n"),
      "",
    ].join("\n"),
  );
  return parts.join("\n");
}

/** The template with its generated block rewritten. */
export function withFunctionAlarms(source: string): string {
  const begin = source.indexOf(BEGIN);
  const end = source.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error("aws/template.yaml has no '# BEGIN/END generated function alarms' block");
  return `${source.slice(0, begin + BEGIN.length)}${renderFunctionAlarms(source)}${source.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = readFileSync(DEFAULT_TEMPLATE_PATH, "utf8");
  const next = withFunctionAlarms(source);
  if (process.argv.includes("--check")) {
    if (next !== source) {
      console.error("The function alarms in aws/template.yaml are stale: run npx tsx scripts/function-alarms.ts");
      process.exit(1);
    }
    console.log("function alarms are current");
  } else {
    writeFileSync(DEFAULT_TEMPLATE_PATH, next);
    console.log(
      `wrote the alarms of ${listFunctionIds(parseTemplate(next, DEFAULT_TEMPLATE_PATH)).length} functions into aws/template.yaml`,
    );
  }
}
