/**
 * Remix refuses a POST to a page whose `Origin` names another host than the request's `Host`, but it does so by
 * throwing, which the shopper or owner sees as a bare 500. This answers the same requests first with a 403 that
 * says why, so a cross-site form post is a refused request rather than a server error.
 *
 * ECPay's OrderResultURL return is the one cross-site POST we accept; it is a resource route, which Remix never
 * checks, and it is exempt here too.
 */
const ACCEPTS_CROSS_SITE_POSTS = /^\/orders\/[^/]+\/return\/?$/;

export function refuseForeignOriginPost(request: Request): Response | null {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return null;
  const origin = request.headers.get("Origin");
  if (!origin || origin === "null") return null;
  const url = new URL(request.url);
  if (ACCEPTS_CROSS_SITE_POSTS.test(url.pathname)) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = "";
  }
  // Remix compares with X-Forwarded-Host when present, else Host; so do we, so the two never disagree.
  const host = request.headers.get("X-Forwarded-Host")?.split(",")[0]?.trim() || request.headers.get("Host") || url.host;
  if (originHost === host) return null;
  return new Response("這個表單只接受來自本站的送出。Cross-site form submissions are not accepted.", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
