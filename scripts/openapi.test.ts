import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../aws/src/contract";
import { buildOpenApi, OPENAPI_PATH, renderOpenApi } from "./openapi";

describe("docs/openapi.json", () => {
  it("is what scripts/openapi.ts generates from the contract now (run `npx tsx scripts/openapi.ts` after changing it)", () => {
    expect(readFileSync(OPENAPI_PATH, "utf8")).toBe(renderOpenApi());
  });

  it("documents every route, with SigV4 on all but the two ECPay callbacks, and every $ref resolves", () => {
    const doc = buildOpenApi() as any;
    for (const route of Object.values(ROUTES)) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(Object.keys(operation.responses).some((s) => s.startsWith("2"))).toBe(true);
      if (route.path.startsWith("/ecpay")) {
        expect(operation.security).toEqual([]);
        expect(Object.keys(operation.requestBody.content)).toEqual(["application/x-www-form-urlencoded"]);
      } else {
        expect(operation.security).toBeUndefined();
        expect(operation.responses["403"]).toBeDefined();
      }
    }
    expect(doc.security).toEqual([{ sigv4: [] }]);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas[name], name).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('"$id"');
  });
});
