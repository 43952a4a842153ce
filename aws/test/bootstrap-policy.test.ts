/**
 * aws/bootstrap.yaml's deploy roles against aws/template.yaml: every AWS service the stack has resources of is one
 * the roles may act on (so adding, say, an SNS topic to the stack fails here before it fails a deploy), the two
 * roles are the same but for the environment, and each trusts only its own GitHub environment.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplateSync } from "../local/template";

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

function policyActions(id: string): string[] {
  const document = bootstrap.Resources[id]?.Properties?.PolicyDocument as {
    Statement: { Action: string | string[] }[];
  };
  return document.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

describe("aws/bootstrap.yaml deploy roles", () => {
  const types = [
    ...new Set(Object.values(stackTemplate.Resources).flatMap((r) => SAM_EXPANDS[r.Type] ?? [r.Type])),
  ].sort();

  it.each(["StagingDeployPolicy", "ProductionDeployPolicy"])("%s may act on every service the stack uses", (policy) => {
    const prefixes = new Set(policyActions(policy).map((a) => a.split(":")[0]));
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

  it("the production policy is the staging one with the environment renamed", () => {
    const staging = JSON.stringify(bootstrap.Resources.StagingDeployPolicy?.Properties?.PolicyDocument);
    const production = JSON.stringify(bootstrap.Resources.ProductionDeployPolicy?.Properties?.PolicyDocument);
    expect(production.replaceAll("shop-prod", "shop-stag")).toBe(staging);
    expect(staging).not.toContain("shop-prod");
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

  it("grants no way to read the ECPay secrets or to mint access keys", () => {
    for (const policy of ["StagingDeployPolicy", "ProductionDeployPolicy"]) {
      const actions = policyActions(policy);
      expect(actions.filter((a) => /^ssm:|^kms:|CreateAccessKey|^iam:\*|^\*$/.test(a))).toEqual([]);
    }
  });
});
