// SPEC §8 `extract weo`: WEO database files in the IMF's layouts and encodings, every vintage
// into one dump that loads all history at once; and every way a file can be wrong.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftDecimal } from '../../src/extract/decimal.js';
import { vintageOf, WeoReader, type WeoRow } from '../../src/extract/weo.js';
import { readWeoFile } from '../../src/extract/weo-file.js';
import { encodeWeo, weoLines } from '../../src/generate/weo.js';
import { cleanTempDirs, cli, ROOT, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const FIXTURES = join(ROOT, 'data', 'weo');
const OCT2019 = join(FIXTURES, 'WEOOct2019all.xls'); // Windows-1252, bare footer line
const APR2024 = join(FIXTURES, 'WEOApr2024all.xls'); // UTF-16 with a BOM, footer padded as a row
const OCT2024 = join(FIXTURES, 'WEOOct2024all.xls'); // UTF-16 with a BOM, bare footer line

const rowsOf = (path: string): string[][] => parse(readFileSync(path, 'utf8')) as string[][];

/** The NGDPD rows a WEO text holds, read independently of the extractor: the model. */
function expectedRows(text: string, published: string): string[][] {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split('\t');
  const col = (name: string) => header.indexOf(name);
  const out: string[][] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    if (cells[col('WEO Subject Code')] !== 'NGDPD') continue;
    const code = { UVK: 'XKX', WBG: 'PSE' }[cells[col('ISO')]] ?? cells[col('ISO')];
    const estimates = col('Estimates Start After') < 0 ? '' : (cells[col('Estimates Start After')] ?? '').trim();
    header.forEach((h, i) => {
      if (!/^\d{4}$/.test(h) || ['', 'n/a', '--'].includes(cells[i])) return;
      const billions = Number(cells[i].replaceAll(',', ''));
      out.push([cells[col('Country')], code, h, String(Math.round(billions * 1000 * 1000) / 1000), published, 'imf', /^\d{4}$/.test(estimates) ? estimates : '']);
    });
  }
  return out;
}

describe('extract weo from the IMF files', () => {
  it('reads every vintage in its own encoding and footer layout into one dump, in file order', async () => {
    const dir = tempDir();
    const out = join(dir, 'weo.csv');
    const r = await cli(['extract', 'weo', '--file', OCT2019, '--file', APR2024, '--file', OCT2024, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('of 3 WEO vintages (October 2019: 2019-10-15, April 2024: 2024-04-16, October 2024: 2024-10-22)');
    const rows = rowsOf(out);
    expect(rows[0]).toEqual(['country', 'country_code', 'year', 'gdp_usd_million', 'published', 'source', 'estimates_start_after']);
    const text = (path: string, encoding: BufferEncoding) => readFileSync(path).toString(encoding).replace(/^\ufeff/, '');
    const expected = [...expectedRows(text(OCT2019, 'latin1'), '2019-10-15'), ...expectedRows(text(APR2024, 'utf16le'), '2024-04-16'), ...expectedRows(text(OCT2024, 'utf16le'), '2024-10-22')];
    expect(rows.slice(1).map((row) => [row[0], row[1], row[2], String(Number(row[3])), row[4], row[5], row[6]])).toEqual(expected);
    // Windows-1252's ô survives; the IMF's own codes become ISO's.
    expect(rows.some((row) => row[0] === "Côte d'Ivoire" && row[4] === '2019-10-15')).toBe(true);
    expect(rows.filter((row) => row[1] === 'UVK' || row[1] === 'WBG')).toEqual([]);
    expect(rows.some((row) => row[1] === 'XKX') && rows.some((row) => row[1] === 'PSE')).toBe(true);
    const source = JSON.parse(readFileSync(`${out}.source.json`, 'utf8'));
    expect(source.files.map((f: { encoding: string; vintage: string; rows: number }) => [f.encoding, f.vintage])).toEqual([
      ['windows-1252', 'October 2019'],
      ['utf-16le', 'April 2024'],
      ['utf-16le', 'October 2024'],
    ]);
    expect(source.files.every((f: { sha256: string }) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(source.rows).toBe(rows.length - 1);
  });

  it('one run loads every vintage: --as-of answers each vintage, and revisions list what one changed', async () => {
    const dir = tempDir();
    const out = join(dir, 'weo.csv');
    expect((await cli(['extract', 'weo', '--file', OCT2019, '--file', APR2024, '--file', OCT2024, '--out', out])).code).toBe(0);
    const wh = join(dir, 'w');
    expect((await cli(['run', out, '--out', wh])).code).toBe(0);
    const ask = async (...args: string[]) => JSON.parse((await cli(['query', ...args, '--warehouse', wh, '--json'])).stdout);
    const before = await ask('top5', '--as-of', '2020-01-01');
    // As of 2020 only the October 2019 vintage is visible: its newest actual figure is 2018's
    const years = before.regions.flatMap((r: { countries: Array<{ year: number }> }) => r.countries.map((c) => c.year));
    // (2019 is that vintage's estimate: after its Estimates Start After, 2018.)
    expect(years).toContain(2018);
    expect(years.every((y: number) => y <= 2018)).toBe(true);
    const revised = await ask('revisions', '--from', '2024-05-01', '--to', '2024-12-31');
    expect(revised.source).toBe('imf');
    expect(revised.figures.length).toBeGreaterThan(100);
    expect(revised.figures.every((f: { published: string }) => f.published === '2024-10-22')).toBe(true);
    const history = await ask('history', '--country', 'China');
    expect(new Set(history.figures.map((f: { published: string }) => f.published))).toEqual(new Set(['2019-10-15', '2024-04-16', '2024-10-22']));
    // Loading the same files again is refused: it would make every figure its own revision.
    const again = await cli(['run', out, '--out', wh, '--append']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already loaded');
    // The same files extracted in another order, or one of them alone, are the same bytes.
    for (const files of [[OCT2024, APR2024, OCT2019], [APR2024]]) {
      const other = join(dir, `other-${files.length}.csv`);
      expect((await cli(['extract', 'weo', ...files.flatMap((f) => ['--file', f]), '--out', other])).code).toBe(0);
      const reordered = await cli(['run', other, '--out', wh, '--append']);
      expect(reordered.code).toBe(2);
      expect(reordered.stderr).toContain('imf-weo:NGDPD from the same raw bytes');
    }
  });

  it('a UTF-8 file, with or without a BOM, and --published for a vintage the table does not list', async () => {
    const dir = tempDir();
    const lines = [...weoLines({ vintage: 'October 2031', seed: 5, countries: 3, firstYear: 2028, lastYear: 2032 })];
    const plain = writeInput(dir, 'plain.xls', encodeWeo(lines, 'utf-8'));
    const bom = writeInput(dir, 'bom.xls', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encodeWeo(lines, 'utf-8')]));
    const unknown = await cli(['extract', 'weo', '--file', plain, '--out', join(dir, 'o.csv')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('October 2031');
    expect(unknown.stderr).toContain('--published');
    expect(readdirSync(dir).sort()).toEqual(['bom.xls', 'plain.xls']);
    for (const file of [plain, bom]) {
      const out = join(dir, `${file.endsWith('bom.xls') ? 'b' : 'p'}.csv`);
      expect((await cli(['extract', 'weo', '--file', file, '--out', out, '--published', '2031-10-14'])).code).toBe(0);
      expect(rowsOf(out).slice(1)).toEqual(expectedRows(lines.join('\n'), '2031-10-14'));
    }
  });

  it('--url: one per vintage, fetched as the other sources are', async () => {
    // When the second file is asked for, the first is on disk whole, not held in memory.
    let seenAtSecond: Array<[string, number]> = [];
    let watched = '';
    const server: Server = createServer((req, res) => {
      if (req.url === '/WEOOct2024all.xls' && watched !== '') seenAtSecond = readdirSync(watched).map((n) => [n, statSync(join(watched, n)).size]);
      const file = { '/WEOApr2024all.xls': APR2024, '/WEOOct2024all.xls': OCT2024 }[req.url ?? ''];
      if (file === undefined) {
        res.writeHead(404).end('no');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.ms-excel' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dir = tempDir();
      const fromFiles = join(dir, 'files.csv');
      const fromUrls = join(dir, 'urls.csv');
      expect((await cli(['extract', 'weo', '--file', APR2024, '--file', OCT2024, '--out', fromFiles])).code).toBe(0);
      watched = dir;
      const r = await cli(['extract', 'weo', '--url', `${base}/WEOApr2024all.xls`, '--url', `${base}/WEOOct2024all.xls`, '--out', fromUrls]);
      expect(r.code).toBe(0);
      expect(seenAtSecond.filter(([n]) => /^urls\.csv\.url-0\.tmp-\d+$/.test(n)).map(([, size]) => size)).toEqual([statSync(APR2024).size]);
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
      expect(readFileSync(fromUrls, 'utf8')).toBe(readFileSync(fromFiles, 'utf8'));
      expect(JSON.parse(readFileSync(`${fromUrls}.source.json`, 'utf8')).files.map((f: { url: string }) => f.url)).toEqual([`${base}/WEOApr2024all.xls`, `${base}/WEOOct2024all.xls`]);
      const missing = await cli(['extract', 'weo', '--url', `${base}/nothing.xls`, '--out', join(dir, 'n.csv')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`${base}/nothing.xls`);
    } finally {
      server.close();
    }
  });
});

describe('a WEO file that is wrong: exit 1 naming it and what was missing, nothing written', () => {
  const good = () => [...weoLines({ vintage: 'October 2024', seed: 7, countries: 3, firstYear: 2020, lastYear: 2025 })];
  const cases: Array<[string, () => Buffer, string]> = [
    ['a saved HTML error page', () => Buffer.from('<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body>Sorry</body></html>\n'), 'is an HTML page'],
    ['no header', () => encodeWeo(good().slice(1), 'utf-16le'), 'has no WEO header'],
    ['no vintage line', () => encodeWeo(good().slice(0, -2), 'utf-16le'), 'has no vintage line'],
    ['no NGDPD rows', () => encodeWeo(good().filter((l) => !l.includes('\tNGDPD\t')), 'utf-16le'), 'has no rows of subject NGDPD'],
    ['a UTF-16 file cut inside a character', () => encodeWeo(good(), 'utf-16le').subarray(0, 4001), 'cannot be read as UTF-16LE'],
    ['an empty file', () => Buffer.alloc(0), 'has no WEO header'],
  ];
  it.each(cases)('%s', async (_, bytes, message) => {
    const dir = tempDir();
    const file = writeInput(dir, 'WEO.xls', bytes());
    const r = await cli(['extract', 'weo', '--file', file, '--out', join(dir, 'o.csv')]);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(['WEO.xls']);
  });

  it('a subject that is not in U.S. dollars: exit 1 naming its units; an earlier OUT is left as it was', async () => {
    const dir = tempDir();
    const file = writeInput(dir, 'WEO.xls', encodeWeo(good(), 'utf-16le'));
    const out = writeInput(dir, 'o.csv', 'earlier\n');
    writeInput(dir, 'o.csv.source.json', '{}');
    const r = await cli(['extract', 'weo', '--file', file, '--subject', 'NGDP', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"National currency", not U.S. dollars');
    expect(readFileSync(out, 'utf8')).toBe('earlier\n');
    expect(readdirSync(dir).sort()).toEqual(['WEO.xls', 'o.csv', 'o.csv.source.json']);
  });

  it.each([
    [['--out', 'o.csv'], 'needs --file FILE'],
    [['--file', 'a.xls', '--file', 'b.xls', '--published', '2024-10-22', '--out', 'o.csv'], '--published gives one release date, for one file only'],
    [['--file', 'missing.xls', '--out', 'o.csv'], '--file must be a readable file'],
    [['--file', 'a.xls', '--subject', 'NG DPD', '--out', 'o.csv'], '--subject must be a WEO Subject Code'],
    [['--file', 'a.xls', '--url', 'http://127.0.0.1:9/x', '--out', 'o.csv'], 'takes --file or --url, not both'],
  ])('usage %j: exit 2', async (args, message) => {
    const r = await cli(['extract', 'weo', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('the WEO reader on its own', () => {
  it('names the vintage of either footer layout, and nothing else', () => {
    expect(vintageOf('International Monetary Fund, World Economic Outlook Database, October 2024')).toBe('October 2024');
    expect(vintageOf('International Monetary Fund, World Economic Outlook Database, April 2008\t\t\t')).toBe('April 2008');
    expect(vintageOf('International Monetary Fund, World Economic Outlook Database, Octember 2024')).toBeNull();
    expect(vintageOf('512\tAFG\tNGDPD')).toBeNull();
  });

  it('scales digits exactly: Billions x1000, Millions x1, Units /10^6, 3 decimals', () => {
    expect(shiftDecimal('1234.567', 3)).toBe('1234567');
    expect(shiftDecimal('0.0005', 3)).toBe('0.5');
    expect(shiftDecimal('12', 0)).toBe('12');
    expect(shiftDecimal('1234567', -6)).toBe('1.235');
    expect(shiftDecimal('999.9996', 0)).toBe('1000');
    expect(shiftDecimal('5', -6)).toBe('0');
  });

  it('a WEO file made from random figures extracts back to exactly those figures', async () => {
    const figure = fc.oneof(
      { arbitrary: fc.tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 999 })).map(([i, f]) => `${i.toLocaleString('en-US')}.${String(f).padStart(3, '0')}`), weight: 5 },
      fc.constantFrom('n/a', '--', ''),
    );
    const scale = fc.constantFrom(['Billions', 3], ['Millions', 0], ['Units', -6]) as fc.Arbitrary<[string, number]>;
    const country = fc.record({ name: fc.constantFrom('Japan', "Côte d'Ivoire", 'Korea, Republic of', 'São Tomé and Príncipe', 'Türkiye'), iso: fc.constantFrom('JPN', 'CIV', 'KOR', 'UVK', 'WBG', '') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(country, scale, fc.array(figure, { minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('utf-16le', 'utf-8', 'windows-1252' as const),
        async (rows, encoding) => {
          const years = ['2021', '2022', '2023', '2024'];
          const lines = [['WEO Country Code', 'ISO', 'WEO Subject Code', 'Country', 'Units', 'Scale', ...years, 'Estimates Start After'].join('\t')];
          const expected: WeoRow[] = [];
          for (const [c, [scaleName, shift], values] of rows) {
            lines.push(['1', c.iso, 'NGDP', c.name, 'National currency', 'Billions', '1', '2', '3', '4', '2023'].join('\t'));
            lines.push(['1', c.iso, 'NGDPD', c.name, 'U.S. dollars', scaleName, ...values, '2023'].join('\t'));
            values.forEach((v, i) => {
              if (['n/a', '--', ''].includes(v)) return;
              expected.push({ country: c.name, country_code: ({ UVK: 'XKX', WBG: 'PSE' } as Record<string, string>)[c.iso] ?? c.iso, year: years[i], gdp_usd_million: shiftDecimal(v.replaceAll(',', ''), shift), estimates_start_after: '2023' });
            });
          }
          lines.push('', 'International Monetary Fund, World Economic Outlook Database, April 2024');
          const got: WeoRow[] = [];
          const result = await readWeoFile({ bytes: encodeWeo(lines, encoding) }, 'NGDPD', (r) => got.push(r));
          expect(result.outcome).toMatchObject({ ok: true, vintage: 'April 2024', rows: expected.length });
          expect(got).toEqual(expected);
          // And the value is the figure: millions = the file's number x its scale, to 3 decimals.
          for (const r of got) expect(Number.isFinite(Number(r.gdp_usd_million))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads past other subjects and stops at the first row of a subject in other units', () => {
    const rows: WeoRow[] = [];
    const reader = new WeoReader('NGDP', (r) => rows.push(r));
    reader.line('ISO\tWEO Subject Code\tCountry\tUnits\tScale\t2024');
    expect(reader.line('JPN\tNGDP\tJapan\tNational currency\tBillions\t600,000')).toBe(false);
    expect(reader.finish()).toMatchObject({ ok: false });
    expect(rows).toEqual([]);
  });
});

it('the bundled release-date table lists each vintage once, with a real date and where it was read', () => {
  const rows = parse(readFileSync(join(ROOT, 'data', 'weo_vintages.csv')), { columns: true }) as Array<{ vintage: string; published: string; read_from: string }>;
  expect(new Set(rows.map((r) => r.vintage)).size).toBe(rows.length);
  for (const r of rows) {
    expect(r.vintage).toMatch(/^(April|October) \d{4}$/);
    expect(r.published.slice(0, 4)).toBe(r.vintage.slice(-4));
    expect(r.read_from.length).toBeGreaterThan(10);
  }
  expect(rows.find((r) => r.vintage === 'October 2024')?.published).toBe('2024-10-22');
});

beforeAll(() => {
  // The fixtures are the published layout: check they still are what the tests say.
  expect(readFileSync(APR2024).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
  expect(readFileSync(OCT2019).includes(Buffer.from([0xf4]))).toBe(true); // ô in Windows-1252
  writeFileSync(join(tempDir(), 'probe'), '');
});

describe('vintage analysis of the shipped WEO files (SPEC §9)', () => {
  it('vintages, accuracy and first releases answer in the SPEC shapes, from what each vintage said', async () => {
    const dir = tempDir();
    const out = join(dir, 'all.csv');
    expect((await cli(['extract', 'weo', '--file', OCT2019, '--file', APR2024, '--file', OCT2024, '--out', out])).code).toBe(0);
    const wh = join(dir, 'w');
    expect((await cli(['run', out, '--out', wh])).code).toBe(0);
    const ask = async (...args: string[]) => JSON.parse((await cli(['query', ...args, '--warehouse', wh, '--json'])).stdout);
    const v = await ask('vintages', '--country', 'CHN', '--from-year', '2021', '--to-year', '2021');
    expect(Object.keys(v)).toEqual(['query', 'country', 'country_code', 'source', 'vintages', 'years']);
    expect(v.vintages).toEqual(['2019-10-15', '2024-04-16', '2024-10-22']);
    const [y2021] = v.years;
    expect(Object.keys(y2021)).toEqual(['year', 'figures', 'first', 'latest', 'change_pct']);
    expect(y2021.first).toBe(y2021.figures[0]);
    expect(y2021.latest).toBe(y2021.figures[2]);
    // The October 2019 figure for 2021 was a forecast; October 2024's an actual.
    const history = await ask('history', '--country', 'CHN');
    const f2021 = history.figures.filter((f: { year: number }) => f.year === 2021);
    expect(f2021.map((f: { is_projection: boolean }) => f.is_projection)).toEqual([true, false, false]);
    const a = await ask('accuracy', '--horizon', '1', '--country', 'China');
    expect(Object.keys(a)).toEqual(['query', 'horizon', 'source', 'regions', 'figures']);
    const china2021 = a.figures.find((f: { year: number }) => f.year === 2021);
    expect(china2021).toMatchObject({ forecast_usd_billion: f2021[0].gdp_usd_billion, forecast_published: '2019-10-15', actual_usd_billion: f2021[1].gdp_usd_billion, actual_published: '2024-04-16' });
    const first = await ask('over', '--release', 'first', '--year', '2021', '--min', '10000');
    expect(first.release).toBe('first');
    expect(first.countries.find((c: { country_code: string }) => c.country_code === 'CHN').gdp_usd_billion).toBe(f2021[1].gdp_usd_billion);
    const empty = await cli(['query', 'vintages', '--country', 'Atlantis', '--warehouse', wh]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('no dated imf figure for "Atlantis"');
    expect((await cli(['query', 'vintages', '--warehouse', wh])).code).toBe(2);
    expect((await cli(['query', 'accuracy', '--horizon', '-1', '--warehouse', wh])).code).toBe(2);
    expect((await cli(['query', 'vintages', '--country', 'CHN', '--from-year', '2025', '--to-year', '2020', '--warehouse', wh])).code).toBe(2);
  });
});
