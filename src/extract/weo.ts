// SPEC §8 `extract weo`: the IMF's World Economic Outlook database as published for each
// vintage ("entire dataset, by countries": WEOOct2024all.xls and the like, tab-separated text
// despite the name). Pure: decoded lines in, dump rows out through a callback, or the first
// thing that is missing. The command does the I/O (commands/extract-weo.ts).
import { isoCodeOf } from './imf.js';
import { shiftDecimal } from './decimal.js';

export const WEO_COLUMNS = {
  iso: 'ISO',
  subject: 'WEO Subject Code',
  country: 'Country',
  units: 'Units',
  scale: 'Scale',
} as const;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const VINTAGE_LINE = new RegExp(`^International Monetary Fund, World Economic Outlook Database, (${MONTHS.join('|')}) ([0-9]{4})\\s*$`);

/** The vintage a footer line names ("October 2024"), or null when the line is no WEO footer. */
export function vintageOf(line: string): string | null {
  const m = VINTAGE_LINE.exec(line.trim());
  return m === null ? null : `${m[1]} ${m[2]}`;
}

/** Powers of ten the `Scale` column multiplies a value by to give millions. */
const SCALE_TO_MILLIONS: Record<string, number> = { billions: 3, millions: 0, thousands: -3, units: -6 };

/** Values that give no row. */
const NO_VALUE = new Set(['', 'n/a', '--']);
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

export interface WeoRow {
  country: string;
  country_code: string;
  year: string;
  gdp_usd_million: string;
}

export type WeoOutcome = { ok: true; vintage: string; rows: number; units: string | null } | { ok: false; reason: string };

/**
 * Reads one WEO file line by line. Columns are found by header name; blank lines are
 * skipped; the last non-blank line must name the vintage. Rows of other subjects are read
 * past; only a subject in U.S. dollars makes a GDP dump.
 */
export class WeoReader {
  private header: string[] | null = null;
  private columns: Record<keyof typeof WEO_COLUMNS, number> | null = null;
  private years: Array<{ at: number; year: string }> = [];
  private lastLine = '';
  private subjectRows = 0;
  private rows = 0;
  private units: string | null = null;
  private failure: string | null = null;
  private lineNumber = 0;

  constructor(
    private readonly subject: string,
    private readonly emit: (row: WeoRow) => void,
  ) {}

  /** One line of text, without its line ending. Returns false once the file is found wrong. */
  line(text: string): boolean {
    if (this.failure !== null) return false;
    this.lineNumber++;
    if (text.trim() === '') return true;
    this.lastLine = text;
    if (this.header === null) return this.readHeader(text);
    const cells = text.split('\t');
    // The footer is one cell; any short line is no row of figures.
    if (cells.length <= (this.columns as Record<string, number>).subject) return true;
    const c = this.columns as Record<keyof typeof WEO_COLUMNS, number>;
    if (cells[c.subject].trim() !== this.subject) return true;
    this.subjectRows++;
    const units = cells[c.units].trim();
    if (this.units === null) this.units = units;
    if (!/^u\.?s\.? dollars?$/i.test(units)) {
      return this.fail(`subject ${this.subject} is in ${JSON.stringify(units)}, not U.S. dollars (line ${this.lineNumber}): only a subject in U.S. dollars makes a GDP dump`);
    }
    const scaleText = cells[c.scale].trim();
    const shift = SCALE_TO_MILLIONS[scaleText.toLowerCase()];
    if (shift === undefined) return this.fail(`line ${this.lineNumber}: Scale must be one of Billions, Millions, Units, got ${JSON.stringify(scaleText)}`);
    const country = cells[c.country].trim();
    const code = isoCodeOf(cells[c.iso].trim().toUpperCase());
    for (const { at, year } of this.years) {
      const raw = (cells[at] ?? '').trim();
      if (NO_VALUE.has(raw.toLowerCase())) continue;
      const bare = raw.replaceAll(',', '');
      // A value that is no number is written as it is: the run rejects it, visibly.
      const value = DECIMAL.test(bare) ? shiftDecimal(bare, shift) : raw;
      this.emit({ country, country_code: code, year, gdp_usd_million: value });
      this.rows++;
    }
    return true;
  }

  /** After the last line: the vintage and how many rows, or what was missing. */
  finish(): WeoOutcome {
    if (this.failure !== null) return { ok: false, reason: this.failure };
    if (this.header === null) return { ok: false, reason: 'has no WEO header line (WEO Subject Code, ISO, Country, Units, Scale and year columns): it is empty or not a WEO database file' };
    const vintage = vintageOf(this.lastLine);
    if (vintage === null) return { ok: false, reason: `has no vintage line at its end ("International Monetary Fund, World Economic Outlook Database, <Month> <Year>"); its last line is ${JSON.stringify(this.lastLine.slice(0, 80))}` };
    if (this.subjectRows === 0) return { ok: false, reason: `has no rows of subject ${this.subject}` };
    return { ok: true, vintage, rows: this.rows, units: this.units };
  }

  private fail(reason: string): boolean {
    this.failure = reason;
    return false;
  }

  private readHeader(text: string): boolean {
    if (/^\s*</.test(text)) return this.fail('is an HTML page, not a WEO database file (a saved error page?)');
    const header = text.split('\t').map((h) => h.trim());
    const at = (name: string): number => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    const columns = { iso: at(WEO_COLUMNS.iso), subject: at(WEO_COLUMNS.subject), country: at(WEO_COLUMNS.country), units: at(WEO_COLUMNS.units), scale: at(WEO_COLUMNS.scale) };
    const missing = Object.entries(columns).filter(([, i]) => i < 0).map(([k]) => WEO_COLUMNS[k as keyof typeof WEO_COLUMNS]);
    this.years = header.flatMap((h, i) => (/^[0-9]{4}$/.test(h) ? [{ at: i, year: h }] : []));
    if (missing.length > 0 || this.years.length === 0) {
      const what = [...missing, ...(this.years.length === 0 ? ['year columns'] : [])].join(', ');
      return this.fail(`has no WEO header: its first line lacks ${what} (got ${JSON.stringify(text.slice(0, 120))})`);
    }
    this.header = header;
    this.columns = columns;
    return true;
  }
}
