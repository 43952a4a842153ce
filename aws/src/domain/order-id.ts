/**
 * Order ids and their DynamoDB keys (docs/decisions/0004-order-table-keys.md).
 *
 * An id such as `261127-4831-0926` is the Taipei date the order was placed plus eight random digits (10^8 a day, in
 * two groups of four to read aloud). It maps straight to the key `ordertype = order#202611`, `idsk = 2748310926`
 * (day × 10^8 + the digits), so a lookup by id is one GetItem, and each month's orders share one partition (and one
 * LSI item collection), far below DynamoDB's 10 GB collection limit.
 *
 * Ids made before the change, `261127-04831` (five digits, `idsk = day × 10^5 + digits`), keep working: both
 * formats map to keys and back, and the two never share a key (a legacy idsk is below 3.2 × 10^6, a current one at
 * least 10^8).
 */
import { randomInt } from "node:crypto";
import { type TaipeiDate, taipeiDate } from "./taipei-time";

/** Random digits per day in a current id: eight, so 10^8 ids a day. */
export const SERIAL_SPACE = 100_000_000;
/** Random digits per day in a legacy id (five). */
const LEGACY_SERIAL_SPACE = 100_000;

export interface OrderKey {
  ordertype: string;
  idsk: number;
}

export function monthPartition(year: number, month: number): string {
  return `order#${year}${String(month).padStart(2, "0")}`;
}

/** `YYMMDD-NNNN-NNNN`: the Taipei day and eight random digits. */
export function newOrderId(at: Date, serial: number = randomInt(SERIAL_SPACE)): string {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= SERIAL_SPACE)
    throw new RangeError(`serial out of range: ${serial}`);
  const { year, month, day } = taipeiDate(at);
  return formatId(year, month, day, serial, SERIAL_SPACE);
}

/** Returns null for anything that is not a well-formed id (current or legacy) of a real calendar day. */
export function orderKeyFromId(id: string): OrderKey | null {
  const match = /^(\d{2})(\d{2})(\d{2})-(?:(\d{4})-(\d{4})|(\d{5}))$/.exec(id);
  if (!match) return null;
  const [, yy, mm, dd, high, low, legacy] = match;
  const year = 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const idsk =
    legacy === undefined ? day * SERIAL_SPACE + Number(`${high}${low}`) : day * LEGACY_SERIAL_SPACE + Number(legacy);
  return { ordertype: monthPartition(year, month), idsk };
}

export function orderIdFromKey(key: OrderKey): string {
  const match = /^order#(\d{4})(\d{2})$/.exec(key.ordertype);
  if (!match) throw new Error(`not an order partition: ${key.ordertype}`);
  const space = key.idsk >= SERIAL_SPACE ? SERIAL_SPACE : LEGACY_SERIAL_SPACE;
  return formatId(Number(match[1]), Number(match[2]), Math.floor(key.idsk / space), key.idsk % space, space);
}

/**
 * The idsk ranges covering days `fromDay..toDay` (inclusive) of a month partition, newest first: current ids, then
 * legacy ids (which were all made before any current one).
 */
export function idskRangesForDays(fromDay: number, toDay: number): [number, number][] {
  return [SERIAL_SPACE, LEGACY_SERIAL_SPACE].map((space) => [fromDay * space, toDay * space + (space - 1)]);
}

function formatId(year: number, month: number, day: number, serial: number, space: number): string {
  const yymmdd = `${pad(year % 100, 2)}${pad(month, 2)}${pad(day, 2)}`;
  if (space === LEGACY_SERIAL_SPACE) return `${yymmdd}-${pad(serial, 5)}`;
  const digits = pad(serial, 8);
  return `${yymmdd}-${digits.slice(0, 4)}-${digits.slice(4)}`;
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

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
