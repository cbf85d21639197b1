// The byte-level fast path against the SPEC's rules on strings: whatever it takes, it must
// write the line the reference writes; whatever it declines, the reference still decides.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFact, encodeFactLine, keyHash, loadSeqText } from '../../src/rules/current.js';
import { FactRunBuffer } from '../../src/map/fact-run.js';
import { resolveColumns, type ColumnIndex } from '../../src/rules/header.js';
import { factKey, normalizeFigure, type Region } from '../../src/rules/normalize.js';
import { appendPlainFigure, SeenSources, type RegionRuns } from '../../src/map/plain-record.js';
import { RegionMap } from '../../src/rules/regions.js';
import { PlainLookup } from '../../src/map/plain-lookup.js';
import { fieldText, readRecord, RecordLayout } from '../../src/rules/tokenizer.js';

const regions = RegionMap.fromCsv(
  'country,region,code,name\nJapan,Asia,JPN,Japan\n"Bahamas, The",Americas,BHS,Bahamas\nBahamas,Americas,BHS,Bahamas\nFiji,Oceania,FJI,Fiji\nNigeria,Africa,NGA,Nigeria\nCôte d\'Ivoire,Africa,CIV,Ivory Coast\nChina,Asia,CHN,China\nZanzibar,Africa,,\n',
  'test map',
);
const plainRegions = new PlainLookup(regions.names(), regions.codes());
/** The run's --source in these tests. */
const RUN_SOURCE = 'imf';

function columnsOf(header: string): ColumnIndex {
  const r = resolveColumns(header.split(','));
  if (!r.ok) throw new Error('bad test header');
  return r.columns;
}

/** One record as a CSV line: fields quoted when they must be, and sometimes when not. */
function csvLine(fields: string[], quoteAll: boolean): string {
  return fields.map((f) => (quoteAll || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',') + '\n';
}

class Runs implements RegionRuns {
  readonly byRegion = new Map<Region, FactRunBuffer>();
  of(region: Region): FactRunBuffer {
    if (!this.byRegion.has(region)) this.byRegion.set(region, new FactRunBuffer());
    return this.byRegion.get(region) as FactRunBuffer;
  }
}

interface Outcome {
  taken: boolean;
  /** The fast path's line and region, when it took the record. */
  line?: string;
  region?: Region;
}

function fastPath(header: string, fields: string[], quoteAll: boolean, line: number, loadSeq: number): Outcome {
  const columns = columnsOf(header);
  const bytes = Buffer.from(csvLine(fields, quoteAll), 'utf8');
  const layout = new RecordLayout();
  readRecord(bytes, 0, bytes.length, true, layout);
  const runs = new Runs();
  const taken = appendPlainFigure(bytes, layout, columns, plainRegions, Buffer.from(RUN_SOURCE, 'latin1'), Buffer.from(loadSeqText(loadSeq), 'latin1'), line, runs, new SeenSources());
  if (!taken) {
    expect(runs.byRegion.size).toBe(0);
    return { taken };
  }
  const [[region, run]] = [...runs.byRegion];
  expect(run.count).toBe(1);
  return { taken, region, line: run.bytes.toString('utf8', 0, run.used - 1) };
}

function reference(header: string, fields: string[], quoteAll: boolean) {
  const columns = columnsOf(header);
  const bytes = Buffer.from(csvLine(fields, quoteAll), 'utf8');
  const layout = new RecordLayout();
  readRecord(bytes, 0, bytes.length, true, layout);
  const field = (i: number) => (i < 0 ? undefined : fieldText(bytes, layout, i));
  return normalizeFigure(
    {
      country: field(columns.country) as string,
      year: field(columns.year) as string,
      gdpUsdMillion: field(columns.gdpUsdMillion) as string,
      region: field(columns.region),
      published: field(columns.published),
      countryCode: field(columns.countryCode),
      source: field(columns.source),
      estimatesStartAfter: field(columns.estimatesStartAfter),
    },
    regions,
    RUN_SOURCE,
  );
}

// Mostly plain values, so that many records take the fast path, and dirt of every kind.
const country = fc.oneof(
  { arbitrary: fc.constantFrom('Japan', 'Fiji', 'Nigeria', 'Bahamas, The', 'United States'), weight: 3 },
  fc.constantFrom('Japan', 'japan', 'JAPAN', 'Bahamas, The', 'Bahamas', "Côte d'Ivoire", ' China', 'China ', 'Two  Spaces', 'Fiji[1]', '', 'Chad\t', 'Nigeria', 'Say "hi"', 'Atlantis', 'Zanzibar', 'JPN'),
  fc.stringMatching(/^[ -~]{0,12}$/),
);
const year = fc.oneof({ arbitrary: fc.integer({ min: 1900, max: 2100 }).map(String), weight: 4 }, fc.constantFrom('2024', '1900', '2100', '1899', '2101', ' 2024', '20245', 'abcd', '', '0999'), fc.stringMatching(/^[0-9]{4}$/));
const gdp = fc.oneof(
  { arbitrary: fc.stringMatching(/^[1-9][0-9]{0,2}(,[0-9]{3}){0,3}(\.[0-9])?$/), weight: 3 },
  fc.constantFrom('1,000', '1234567.8', '0', '0.000', '1,,2', '.5', '5.', '1.2.3', ',', '', '—', 'n/a', '12 345', '1e6', '00012', '1,234.5,6', '5[a]', '9'.repeat(400), `0.${'0'.repeat(400)}1`),
  fc.stringMatching(/^[0-9,.]{1,12}$/),
);
const region = fc.constantFrom('', 'Asia', 'Asia', 'Europe', 'Americas', 'asia', 'ASIA', ' Asia', 'Asia ', 'Europe', 'Oceania', 'Africa', 'Americas', 'Atlantis', 'Asiä');
const published = fc.oneof(
  { arbitrary: fc.constantFrom('', '2023-04-11', '2024-10-22'), weight: 3 },
  fc.constantFrom('', '2024-10-22', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-1-10', ' 2024-10-22', '0000-02-29', '2024-04-31'),
  fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
);
const code = fc.oneof({ arbitrary: fc.constantFrom('', '', 'JPN', 'CHN', 'BHS'), weight: 3 }, fc.constantFrom('jpn', 'Jpn', ' JPN', 'JPN ', 'ZZZ', 'J1N', 'JPNX', 'JP', 'CIV', 'NGA'), fc.stringMatching(/^[ -~]{0,4}$/));
const source = fc.oneof({ arbitrary: fc.constantFrom('', '', 'imf', 'world_bank'), weight: 3 }, fc.constantFrom('IMF', ' un', 'un ', 'world bank', 'imf-2', 'a_1', '_'), fc.stringMatching(/^[ -~]{0,6}$/));
const esa = fc.oneof({ arbitrary: fc.constantFrom('', '2023', '2019'), weight: 3 }, fc.constantFrom('1899', '2101', ' 2023', '2023 ', '23', 'n/a', '2023.0'), fc.stringMatching(/^[ -~]{0,5}$/));
type Fields = (c: string, r: string, y: string, g: string, p: string, k: string, s: string, e: string) => string[];
const layouts: Array<{ header: string; fields: Fields }> = [
  { header: 'country,region,year,gdp_usd_million,published,note', fields: (c, r, y, g, p) => [c, r, y, g, p, 'n'] },
  { header: 'gdp_usd_million,year,country', fields: (c, _r, y, g) => [g, y, c] },
  { header: 'published,country,year,gdp_usd_million', fields: (c, _r, y, g, p) => [p, c, y, g] },
  { header: 'country,country_code,year,gdp_usd_million,published,source', fields: (c, _r, y, g, p, k, s) => [c, k, y, g, p, s] },
  { header: 'source,region,country_code,country,year,gdp_usd_million', fields: (c, r, y, g, _p, k, s) => [s, r, k, c, y, g] },
  { header: 'country,country_code,year,gdp_usd_million,published,source,estimates_start_after', fields: (c, _r, y, g, p, k, s, e) => [c, k, y, g, p, s, e] },
  { header: 'estimates_start_after,year,gdp_usd_million,country', fields: (c, _r, y, g, _p, _k, _s, e) => [e, y, g, c] },
];

describe('the byte-level fast path of the map', () => {
  it('writes exactly the line the SPEC rules on strings write, for every record it takes', () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...layouts), country, region, year, gdp, published, code, source, esa, fc.boolean(),
        fc.integer({ min: 1, max: 999_999_999_999_999 }), fc.integer({ min: 0, max: 999_999 }),
        (layout, c, r, y, g, p, k, src, e, quoteAll, line, loadSeq) => {
          const fields = layout.fields(c, r, y, g, p, k, src, e);
          const fast = fastPath(layout.header, fields, quoteAll, line, loadSeq);
          if (!fast.taken) return;
          taken++;
          const ref = reference(layout.header, fields, quoteAll);
          expect(ref.ok).toBe(true);
          if (!ref.ok) return;
          const f = ref.figure;
          const key = factKey(f.source, f.identity);
          const expected = encodeFactLine(keyHash(key), key, f.year, f.published, loadSeqText(loadSeq), line, f.estimatesStartAfter, f.country, String(f.gdpUsdMillion));
          expect(fast.region).toBe(f.region);
          // Byte for byte up to the figure, which may be spelled differently (`5.0`, `5`) …
          expect(fast.line?.slice(0, fast.line.lastIndexOf('\t'))).toBe(expected.slice(0, expected.lastIndexOf('\t')));
          // … but must be the same number of billions.
          expect(decodeFact(fast.line as string)).toEqual(decodeFact(expected));
        },
      ),
      { numRuns: 3000 },
    );
    // The fast path must not decline everything: that would make this test pass vacuously.
    expect(taken).toBeGreaterThan(100);
  });

  it('takes the plain records a real dump is mostly made of', () => {
    const [full] = layouts;
    expect(fastPath(full.header, ['Japan', 'Asia', '2024', '4,212,945', '2024-10-22', ''], false, 2, 0).taken).toBe(true);
    expect(fastPath(full.header, ['Japan', 'Asia', '2024', '4,212,945', '2024-10-22', ''], true, 2, 0).taken).toBe(true);
    expect(fastPath(full.header, ['Bahamas, The', '', '2020', '12950.5', '', 'note, with comma'], false, 9, 1)).toMatchObject({ taken: true, region: 'Americas' });
    const withCodes = layouts[3];
    const bahamas = fastPath(withCodes.header, ['Bahamas, The', '', '2020', '12950.5', '2024-10-22', ''], false, 9, 1);
    // The map's code is the identity, and the run's source the record's.
    expect(bahamas.line?.split('\t')[1]).toBe('imf:BHS');
    expect(fastPath(withCodes.header, ['Anything', 'JPN', '2020', '1', '', 'world_bank'], false, 9, 1).line?.split('\t')[1]).toBe('world_bank:JPN');
  });

  it('leaves to the reference what needs cleaning or is not a figure', () => {
    const [full] = layouts;
    const declined = (fields: string[]) => fastPath(full.header, fields, false, 2, 0).taken === false;
    expect(declined(['Japan[a]', 'Asia', '2024', '1', '', ''])).toBe(true);
    expect(declined(['Japan', 'Asia', '2024', '—', '', ''])).toBe(true);
    expect(declined(['Japan', 'Atlantis', '2024', '1', '', ''])).toBe(true);
    expect(declined(['Japan', 'Asia', '2024', '0', '', ''])).toBe(true);
    expect(declined(['Japan', 'Asia', '2024', '1', '2023-02-29', ''])).toBe(true);
    expect(declined(['Atlantis', '', '2024', '1', '', ''])).toBe(true);
    const withCodes = layouts[3];
    const declinedWithCodes = (fields: string[]) => fastPath(withCodes.header, fields, false, 2, 0).taken === false;
    expect(declinedWithCodes(['Japan', 'jpn', '2024', '1', '', ''])).toBe(true);
    expect(declinedWithCodes(['Japan', 'ZZZ', '2024', '1', '', ''])).toBe(true);
    expect(declinedWithCodes(['Japan', '', '2024', '1', '', 'IMF'])).toBe(true);
  });
});
