/**
 * Cross-site request refusal for every admin mutation (anything but GET/HEAD), on top of SameSite=Lax cookies.
 * A browser says where a request comes from in `Sec-Fetch-Site` (all current browsers) and `Origin` (every POST);
 * a mutation must be same-origin by both when present, and one of them must be present. Same-origin means the
 * origin the request was made to, so preview deployments on other hostnames work as well.
 */

export type OriginCheck = { ok: true } | { ok: false; reason: string };

export function isMutation(request: Request): boolean {
  return request.method !== "GET" && request.method !== "HEAD";
}

export function checkSameOrigin(request: Request): OriginCheck {
  const fetchSite = request.headers.get("Sec-Fetch-Site");
  const origin = request.headers.get("Origin");
  if (fetchSite === null && origin === null) return { ok: false, reason: "no Origin or Sec-Fetch-Site header" };
  if (fetchSite !== null && fetchSite !== "same-origin") return { ok: false, reason: `Sec-Fetch-Site: ${fetchSite}` };
  if (origin !== null && origin !== new URL(request.url).origin) return { ok: false, reason: `Origin: ${origin}` };
  return { ok: true };
}
