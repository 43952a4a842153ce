/**
 * Prices are integer NT dollars. Formatted by hand rather than with Intl's TWD currency style, which prints
 * "$" in zh-TW and "NT$" elsewhere and so could differ between the server and the shopper's browser.
 */
const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatTwd(amount: number): string {
  return `NT$${grouping.format(amount)}`;
}
