/**
 * Which storefront a shopper is on, and whether the API may send them back there.
 *
 * The storefront tells the API its own origin (every branch preview has its own), and the API writes it into
 * ECPay's OrderResultURL / ClientBackURL. It accepts only origins on its allowlist (template parameter
 * AllowedOrigins, plus StorefrontUrl): an exact origin (`https://shop.example.tw`) or one subdomain level under a
 * host (`https://*.taiwan-shop.pages.dev` matches `https://feature-x.taiwan-shop.pages.dev`, not the host itself
 * and not `a.b.taiwan-shop.pages.dev`). Anything else would let a caller send shoppers to a site of its choosing.
 */

export type OriginRule =
  | { kind: "exact"; origin: string }
  | { kind: "subdomain"; protocol: string; suffix: string; port: string };

/** A bare origin (`scheme://host[:port]`, nothing after it) in canonical form, or null. */
export function canonicalOrigin(value: string): string | null {
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return null;
  try {
    const url = new URL(value);
    return url.origin === "null" ? null : url.origin;
  } catch {
    return null;
  }
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses `https://a.example,https://*.b.example`; throws on an entry that is neither form. */
export function parseOriginAllowlist(list: string): OriginRule[] {
  return list
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry): OriginRule => {
      const wildcard = /^(https?):\/\/\*\.([^/:?#@\s]+)(?::(\d{1,5}))?$/i.exec(entry);
      if (wildcard) {
        const [, protocol, host, port] = wildcard as unknown as [string, string, string, string | undefined];
        const suffix = host.toLowerCase();
        if (!suffix.includes(".") || !suffix.split(".").every((label) => LABEL.test(label))) {
          throw new Error(`origin pattern ${entry}: the part after *. must be a host name with a dot`);
        }
        return { kind: "subdomain", protocol: `${protocol.toLowerCase()}:`, suffix, port: port ?? "" };
      }
      const origin = canonicalOrigin(entry);
      if (!origin) throw new Error(`origin ${entry} is not scheme://host[:port] or scheme://*.host`);
      return { kind: "exact", origin };
    });
}

export function originAllowed(origin: string, rules: readonly OriginRule[]): boolean {
  const canonical = canonicalOrigin(origin);
  if (!canonical) return false;
  const url = new URL(canonical);
  return rules.some((rule) => {
    if (rule.kind === "exact") return rule.origin === canonical;
    if (url.protocol !== rule.protocol || url.port !== rule.port) return false;
    const host = url.hostname;
    if (!host.endsWith(`.${rule.suffix}`)) return false;
    return LABEL.test(host.slice(0, -rule.suffix.length - 1));
  });
}
