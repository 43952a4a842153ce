/**
 * Security headers for every response. Documents get their CSP from entry.server (scripts as the page needs them:
 * none, our own files, or those plus a per-response nonce); everything else
 * (resource routes, single-fetch data, adapter errors) gets the baseline from functions/[[path]].ts;
 * static files get the same baseline from public/_headers.
 */

export const BASELINE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // Legacy twin of CSP frame-ancestors for browsers that ignore CSP.
  "X-Frame-Options": "DENY",
  "Permissions-Policy":
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** For responses that are not pages: nothing may load, frame or submit from them. */
export const NON_DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The scripts a document may run: none at all; only files from our origin (no inline script, so one copy of the page
 * can serve everyone, e.g. from the edge cache); or those plus inline scripts carrying this response's nonce (fresh
 * per response; Remix's and React's hydration scripts carry it).
 */
export type DocumentScripts = "none" | "self" | { nonce: string };

interface DocumentCspOptions {
  scripts: DocumentScripts;
  /** Where forms may post besides our own origin: the ECPay gateway. */
  formActionOrigins: readonly string[];
  /** Vite's dev server injects styles with JS and talks to its HMR websocket. */
  viteDev: boolean;
  /** Behind HTTPS (preview/production); locally everything is plain http on 127.0.0.1. */
  upgradeInsecureRequests: boolean;
}

export function documentCsp({
  scripts,
  formActionOrigins,
  viteDev,
  upgradeInsecureRequests,
}: DocumentCspOptions): string {
  const directives = [
    "default-src 'self'",
    scripts === "none"
      ? "script-src 'none'"
      : scripts === "self"
        ? "script-src 'self'"
        : `script-src 'self' 'nonce-${scripts.nonce}'`,
    viteDev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    viteDev ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${formActionOrigins.join(" ")}`.trim(),
    "frame-ancestors 'none'",
  ];
  if (upgradeInsecureRequests) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * Whether search engines may index this deployment (APP_ENV). Previews — every branch, and staging — must never
 * appear next to the real shop: there robots.txt disallows everything and every response carries
 * `X-Robots-Tag: noindex` (static files get it from the `_headers` of each non-production deploy,
 * scripts/deploy/pages.ts). Production keeps its page-level rules, and so does `local`, which no crawler reaches
 * and where the SEO checks (end-to-end tests, Lighthouse) run against production's rules.
 */
export function indexable(appEnv: string | undefined): boolean {
  return appEnv !== "preview";
}

/** Sets the baseline on `headers`, leaving any value a route chose deliberately (the admin's `noindex, nofollow`). */
export function applyBaselineSecurityHeaders(headers: Headers, appEnv?: string): void {
  for (const [name, value] of Object.entries(BASELINE_SECURITY_HEADERS)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", NON_DOCUMENT_CSP);
  if (!indexable(appEnv) && !headers.has("X-Robots-Tag")) headers.set("X-Robots-Tag", "noindex");
}

/** Same as applyBaselineSecurityHeaders for a response whose headers may be immutable (fetched or cached). */
export function withBaselineSecurityHeaders(response: Response, appEnv?: string): Response {
  // WebSocket upgrades cannot be re-wrapped; none exist today, but the wrapper must not break one.
  if (response.status === 101) return response;
  const copy = new Response(response.body, response);
  applyBaselineSecurityHeaders(copy.headers, appEnv);
  return copy;
}

/** 128 random bits, base64: unguessable per response, as CSP nonces must be. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
