/**
 * Order ids and their DynamoDB keys (docs/decisions/0004-order-table-keys.md).
 *
 * An id such as `261127-04831` is the Taipei date the order was placed plus five random digits. It maps straight
 * to the key `ordertype = order#202611`, `idsk = 2704831`, so a lookup by id is one GetItem, and each month's orders
 * share one partition (and one LSI item collection), far below DynamoDB's 10 GB collection limit.
 */
import { randomInt } from "node:crypto";
import { type TaipeiDate, taipeiDate } from "./taipei-time";

const SERIAL_SPACE = 100_000;

export interface OrderKey {
  ordertype: string;
  idsk: number;
}

export function monthPartition(year: number, month: number): string {
  return `order#${year}${String(month).padStart(2, "0")}`;
}

export function newOrderId(at: Date, serial: number = randomInt(SERIAL_SPACE)): string {
  const { year, month, day } = taipeiDate(at);
  const yymmdd = `${String(year % 100).padStart(2, "0")}${pad2(month)}${pad2(day)}`;
  return `${yymmdd}-${String(serial).padStart(5, "0")}`;
}

/** Returns null for anything that is not a well-formed id of a real calendar day. */
export function orderKeyFromId(id: string): OrderKey | null {
  const match = /^(\d{2})(\d{2})(\d{2})-(\d{5})$/.exec(id);
  if (!match) return null;
  const [, yy, mm, dd, serial] = match as unknown as [string, string, string, string, string];
  const year = 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { ordertype: monthPartition(year, month), idsk: day * SERIAL_SPACE + Number(serial) };
}

export function orderIdFromKey(key: OrderKey): string {
  const match = /^order#(\d{4})(\d{2})$/.exec(key.ordertype);
  if (!match) throw new Error(`not an order partition: ${key.ordertype}`);
  const day = Math.floor(key.idsk / SERIAL_SPACE);
  const serial = key.idsk % SERIAL_SPACE;
  return `${match[1]?.slice(2)}${match[2]}${pad2(day)}-${String(serial).padStart(5, "0")}`;
}

/** The idsk range covering days `fromDay..toDay` (inclusive) of a month partition. */
export function idskRangeForDays(fromDay: number, toDay: number): [number, number] {
  return [fromDay * SERIAL_SPACE, toDay * SERIAL_SPACE + (SERIAL_SPACE - 1)];
}

/** Month partitions from `from` to `to` inclusive, newest first (the admin lists newest orders first). */
export function monthsBetween(from: TaipeiDate, to: TaipeiDate): { year: number; month: number }[] {
  const months: { year: number; month: number }[] = [];
  let year = to.year;
  let month = to.month;
  while (year > from.year || (year === from.year && month >= from.month)) {
    months.push({ year, month });
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return months;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
