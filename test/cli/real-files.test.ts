// The publishers' own files, byte for byte (data/real/, copied from ../shared/data/real/):
// `extract weo` and `extract worldbank` read them as shipped, refuse what they cannot use by
// name, and what they write loads and answers. Where a layout is known only from these files,
// the fixtures below are made from them (the same bytes, one subject renamed or re-encoded).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import { cleanTempDirs, cli, CLI, ROOT, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const REAL = join(ROOT, 'data', 'real');
const APR2020 = join(REAL, 'WEOApr2020all.xls');
const GROUPS_2019 = join(REAL, 'WEOOct2019alla.xls');
const GROUPS_2020 = join(REAL, 'WEOOct2020alla.xls');
const WB_2017 = join(REAL, 'API_NY.GDP.MKTP.CD_DS2_en_csv_v2__lastupdated_2017-02-01.csv');
const WB_2018 = join(REAL, 'API_NY.GDP.MKTP.CD_DS2_en_csv_v2__lastupdated_2018-05-02.csv');

const rowsOf = (path: string): Array<Record<string, string>> => parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
const ask = async (warehouse: string, ...args: string[]) => JSON.parse((await cli(['query', ...args, '--warehouse', warehouse, '--json'])).stdout);

/**
 * The April 2020 file with its PPPGDP rows made NGDPD in U.S. dollars: the IMF's own layout
 * (Latin-1, quoted numbers with thousands separators, a line of tabs, the quoted vintage line
 * padded with tabs, Estimates Start After), holding the subject this extract reads.
 */
function april2020AsNgdpd(): Buffer {
  const text = readFileSync(APR2020, 'latin1').replaceAll('\tPPPGDP\t', '\tNGDPD\t').replaceAll('Purchasing power parity; international dollars', 'U.S. dollars');
  return Buffer.from(text, 'latin1');
}

function utf16(text: Buffer, endian: 'le' | 'be', crlf: boolean): Buffer {
  const body = Buffer.from((crlf ? text.toString('latin1').replace(/\r?\n/g, '\r\n') : text.toString('latin1')), 'utf16le');
  if (endian === 'be') body.swap16();
  return body;
}

describe('extract weo on the IMF\'s own files', () => {
  it('April 2020: the reduced release is refused naming the subjects it holds', async () => {
    const dir = tempDir();
    const r = await cli(['extract', 'weo', '--file', APR2020, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has no rows of subject NGDPD');
    expect(r.stderr).toContain('reduced release');
    for (const subject of ['NGDP_RPCH', 'PPPGDP', 'LUR', 'BCA_NGDPD']) expect(r.stderr).toContain(subject);
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it.each([
    ['October 2019, ASCII', GROUPS_2019],
    ['October 2020, UTF-16 without a BOM', GROUPS_2020],
  ])('the country-group file (%s) is named for what it is', async (_label, file) => {
    const dir = tempDir();
    const r = await cli(['extract', 'weo', '--file', file, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is the IMF's country-group file");
    expect(r.stderr).toContain('By Countries');
    expect(r.stderr).not.toMatch(/\\u0000|W\u0000E/);
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it('its layout read whole: quoted numbers with separators in millions, the padded vintage line, Estimates Start After', async () => {
    const dir = tempDir();
    const file = writeInput(dir, 'WEOApr2020all.xls', april2020AsNgdpd());
    const out = join(dir, 'o.csv');
    const r = await cli(['extract', 'weo', '--file', file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('April 2020: 2020-04-14');
    const rows = rowsOf(out);
    // The file's "21,427.68" billions for the United States in 2019, its last actual year.
    expect(rows.find((x) => x.country_code === 'USA' && x.year === '2019')).toEqual({ country: 'United States', country_code: 'USA', year: '2019', gdp_usd_million: '21427680', published: '2020-04-14', source: 'imf', estimates_start_after: '2019' });
    expect(rows.every((x) => /^[0-9]+(\.[0-9]{1,3})?$/.test(x.gdp_usd_million))).toBe(true);
    // Loaded, 2020 and 2021 are the IMF's forecasts: latest is 2019 where the IMF says so.
    const wh = join(dir, 'w');
    expect((await cli(['run', out, '--out', wh])).code).toBe(0);
    const usa = (await ask(wh, 'over', '--min', '10000')).countries.find((c: { country_code: string }) => c.country_code === 'USA');
    expect(usa).toMatchObject({ year: 2019, gdp_usd_billion: 21427.68 });
    const history = await ask(wh, 'history', '--country', 'USA');
    expect(history.figures.filter((f: { is_projection: boolean }) => f.is_projection).map((f: { year: number }) => f.year)).toEqual([2020, 2021]);
  });

  it.each([
    ['UTF-16 LE without a BOM, CRLF', 'le', true],
    ['UTF-16 BE without a BOM', 'be', false],
  ] as const)('the same file as %s gives the same dump', async (_label, endian, crlf) => {
    const dir = tempDir();
    const plain = join(dir, 'plain.csv');
    const wide = join(dir, 'wide.csv');
    expect((await cli(['extract', 'weo', '--file', writeInput(dir, 'a.xls', april2020AsNgdpd()), '--out', plain])).code).toBe(0);
    const r = await cli(['extract', 'weo', '--file', writeInput(dir, 'b.xls', utf16(april2020AsNgdpd(), endian, crlf)), '--out', wide]);
    expect(r.stderr).toBe('');
    expect(readFileSync(wide, 'utf8')).toBe(readFileSync(plain, 'utf8'));
    expect(JSON.parse(readFileSync(`${wide}.source.json`, 'utf8')).files[0].encoding).toBe(`utf-16${endian}`);
  });

  it.each([
    ['space', '4 527.01'],
    ['no-break space', '4\u00a0527.01'],
    ['thin space', '4\u2009527.01'],
  ])('a value with %s separators is read in the file\'s Scale, never written as it stands', async (_label, value) => {
    const dir = tempDir();
    const text = readFileSync(APR2020, 'latin1').replaceAll('\tPPPGDP\t', '\tNGDPD\t').replaceAll('Purchasing power parity; international dollars', 'U.S. dollars');
    const germany = text.split('\n').find((l) => l.includes('\tDEU\tNGDPD\t')) as string;
    const cells = germany.split('\t');
    cells[cells.length - 4] = `"${value}"`;
    const file = writeInput(dir, 'g.xls', Buffer.from(text.replace(germany, cells.join('\t')), 'utf8'));
    const out = join(dir, 'o.csv');
    expect((await cli(['extract', 'weo', '--file', file, '--out', out])).code).toBe(0);
    expect(rowsOf(out).find((x) => x.country_code === 'DEU' && x.gdp_usd_million === '4527010')).toBeDefined();
  });

  it('a value that is no number stops the extract, naming line and column; nothing is written', async () => {
    const dir = tempDir();
    const text = april2020AsNgdpd().toString('latin1');
    const line = text.split('\n').findIndex((l) => l.includes('\tJPN\tNGDPD\t'));
    const broken = text.split('\n').map((l, i) => (i === line ? l.replace(/"[0-9,]+\.[0-9]+"/, '"4,1x3.2"') : l)).join('\n');
    const out = join(dir, 'o.csv');
    const r = await cli(['extract', 'weo', '--file', writeInput(dir, 'x.xls', Buffer.from(broken, 'latin1')), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`line ${line + 1}, column`);
    expect(r.stderr).toContain('"4,1x3.2" is not a number');
    expect(existsSync(out)).toBe(false);
  });

  it('two copies of one vintage in one extract: exit 2 naming both', async () => {
    const dir = tempDir();
    const a = writeInput(dir, 'a.xls', april2020AsNgdpd());
    const b = writeInput(dir, 'b.xls', april2020AsNgdpd());
    for (const files of [[a, a], [a, b]]) {
      const r = await cli(['extract', 'weo', ...files.flatMap((f) => ['--file', f]), '--out', join(dir, 'o.csv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${files[0]} and ${files[1]} are both the WEO April 2020 vintage`);
    }
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it('a --vintages table that lists a vintage twice, or is no file, is exit 2', async () => {
    const dir = tempDir();
    const table = writeInput(dir, 'v.csv', 'vintage,published,read_from\nApril 2020,2020-04-14,x\nApril 2020,2020-04-15,y\n');
    const file = writeInput(dir, 'a.xls', april2020AsNgdpd());
    const twice = await cli(['extract', 'weo', '--file', file, '--vintages', table, '--out', join(dir, 'o.csv')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('lists the vintage April 2020 a second time');
    const device = await cli(['extract', 'weo', '--file', file, '--vintages', '/dev/zero', '--out', join(dir, 'o.csv')]);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain('--vintages must be a readable CSV file, got /dev/zero (a device or socket, not a regular file)');
  });
});

describe('extract worldbank on the Bank\'s own files', () => {
  let dir: string;
  let dump: string;
  beforeAll(async () => {
    dir = tempDir();
    dump = join(dir, 'wb.csv');
    const r = await cli(['extract', 'worldbank', '--file', WB_2017, '--file', WB_2018, '--out', dump]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('of 2 World Bank releases (2017-02-01, 2018-05-02)');
    expect(r.stderr).toMatch(/[0-9]+ aggregates left out \(no economy\): ARB, /);
  });

  it('one dump of both vintages: millions of USD, source world_bank, aggregates left out, KSV written XKX', () => {
    const rows = rowsOf(dump);
    expect(rows.every((x) => x.source === 'world_bank' && x.estimates_start_after === '')).toBe(true);
    expect(new Set(rows.map((x) => x.published))).toEqual(new Set(['2017-02-01', '2018-05-02']));
    expect(rows.some((x) => ['WLD', 'HIC', 'ARB', 'EUU', 'KSV'].includes(x.country_code))).toBe(false);
    // "18036648000000" dollars in the 2017 file's 2015 column for the United States.
    expect(rows.find((x) => x.country_code === 'USA' && x.year === '2015' && x.published === '2017-02-01')?.gdp_usd_million).toBe('18036648');
    expect(rows.filter((x) => x.country_code === 'XKX').map((x) => x.published)).toContain('2017-02-01');
    const source = JSON.parse(readFileSync(`${dump}.source.json`, 'utf8'));
    expect(source.aggregates_left_out).toContain('WLD');
    expect(source.files).toHaveLength(2);
  });

  it('one warehouse: Kosovo is one country with both codes\' figures, and revisions between the releases', async () => {
    const wh = join(dir, 'w');
    expect((await cli(['run', dump, '--out', wh])).code).toBe(0);
    const kosovo = await ask(wh, 'history', '--country', 'Kosovo');
    expect(new Set(kosovo.figures.map((f: { country_code: string }) => f.country_code))).toEqual(new Set(['XKX']));
    expect(new Set(kosovo.figures.map((f: { published: string }) => f.published))).toEqual(new Set(['2017-02-01', '2018-05-02']));
    const revised = await ask(wh, 'revisions', '--from', '2017-02-01', '--to', '2018-05-02', '--min-change', '0.01');
    expect(revised.source).toBe('world_bank');
    expect(revised.figures.length).toBeGreaterThan(1000);
    expect(revised.figures.some((f: { country_code: string }) => f.country_code === 'XKX')).toBe(true);
  });

  it('two files of one release: exit 2; a file that is not the Bank\'s: exit 1 naming it', async () => {
    const d = tempDir();
    const twice = await cli(['extract', 'worldbank', '--file', WB_2017, '--file', WB_2017, '--out', join(d, 'o.csv')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("are both the World Bank's release of 2017-02-01");
    const other = writeInput(d, 'x.csv', readFileSync(WB_2017, 'utf8').replaceAll('"NY.GDP.MKTP.CD"', '"NY.GDP.PCAP.CD"'));
    const wrong = await cli(['extract', 'worldbank', '--file', other, '--out', join(d, 'o.csv')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not NY.GDP.MKTP.CD');
    const notBank = await cli(['extract', 'worldbank', '--file', writeInput(d, 'y.csv', 'country,year\nJapan,2020\n'), '--out', join(d, 'o.csv')]);
    expect(notBank.code).toBe(1);
    expect(notBank.stderr).toContain("not the World Bank's bulk download");
    expect(existsSync(join(d, 'o.csv'))).toBe(false);
  });
});

describe('extract worldbank from the API v2', () => {
  let server: Server;
  let base: string;
  const served: string[] = [];
  beforeAll(async () => {
    // The API's layout: [page header, rows], several pages, aggregates in the country list.
    const countries = [
      { id: 'JPN', name: 'Japan', region: { id: 'EAS', value: 'East Asia & Pacific' } },
      { id: 'XKX', name: 'Kosovo', region: { id: 'ECS', value: 'Europe & Central Asia' } },
      { id: 'WLD', name: 'World', region: { id: 'NA', value: 'Aggregates' } },
      { id: 'HIC', name: 'High income', region: { id: 'NA', value: 'Aggregates' } },
    ];
    const row = (code: string, name: string, date: string, value: number | null) => ({ indicator: { id: 'NY.GDP.MKTP.CD', value: 'GDP (current US$)' }, country: { id: code.slice(0, 2), value: name }, countryiso3code: code, date, value, unit: '', obs_status: '', decimal: 0 });
    const values = [
      [row('JPN', 'Japan', '2023', 4212945000000.5), row('JPN', 'Japan', '2022', 4256410000000), row('WLD', 'World', '2023', 105435000000000)],
      [row('XKX', 'Kosovo', '2023', 10438000000), row('HIC', 'High income', '2023', 6e13), row('JPN', 'Japan', '1960', null)],
    ];
    server = createServer((req, res) => {
      served.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      const page = Number(url.searchParams.get('page') ?? '1');
      if (url.pathname === '/v2/country') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ page: 1, pages: 1, per_page: 20000, total: countries.length }, countries]));
      if (url.pathname === '/v2/country/all/indicator/NY.GDP.MKTP.CD') {
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ page, pages: 2, per_page: 3, total: 6, sourceid: '2', lastupdated: '2025-07-01' }, values[page - 1]]));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  });
  afterAll(() => server?.close());

  it('reads every page, takes published from lastupdated, leaves the aggregates out and names them', async () => {
    const dir = tempDir();
    const out = join(dir, 'wb.csv');
    const r = await cli(['extract', 'worldbank', '--url', base, '--out', out]);
    expect(r.stderr).toContain('2 aggregates left out (no economy): HIC, WLD');
    expect(r.code).toBe(0);
    expect(served.filter((u) => u.includes('/indicator/')).map((u) => new URL(u, 'http://x').searchParams.get('page'))).toEqual(['1', '2']);
    expect(rowsOf(out)).toEqual([
      { country: 'Japan', country_code: 'JPN', year: '2023', gdp_usd_million: '4212945', published: '2025-07-01', source: 'world_bank', estimates_start_after: '' },
      { country: 'Japan', country_code: 'JPN', year: '2022', gdp_usd_million: '4256410', published: '2025-07-01', source: 'world_bank', estimates_start_after: '' },
      { country: 'Kosovo', country_code: 'XKX', year: '2023', gdp_usd_million: '10438', published: '2025-07-01', source: 'world_bank', estimates_start_after: '' },
    ]);
    const source = JSON.parse(readFileSync(`${out}.source.json`, 'utf8'));
    expect(source.responses).toHaveLength(3);
    expect(source.aggregates_left_out).toEqual(['HIC', 'WLD']);
  });

  it('an API that answers with an error message: exit 1 naming the URL, nothing written', async () => {
    const dir = tempDir();
    const r = await cli(['extract', 'worldbank', '--url', `${base}/nothing-here`, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing-here');
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });
});

describe('small inputs are read as regular files, up to a cap', () => {
  it.each([
    [['sql', '--file', '/dev/zero'], '--file must be a readable file, got /dev/zero (a device or socket, not a regular file)'],
    [['run', join(ROOT, 'data', 'wikipedia_imf_2025-01-07.csv'), '--regions', '/dev/zero'], '--regions must be a readable CSV file, got /dev/zero'],
  ])('%j: exit 2 at once, naming it', async (args, message) => {
    const dir = tempDir();
    const r = await cli([...args, ...(args[0] === 'run' ? ['--out', join(dir, 'w')] : ['--warehouse', join(dir, 'w')])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(dir, 'w'))).toBe(false);
  });

  it('a named pipe as --regions is refused at once, not waited on', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'map.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['run', join(ROOT, 'data', 'wikipedia_imf_2025-01-07.csv'), '--regions', fifo, '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--regions must be a readable CSV file, got ${fifo} (a named pipe, not a regular file)`);
  });

  it('standard input past the cap (`yes "SELECT 1" | gdpmr sql --file -`) is exit 2, not GBs of memory', () => {
    const r = spawnSync(process.execPath, [CLI, 'sql', '--file', '-', '--warehouse', join(tempDir(), 'w')], { input: 'SELECT 1\n'.repeat(2_200_000), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--file must be a readable file, got standard input (larger than 16MB');
  });

  it('extract worldbank --published with several files is exit 2: each file has its own date', async () => {
    const r = await cli(['extract', 'worldbank', '--file', WB_2017, '--file', WB_2018, '--published', '2018-01-01', '--out', join(tempDir(), 'o.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--published gives one date, for one file only, got 2 files');
  });
});
