// SPEC §8 `extract weo`: the IMF's World Economic Outlook database as published for each
// vintage ("entire dataset, by countries": WEOOct2024all.xls and the like, tab-separated text
// despite the name), in every layout the IMF has shipped: cells quoted as in CSV, numbers with
// thousands separators, lines of nothing but tabs, the vintage line quoted and padded with
// tabs, header cells with trailing spaces, `Estimates Start After` present or not. Built to the
// IMF's own files in data/real/, not to what the format "should" be.
//
// Pure: decoded lines in, dump rows out through a callback, or the first thing that is wrong.
// The command does the I/O (commands/extract-weo.ts, extract/weo-file.ts).
import { isoCodeOf } from './imf.js';
import { shiftDecimal } from './decimal.js';

export const WEO_COLUMNS = {
  iso: 'ISO',
  subject: 'WEO Subject Code',
  country: 'Country',
  units: 'Units',
  scale: 'Scale',
} as const;
const ESTIMATES_COLUMN = 'Estimates Start After';
/** The header of the IMF's country-group file, which holds aggregates and no country. */
const GROUP_FILE_COLUMN = 'WEO Country Group Code';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const VINTAGE_LINE = new RegExp(`^International Monetary Fund, World Economic Outlook Database, (${MONTHS.join('|')}) ([0-9]{4})$`);

/**
 * A line's cells: tab-separated, each quoted as in CSV or not (`"1,234.5"`, `"Korea, Republic
 * of"`, `""` for a quote inside a quoted cell). A quote inside an unquoted cell is literal.
 */
export function weoCells(line: string): string[] {
  const cells: string[] = [];
  let at = 0;
  for (;;) {
    if (line.charCodeAt(at) === 0x22) {
      let text = '';
      let from = at + 1;
      for (;;) {
        const quote = line.indexOf('"', from);
        if (quote < 0) {
          // Never closed: the rest of the line is the cell's.
          text += line.slice(from);
          at = line.length;
          break;
        }
        text += line.slice(from, quote);
        if (line.charCodeAt(quote + 1) === 0x22) {
          text += '"';
          from = quote + 2;
          continue;
        }
        // Text between the closing quote and the tab stays the cell's, as written.
        const tab = line.indexOf('\t', quote + 1);
        text += line.slice(quote + 1, tab < 0 ? line.length : tab);
        at = tab < 0 ? line.length : tab;
        break;
      }
      cells.push(text);
    } else {
      const tab = line.indexOf('\t', at);
      cells.push(line.slice(at, tab < 0 ? line.length : tab));
      at = tab < 0 ? line.length : tab;
    }
    if (at >= line.length) return cells;
    at++; // past the tab
    if (at === line.length) {
      cells.push('');
      return cells;
    }
  }
}

/** A line of nothing but tabs, spaces and quotes: blank, as the IMF pads its files. */
export function isBlankWeoLine(line: string): boolean {
  return /^[\t "\r\u00a0]*$/.test(line);
}

/**
 * The vintage a footer line names ("October 2024"), quoted or not, padded with tabs or not;
 * null when the line is no WEO footer.
 */
export function vintageOf(line: string): string | null {
  const cells = weoCells(line);
  if (cells.slice(1).some((c) => c.trim() !== '')) return null;
  const m = VINTAGE_LINE.exec(cells[0].trim().replace(/\s+/g, ' '));
  return m === null ? null : `${m[1]} ${m[2]}`;
}

/** Powers of ten the `Scale` column multiplies a value by to give millions. */
const SCALE_TO_MILLIONS: Record<string, number> = { billions: 3, millions: 0, thousands: -3, units: -6 };

/** Values that give no row. */
const NO_VALUE = new Set(['', 'n/a', '--', 'na', '..']);
/** Thousands separators the IMF's files and their re-saves use: comma, space, NBSP, thin spaces. */
const SEPARATORS = /[, \u00a0\u2009\u202f]/g;
const DECIMAL = /^(-?)([0-9]+(\.[0-9]+)?)$/;

/**
 * A WEO cell's number as decimal text in millions (Scale applied on the digits), or null when
 * it is no number. A negative value keeps its sign: the run rejects it (invalid_gdp) visibly.
 */
export function weoValueMillions(raw: string, shift: number): string | null {
  const m = DECIMAL.exec(raw.replace(SEPARATORS, ''));
  if (m === null) return null;
  return m[1] + shiftDecimal(m[2], shift);
}

export interface WeoRow {
  country: string;
  country_code: string;
  year: string;
  gdp_usd_million: string;
  /** The row's `Estimates Start After` when it is a year, else ''. */
  estimates_start_after: string;
}

export type WeoOutcome = { ok: true; vintage: string; rows: number; units: string | null; estimatesColumn: boolean } | { ok: false; reason: string };

/** Subjects listed in a "no such subject" message, at most. */
const SUBJECTS_SHOWN = 12;

/**
 * Reads one WEO file line by line. Columns are found by header name; blank lines are
 * skipped; the last non-blank line must name the vintage. Rows of other subjects are read
 * past; only a subject in U.S. dollars makes a GDP dump.
 */
export class WeoReader {
  private columns: Record<keyof typeof WEO_COLUMNS, number> | null = null;
  private estimatesAt = -1;
  private years: Array<{ at: number; year: string }> = [];
  private lastLine = '';
  private subjectRows = 0;
  private rows = 0;
  private units: string | null = null;
  private failure: string | null = null;
  private lineNumber = 0;
  private readonly subjects = new Set<string>();

  constructor(
    private readonly subject: string,
    private readonly emit: (row: WeoRow) => void,
  ) {}

  /** One line of text, without its line ending. Returns false once the file is found wrong. */
  line(text: string): boolean {
    if (this.failure !== null) return false;
    this.lineNumber++;
    if (isBlankWeoLine(text)) return true;
    this.lastLine = text;
    if (this.columns === null) return this.readHeader(text);
    const c = this.columns;
    const cells = weoCells(text);
    // The footer is one cell; any short line is no row of figures.
    if (cells.length <= c.subject) return true;
    const subject = cells[c.subject].trim();
    if (subject !== this.subject) {
      if (subject !== '' && this.subjects.size < 1000) this.subjects.add(subject);
      return true;
    }
    this.subjectRows++;
    const units = (cells[c.units] ?? '').trim();
    if (this.units === null) this.units = units;
    if (!/^u\.?\s?s\.? dollars?$/i.test(units)) {
      return this.fail(`subject ${this.subject} is in ${JSON.stringify(units)}, not U.S. dollars (line ${this.lineNumber}): only a subject in U.S. dollars makes a GDP dump`);
    }
    const scaleText = (cells[c.scale] ?? '').trim();
    const shift = SCALE_TO_MILLIONS[scaleText.toLowerCase()];
    if (shift === undefined) return this.fail(`line ${this.lineNumber}: Scale must be one of Billions, Millions, Thousands, Units, got ${JSON.stringify(scaleText)}`);
    const country = (cells[c.country] ?? '').trim();
    const code = isoCodeOf((cells[c.iso] ?? '').trim().toUpperCase());
    const estimates = this.estimatesAt < 0 ? '' : (cells[this.estimatesAt] ?? '').trim();
    const estimatesStartAfter = /^[0-9]{4}$/.test(estimates) ? estimates : '';
    for (const { at, year } of this.years) {
      const raw = (cells[at] ?? '').trim();
      if (NO_VALUE.has(raw.toLowerCase())) continue;
      const value = weoValueMillions(raw, shift);
      // A value written as it stands would be read by the run in another scale: never write one.
      if (value === null) return this.fail(`line ${this.lineNumber}, column ${at + 1} (${year}): ${JSON.stringify(raw.slice(0, 40))} is not a number`);
      this.emit({ country, country_code: code, year, gdp_usd_million: value, estimates_start_after: estimatesStartAfter });
      this.rows++;
    }
    return true;
  }

  /** After the last line: the vintage and how many rows, or what was missing. */
  finish(): WeoOutcome {
    if (this.failure !== null) return { ok: false, reason: this.failure };
    if (this.columns === null) return { ok: false, reason: 'has no WEO header line (WEO Subject Code, ISO, Country, Units, Scale and year columns): it is empty or not a WEO database file' };
    const vintage = vintageOf(this.lastLine);
    if (vintage === null) return { ok: false, reason: `has no vintage line at its end ("International Monetary Fund, World Economic Outlook Database, <Month> <Year>"); its last line is ${JSON.stringify(this.lastLine.slice(0, 80))}` };
    if (this.subjectRows === 0) {
      const held = [...this.subjects];
      const list = held.length === 0 ? 'no subject rows at all' : `its ${held.length} subject${held.length === 1 ? '' : 's'}: ${held.slice(0, SUBJECTS_SHOWN).join(', ')}${held.length > SUBJECTS_SHOWN ? ', ...' : ''}`;
      const reduced = vintage === 'April 2020' && this.subject === 'NGDPD' ? ' (April 2020 was the IMF\'s reduced release, without NGDPD: use another vintage)' : '';
      return { ok: false, reason: `has no rows of subject ${this.subject}${reduced}; it holds ${list}` };
    }
    return { ok: true, vintage, rows: this.rows, units: this.units, estimatesColumn: this.estimatesAt >= 0 };
  }

  private fail(reason: string): boolean {
    this.failure = reason;
    return false;
  }

  private readHeader(text: string): boolean {
    if (/^\s*</.test(text)) return this.fail('is an HTML page, not a WEO database file (a saved error page?)');
    const header = weoCells(text).map((h) => h.trim().replace(/\s+/g, ' '));
    const at = (name: string): number => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    if (at(GROUP_FILE_COLUMN) >= 0) {
      return this.fail(`is the IMF's country-group file (its header has "${GROUP_FILE_COLUMN}"): it holds aggregates such as World and no country. Download the "By Countries" file of that vintage (WEO<Mon><Year>all.xls, not ...alla.xls)`);
    }
    const columns = { iso: at(WEO_COLUMNS.iso), subject: at(WEO_COLUMNS.subject), country: at(WEO_COLUMNS.country), units: at(WEO_COLUMNS.units), scale: at(WEO_COLUMNS.scale) };
    const missing = Object.entries(columns).filter(([, i]) => i < 0).map(([k]) => WEO_COLUMNS[k as keyof typeof WEO_COLUMNS]);
    this.years = header.flatMap((h, i) => (/^[0-9]{4}$/.test(h) ? [{ at: i, year: h }] : []));
    const years = new Set<string>();
    for (const { year } of this.years) {
      if (years.has(year)) return this.fail(`has the year column ${year} twice in its header: which one holds the figures would be a guess`);
      years.add(year);
    }
    if (missing.length > 0 || this.years.length === 0) {
      const what = [...missing, ...(this.years.length === 0 ? ['year columns'] : [])].join(', ');
      return this.fail(`has no WEO header: its first line lacks ${what} (got ${JSON.stringify(text.slice(0, 120))})`);
    }
    this.columns = columns;
    this.estimatesAt = at(ESTIMATES_COLUMN);
    return true;
  }
}
