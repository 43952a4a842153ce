/**
 * Who may touch which photo files, evaluated from aws/template.yaml with the same IAM evaluator the local API uses:
 * the original (EXIF and GPS included) is readable by the processing function only; shoppers' and the owner's keys
 * read the variants; nobody but the functions writes.
 */
import { describe, expect, it } from "vitest";
import { isActionAllowed } from "./api-gateway/iam";
import {
  createResolveContext,
  loadTemplateSync,
  type PolicyStatement,
  principalPolicies,
  resolveValue,
} from "./template";

const template = loadTemplateSync();
const ctx = createResolveContext(template, { parameters: { Env: "stag" }, accountId: "123456789012" });
const users = principalPolicies(template, ctx);
const bucket = "arn:aws:s3:::shop-stag-content-123456789012";
const object = (key: string) => `${bucket}/${key}`;

/** A function's inline policy statements (SAM `Policies`), resolved. */
function functionStatements(functionId: string): PolicyStatement[] {
  const policies = template.Resources[functionId]?.Properties?.Policies as unknown[];
  return policies.flatMap((policy) => {
    const document = resolveValue(policy, ctx) as {
      Statement: { Effect: string; Action: unknown; Resource: unknown }[];
    };
    return document.Statement.map((s) => ({
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      actions: ([] as string[]).concat(s.Action as string),
      resources: ([] as string[]).concat(s.Resource as string),
    }));
  });
}

describe("photo files and their readers", () => {
  const original = object("originals/0123456789abcdef0123456789abcdef.jpg");
  const variant = object("images/0123456789abcdef0123456789abcdef-640.webp");
  const upload = object("uploads/0123456789abcdef0123456789abcdef");

  it("the storefront's and the owner's keys read variants, never an original or an upload, and write nothing", () => {
    for (const user of ["StorefrontInvoker", "OwnerAdminInvoker"]) {
      const statements = users[user]!.statements;
      expect(isActionAllowed(statements, "s3:GetObject", variant), user).toBe(true);
      expect(isActionAllowed(statements, "s3:GetObject", original), user).toBe(false);
      expect(isActionAllowed(statements, "s3:GetObject", upload), user).toBe(false);
      for (const key of ["images/x.webp", "uploads/x", "originals/x.jpg", "catalog.json"]) {
        expect(isActionAllowed(statements, "s3:PutObject", object(key)), `${user} ${key}`).toBe(false);
      }
    }
  });

  it("the processing function reads uploads, writes originals, variants and outcomes, and only reads those", () => {
    const statements = functionStatements("ProcessUploadFunction");
    expect(isActionAllowed(statements, "s3:GetObject", upload)).toBe(true);
    expect(isActionAllowed(statements, "s3:DeleteObject", upload)).toBe(true);
    expect(isActionAllowed(statements, "s3:PutObject", original)).toBe(true);
    expect(isActionAllowed(statements, "s3:PutObject", variant)).toBe(true);
    expect(isActionAllowed(statements, "s3:GetObject", original)).toBe(false);
    expect(isActionAllowed(statements, "s3:PutObject", object("site.json"))).toBe(false);
    expect(isActionAllowed(statements, "s3:DeleteObject", variant)).toBe(false);
  });

  it("the upload-issuing function may create uploads only (what it signs can be no wider)", () => {
    const statements = functionStatements("AdminCreateUploadFunction");
    expect(isActionAllowed(statements, "s3:PutObject", upload)).toBe(true);
    expect(isActionAllowed(statements, "s3:PutObject", variant)).toBe(false);
    expect(isActionAllowed(statements, "s3:PutObject", object("catalog.json"))).toBe(false);
    expect(isActionAllowed(statements, "s3:GetObject", original)).toBe(false);
  });
});
