// SPEC §8 `extract worldbank`: the World Bank's GDP in current US$ (NY.GDP.MKTP.CD), from its
// bulk download (API_NY.GDP.MKTP.CD_DS2_en_csv_v2_<n>.csv, as in data/real/) or its API v2
// (JSON pages). Pure: bytes or parsed JSON in, dump rows out, or what is wrong. The command
// does the I/O (commands/extract-worldbank.ts).
import { parse } from 'csv-parse/sync';
import { shiftDecimal } from './decimal.js';
import { isCalendarDate } from '../rules/normalize.js';

export const WORLD_BANK_INDICATOR = 'NY.GDP.MKTP.CD';

export interface WorldBankRow {
  country: string;
  country_code: string;
  year: string;
  gdp_usd_million: string;
}

export type WorldBankResult =
  | { ok: true; published: string; rows: WorldBankRow[]; aggregates: string[] }
  | { ok: false; reason: string };

/** The World Bank's own codes that ISO (and the country map) spell otherwise. */
const WORLD_BANK_TO_ISO: Record<string, string> = { KSV: 'XKX' };

export function isoCodeOfWorldBank(code: string): string {
  const upper = code.trim().toUpperCase();
  return WORLD_BANK_TO_ISO[upper] ?? upper;
}

const PLAIN = /^[0-9]+(\.[0-9]+)?$/;
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** US dollars as text (`1330167597.76536`, `1.2E+12`) → millions as decimal text, or null. */
export function dollarsToMillions(text: string): string | null {
  const bare = text.trim();
  if (PLAIN.test(bare)) return shiftDecimal(bare, -6);
  if (!NUMBER.test(bare)) return null;
  const value = Number(bare);
  if (!Number.isFinite(value)) return null;
  // A number in exponent form: its shortest decimal spelling, then the same shift.
  const decimal = value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  return PLAIN.test(decimal) ? shiftDecimal(decimal, -6) : null;
}

/**
 * One bulk file's text. `isEconomy(code)` says whether a code (after KSV -> XKX) is an
 * economy: the file does not say which rows are aggregates, the country map does.
 */
export function parseWorldBankCsv(text: string, isEconomy: (code: string) => boolean): WorldBankResult {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (error) {
    return { ok: false, reason: `is not the World Bank's bulk download (API_NY.GDP.MKTP.CD_DS2_en_csv_v2_<n>.csv): it does not read as CSV (${(error as Error).message.slice(0, 120)})` };
  }
  let sourceLine = false;
  let published: string | null = null;
  let header: string[] | null = null;
  let at = 0;
  for (; at < records.length && header === null; at++) {
    const r = records[at].map((c) => c.trim());
    if (r[0] === 'Data Source') sourceLine = true;
    else if (r[0] === 'Last Updated Date') published = r[1] ?? '';
    else if (r[0] === 'Country Name') header = r;
    else if (r.some((c) => c !== '')) break;
  }
  if (header === null) {
    return { ok: false, reason: 'has no header "Country Name,Country Code,Indicator Name,Indicator Code,<year>,..." after its "Data Source" and "Last Updated Date" lines: it is not the World Bank\'s bulk download (API_NY.GDP.MKTP.CD_DS2_en_csv_v2_<n>.csv)' };
  }
  if (!sourceLine || published === null) {
    return { ok: false, reason: `lacks its ${!sourceLine ? '"Data Source"' : '"Last Updated Date"'} line before the header: it is not the World Bank's bulk download as the Bank ships it` };
  }
  if (!isCalendarDate(published)) return { ok: false, reason: `has a "Last Updated Date" that is no date YYYY-MM-DD, got ${JSON.stringify(published.slice(0, 40))}` };
  const col = (name: string): number => header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  const nameAt = col('Country Name');
  const codeAt = col('Country Code');
  const indicatorAt = col('Indicator Code');
  const missing = [['Country Code', codeAt], ['Indicator Code', indicatorAt]].filter(([, i]) => (i as number) < 0).map(([n]) => n);
  const years = header.flatMap((h, i) => (/^[0-9]{4}$/.test(h) ? [{ at: i, year: h }] : []));
  if (missing.length > 0 || years.length === 0) return { ok: false, reason: `has a header without ${[...missing, ...(years.length === 0 ? ['year columns'] : [])].join(', ')}` };
  const rows: WorldBankRow[] = [];
  const aggregates = new Set<string>();
  for (let i = at; i < records.length; i++) {
    const r = records[i];
    if (r.every((c) => c.trim() === '')) continue;
    const indicator = (r[indicatorAt] ?? '').trim();
    if (indicator !== WORLD_BANK_INDICATOR) {
      return { ok: false, reason: `row ${i + 1} is of the indicator ${JSON.stringify(indicator.slice(0, 40))}, not ${WORLD_BANK_INDICATOR} (GDP, current US$): only that indicator makes a GDP dump` };
    }
    const code = isoCodeOfWorldBank(r[codeAt] ?? '');
    if (!isEconomy(code)) {
      aggregates.add(code || (r[nameAt] ?? '').trim());
      continue;
    }
    const country = (r[nameAt] ?? '').trim();
    for (const { at: c, year } of years) {
      const raw = (r[c] ?? '').trim();
      if (raw === '') continue;
      const millions = dollarsToMillions(raw);
      if (millions === null) return { ok: false, reason: `row ${i + 1}, column ${c + 1} (${year}): ${JSON.stringify(raw.slice(0, 40))} is not a number` };
      rows.push({ country, country_code: code, year, gdp_usd_million: millions });
    }
  }
  return { ok: true, published, rows, aggregates: [...aggregates].sort() };
}

/** The first element of an API v2 answer: where the pages stand. */
export interface WorldBankPage {
  page: number;
  pages: number;
  lastupdated?: string;
}

/** An API v2 page ([meta, rows]) checked, or what is wrong with it. */
export function apiPage(json: unknown): { meta: WorldBankPage; items: unknown[] } | { error: string } {
  if (!Array.isArray(json)) return { error: 'is not the World Bank API v2\'s [page, rows] array' };
  const meta = json[0] as Record<string, unknown> | undefined;
  if (meta !== null && typeof meta === 'object' && 'message' in meta) {
    return { error: `is the API's error ${JSON.stringify(meta.message).slice(0, 200)}` };
  }
  if (meta === undefined || typeof meta !== 'object' || meta === null || !Number.isInteger(Number(meta.page)) || !Number.isInteger(Number(meta.pages))) {
    return { error: 'lacks the page header {"page","pages",...} of the World Bank API v2' };
  }
  const items = json[1] ?? [];
  if (!Array.isArray(items)) return { error: 'has no array of rows after its page header' };
  return { meta: { page: Number(meta.page), pages: Number(meta.pages), lastupdated: typeof meta.lastupdated === 'string' ? meta.lastupdated : undefined }, items };
}

/** The aggregates' codes in the API's country list (region.value "Aggregates"). */
export function aggregateCodes(items: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const item of items) {
    const c = item as { id?: unknown; region?: { value?: unknown } };
    if (typeof c.id === 'string' && typeof c.region?.value === 'string' && c.region.value.trim() === 'Aggregates') out.add(isoCodeOfWorldBank(c.id));
  }
  return out;
}

/** The API's indicator rows as dump rows; aggregates (and rows without a code) left out and named. */
export function apiRows(items: readonly unknown[], aggregates: ReadonlySet<string>): { rows: WorldBankRow[]; aggregates: string[]; error?: string } {
  const rows: WorldBankRow[] = [];
  const left = new Set<string>();
  for (const item of items) {
    const r = item as { countryiso3code?: unknown; country?: { id?: unknown; value?: unknown }; date?: unknown; value?: unknown; indicator?: { id?: unknown } };
    if (typeof r.indicator?.id === 'string' && r.indicator.id !== WORLD_BANK_INDICATOR) return { rows, aggregates: [], error: `holds the indicator ${JSON.stringify(r.indicator.id)}, not ${WORLD_BANK_INDICATOR}` };
    const code = isoCodeOfWorldBank(typeof r.countryiso3code === 'string' ? r.countryiso3code : '');
    const name = typeof r.country?.value === 'string' ? r.country.value.trim() : '';
    if (code === '' || aggregates.has(code)) {
      left.add(code || (typeof r.country?.id === 'string' ? r.country.id : name));
      continue;
    }
    if (r.value === null || r.value === undefined) continue;
    const year = String(r.date ?? '');
    const millions = typeof r.value === 'number' || typeof r.value === 'string' ? dollarsToMillions(String(r.value)) : null;
    if (!/^[0-9]{4}$/.test(year) || millions === null) return { rows, aggregates: [], error: `has a row (${code} ${JSON.stringify(r.date)}) whose date or value is no year or number: ${JSON.stringify(r.value)}` };
    rows.push({ country: name, country_code: code, year, gdp_usd_million: millions });
  }
  return { rows, aggregates: [...left].sort() };
}
