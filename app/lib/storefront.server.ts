/**
 * Page-level BFF functions for the shopper routes: each loader calls exactly one of these. They compose the
 * edge services in worker/ and turn their failures into the HTTP answers pages show.
 */
import { data } from "@remix-run/cloudflare";
import type { Product } from "../../aws/src/contract";
import type { BffContext } from "../../worker/bff-context";
import { ContentUnavailableError, getCatalog, getSiteStatus } from "../../worker/content.server";
import { DEFAULT_CLOSED_MESSAGE, type ServiceUnavailableData } from "./shop";

/**
 * Paths that stay reachable while the shop is closed; the owner still needs the admin to reopen it.
 * Resource routes (/images, /healthz) never run the root loader, so they need no entry here.
 */
function isShopperPath(pathname: string): boolean {
  return !(pathname === "/admin" || pathname.startsWith("/admin/"));
}

export interface ShellData {
  announcement: string | null;
}

/** For the root loader: the site status every page needs, and the one place a closed shop answers 503. */
export async function loadShell(bff: BffContext, url: URL): Promise<ShellData> {
  const site = await orUnavailable(getSiteStatus(bff));
  if (!site.open && isShopperPath(url.pathname)) {
    throw serviceUnavailable({ reason: "closed", message: site.closedMessage || DEFAULT_CLOSED_MESSAGE });
  }
  return { announcement: site.announcement || null };
}

export interface CatalogPageData {
  products: Product[];
}

export async function loadCatalogPage(bff: BffContext): Promise<CatalogPageData> {
  const catalog = await orUnavailable(getCatalog(bff));
  const products = [...catalog.products].sort(
    (a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, "zh-Hant-TW"),
  );
  return { products };
}

async function orUnavailable<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof ContentUnavailableError) throw serviceUnavailable({ reason: "unavailable" });
    throw error;
  }
}

function serviceUnavailable(body: ServiceUnavailableData) {
  return data(body, {
    status: 503,
    headers: {
      "Cache-Control": "no-store",
      // Crawlers keep the page indexed and come back, rather than dropping it.
      "Retry-After": body.reason === "closed" ? "3600" : "60",
    },
  });
}
