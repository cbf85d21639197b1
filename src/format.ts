// Readable output for the terminal: aligned tables, numbers with 2 decimals.

/** The readable table shows at most this many rows; --json and --csv give every one. */
export const TABLE_ROWS = 10_000;

/** C0 and C1 control characters: never written raw into a table or a page. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters as escapes (\n, \t, \u0001): a cell with a newline must not break a table's rows. */
export const escapeControl = (text: string): string =>
  text.replace(CONTROL_CHARACTERS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));

/** An aligned table, one line per row whatever the cells hold. */
export function table(headers: string[], rows: Array<Array<string | number>>, rightAligned: number[] = []): string {
  const text = rows.map((r) => r.map((c) => (typeof c === 'number' ? fixed2(c) : escapeControl(c))));
  headers = headers.map(escapeControl);
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** 16777216 → "16MB": the largest unit that divides it, as --chunk-size is written. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)}MB`;
  return `${bytes}B`;
}

/** Query parameters that carry a credential: their values are masked as a password is. */
const SECRET_PARAMS = /^(token|access_token|api_?key|apikey|key|password|passwd|secret|client_secret|sig|signature|auth)$/i;

/** A URL as messages, logs and provenance files show it: its password and tokens never written anywhere. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    const secrets = [...u.searchParams.keys()].filter((k) => SECRET_PARAMS.test(k));
    if (u.password === '' && secrets.length === 0) return url;
    if (u.password !== '') u.password = '***';
    for (const k of secrets) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return url;
  }
}

/** `value` with every http(s) URL among its strings shown as shownUrl shows it: for files written to disk. */
export function maskUrls<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' && /^https?:\/\//i.test(v) ? shownUrl(v) : v)) as T;
}

/**
 * A value rounded to 2 decimals for output, half away from zero on the decimal value a person
 * reads (the shortest digits that give the double back): 1.835 is 1.84 and 1799.185 is 1799.19,
 * as DuckDB and a person say, where toFixed rounds the binary value below them (1.8349999…)
 * down. Comparisons and means use the unrounded value.
 */
export function round2(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value).toString();
  // Exponent notation: below 1e-6 (rounds to 0) or above 1e21 (no decimals to round).
  if (digits.includes('e')) return Number(value.toFixed(2));
  const [whole, frac = ''] = digits.split('.');
  if (frac.length <= 2) return value;
  let cents = BigInt(whole + frac.slice(0, 2));
  if (frac.charCodeAt(2) >= 53) cents += 1n; // '5'..'9': away from zero
  const rounded = Number(cents) / 100;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/** A number as output shows it: rounded as round2, with 2 decimals. */
export const fixed2 = (value: number): string => (Number.isFinite(value) ? round2(value).toFixed(2) : String(value));
