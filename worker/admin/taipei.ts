/** Calendar arithmetic in Taipei time (UTC+8 all year, no daylight saving), as `YYYY-MM-DD` strings. */

const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The Taipei calendar day of an instant. */
export function taipeiDay(at: Date | number | string): string {
  return new Date(new Date(at).getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:mm` in Taipei. */
export function taipeiDateTime(at: Date | number | string): string {
  return new Date(new Date(at).getTime() + OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

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
