// The pure cores of extract weo and extract worldbank, and the CSV export's fields: the
// layouts the publishers' files use, case by case.
import { describe, expect, it } from 'vitest';
import { isBlankWeoLine, vintageOf, weoCells, weoValueMillions, WeoReader, type WeoRow } from '../../src/extract/weo.js';
import { MAX_WEO_LINE_CHARS, readWeoFile, utf16WithoutBom } from '../../src/extract/weo-file.js';
import { apiPage, apiRows, aggregateCodes, dollarsToMillions } from '../../src/extract/worldbank.js';
import { csvField } from '../../src/export/csv.js';

const HEADER = ['WEO Country Code', 'ISO', 'WEO Subject Code', 'Country', 'Subject Descriptor', 'Units', 'Scale', '2022', '2023', 'Estimates Start After'].join('\t');
const ROW = ['158', 'JPN', 'NGDPD', 'Japan', 'GDP', 'U.S. dollars', 'Billions', '"4,256.41"', '"4,212.95"', '2022'].join('\t');
const FOOTER = '"International Monetary Fund, World Economic Outlook Database, October 2024"\t\t\t';

describe('WEO cells and lines', () => {
  it('splits on tabs, unquotes CSV-quoted cells, keeps a quote inside an unquoted cell', () => {
    expect(weoCells('a\t"b, c"\t"say ""hi"""\td"e\t')).toEqual(['a', 'b, c', 'say "hi"', 'd"e', '']);
    expect(weoCells('"tab\tinside"\tx')).toEqual(['tab\tinside', 'x']);
    expect(weoCells('"never closed\tx')).toEqual(['never closed\tx']);
  });
  it('a line of tabs, spaces and quotes is blank; the vintage line quoted, padded or bare', () => {
    expect(isBlankWeoLine('\t\t "" \t')).toBe(true);
    expect(isBlankWeoLine('\tx')).toBe(false);
    expect(vintageOf(FOOTER)).toBe('October 2024');
    expect(vintageOf('International Monetary Fund, World Economic Outlook Database, April 2020')).toBe('April 2020');
    expect(vintageOf('International Monetary Fund, World Economic Outlook Database, April 2020\tJPN')).toBe(null);
  });
  it('values in the file\'s Scale, separators of every kind, a sign kept; anything else is no number', () => {
    expect(weoValueMillions('4,527.01', 3)).toBe('4527010');
    expect(weoValueMillions('4\u202f527.01', 3)).toBe('4527010');
    expect(weoValueMillions('-2.877', 0)).toBe('-2.877');
    expect(weoValueMillions('4,1x3.2', 3)).toBe(null);
    expect(weoValueMillions('1e6', 0)).toBe(null);
  });
});

describe('the WEO reader', () => {
  const read = (lines: string[]) => {
    const rows: WeoRow[] = [];
    const reader = new WeoReader('NGDPD', (r) => rows.push(r));
    for (const line of lines) if (!reader.line(line)) break;
    return { outcome: reader.finish(), rows };
  };
  it('writes Estimates Start After with each row, and empty where the column is absent', () => {
    const { outcome, rows } = read([HEADER, ROW, '\t\t\t', FOOTER]);
    expect(outcome).toMatchObject({ ok: true, vintage: 'October 2024', rows: 2, estimatesColumn: true });
    expect(rows[1]).toEqual({ country: 'Japan', country_code: 'JPN', year: '2023', gdp_usd_million: '4212950', estimates_start_after: '2022' });
    const without = read([HEADER.replace('\tEstimates Start After', ''), ROW.replace(/\t2022$/, ''), FOOTER]);
    expect(without.rows.every((r) => r.estimates_start_after === '')).toBe(true);
  });
  it('a header with a year column twice is refused: which holds the figures would be a guess', () => {
    expect(read([HEADER.replace('\t2023', '\t2022'), ROW, FOOTER]).outcome).toMatchObject({ ok: false, reason: expect.stringContaining('the year column 2022 twice') });
  });
  it('header cells with trailing spaces and a trailing empty cell are found', () => {
    const drifted = HEADER.replace('ISO', 'ISO  ').replace('Country\t', 'Country \t') + '\t';
    expect(read([drifted, ROW, FOOTER]).outcome).toMatchObject({ ok: true, rows: 2 });
  });
});

describe('WEO files as bytes', () => {
  const text = [HEADER, ROW, FOOTER].join('\r');
  it('CR-only line ends read as lines', async () => {
    const rows: WeoRow[] = [];
    const r = await readWeoFile({ bytes: Buffer.from(text, 'latin1') }, 'NGDPD', (row) => rows.push(row));
    expect(r.outcome).toMatchObject({ ok: true, rows: 2 });
  });
  it('UTF-16 without a BOM is told by its NUL bytes, either byte order', () => {
    const le = Buffer.from(text, 'utf16le');
    expect(utf16WithoutBom(le)).toBe('utf-16le');
    expect(utf16WithoutBom(Buffer.from(le).swap16())).toBe('utf-16be');
    expect(utf16WithoutBom(Buffer.from(text, 'latin1'))).toBe(null);
  });
  it('a line longer than the cap fails naming it, in time linear in its length', async () => {
    const long = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(MAX_WEO_LINE_CHARS + 10, 0x41)]);
    const r = await readWeoFile({ bytes: long }, 'NGDPD', () => undefined);
    expect(r.outcome).toMatchObject({ ok: false, reason: expect.stringContaining('line 2 is longer than 16 Mi characters') });
  });
});

describe('the World Bank readers', () => {
  it('dollars to millions from plain and exponent spellings, on the digits', () => {
    expect(dollarsToMillions('1330167597.76536')).toBe('1330.168');
    expect(dollarsToMillions('1.2E+12')).toBe('1200000');
    expect(dollarsToMillions('')).toBe(null);
    expect(dollarsToMillions('n/a')).toBe(null);
  });
  it('an API page: the error answer and a page without its header are named', () => {
    expect(apiPage([{ message: [{ id: '120', value: 'Invalid value' }] }])).toMatchObject({ error: expect.stringContaining("is the API's error") });
    expect(apiPage({ page: 1 })).toMatchObject({ error: expect.stringContaining('[page, rows]') });
    expect(apiPage([{ page: 1, pages: 2, lastupdated: '2025-07-01' }, []])).toEqual({ meta: { page: 1, pages: 2, lastupdated: '2025-07-01' }, items: [] });
  });
  it('aggregates from the country list; KSV read as XKX; a row of another indicator refused', () => {
    const aggregates = aggregateCodes([{ id: 'WLD', region: { value: 'Aggregates' } }, { id: 'KSV', region: { value: 'Europe & Central Asia' } }]);
    expect([...aggregates]).toEqual(['WLD']);
    const row = (code: string, value: number | null, indicator = 'NY.GDP.MKTP.CD') => ({ indicator: { id: indicator }, countryiso3code: code, country: { id: 'XX', value: code }, date: '2020', value });
    expect(apiRows([row('KSV', 7e9), row('WLD', 1e14), row('JPN', null)], aggregates)).toEqual({ rows: [{ country: 'KSV', country_code: 'XKX', year: '2020', gdp_usd_million: '7000' }], aggregates: ['WLD'] });
    expect(apiRows([row('JPN', 1, 'NY.GDP.PCAP.CD')], aggregates).error).toContain('not NY.GDP.MKTP.CD');
  });
});

describe('CSV export fields (SPEC §10)', () => {
  it('NULL is an empty field, an empty string is "", and text that needs quotes gets them', () => {
    expect([null, '', 'a', 'a,b', 'say "x"', ' pad', 2024, 1.5].map(csvField)).toEqual(['', '""', 'a', '"a,b"', '"say ""x"""', '" pad"', '2024', '1.5']);
  });
});
