// A synthetic WEO database file in the IMF's published layout ("entire dataset, by countries"):
// a tab-separated header with the WEO's own column names, one row per country and subject,
// a year column per year, `n/a` and `--` for missing values, then a blank line and the vintage
// line. For `gdpmr generate --weo`, the benchmarks and the tests. Same seed, same text.
import { seededRandom } from './dump.js';

/** Countries as the WEO names and codes them (UVK and WBG are the IMF's own codes). */
/** `level`: about its GDP in 2024, billions of USD, so that made-up figures read plausibly. */
export const WEO_COUNTRIES: ReadonlyArray<{ weo: number; iso: string; name: string; level: number }> = [
  { weo: 512, iso: 'AFG', name: 'Afghanistan', level: 17 },
  { weo: 914, iso: 'ALB', name: 'Albania', level: 26 },
  { weo: 213, iso: 'ARG', name: 'Argentina', level: 600 },
  { weo: 193, iso: 'AUS', name: 'Australia', level: 1800 },
  { weo: 223, iso: 'BRA', name: 'Brazil', level: 2200 },
  { weo: 156, iso: 'CAN', name: 'Canada', level: 2200 },
  { weo: 924, iso: 'CHN', name: "China, People's Republic of", level: 18500 },
  { weo: 662, iso: 'CIV', name: "Côte d'Ivoire", level: 80 },
  { weo: 134, iso: 'DEU', name: 'Germany', level: 4700 },
  { weo: 132, iso: 'FRA', name: 'France', level: 3200 },
  { weo: 534, iso: 'IND', name: 'India', level: 3900 },
  { weo: 158, iso: 'JPN', name: 'Japan', level: 4100 },
  { weo: 542, iso: 'KOR', name: 'Korea', level: 1870 },
  { weo: 967, iso: 'UVK', name: 'Kosovo', level: 10 },
  { weo: 273, iso: 'MEX', name: 'Mexico', level: 1850 },
  { weo: 694, iso: 'NGA', name: 'Nigeria', level: 250 },
  { weo: 922, iso: 'RUS', name: 'Russia', level: 2100 },
  { weo: 199, iso: 'ZAF', name: 'South Africa', level: 400 },
  { weo: 186, iso: 'TUR', name: 'Türkiye, Republic of', level: 1100 },
  { weo: 112, iso: 'GBR', name: 'United Kingdom', level: 3600 },
  { weo: 111, iso: 'USA', name: 'United States', level: 29000 },
  { weo: 487, iso: 'WBG', name: 'West Bank and Gaza', level: 14 },
];

/** The subjects a WEO file holds per country (a few of its ~45), with their units and scale. */
export const WEO_SUBJECTS = [
  { code: 'NGDP_R', descriptor: 'Gross domestic product, constant prices', units: 'National currency', scale: 'Billions' },
  { code: 'NGDP', descriptor: 'Gross domestic product, current prices', units: 'National currency', scale: 'Billions' },
  { code: 'NGDPD', descriptor: 'Gross domestic product, current prices', units: 'U.S. dollars', scale: 'Billions' },
  { code: 'NGDPDPC', descriptor: 'Gross domestic product per capita, current prices', units: 'U.S. dollars', scale: 'Units' },
  { code: 'PCPIPCH', descriptor: 'Inflation, average consumer prices', units: 'Percent change', scale: '' },
  { code: 'LP', descriptor: 'Population', units: 'Persons', scale: 'Millions' },
] as const;

export interface WeoFileOptions {
  /** e.g. "October 2024": the footer names it, and it ends the years with figures. */
  vintage: string;
  seed: number;
  /** How many country rows (the list above, then numbered synthetic ones); default all listed. */
  countries?: number;
  firstYear?: number;
  lastYear?: number;
  /** 'row' pads the footer with tabs like a row of cells; 'line' writes it bare. */
  footer?: 'line' | 'row';
}

/** Values as the WEO writes them: thousands separators, 3 decimals, n/a where there is none. */
function weoNumber(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
}

/** Yields the file's lines (without line endings): header, rows, a blank line, the footer. */
export function* weoLines(o: WeoFileOptions): Generator<string> {
  const random = seededRandom(o.seed);
  const first = o.firstYear ?? 1980;
  const last = o.lastYear ?? 2029;
  const years = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const estimatesAfter = Number(o.vintage.slice(-4)) - 1;
  const header = ['WEO Country Code', 'ISO', 'WEO Subject Code', 'Country', 'Subject Descriptor', 'Subject Notes', 'Units', 'Scale', 'Country/Series-specific Notes', ...years.map(String), 'Estimates Start After'];
  yield header.join('\t');
  const count = o.countries ?? WEO_COUNTRIES.length;
  for (let i = 0; i < count; i++) {
    const country = WEO_COUNTRIES[i] ?? { weo: 1000 + i, iso: `Q${String.fromCharCode(65 + (Math.floor(i / 26) % 26))}${String.fromCharCode(65 + (i % 26))}`, name: `Synthetic Economy ${i}`, level: 0 };
    // A country's level is its own, the same in every vintage; each vintage revises it a little.
    const own = seededRandom(country.weo);
    const base = country.level > 0 ? country.level : 1 + own() * 2_000;
    const startYear = first + Math.floor(own() * 4);
    for (const subject of WEO_SUBJECTS) {
      const cells = years.map((year) => {
        if (year < startYear) return random() < 0.5 ? 'n/a' : '--';
        if (random() < 0.01) return '';
        const value = base * 1.045 ** (year - 2024) * (0.97 + random() * 0.06);
        return weoNumber(subject.scale === 'Units' ? value * 1000 : value);
      });
      yield [country.weo, country.iso, subject.code, country.name, subject.descriptor, 'See notes', subject.units, subject.scale, 'Source: National Statistics Office', ...cells, String(estimatesAfter)].join('\t');
    }
  }
  yield '';
  const footer = `International Monetary Fund, World Economic Outlook Database, ${o.vintage}`;
  yield o.footer === 'row' ? `${footer}${'\t'.repeat(header.length - 1)}` : footer;
}

/** The file's bytes in one of the IMF's encodings (UTF-16 files carry a BOM), lines ending CRLF. */
export function encodeWeo(lines: Iterable<string>, encoding: 'utf-16le' | 'utf-8' | 'windows-1252'): Buffer {
  const text = [...lines].join('\r\n') + '\r\n';
  if (encoding === 'utf-16le') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  // Windows-1252 agrees with Latin-1 on every character these files use.
  return Buffer.from(text, 'latin1');
}
