import { formatTaipei } from "../../aws/src/domain/taipei-time";

/**
 * Prices are integer NT dollars. Formatted by hand rather than with Intl's TWD currency style, which prints
 * "$" in zh-TW and "NT$" elsewhere and so could differ between the server and the shopper's browser.
 */
const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatTwd(amount: number): string {
  return `NT$${grouping.format(amount)}`;
}

/**
 * `2026/11/27 10:05` in Taipei time, so the server and the shopper's browser, whatever its time zone, render the
 * same text; an unreadable value is shown as it came.
 */
export function formatTaipeiDateTime(iso: string): string {
  try {
    return formatTaipei(iso, "yyyy/MM/dd HH:mm");
  } catch {
    return iso;
  }
}
