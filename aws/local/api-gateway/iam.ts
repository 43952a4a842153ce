/**
 * The slice of IAM policy evaluation API Gateway performs for AWS_IAM routes: may this user call
 * `execute-api:Invoke` on this route's ARN? Explicit Deny wins over Allow; nothing allowed means denied.
 */
import type { PolicyStatement } from "../template";

/** IAM wildcards: `*` is any run of characters (including none and "/"), `?` exactly one character. */
export function iamWildcardMatch(pattern: string, value: string, { ignoreCase = false } = {}): boolean {
  const source = pattern
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function statementMatches(statement: PolicyStatement, action: string, resource: string): boolean {
  // Action names are case-insensitive in IAM; resource ARNs are not.
  return (
    statement.actions.some((pattern) => iamWildcardMatch(pattern, action, { ignoreCase: true })) &&
    statement.resources.some((pattern) => iamWildcardMatch(pattern, resource))
  );
}

export function isActionAllowed(statements: PolicyStatement[], action: string, resource: string): boolean {
  const matching = statements.filter((statement) => statementMatches(statement, action, resource));
  return matching.some((s) => s.effect === "Allow") && !matching.some((s) => s.effect === "Deny");
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path without its leading slash}` */
export function executeApiArn(parts: {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  method: string;
  path: string;
}): string {
  return `arn:aws:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${parts.stage}/${parts.method.toUpperCase()}/${parts.path.replace(/^\//, "")}`;
}
