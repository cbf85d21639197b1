// SPEC §1 "Normalising a data record": pure functions from field text to a GDP figure or a
// reject reason. The rules run in the SPEC's order; the first that fails names the reason.

export const REGIONS = ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania'] as const;
export type Region = (typeof REGIONS)[number];

export const REJECT_REASONS = [
  'malformed_row',
  'missing_country',
  'missing_gdp',
  'invalid_gdp',
  'invalid_year',
  'invalid_country_code',
  'unknown_region',
  'invalid_published',
  'invalid_source',
  'invalid_estimates_start_after',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const REGION_BY_LOWER = new Map<string, Region>(REGIONS.map((r) => [r.toLowerCase(), r]));

/** `Africa` → `africa`: the name of a region's database file. */
export function regionFileName(region: Region): string {
  return region.toLowerCase();
}

export function parseRegionName(text: string): Region | undefined {
  return REGION_BY_LOWER.get(text.trim().toLowerCase());
}

const FOOTNOTE = /\[[^\]]*\]/g;
const WHITE_SPACE_RUN = /\s+/g;

/** Cleaning of text fields: drop footnote markers `[...]`, trim, collapse white space. */
export function cleanText(text: string): string {
  return isClean(text) ? text : text.replace(FOOTNOTE, '').replace(WHITE_SPACE_RUN, ' ').trim();
}

/**
 * Most names need no cleaning: no `[`, no white space but single inner spaces. Checking that
 * costs a fraction of the two regular-expression passes it saves on the hot path.
 */
function isClean(text: string): boolean {
  const n = text.length;
  if (n === 0) return true;
  let previousSpace = true; // a leading space is not clean
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if (c === 0x5b || c < 0x20 || c > 0x7e) {
      // `[`, control characters and non-ASCII (which may be Unicode white space): the slow path.
      return false;
    } else {
      previousSpace = false;
    }
  }
  return !previousSpace;
}

/** The case-insensitive identity of a cleaned country name. */
export function countryKey(cleanName: string): string {
  return cleanName.toLowerCase();
}

const COUNTRY_CODE = /^[A-Za-z]{3}$/;
const SOURCE_NAME = /^[a-z0-9_]+$/;

/** `country_code` text → the stored code (upper case), '' when empty, undefined when invalid. */
export function parseCountryCode(text: string): string | undefined {
  const bare = text.trim();
  if (bare === '') return '';
  return COUNTRY_CODE.test(bare) ? bare.toUpperCase() : undefined;
}

/** `source` text → the stored source (lower case, '' when none), undefined when invalid. */
export function parseSource(text: string): string | undefined {
  const bare = text.trim().toLowerCase();
  return bare === '' || SOURCE_NAME.test(bare) ? bare : undefined;
}

/**
 * The key the duplicate rule groups by within a region: the source, then the country's
 * identity (its code, or its cleaned name in lower case when it has none). A code is three
 * upper-case letters and a name key is lower case, so the two never meet; a source holds no
 * `:`, so the first one splits the key.
 */
export function factKey(source: string, identity: string): string {
  return `${source}:${identity}`;
}

/** A fact key's parts; `code` is the identity when it is a code. */
export function splitFactKey(key: string): { source: string; identity: string; code: string | null } {
  const at = key.indexOf(':');
  const identity = key.slice(at + 1);
  return { source: key.slice(0, at), identity, code: isIdentityCode(identity) ? identity : null };
}

/** Whether an identity is a code (three upper-case ASCII letters) rather than a name key. */
export function isIdentityCode(identity: string): boolean {
  if (identity.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = identity.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/**
 * SPEC §1, the one definition of a projection (the reduce's marker calls it for every row; the
 * warehouse stores its answer): after the publisher's
 * `estimates_start_after` year when the record gives one; else a year not before the year of
 * its `published` date (no figure of a year is actual before that year is over); a record
 * with neither is never a projection. `publishedYear` is null when undated: year 0000 is a
 * date like any other.
 */
export function isProjectionYear(year: number, publishedYear: number | null, estimatesStartAfter: number | null): boolean {
  if (estimatesStartAfter !== null) return year > estimatesStartAfter;
  return publishedYear !== null && year >= publishedYear;
}

const MISSING_GDP = new Set(['—', '–', '-', 'n/a', 'N/A', 'NA', '..']);
const GDP_SEPARATORS = /[, \u00a0\u2009\u202f]/g;
const GDP_NUMBER = /^[0-9]+(\.[0-9]+)?$/;
const YEAR = /^[0-9]{4}$/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** `gdp_usd_million` text → millions of USD, or the reason it is not a figure. */
export function parseGdpMillions(text: string): number | 'missing_gdp' | 'invalid_gdp' {
  if (GDP_NUMBER.test(text)) {
    const plain = Number(text);
    if (plain !== 0 && Number.isFinite(plain)) return plain;
  }
  const bare = text.replace(FOOTNOTE, '').trim();
  if (bare === '' || MISSING_GDP.has(bare)) return 'missing_gdp';
  const digits = bare.replace(GDP_SEPARATORS, '');
  if (!GDP_NUMBER.test(digits)) return 'invalid_gdp';
  const value = Number(digits);
  // A number too long for a double is not a figure anyone can trust.
  if (value === 0 || !Number.isFinite(value)) return 'invalid_gdp';
  return value;
}

export function parseYear(text: string): number | undefined {
  const bare = text.trim();
  if (!YEAR.test(bare)) return undefined;
  const year = Number(bare);
  return year >= 1900 && year <= 2100 ? year : undefined;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year-month-day names a real calendar day (the numbers as written). */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** What the country map says of a name: its region and its code (null when it has none). */
export interface MapEntry {
  region: Region;
  code: string | null;
}

/** The country map as the rules read it (SPEC §4). */
export interface RegionLookup {
  /** A cleaned name's entry, compared case-insensitively. */
  entryOf(cleanCountry: string): MapEntry | undefined;
  /** The region of any map row with this code. */
  regionOfCode(code: string): Region | undefined;
  /** The name answers show for a code. */
  nameOfCode(code: string): string | undefined;
}

/** The fields of one data record that the rules read; `undefined` for an absent column. */
export interface RawFigure {
  country: string;
  year: string;
  gdpUsdMillion: string;
  region: string | undefined;
  published: string | undefined;
  countryCode: string | undefined;
  source: string | undefined;
  estimatesStartAfter?: string | undefined;
}

export interface GdpFigure {
  country: string;
  /** The fact key's source and identity (factKey). */
  source: string;
  identity: string;
  region: Region;
  year: number;
  /** The figure as the record gives it; the reduce divides it into billions. */
  gdpUsdMillion: number;
  /** `YYYY-MM-DD`, or null when the record has none. */
  published: string | null;
  /** The publisher's last actual year for this figure, or null when the record gives none. */
  estimatesStartAfter: number | null;
}

export type Normalized = { ok: true; figure: GdpFigure } | { ok: false; reason: RejectReason };

/**
 * Rules 2–9 (rule 1, the record's shape, belongs to the tokenizer and the header).
 * `runSource` is the run's --source, already checked, for records that name none.
 */
export function normalizeFigure(raw: RawFigure, regions: RegionLookup, runSource = ''): Normalized {
  const country = cleanText(raw.country);
  if (country === '') return { ok: false, reason: 'missing_country' };
  const millions = parseGdpMillions(raw.gdpUsdMillion);
  if (typeof millions === 'string') return { ok: false, reason: millions };
  const year = parseYear(raw.year);
  if (year === undefined) return { ok: false, reason: 'invalid_year' };
  const code = raw.countryCode === undefined ? '' : parseCountryCode(raw.countryCode);
  if (code === undefined) return { ok: false, reason: 'invalid_country_code' };
  const entry = code === '' ? regions.entryOf(country) : undefined;
  let region: Region | undefined;
  const regionText = raw.region === undefined ? '' : raw.region.trim();
  if (regionText !== '') region = parseRegionName(regionText);
  else region = code !== '' ? regions.regionOfCode(code) : entry?.region;
  if (region === undefined) return { ok: false, reason: 'unknown_region' };
  let published: string | null = null;
  if (raw.published !== undefined) {
    const date = raw.published.trim();
    if (date !== '') {
      if (!isCalendarDate(date)) return { ok: false, reason: 'invalid_published' };
      published = date;
    }
  }
  let source = runSource;
  if (raw.source !== undefined && raw.source.trim() !== '') {
    const parsed = parseSource(raw.source);
    if (parsed === undefined) return { ok: false, reason: 'invalid_source' };
    source = parsed;
  }
  let estimatesStartAfter: number | null = null;
  if (raw.estimatesStartAfter !== undefined && raw.estimatesStartAfter.trim() !== '') {
    const parsed = parseYear(raw.estimatesStartAfter);
    if (parsed === undefined) return { ok: false, reason: 'invalid_estimates_start_after' };
    estimatesStartAfter = parsed;
  }
  const identity = code !== '' ? code : (entry?.code ?? countryKey(country));
  return { ok: true, figure: { country, source, identity, region, year, gdpUsdMillion: millions, published, estimatesStartAfter } };
}
