/**
 * aws/bootstrap.yaml's deploy roles against aws/template.yaml: every AWS service the stack has resources of is one
 * the roles may act on (so adding, say, an SNS topic to the stack fails here before it fails a deploy), the two
 * roles are the same but for the environment, and each trusts only its own GitHub environment.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createResolveContext, loadTemplateSync, resolveValue } from "../local/template";

const stackTemplate = loadTemplateSync();
const bootstrap = loadTemplateSync(path.join(path.dirname(stackTemplate.path), "bootstrap.yaml"));

/** CloudFormation namespace → the IAM prefix of the actions that create it. */
const IAM_PREFIX: Record<string, string> = {
  Lambda: "lambda",
  IAM: "iam",
  ApiGatewayV2: "apigateway",
  DynamoDB: "dynamodb",
  S3: "s3",
  Logs: "logs",
  CertificateManager: "acm",
  SNS: "sns",
  SQS: "sqs",
  CloudWatch: "cloudwatch",
  Events: "events",
  Scheduler: "scheduler",
  SES: "ses",
};

/** What SAM turns its own types into. */
const SAM_EXPANDS: Record<string, string[]> = {
  "AWS::Serverless::Function": ["AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Lambda::Permission"],
  "AWS::Serverless::HttpApi": ["AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage"],
  "AWS::Serverless::LayerVersion": ["AWS::Lambda::LayerVersion"],
};

const ROLES = { StagingDeployRole: "staging", ProductionDeployRole: "production" } as const;

/** The managed policies a role has (its ManagedPolicyArns, each a Ref to a policy of the template). */
function rolePolicies(role: string): string[] {
  const arns = bootstrap.Resources[role]?.Properties?.ManagedPolicyArns as { Ref: string }[];
  return arns.map((arn) => arn.Ref);
}

function policyActions(id: string): string[] {
  const document = bootstrap.Resources[id]?.Properties?.PolicyDocument as {
    Statement: { Action: string | string[] }[];
  };
  return document.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

const roleActions = (role: string) => rolePolicies(role).flatMap(policyActions);

describe("aws/bootstrap.yaml deploy roles", () => {
  const types = [
    ...new Set(Object.values(stackTemplate.Resources).flatMap((r) => SAM_EXPANDS[r.Type] ?? [r.Type])),
  ].sort();

  it.each(Object.keys(ROLES))("%s may act on every service the stack uses", (role) => {
    const prefixes = new Set(roleActions(role).map((a) => a.split(":")[0]));
    const missing = types.filter((type) => {
      const namespace = type.split("::")[1] as string;
      const prefix = IAM_PREFIX[namespace];
      if (!prefix)
        throw new Error(
          `${type}: add its IAM action prefix to IAM_PREFIX in this test, and its actions to aws/bootstrap.yaml`,
        );
      return !prefixes.has(prefix);
    });
    expect(missing, "resource types whose service the deploy roles cannot touch (aws/bootstrap.yaml)").toEqual([]);
  });

  it("production's policies are staging's with the environment renamed, names included", () => {
    const staging = rolePolicies("StagingDeployRole");
    const production = rolePolicies("ProductionDeployRole");
    expect(production).toEqual(staging.map((id) => id.replace("Staging", "Production")));
    for (const [index, id] of staging.entries()) {
      const stag = JSON.stringify(bootstrap.Resources[id]?.Properties);
      const prod = JSON.stringify(bootstrap.Resources[production[index] as string]?.Properties);
      expect(prod.replaceAll("shop-prod", "shop-stag").replaceAll("shop-deploy-prod", "shop-deploy-stag")).toBe(stag);
      expect(stag).not.toMatch(/shop-(deploy-)?prod/);
      expect(prod).not.toMatch(/shop-(deploy-)?stag/);
    }
  });

  it("each policy fits IAM's 6,144-character limit for a managed policy (whitespace not counted)", () => {
    const ctx = createResolveContext(bootstrap, {
      parameters: { GitHubRepository: "owner/repository" },
      accountId: "123456789012",
    });
    for (const id of [...rolePolicies("StagingDeployRole"), ...rolePolicies("ProductionDeployRole")]) {
      const document = resolveValue(bootstrap.Resources[id]?.Properties?.PolicyDocument, ctx);
      expect(JSON.stringify(document).replace(/\s/g, "").length, id).toBeLessThanOrEqual(6144);
    }
  });

  it.each([
    ["StagingDeployRole", "staging"],
    ["ProductionDeployRole", "production"],
  ])("%s trusts only this repository's %s environment through GitHub's OIDC provider", (role, environment) => {
    const trust = bootstrap.Resources[role]?.Properties?.AssumeRolePolicyDocument as {
      Statement: { Action: string; Condition: { StringEquals: Record<string, unknown> } }[];
    };
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0]?.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(trust.Statement[0]?.Condition.StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": { "Fn::Sub": `repo:\${GitHubRepository}:environment:${environment}` },
    });
  });

  it("reaches no order and no content object: table and bucket configuration only", () => {
    const matches = (pattern: string, action: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);
    const data = [
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "s3:GetObject",
      "s3:PutObject",
      "lambda:InvokeFunction",
    ];
    for (const policy of [...rolePolicies("StagingDeployRole"), ...rolePolicies("ProductionDeployRole")]) {
      const document = bootstrap.Resources[policy]?.Properties?.PolicyDocument as {
        Statement: { Sid: string; Action: string | string[] }[];
      };
      for (const statement of document.Statement.filter((s) =>
        ["OrdersTable", "ContentBucket", "Functions"].includes(s.Sid),
      )) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        expect(
          data.filter((d) => actions.some((a) => matches(a, d))),
          `${policy} ${statement.Sid}`,
        ).toEqual([]);
      }
    }
  });

  it("grants no way to read the ECPay secrets or to mint access keys", () => {
    for (const role of Object.keys(ROLES)) {
      const actions = roleActions(role);
      expect(actions.filter((a) => /^ssm:|^kms:|CreateAccessKey|^iam:\*|^\*$/.test(a))).toEqual([]);
    }
  });
});
