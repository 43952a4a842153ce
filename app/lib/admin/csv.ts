/**
 * CSV for the owner's spreadsheet (RFC 4180): UTF-8 with a byte-order mark so Excel reads Chinese correctly, CRLF
 * line ends, fields quoted when they hold a quote, comma or line break. Text that a spreadsheet would take for a
 * formula (starting with = + - @, tab or carriage return) gets a leading apostrophe, so a shopper cannot plant a
 * formula in their name or address (CSV injection).
 */
import type { FeeLine, Order } from "../../../aws/src/contract";
import { CARRIER_NAMES } from "../../../aws/src/domain/carriers";
import { CVS_CHAIN_NAMES } from "../../../aws/src/domain/pickup";
import { formatTaipei } from "../../../aws/src/domain/taipei-time";
import { METHOD_LABELS, STATUS_LABELS } from "./labels";

type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const BOM = "\uFEFF";

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return `${BOM}${rows.map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export const ORDER_CSV_HEADER = [
  "訂單編號",
  "下單時間（台北）",
  "狀態",
  "付款方式",
  "金額（新台幣）",
  "收件人",
  "手機",
  "Email",
  "地址",
  "品項",
  "備註",
  "綠界交易編號",
  "付款類型",
  "付款時間",
  "取貨門市",
  "發票號碼",
  "發票日期",
  "商品小計",
  "運費",
  "貨到付款手續費",
  "物流業者",
  "物流單號",
] as const;

function feeOf(order: Order, kind: FeeLine["kind"]): number {
  return order.fees?.filter((fee) => fee.kind === kind).reduce((sum, fee) => sum + fee.amount, 0) ?? 0;
}

/**
 * One row per order. The mobile number is written 09xx-xxx-xxx: as bare digits a spreadsheet would read it as a
 * number and drop the leading zero.
 */
export function ordersToCsv(orders: readonly Order[]): string {
  const rows = orders.map((order) => [
    order.id,
    formatTaipei(order.createdAt, "yyyy-MM-dd HH:mm"),
    STATUS_LABELS[order.status],
    METHOD_LABELS[order.paymentMethod],
    order.total,
    order.customer.name,
    order.customer.phone.replace(/^(\d{4})(\d{3})(\d{3})$/, "$1-$2-$3"),
    order.customer.email,
    order.customer.address,
    order.lines.map((line) => `${line.name} ×${line.quantity}`).join("、"),
    order.note ?? "",
    order.payment?.tradeNo ?? "",
    order.payment?.paymentType ?? "",
    order.payment?.paymentDate ?? "",
    // Store pickup and the e-invoice (ADR 0027).
    order.pickupStore
      ? `${CVS_CHAIN_NAMES[order.pickupStore.chain]} ${order.pickupStore.name}（${order.pickupStore.id}）`
      : "",
    order.invoice?.number ?? "",
    order.invoice?.date?.slice(0, 10) ?? "",
    // Orders from before fees existed have no subtotal: it is their total.
    order.subtotal ?? order.total,
    feeOf(order, "shipping"),
    feeOf(order, "cod_surcharge"),
    order.shipment ? CARRIER_NAMES[order.shipment.carrier] : "",
    order.shipment?.trackingNumber ?? "",
  ]);
  return toCsv([ORDER_CSV_HEADER, ...rows]);
}
