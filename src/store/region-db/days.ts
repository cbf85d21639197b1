// Dates as day numbers, the storage of every date of a region database: the codec and the
// SQL that turns them back into text.
import { LATEST_FOREVER } from '../../rules/current.js';

/**
 * Dates are stored as day numbers (the Julian day of the date's start, SQLite's julianday() less
 * 0.5: 2460310 for 2024-01-01), '' as 0, before every date as '' is; 3 bytes where the text took
 * 10. The view shows them as text; the queries' interval tests read the numbers, through the
 * view `gdp_days`: the columns of `gdp` and the day numbers.
 */
/** A day number's date as text: '' for 0, NULL for NULL. */
export function dayText(column: string): string {
  return `CASE ${column} WHEN 0 THEN '' ELSE date(${column} + 0.5) END`;
}
/** @param, a date as text, as a day number: SQLite computes it once per statement. */
export const dayOfParam = (param: string): string => `(julianday(${param}) - 0.5)`;

/**
 * The day number of a date `YYYY-MM-DD` (any year 0000-9999, proleptic Gregorian as SQLite's), '' 0.
 * Worked out from the digits (days from the civil date, as in H. Hinnant's "chrono-compatible
 * low-level date algorithms"): a map of dates to numbers cost a string hash per row, as each
 * row's date is a fresh slice of its line.
 */
export function dayNumber(date: string): number {
  if (date.length === 0) return 0;
  const month = digit(date, 5) * 10 + digit(date, 6);
  // Years start in March, so a leap day is a year's last.
  const year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3) - (month <= 2 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + digit(date, 8) * 10 + digit(date, 9) - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468 + UNIX_EPOCH_DAY;
}
const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;
/** 1970-01-01's day number. */
const UNIX_EPOCH_DAY = 2440587;
/** LATEST_FOREVER's. */
export const FOREVER_DAY = dayNumber(LATEST_FOREVER);
