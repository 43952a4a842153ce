/**
 * Taipei time, the shop's one clock for calendar days and for every time shown or sent to ECPay. Taiwan is UTC+8
 * all year (no daylight saving since 1979), so a fixed offset is exact. Arithmetic on purpose: Lambda runs in UTC,
 * minimal Node builds may lack ICU time-zone data, and the shopper's browser must render the same text as the
 * server whatever its own time zone. Browser-safe (no Node imports): the edge and the pages use it too.
 */

export const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TaipeiDate {
  year: number;
  month: number;
  day: number;
}

type Instant = Date | number | string;

function shifted(at: Instant): Date {
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) throw new RangeError("Invalid Date");
  return new Date(t + TAIPEI_OFFSET_MS);
}

/** The Taipei calendar date of an instant, as numbers. */
export function taipeiDate(at: Instant): TaipeiDate {
  const s = shifted(at);
  return { year: s.getUTCFullYear(), month: s.getUTCMonth() + 1, day: s.getUTCDate() };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * An instant in Taipei time by a pattern of `yyyy`, `MM`, `dd`, `HH`, `mm` and `ss`, e.g. `yyyy/MM/dd HH:mm`.
 * Throws RangeError for an invalid instant. The formats in use:
 *   - `yyyy-MM-dd`: calendar days (the dashboard, the admin API's date filters, file names);
 *   - `yyyy/MM/dd HH:mm`: times shown on pages; `yyyy-MM-dd HH:mm`: the CSV export (spreadsheets read it as a date);
 *   - `yyyy/MM/dd HH:mm:ss` and `yyyy/MM/dd`: ECPay's protocol (aws/src/ecpay names them).
 */
export function formatTaipei(at: Instant, pattern: string): string {
  const s = shifted(at);
  const parts: Record<string, string> = {
    yyyy: pad(s.getUTCFullYear(), 4),
    MM: pad(s.getUTCMonth() + 1),
    dd: pad(s.getUTCDate()),
    HH: pad(s.getUTCHours()),
    mm: pad(s.getUTCMinutes()),
    ss: pad(s.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]!);
}

/** The Taipei calendar day of an instant, `YYYY-MM-DD`. */
export function taipeiDay(at: Instant): string {
  return formatTaipei(at, "yyyy-MM-dd");
}

/** Reads `yyyy/MM/dd HH:mm:ss` or `yyyy/MM/dd` (ECPay's formats) as Taipei time; throws RangeError otherwise. */
export function parseTaipeiDateTime(s: string): Date {
  const m = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s);
  if (!m) throw new RangeError(`Not an ECPay date: ${JSON.stringify(s)}`);
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const utc = Date.UTC(y as number, (mo as number) - 1, d as number, h, mi, sec);
  const check = new Date(utc);
  // Date.UTC rolls 2023/02/30 over into March; reject instead of guessing.
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() + 1 !== mo ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== sec
  ) {
    throw new RangeError(`Not a valid date: ${JSON.stringify(s)}`);
  }
  return new Date(utc - TAIPEI_OFFSET_MS);
}

/** `YYYY-MM-DD` plus `days` (negative for earlier). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

/** Whether `YYYY-MM-DD` names a real calendar day. */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
}
