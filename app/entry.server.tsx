/**
 * Server rendering on workerd. The CSP follows what the page's routes declare (app/lib/page-scripts.ts): a page
 * without JavaScript may run no script at all; one with the small enhancement script only our own files; a page
 * Remix hydrates gets a fresh nonce per response, which the inline scripts of Remix (hydration data) and React
 * (streaming) carry via NonceProvider.
 */
import type {
  AppLoadContext,
  EntryContext,
  HandleDataRequestFunction,
  HandleErrorFunction,
} from "@remix-run/cloudflare";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToReadableStream } from "react-dom/server";
import {
  applyBaselineSecurityHeaders,
  createNonce,
  type DocumentScripts,
  documentCsp,
} from "../worker/security-headers";
import { NonceProvider } from "./lib/nonce";
import { pageScriptsOf } from "./lib/page-scripts";

/** Remix aborts pending deferred data after this; the render is aborted a second later. */
export const streamTimeout = 5_000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const { env } = loadContext.cloudflare;
  const need = pageScriptsOf(
    remixContext.staticHandlerContext.matches.map((match) => remixContext.routeModules[match.route.id]?.handle),
  );
  // Only a page with inline scripts (Remix's) gets a nonce; the others are the same for every response.
  const nonce = need === "hydrate" ? createNonce() : undefined;
  const scripts: DocumentScripts = nonce ? { nonce } : need === "enhance" ? "self" : "none";

  const renderAbort = new AbortController();
  const abortTimer = setTimeout(() => renderAbort.abort(), streamTimeout + 1_000);
  request.signal.addEventListener("abort", () => renderAbort.abort(request.signal.reason), { once: true });

  const body = await renderToReadableStream(
    <NonceProvider value={nonce}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </NonceProvider>,
    {
      nonce,
      signal: renderAbort.signal,
      onError(error: unknown) {
        // Errors inside the shell after headers were decided; the ones before reach handleError.
        if (!renderAbort.signal.aborted) console.error(error);
        responseStatusCode = 500;
      },
    },
  );
  body.allReady.then(
    () => clearTimeout(abortTimer),
    () => clearTimeout(abortTimer),
  );

  // Crawlers get the complete document in one piece; people get it streamed. A page without Remix's runtime is
  // always sent complete: a boundary streamed later would need React's inline script, which its CSP refuses.
  if (nonce === undefined || isbot(request.headers.get("user-agent") ?? "")) await body.allReady;

  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set(
    "Content-Security-Policy",
    documentCsp({
      scripts,
      formActionOrigins: [
        env.ECPAY_GATEWAY_ORIGIN,
        ...(env.ECPAY_LOGISTICS_ORIGIN && env.ECPAY_LOGISTICS_ORIGIN !== env.ECPAY_GATEWAY_ORIGIN
          ? [env.ECPAY_LOGISTICS_ORIGIN]
          : []),
      ],
      viteDev: import.meta.env.DEV,
      // Behind HTTPS (every Cloudflare deployment) ask for it everywhere; a local http origin has none to upgrade to.
      upgradeInsecureRequests: new URL(request.url).protocol === "https:",
    }),
  );
  // Pages show the shopper's own data (the cart count, carts, orders): no shared cache may keep a copy. The catalog
  // and product pages are shared at the edge as one anonymous copy instead (app/lib/page-cache.server.ts).
  if (!responseHeaders.has("Cache-Control")) responseHeaders.set("Cache-Control", "private, no-cache");
  applyBaselineSecurityHeaders(responseHeaders, env.APP_ENV);

  return new Response(body, { headers: responseHeaders, status: responseStatusCode });
}

/** Single-fetch data responses get the baseline too, so `vite dev` matches production. */
export const handleDataRequest: HandleDataRequestFunction = (response, { context }) => {
  applyBaselineSecurityHeaders(response.headers, context.cloudflare?.env?.APP_ENV);
  return response;
};

export const handleError: HandleErrorFunction = (error, { request }) => {
  // A shopper navigating away aborts their request; that is not an error worth logging.
  if (request.signal.aborted) return;
  console.error(error);
};
