/**
 * Server rendering on workerd. Every document response leaves here with a fresh CSP nonce, which the
 * inline scripts of Remix (hydration data) and React (streaming) carry via NonceProvider.
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
import { applyBaselineSecurityHeaders, createNonce, documentCsp } from "../worker/security-headers";
import { NonceProvider } from "./lib/nonce";

/** Remix aborts pending deferred data after this; the render is aborted a second later. */
export const streamTimeout = 5_000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = createNonce();
  const { env } = loadContext.cloudflare;

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

  // Crawlers get the complete document in one piece; people get it streamed.
  if (isbot(request.headers.get("user-agent") ?? "")) await body.allReady;

  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set(
    "Content-Security-Policy",
    documentCsp({
      nonce,
      formActionOrigins: [env.ECPAY_GATEWAY_ORIGIN],
      viteDev: import.meta.env.DEV,
      // Behind HTTPS (every Cloudflare deployment) ask for it everywhere; a local http origin has none to upgrade to.
      upgradeInsecureRequests: new URL(request.url).protocol === "https:",
    }),
  );
  // Pages can show the shopper's own data (cart, orders) and the nonce is per response: never share a copy.
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
