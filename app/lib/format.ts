/**
 * Prices are integer NT dollars. Formatted by hand rather than with Intl's TWD currency style, which prints
 * "$" in zh-TW and "NT$" elsewhere and so could differ between the server and the shopper's browser.
 */
const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatTwd(amount: number): string {
  return `NT$${grouping.format(amount)}`;
}

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * `2026/11/27 10:05` in Taipei time (UTC+8, no daylight saving). Done by hand so the server and the shopper's
 * browser, whatever its time zone, render the same text.
 */
export function formatTaipeiDateTime(iso: string): string {
  const t = new Date(Date.parse(iso) + TAIPEI_OFFSET_MS);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}
