/**
 * What a new environment's bucket starts with: a catalog holding one sample product (not for sale) and a closed
 * site status. The owner replaces both in the admin; nothing can be ordered before they open the shop. An owner who
 * already has their catalog can start from it instead: `npm run deploy:first -- --env stag --content <folder>` with
 * `catalog.json` and/or `site.json` in the folder. Either way it is checked against the API contract before upload.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ZodType } from "zod";
import { type Catalog, catalogSchema, type SiteStatus, siteStatusSchema } from "../../aws/src/contract";
import { JSON_CACHE_CONTROL } from "../../aws/src/lib/content";
import type { ContentObject } from "./aws";
import { StepError } from "./environments";

export const STARTER_CATALOG: Catalog = {
  products: [
    {
      id: "sample-product",
      name: "範例商品",
      description: "這是第一次部署放上的範例商品，尚未開賣。請到管理後台「商品」修改成您的商品，或刪除後新增。",
      unitPrice: 100,
      available: false,
      sortOrder: 0,
    },
  ],
};

export const STARTER_SITE: SiteStatus = {
  open: false,
  closedMessage: "商店準備中，敬請期待。",
};

function parseOrExplain<T>(schema: ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
  throw new StepError(`${where} does not match the shop's content contract: ${issues.join("; ")}`);
}

/** The starter objects (or the owner's, from `folder`), validated, as the Lambdas would write them. */
export function starterObjects(folder?: string): ContentObject[] {
  const read = (name: string, fallback: unknown): unknown => {
    if (!folder) return fallback;
    const file = path.join(folder, name);
    if (!existsSync(file)) return fallback;
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new StepError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  };
  const where = (name: string) =>
    folder && existsSync(path.join(folder, name)) ? path.join(folder, name) : `the starter ${name}`;
  const catalog = parseOrExplain<Catalog>(catalogSchema, read("catalog.json", STARTER_CATALOG), where("catalog.json"));
  const site = parseOrExplain<SiteStatus>(siteStatusSchema, read("site.json", STARTER_SITE), where("site.json"));
  const updatedAt = new Date().toISOString();
  const object = (key: string, value: object): ContentObject => ({
    key,
    body: JSON.stringify({ ...value, updatedAt }),
    contentType: "application/json; charset=utf-8",
    cacheControl: JSON_CACHE_CONTROL,
  });
  return [object("catalog.json", catalog), object("site.json", site)];
}
