/**
 * The SAM template (aws/template.yaml) read for local emulation: the local HTTP API, the local tables and buckets,
 * and the IAM policies of the invoking users all come from here, so what runs locally is what gets deployed.
 *
 * Only the parts of CloudFormation this project uses are evaluated (Ref, Sub, If/Equals/Not/And/Or, Join, Select,
 * Split, GetAtt Arn…); anything else fails loudly instead of producing a silently wrong local setup.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";

export const DEFAULT_TEMPLATE_PATH = fileURLToPath(new URL("../template.yaml", import.meta.url));

/** Local values for parameters the deployed stacks get from samconfig.toml and the template leaves without a Default. */
export const LOCAL_PARAMETER_DEFAULTS: Readonly<Record<string, string>> = {
  Env: "local",
  StorefrontUrl: "http://127.0.0.1:8788",
};

export const LOCAL_API_ID = "local";

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
}

export interface Template {
  /** Absolute path of the file, so CodeUri and entry points resolve against its folder. */
  path: string;
  Parameters?: Record<string, { Type: string; Default?: string | number; AllowedValues?: unknown[] }>;
  Conditions?: Record<string, unknown>;
  Globals?: { Function?: Record<string, unknown>; HttpApi?: Record<string, unknown> };
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Parsing: CloudFormation short forms (!Ref x) become the long forms ({ Ref: x }) the rest of this module evaluates.

const SHORT_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  Sub: "Fn::Sub",
  GetAtt: "Fn::GetAtt",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  FindInMap: "Fn::FindInMap",
  Base64: "Fn::Base64",
  Cidr: "Fn::Cidr",
  GetAZs: "Fn::GetAZs",
  ImportValue: "Fn::ImportValue",
  Transform: "Fn::Transform",
  ToJsonString: "Fn::ToJsonString",
  Length: "Fn::Length",
};

function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [short, long] of Object.entries(SHORT_FORMS)) {
    const tag = `!${short}`;
    tags.push({
      tag,
      // `!GetAtt Resource.Attribute` is the scalar spelling of `Fn::GetAtt: [Resource, Attribute]`.
      resolve: (value: string) => ({ [long]: short === "GetAtt" ? splitGetAtt(value) : value }),
    });
    tags.push({
      tag,
      collection: "seq",
      resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [long]: seq.toJSON() }),
    });
    tags.push({
      tag,
      collection: "map",
      resolve: (map: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [long]: map.toJSON() }),
    });
  }
  return tags;
}

function splitGetAtt(value: string): [string, string] {
  const dot = value.indexOf(".");
  if (dot < 1) throw new Error(`!GetAtt needs Resource.Attribute, got "${value}"`);
  return [value.slice(0, dot), value.slice(dot + 1)];
}

export function parseTemplate(source: string, templatePath: string): Template {
  const parsed = parse(source, { customTags: cloudFormationTags() }) as Omit<Template, "path"> | null;
  if (!parsed || typeof parsed !== "object" || !parsed.Resources)
    throw new Error(`${templatePath}: no Resources section`);
  return { ...parsed, path: path.resolve(templatePath) };
}

/** Reads and parses the template; synchronous underneath, so it is cheap to call from tests and scripts alike. */
export async function loadTemplate(templatePath: string = DEFAULT_TEMPLATE_PATH): Promise<Template> {
  return loadTemplateSync(templatePath);
}

export function loadTemplateSync(templatePath: string = DEFAULT_TEMPLATE_PATH): Template {
  return parseTemplate(readFileSync(templatePath, "utf8"), templatePath);
}

// ---------------------------------------------------------------------------------------------
// Evaluating intrinsic functions

export interface ResolveContext {
  parameters: Record<string, string>;
  region: string;
  accountId: string;
  /** Logical id → physical name (what `Ref` returns for a resource). */
  resources: Record<string, string>;
  /** Logical id → ARN (what `Fn::GetAtt X.Arn` returns). Optional; derived from `resources` when missing. */
  arns?: Record<string, string>;
  /** The template's Conditions section, for Fn::If and Condition. */
  conditions?: Record<string, unknown>;
  stackName?: string;
}

/** `Ref: AWS::NoValue` removes the property it stands for. */
const NO_VALUE = Symbol("AWS::NoValue");

export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  const resolved = resolveAny(value, ctx);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveAny(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveAny(item, ctx)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    if (key === "Ref" || key.startsWith("Fn::") || key === "Condition") return resolveIntrinsic(key, arg, ctx);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveAny(item, ctx);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolveIntrinsic(fn: string, arg: unknown, ctx: ResolveContext): unknown {
  switch (fn) {
    case "Ref":
      return resolveRef(String(arg), ctx);
    case "Fn::Sub":
      return resolveSub(arg, ctx);
    case "Fn::GetAtt": {
      const [id, attribute] =
        (typeof arg === "string" ? splitGetAtt(arg) : (resolveAny(arg, ctx) as [string, string])) ?? [];
      return resolveGetAtt(String(id), String(attribute), ctx);
    }
    case "Fn::If": {
      const [condition, whenTrue, whenFalse] = asArray(arg, fn, 3);
      return resolveAny(evaluateCondition(String(condition), ctx) ? whenTrue : whenFalse, ctx);
    }
    case "Condition":
      return evaluateCondition(String(arg), ctx);
    case "Fn::Equals": {
      const [a, b] = asArray(arg, fn, 2).map((item) => resolveAny(item, ctx));
      return String(a) === String(b);
    }
    case "Fn::Not":
      return !truthy(resolveAny(asArray(arg, fn, 1)[0], ctx));
    case "Fn::And":
      return asArray(arg, fn).every((item) => truthy(resolveAny(item, ctx)));
    case "Fn::Or":
      return asArray(arg, fn).some((item) => truthy(resolveAny(item, ctx)));
    case "Fn::Join": {
      const [separator, items] = asArray(arg, fn, 2);
      return asArray(resolveAny(items, ctx), fn).map(String).join(String(separator));
    }
    case "Fn::Select": {
      const [index, items] = asArray(arg, fn, 2);
      const list = asArray(resolveAny(items, ctx), fn);
      const i = Number(resolveAny(index, ctx));
      if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new Error(`Fn::Select index ${i} out of range`);
      return list[i];
    }
    case "Fn::Split": {
      const [separator, source] = asArray(arg, fn, 2);
      return String(resolveAny(source, ctx)).split(String(separator));
    }
    case "Fn::Base64":
      return Buffer.from(String(resolveAny(arg, ctx)), "utf8").toString("base64");
    case "Fn::ToJsonString":
      return JSON.stringify(resolveAny(arg, ctx));
    case "Fn::Length":
      return asArray(resolveAny(arg, ctx), fn).length;
    default:
      throw new Error(`${fn} is not supported by the local template evaluator`);
  }
}

function asArray(value: unknown, fn: string, length?: number): unknown[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    throw new Error(`${fn} expects a list${length !== undefined ? ` of ${length}` : ""}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function truthy(value: unknown): boolean {
  return value === true || value === "true";
}

function evaluateCondition(name: string, ctx: ResolveContext): boolean {
  const definition = ctx.conditions?.[name];
  if (definition === undefined) throw new Error(`Unknown condition ${name}`);
  return truthy(resolveAny(definition, ctx));
}

function resolveRef(name: string, ctx: ResolveContext): unknown {
  switch (name) {
    case "AWS::Region":
      return ctx.region;
    case "AWS::AccountId":
      return ctx.accountId;
    case "AWS::Partition":
      return "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    case "AWS::StackName":
      return ctx.stackName ?? "local";
    case "AWS::StackId":
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName ?? "local"}/local`;
    case "AWS::NoValue":
      return NO_VALUE;
  }
  if (name in ctx.parameters) return ctx.parameters[name];
  if (name in ctx.resources) return ctx.resources[name];
  throw new Error(`Ref ${name}: no such parameter or resource (missing a parameter value?)`);
}

function resolveGetAtt(id: string, attribute: string, ctx: ResolveContext): string {
  if (attribute === "Arn") {
    const arn = ctx.arns?.[id];
    if (arn) return arn;
  }
  throw new Error(`Fn::GetAtt ${id}.${attribute} is not supported locally`);
}

function resolveSub(arg: unknown, ctx: ResolveContext): string {
  const [template, variables] =
    typeof arg === "string" ? [arg, {}] : (asArray(arg, "Fn::Sub", 2) as [string, Record<string, unknown>]);
  const locals: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables ?? {})) locals[name] = resolveAny(value, ctx);
  // ${!Literal} is an escaped literal "${Literal}"; ${Name} and ${Resource.Attribute} are substitutions.
  return String(template).replace(/\$\{(!?)([^}]+)\}/g, (_match, bang: string, expression: string) => {
    if (bang) return `\${${expression}}`;
    const name = expression.trim();
    if (name in locals) return String(locals[name]);
    const dot = name.indexOf(".");
    if (dot > 0 && !name.startsWith("AWS::")) return resolveGetAtt(name.slice(0, dot), name.slice(dot + 1), ctx);
    return String(resolveRef(name, ctx));
  });
}

// ---------------------------------------------------------------------------------------------
// Physical names and the resolve context for a local "stack"

/** The property that names each resource type, so local names equal the deployed ones. */
const NAME_PROPERTY: Record<string, string> = {
  "AWS::DynamoDB::Table": "TableName",
  "AWS::S3::Bucket": "BucketName",
  "AWS::Serverless::Function": "FunctionName",
  "AWS::Lambda::Function": "FunctionName",
  "AWS::IAM::User": "UserName",
  "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::SNS::Topic": "TopicName",
  "AWS::CloudWatch::Alarm": "AlarmName",
  "AWS::CloudWatch::CompositeAlarm": "AlarmName",
  "AWS::CloudWatch::Dashboard": "DashboardName",
};

const HTTP_API_TYPES = new Set(["AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"]);

export interface LocalPhysicalNames {
  /** The table's name when the template has exactly one table (the orders table); see `tables` otherwise. */
  tableName: string;
  /** The bucket's name when the template has exactly one bucket; see `buckets` otherwise. */
  bucketName: string;
  apiId: string;
  tables: Record<string, string>;
  buckets: Record<string, string>;
  /** Every resource's `Ref` value, by logical id. */
  resources: Record<string, string>;
}

export interface LocalContextOptions {
  parameters?: Record<string, string>;
  region?: string;
  accountId?: string;
}

/** Template parameter defaults (or, for parameters without one, the local defaults), then what the caller passes. */
export function localParameters(template: Template, parameters: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, definition] of Object.entries(template.Parameters ?? {})) {
    const value = definition.Default !== undefined ? String(definition.Default) : LOCAL_PARAMETER_DEFAULTS[name];
    if (value !== undefined) values[name] = value;
  }
  return { ...values, ...parameters };
}

/** Everything `resolveValue` needs to evaluate this template as a local stack. */
export function createResolveContext(template: Template, options: LocalContextOptions = {}): ResolveContext {
  const region = options.region ?? "ap-northeast-1";
  const accountId = options.accountId ?? "000000000000";
  const ctx: ResolveContext = {
    parameters: localParameters(template, options.parameters),
    region,
    accountId,
    resources: {},
    arns: {},
    conditions: template.Conditions ?? {},
    stackName: "local",
  };
  // Names first (they only use parameters and pseudo parameters), then ARNs built from the names.
  for (const [id, resource] of Object.entries(template.Resources)) {
    ctx.resources[id] = physicalName(id, resource, ctx);
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const arn = arnFor(resource.Type, ctx.resources[id] as string, ctx);
    if (arn && ctx.arns) ctx.arns[id] = arn;
    // `Ref` of a topic is its ARN, not its name.
    if (arn && resource.Type === "AWS::SNS::Topic") ctx.resources[id] = arn;
  }
  return ctx;
}

function physicalName(id: string, resource: TemplateResource, ctx: ResolveContext): string {
  if (HTTP_API_TYPES.has(resource.Type)) return LOCAL_API_ID;
  const property = NAME_PROPERTY[resource.Type];
  const declared = property ? resource.Properties?.[property] : undefined;
  // CloudFormation generates a name when none is declared; the logical id is a stable local stand-in.
  return declared === undefined ? id : String(resolveValue(declared, ctx));
}

function arnFor(type: string, name: string, ctx: ResolveContext): string | undefined {
  const { region, accountId } = ctx;
  switch (type) {
    case "AWS::DynamoDB::Table":
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
    case "AWS::S3::Bucket":
      return `arn:aws:s3:::${name}`;
    case "AWS::Logs::LogGroup":
      return `arn:aws:logs:${region}:${accountId}:log-group:${name}:*`;
    case "AWS::IAM::User":
      return `arn:aws:iam::${accountId}:user/${name}`;
    case "AWS::Serverless::Function":
    case "AWS::Lambda::Function":
      return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
    case "AWS::SNS::Topic":
      return `arn:aws:sns:${region}:${accountId}:${name}`;
    case "AWS::CloudWatch::Alarm":
    case "AWS::CloudWatch::CompositeAlarm":
      return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
    default:
      return undefined;
  }
}

export function localPhysicalNames(template: Template, parameters: Record<string, string> = {}): LocalPhysicalNames {
  const ctx = createResolveContext(template, { parameters });
  const ofType = (type: string) =>
    Object.fromEntries(
      Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === type)
        .map(([id]) => [id, ctx.resources[id] as string]),
    );
  const tables = ofType("AWS::DynamoDB::Table");
  const buckets = ofType("AWS::S3::Bucket");
  return {
    tableName: Object.values(tables)[0] ?? "",
    bucketName: Object.values(buckets)[0] ?? "",
    apiId: LOCAL_API_ID,
    tables,
    buckets,
    resources: { ...ctx.resources },
  };
}

// ---------------------------------------------------------------------------------------------
// Functions and their HTTP API routes

export type RouteAuth = "AWS_IAM" | "NONE";

export interface HttpRoute {
  /** Logical id of the AWS::Serverless::Function. */
  functionId: string;
  /** Upper-case method, or ANY. */
  method: string;
  /** As declared, e.g. `/admin/orders/{id}`; `$default` for the catch-all route. */
  path: string;
  auth: RouteAuth;
  /** Absolute path of the TypeScript source SAM bundles for this function. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
}

function functionProperty(template: Template, functionId: string, name: string): unknown {
  const own = template.Resources[functionId]?.Properties?.[name];
  return own !== undefined ? own : template.Globals?.Function?.[name];
}

function functionIds(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === "AWS::Serverless::Function")
    .map(([id]) => id);
}

/** The TS/JS file SAM's esbuild build starts from: Metadata.BuildProperties.EntryPoints[0] under CodeUri. */
export function functionEntry(template: Template, functionId: string): string {
  const codeUri = functionProperty(template, functionId, "CodeUri");
  if (typeof codeUri !== "string") throw new Error(`${functionId}: CodeUri must be a local folder for local emulation`);
  const codeDir = path.resolve(path.dirname(template.path), codeUri);
  const buildProperties = template.Resources[functionId]?.Metadata?.BuildProperties as
    | { EntryPoints?: string[] }
    | undefined;
  const entryPoint = buildProperties?.EntryPoints?.[0];
  if (entryPoint) return path.resolve(codeDir, entryPoint);
  // Without esbuild metadata the handler file is `<file>.<export>` relative to CodeUri.
  const handler = String(functionProperty(template, functionId, "Handler") ?? "");
  return path.resolve(codeDir, `${handler.slice(0, handler.lastIndexOf("."))}.js`);
}

function apiDefaultAuthorizer(template: Template, apiId: string | undefined): RouteAuth {
  const api = apiId ? template.Resources[apiId] : undefined;
  const auth = (api?.Properties?.Auth ?? template.Globals?.HttpApi?.Auth) as { DefaultAuthorizer?: string } | undefined;
  return auth?.DefaultAuthorizer === "AWS_IAM" ? "AWS_IAM" : "NONE";
}

export function listHttpRoutes(template: Template): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const functionId of functionIds(template)) {
    const events = (template.Resources[functionId]?.Properties?.Events ?? {}) as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    for (const event of Object.values(events)) {
      if (event.Type !== "HttpApi") continue;
      const properties = event.Properties ?? {};
      const apiRef = properties.ApiId as { Ref?: string } | undefined;
      const routeAuthorizer = (properties.Auth as { Authorizer?: string } | undefined)?.Authorizer;
      routes.push({
        functionId,
        // SAM: an HttpApi event without Path/Method is the API's $default route.
        method: String(properties.Method ?? "ANY").toUpperCase(),
        path: String(properties.Path ?? "$default"),
        auth:
          routeAuthorizer === "NONE"
            ? "NONE"
            : routeAuthorizer === "AWS_IAM"
              ? "AWS_IAM"
              : apiDefaultAuthorizer(template, apiRef?.Ref),
        entry: functionEntry(template, functionId),
        timeoutSeconds: Number(functionProperty(template, functionId, "Timeout") ?? 3),
        memoryMb: Number(functionProperty(template, functionId, "MemorySize") ?? 128),
      });
    }
  }
  return routes;
}

/** A function triggered by S3 event notifications (an `Events` entry of Type S3). */
export interface S3Trigger {
  functionId: string;
  /** Logical id of the AWS::S3::Bucket the notification is on. */
  bucketId: string;
  /** Event name patterns as in the template, e.g. `s3:ObjectCreated:*`. */
  events: string[];
  prefix?: string;
  suffix?: string;
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Lambda retries a failed asynchronous invocation this many times (EventInvokeConfig; Lambda's default is 2). */
  maximumRetryAttempts: number;
}

export function listS3Triggers(template: Template): S3Trigger[] {
  const triggers: S3Trigger[] = [];
  for (const functionId of functionIds(template)) {
    const properties = template.Resources[functionId]?.Properties ?? {};
    const events = (properties.Events ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    for (const event of Object.values(events)) {
      if (event.Type !== "S3") continue;
      const bucketId = (event.Properties?.Bucket as { Ref?: string } | undefined)?.Ref;
      if (!bucketId) throw new Error(`${functionId}: an S3 event must name its bucket with !Ref`);
      const rules = ((event.Properties?.Filter as { S3Key?: { Rules?: { Name: string; Value: string }[] } } | undefined)
        ?.S3Key?.Rules ?? []) as { Name: string; Value: string }[];
      const rule = (name: string) => rules.find((r) => r.Name.toLowerCase() === name)?.Value;
      const prefix = rule("prefix");
      const suffix = rule("suffix");
      const invokeConfig = properties.EventInvokeConfig as { MaximumRetryAttempts?: number } | undefined;
      triggers.push({
        functionId,
        bucketId,
        events: ([] as string[]).concat(event.Properties?.Events as string | string[]),
        ...(prefix !== undefined ? { prefix } : {}),
        ...(suffix !== undefined ? { suffix } : {}),
        entry: functionEntry(template, functionId),
        timeoutSeconds: Number(functionProperty(template, functionId, "Timeout") ?? 3),
        memoryMb: Number(functionProperty(template, functionId, "MemorySize") ?? 128),
        maximumRetryAttempts: Number(invokeConfig?.MaximumRetryAttempts ?? 2),
      });
    }
  }
  return triggers;
}

/** Globals.Function.Environment merged with the function's own, every value resolved to a string. */
export function functionEnvironment(
  template: Template,
  functionId: string,
  ctx: ResolveContext,
): Record<string, string> {
  const variablesOf = (environment: unknown) =>
    ((environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
  const merged = {
    ...variablesOf(template.Globals?.Function?.Environment),
    ...variablesOf(template.Resources[functionId]?.Properties?.Environment),
  };
  const resolved = resolveValue(merged, ctx) as Record<string, unknown>;
  const variables = Object.fromEntries(Object.entries(resolved).map(([name, value]) => [name, String(value)]));
  // What Lambda itself sets from LoggingConfig (Globals merged with the function's own, as SAM merges maps).
  const logging = resolveValue(
    {
      ...((template.Globals?.Function?.LoggingConfig ?? {}) as Record<string, unknown>),
      ...((template.Resources[functionId]?.Properties?.LoggingConfig ?? {}) as Record<string, unknown>),
    },
    ctx,
  ) as { LogFormat?: string; ApplicationLogLevel?: string };
  if (logging.LogFormat === "JSON") {
    variables.AWS_LAMBDA_LOG_FORMAT = "JSON";
    variables.AWS_LAMBDA_LOG_LEVEL = String(logging.ApplicationLogLevel ?? "INFO");
  }
  return variables;
}

// ---------------------------------------------------------------------------------------------
// Scheduled functions (SAM `Schedule` events: an EventBridge rule with a schedule expression)

export interface ScheduledFunction {
  functionId: string;
  /** The event's key under Events (SAM names the rule's logical id `<functionId><eventName>`). */
  eventName: string;
  /** `rate(10 minutes)`, as resolved from the template. */
  expression: string;
  /** The rule's name: its `Name` property, or the logical id CloudFormation would start a generated name with. */
  ruleName: string;
  enabled: boolean;
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
}

export function listScheduledFunctions(template: Template, ctx: ResolveContext): ScheduledFunction[] {
  const scheduled: ScheduledFunction[] = [];
  for (const functionId of functionIds(template)) {
    const events = (template.Resources[functionId]?.Properties?.Events ?? {}) as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    for (const [eventName, event] of Object.entries(events)) {
      if (event.Type === "ScheduleV2") throw new Error(`${functionId}.${eventName}: ScheduleV2 is not emulated locally; use Schedule`);
      if (event.Type !== "Schedule") continue;
      const properties = resolveValue(event.Properties ?? {}, ctx) as Record<string, unknown>;
      scheduled.push({
        functionId,
        eventName,
        expression: String(properties.Schedule ?? ""),
        ruleName: String(properties.Name ?? `${functionId}${eventName}`),
        enabled: properties.Enabled !== false && properties.State !== "DISABLED",
        entry: functionEntry(template, functionId),
        timeoutSeconds: Number(functionProperty(template, functionId, "Timeout") ?? 3),
        memoryMb: Number(functionProperty(template, functionId, "MemorySize") ?? 128),
      });
    }
  }
  return scheduled;
}

/** Every AWS::Serverless::Function's logical id. */
export function listFunctionIds(template: Template): string[] {
  return functionIds(template);
}

/** The deployed function name (FunctionName), used for the Lambda context and logs. */
export function functionName(functionId: string, ctx: ResolveContext): string {
  return ctx.resources[functionId] ?? functionId;
}

// ---------------------------------------------------------------------------------------------
// IAM users and their policies

export interface PolicyStatement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
}

export interface PrincipalPolicy {
  userName: string;
  userArn: string;
  statements: PolicyStatement[];
}

interface RawStatement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  NotAction?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

function toList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function statementsOf(document: unknown, ctx: ResolveContext, where: string): PolicyStatement[] {
  const resolved = resolveValue(document, ctx) as { Statement?: RawStatement | RawStatement[] } | undefined;
  const raw =
    resolved?.Statement === undefined
      ? []
      : Array.isArray(resolved.Statement)
        ? resolved.Statement
        : [resolved.Statement];
  return raw.map((statement) => {
    // Refuse what the local authorizer cannot evaluate rather than silently widening or narrowing access.
    if (statement.NotAction !== undefined || statement.NotResource !== undefined || statement.Condition !== undefined) {
      throw new Error(`${where}: NotAction/NotResource/Condition are not supported by the local IAM evaluator`);
    }
    return {
      effect: statement.Effect === "Deny" ? "Deny" : "Allow",
      actions: toList(statement.Action),
      resources: toList(statement.Resource),
    };
  });
}

/**
 * For each AWS::IAM::User: its inline policies plus any AWS::IAM::Policy / AWS::IAM::ManagedPolicy that lists it
 * under Users, resolved to concrete ARNs.
 */
export function principalPolicies(template: Template, ctx: ResolveContext): Record<string, PrincipalPolicy> {
  const result: Record<string, PrincipalPolicy> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::IAM::User") continue;
    const inline = (resource.Properties?.Policies ?? []) as { PolicyName?: string; PolicyDocument: unknown }[];
    result[id] = {
      userName: ctx.resources[id] ?? id,
      userArn: ctx.arns?.[id] ?? `arn:aws:iam::${ctx.accountId}:user/${ctx.resources[id] ?? id}`,
      statements: inline.flatMap((policy) =>
        statementsOf(policy.PolicyDocument, ctx, `${id}/${policy.PolicyName ?? "policy"}`),
      ),
    };
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::IAM::Policy" && resource.Type !== "AWS::IAM::ManagedPolicy") continue;
    const users = (resource.Properties?.Users ?? []) as unknown[];
    for (const user of users) {
      const userId = (user as { Ref?: string })?.Ref;
      const principal = userId ? result[userId] : undefined;
      if (principal) principal.statements.push(...statementsOf(resource.Properties?.PolicyDocument, ctx, id));
    }
  }
  return result;
}
