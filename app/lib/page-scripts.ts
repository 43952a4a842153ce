/**
 * Which JavaScript a page ships, declared by its routes (Remix's documented pattern: a route `handle` read in
 * root.tsx, which leaves out `<Scripts />` and its modulepreloads). Browser-safe: root.tsx and entry.server read it.
 *
 *   - nothing declared: **no JavaScript at all** (0 bytes). Every shopper form posts and redirects without it, so this
 *     is the default; the catalog, product, cart and lookup pages are such pages (and can be cached at the edge as
 *     one document for everyone, app/lib/page-cache.server.ts).
 *   - `"enhance"`: the storefront's one small script (app/enhance.js, about 1 kB gzip, no framework) for what truly
 *     gains from it: the ECPay hand-off submitting itself, copy buttons, a busy label on a form being sent.
 *   - `"hydrate"`: the whole Remix runtime (React, React DOM, Remix's router and the route modules, about 90 kB gzip)
 *     with client navigation and fetchers: the owner's admin.
 *
 * A page's need is the strongest any of its matched routes declares (a layout's need covers its children).
 */
export type PageScripts = "none" | "enhance" | "hydrate";

/** What a route module may export as `handle`. */
export interface PageHandle {
  scripts?: Exclude<PageScripts, "none">;
}

const STRENGTH: Record<PageScripts, number> = { none: 0, enhance: 1, hydrate: 2 };

/** The page's need from its matched routes' handles (`useMatches()` on the page, route modules in entry.server). */
export function pageScriptsOf(handles: readonly unknown[]): PageScripts {
  let need: PageScripts = "none";
  for (const handle of handles) {
    const declared = (handle as PageHandle | undefined)?.scripts;
    if (declared && STRENGTH[declared] > STRENGTH[need]) need = declared;
  }
  return need;
}
