// A deterministic synthetic raw GDP dump with the dirt of real ones, for benchmarks and the
// property tests. Same seed, same options: the same bytes.
//
// Per data record, in these proportions (DIRT below):
//   quoted numbers with thousands separators  ~45%     footnote marker on the country  ~3%
//   missing value (—, n/a, .., empty)          ~2%      invalid number                   ~0.5%
//   region left empty, looked up by name       ~10%    unknown region / aggregate       ~1%
//   quoted note with commas / `""` / line break ~4%    stray quote in an unquoted field ~1%
//   CRLF line ending                           ~20%    blank line after the record      ~0.5%
//   malformed (text after a quote, bad width)  ~0.3%   bad year / bad published date    ~0.5%
// Every figure comes in several vintages: each (territory, year) is published 1–3 times.
import { REGIONS, type Region } from '../rules/normalize.js';

export type Dirt = Record<'thousandsSeparators' | 'footnote' | 'missingGdp' | 'invalidGdp' | 'regionFromMap' | 'unknownRegion' | 'quotedNote' | 'strayQuote' | 'crlf' | 'blankLine' | 'malformed' | 'badYearOrDate', number>;

export const DIRT: Dirt = {
  thousandsSeparators: 0.45,
  footnote: 0.03,
  missingGdp: 0.02,
  invalidGdp: 0.005,
  regionFromMap: 0.1,
  unknownRegion: 0.01,
  quotedNote: 0.04,
  strayQuote: 0.01,
  crlf: 0.2,
  blankLine: 0.005,
  malformed: 0.003,
  badYearOrDate: 0.005,
};

/**
 * `--dirt`: low is a tidy export (a fifth of the default's faults, formatting as it is); high
 * is a hard one: 10 % quoted notes, every one holding a line break and doubled quotes, 2 % stray
 * quotes, 5 % footnotes and twice the default's other faults. Default is DIRT, byte for byte
 * the dumps of earlier versions.
 */
export const DIRT_LEVELS = {
  low: { ...DIRT, footnote: 0.006, missingGdp: 0.004, invalidGdp: 0.001, unknownRegion: 0.002, quotedNote: 0.008, strayQuote: 0.002, blankLine: 0.001, malformed: 0.0006, badYearOrDate: 0.001 },
  default: DIRT,
  high: { ...DIRT, footnote: 0.05, missingGdp: 0.04, invalidGdp: 0.01, unknownRegion: 0.02, quotedNote: 0.1, strayQuote: 0.02, blankLine: 0.01, malformed: 0.006, badYearOrDate: 0.01 },
} as const satisfies Record<string, Dirt>;
export type DirtLevel = keyof typeof DIRT_LEVELS;

export const DUMP_HEADER = 'country,region,year,gdp_usd_million,published,note';
/** With `identity`: codes and sources too (SPEC §1's optional columns). */
export const IDENTITY_DUMP_HEADER = `${DUMP_HEADER},country_code,source`;
/** With `estimates`: the publisher's last actual year too (SPEC §1). */
const ESTIMATES_COLUMN = 'estimates_start_after';

/**
 * Several spellings of one country, as different publishers write it, with its code: the
 * identity rule must make them one country (SPEC §1).
 */
const SPELLINGS: Array<{ names: string[]; code: string }> = [
  { names: ['China', "China, People's Republic of"], code: 'CHN' },
  { names: ['South Korea', 'Korea, Republic of'], code: 'KOR' },
  { names: ['Russia', 'Russian Federation'], code: 'RUS' },
  { names: ['Bahamas', 'Bahamas, The'], code: 'BHS' },
  { names: ['Ivory Coast', "Côte d'Ivoire"], code: 'CIV' },
  { names: ['Vietnam', 'Viet Nam'], code: 'VNM' },
];
/** Sources as dumps spell them; the last two are rejected (invalid_source). */
const SOURCES = ['', '', 'imf', 'imf', 'world_bank', 'IMF', ' un ', 'World Bank!', 'imf-2'];

/** Names the region map knows, used for records whose region is left to the lookup. */
const MAPPED_NAMES: Record<Region, string[]> = {
  Africa: ['Nigeria', 'Egypt', 'South Africa', 'Kenya', "Côte d'Ivoire"],
  Americas: ['United States', 'Brazil', 'Canada', 'Mexico', 'Bahamas, The'],
  Asia: ['China', 'Japan', 'India', 'Korea, Republic of', 'Viet Nam'],
  Europe: ['Germany', 'France', 'United Kingdom', 'Italy', 'Türkiye'],
  Oceania: ['Australia', 'New Zealand', 'Fiji', 'Papua New Guinea', 'Samoa'],
};
const UNKNOWN_NAMES = ['World', 'Euro area', 'Atlantis', 'Emerging and Developing Economies'];
const VINTAGES = ['2023-04-11', '2023-10-10', '2024-04-16', '2024-10-22', ''];
const NOTES = ['estimate, revised', 'IMF staff "estimate"', 'break in series,\nsee footnote', 'from national accounts, "NA"\r\nprovisional'];
/** High dirt's notes: each with a line break and doubled quotes, the hardest for a splitter. */
const HARD_NOTES = ['IMF staff "estimate",\nrevised', 'from national accounts, "NA"\r\nprovisional', 'break in series "b",\nsee "footnote" 2'];
const SYLLABLES = ['ka', 'lo', 'ri', 'ma', 'tan', 'sur', 'vel', 'do', 'nia', 'qu', 'ber', 'zo', 'el', 'ost', 'mar', 'in'];

/** mulberry32: small, fast and good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DumpOptions {
  seed: number;
  /** How many synthetic territories; they are spread over the regions by `shares`. */
  territories: number;
  /** Share of territories per region; missing regions share what is left evenly. */
  shares?: Partial<Record<Region, number>>;
  /** How dirty the records are (DIRT_LEVELS); default DIRT. */
  dirt?: DirtLevel;
  /**
   * Adds country_code and source columns, and spells some countries several ways: the
   * property tests' dumps. Off by default, so the benchmarks' dumps stay byte for byte those
   * of earlier versions.
   */
  identity?: boolean;
  /** Adds an estimates_start_after column (the property tests' dumps); off by default likewise. */
  estimates?: boolean;
}

/** Parses `Asia=0.5,Europe=0.2`; undefined entries mean "share the rest evenly". */
export function parseSkew(text: string): Partial<Record<Region, number>> | string {
  const shares: Partial<Record<Region, number>> = {};
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const region = REGIONS.find((r) => r.toLowerCase() === (name ?? '').toLowerCase());
    const share = Number(value);
    if (region === undefined || value === undefined || !(share >= 0 && share <= 1)) {
      return `--skew must be a list of REGION=SHARE with regions ${REGIONS.join(', ')} and shares from 0 to 1, got ${JSON.stringify(part)}`;
    }
    shares[region] = share;
  }
  const total = Object.values(shares).reduce((a, b) => a + (b ?? 0), 0);
  if (total > 1 + 1e-9) return `--skew shares must add up to at most 1, got ${total}`;
  return shares;
}

function regionWeights(shares: Partial<Record<Region, number>> | undefined): number[] {
  const given = REGIONS.map((r) => shares?.[r]);
  const rest = 1 - given.reduce<number>((a, b) => a + (b ?? 0), 0);
  const unset = given.filter((g) => g === undefined).length;
  return given.map((g) => (g === undefined ? rest / unset : g));
}

function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function withThousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Yields the dump as text pieces of about `pieceBytes` each, until about `targetBytes` are out.
 * Records of one territory and year appear in several vintages, spread through the file.
 */
export function* generateDump(targetBytes: number, options: DumpOptions, pieceBytes = 1 << 20): Generator<string> {
  const random = seededRandom(options.seed);
  const DIRT = DIRT_LEVELS[options.dirt ?? 'default'];
  const notes = options.dirt === 'high' ? HARD_NOTES : NOTES;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weights = regionWeights(options.shares);
  const territories = Array.from({ length: Math.max(1, options.territories) }, (_, i) => {
    let r = random();
    let region: Region = REGIONS[REGIONS.length - 1];
    for (let j = 0; j < REGIONS.length; j++) {
      if (r < weights[j]) {
        region = REGIONS[j];
        break;
      }
      r -= weights[j];
    }
    const name = `${pick(SYLLABLES)}${pick(SYLLABLES)}${pick(SYLLABLES)}`;
    return { name: `${name[0].toUpperCase()}${name.slice(1)} ${i}`, region, base: 50 + random() * 2_000_000 };
  });
  let written = 0;
  let piece = (options.identity === true ? IDENTITY_DUMP_HEADER : DUMP_HEADER) + (options.estimates === true ? `,${ESTIMATES_COLUMN}` : '') + '\n';
  while (written + piece.length < targetBytes) {
    const t = pick(territories);
    let country = t.name;
    let region: string = t.region;
    const roll = random();
    if (roll < DIRT.regionFromMap) {
      region = '';
      country = pick(MAPPED_NAMES[t.region]);
    } else if (roll < DIRT.regionFromMap + DIRT.unknownRegion) {
      region = '';
      country = pick(UNKNOWN_NAMES);
    }
    // With `identity`, a third of the records name one of SPELLINGS' countries, with its code
    // (as written, in lower case, or invalid) or none; a few give a code the map lacks.
    let code = '';
    if (options.identity === true) {
      const r = random();
      if (r < 0.35) {
        const spelled = pick(SPELLINGS);
        country = pick(spelled.names);
        region = '';
        const c = random();
        code = c < 0.4 ? spelled.code : c < 0.5 ? spelled.code.toLowerCase() : c < 0.53 ? pick(['K1R', 'CHNA', 'XX']) : '';
      } else if (r < 0.38) {
        code = pick(['ZZA', 'QQB']);
      }
    }
    if (random() < DIRT.footnote) country += `[n ${1 + Math.floor(random() * 9)}]`;
    if (random() < DIRT.strayQuote) country = country.replace(' ', ' "Old" ');
    const year = 1980 + Math.floor(random() * 50);
    let yearText = String(year);
    let published = pick(VINTAGES);
    if (random() < DIRT.badYearOrDate) {
      if (random() < 0.5) yearText = pick(['19x5', '1850', '20245', '']);
      else published = pick(['2024-02-30', '22/10/2024', '2024-13-01']);
    }
    const millions = t.base * (1 + (year - 1980) * 0.03) * (0.9 + random() * 0.2);
    let gdp: string;
    const g = random();
    if (g < DIRT.missingGdp) gdp = pick(['—', 'n/a', '..', '', '-']);
    else if (g < DIRT.missingGdp + DIRT.invalidGdp) gdp = pick(['abc', '0', '12.5.3', '1e6']);
    else if (g < DIRT.missingGdp + DIRT.invalidGdp + DIRT.thousandsSeparators) gdp = quoted(withThousands(millions));
    else gdp = (Math.round(millions * 10) / 10).toFixed(1);
    const countryField = /[",\n\r]/.test(country) && !country.includes('"Old"') ? quoted(country) : country;
    const note = random() < DIRT.quotedNote ? quoted(pick(notes)) : '';
    let record = `${countryField},${region},${yearText},${gdp},${published},${note}`;
    if (options.identity === true) record += `,${code},${pick(SOURCES)}`;
    if (options.estimates === true) {
      // Mostly a year or two before the vintage's, as the IMF's are; sometimes none, a year
      // that moves back between vintages, or no year at all (invalid_estimates_start_after).
      const e = random();
      const vintageYear = published === '' ? 2023 : Number(published.slice(0, 4));
      record += `,${e < 0.3 ? '' : e < 0.6 ? vintageYear - 1 : e < 0.8 ? vintageYear - 2 : e < 0.99 ? 1995 + Math.floor(random() * 40) : pick(['n/a', '20x4', '1850'])}`;
    }
    if (random() < DIRT.malformed) {
      record = random() < 0.5 ? `${quoted(country)}x,${region},${yearText},${gdp},${published},` : `${countryField},${yearText},${gdp}`;
    }
    piece += record + (random() < DIRT.crlf ? '\r\n' : '\n');
    if (random() < DIRT.blankLine) piece += '\n';
    if (piece.length >= pieceBytes) {
      written += Buffer.byteLength(piece);
      yield piece;
      piece = '';
    }
  }
  if (piece.length > 0) yield piece;
}
