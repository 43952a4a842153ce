/**
 * Who a throttle counts: the client's network, not its exact address. An IPv4 address is one client; an IPv6
 * customer usually holds a whole /64 (often a /56), so seven addresses of one /64 are one client. Cloudflare puts the
 * connecting address in `CF-Connecting-IP` (and, when the zone rewrites IPv6 clients to pseudo-IPv4 addresses, the
 * real one in `CF-Connecting-IPv6`, which then wins). The local stack passes the header through as Cloudflare does.
 */

/** The throttle key for a request: `local` when no address header is present (tests, a developer's machine). */
export function clientKeyFor(request: Request): string {
  const address = request.headers.get("CF-Connecting-IPv6") ?? request.headers.get("CF-Connecting-IP");
  return address === null ? "local" : networkKey(address);
}

/**
 * An IPv4 address as itself (`203.0.113.9`), an IPv6 address as its /64 (`2001:db8:1:2::/64`, one spelling for every
 * way of writing it), an IPv4-mapped IPv6 address as the IPv4 address, anything else as `raw:` and its first 64
 * characters (still counted, never merged with a real address).
 */
export function networkKey(address: string): string {
  const text = address.trim();
  const v4 = parseIpv4(text);
  if (v4) return v4.join(".");
  const v6 = parseIpv6(text);
  if (!v6) return `raw:${text.slice(0, 64)}`;
  const mapped = v6.slice(0, 5).every((h) => h === 0) && v6[5] === 0xffff;
  if (mapped) return [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff].join(".");
  return `${v6
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":")}::/64`;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

/** Eight 16-bit groups, or null. Accepts `::` compression, a trailing dotted IPv4 part, brackets and a zone id. */
function parseIpv6(text: string): number[] | null {
  let s = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const groups: number[] = [];
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  let tail: number[] = [];
  if (dotted) {
    const v4 = parseIpv4(dotted[2]!);
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    s = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (half: string) => (half === "" ? [] : half.split(":"));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  for (const group of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  groups.push(...head.map((g) => Number.parseInt(g, 16)));
  if (halves.length === 2) groups.push(...Array<number>(8 - known).fill(0));
  groups.push(...rest.map((g) => Number.parseInt(g, 16)), ...tail);
  return groups;
}
