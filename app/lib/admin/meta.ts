/** The admin's name and page titles (browser-safe: no server imports). */
import type { MetaDescriptor } from "@remix-run/cloudflare";
import { SHOP_NAME } from "../shop";

export const ADMIN_NAME = "店主後台";

export function adminMeta(title: string): MetaDescriptor[] {
  return [{ title: `${title}｜${ADMIN_NAME}｜${SHOP_NAME}` }, { name: "robots", content: "noindex, nofollow" }];
}
