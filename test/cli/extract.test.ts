// SPEC §8: extract from the saved sources and from a loopback HTTP server that misbehaves.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, DATA, IMF, tempDir, WIKIPEDIA, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const SOURCES = join(DATA, 'sources');
const PAGE = join(SOURCES, 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html');
const VALUES = join(SOURCES, 'imf_datamapper_NGDPD_raw.json');
const COUNTRIES = join(SOURCES, 'imf_datamapper_countries.json');

const csvRows = (path: string): string[][] => parse(readFileSync(path, 'utf8')) as string[][];
const DUMP_HEADER = ['country', 'country_code', 'year', 'gdp_usd_million', 'published', 'source', 'estimates_start_after'];
/** A dump's rows as country, year, figure, published (checking its header, code and source columns are there). */
const dumpRows = (path: string): string[][] => {
  const [header, ...rows] = csvRows(path);
  expect(header).toEqual(DUMP_HEADER);
  return [['country', 'year', 'gdp_usd_million', 'published'], ...rows.map((r) => [r[0], r[2], r[3], r[4]])];
};
const sourceJson = (path: string) => JSON.parse(readFileSync(`${path}.source.json`, 'utf8'));

function expectNothingWritten(dir: string, ...keep: string[]): void {
  expect(readdirSync(dir).sort()).toEqual(keep.sort());
}

describe('extract wikipedia from the saved page', () => {
  it('gives exactly the rows of the reference CSV, in page order, published on the revision date', async () => {
    const out = join(tempDir(), 'wiki.csv');
    const r = await cli(['extract', 'wikipedia', '--file', PAGE, '--out', out]);
    expect(r.code).toBe(0);
    const rows = dumpRows(out);
    // Wikipedia gives no codes (the run looks the names up); the source is the column group's.
    expect(new Set(csvRows(out).slice(1).map((row) => `${row[1]}|${row[5]}`))).toEqual(new Set(['|imf']));
    const reference = csvRows(WIKIPEDIA).slice(1);
    expect(rows.slice(1).map((row) => row.slice(0, 3))).toEqual(reference.map(([country, year, gdp]) => [country, year, gdp]));
    expect(new Set(rows.slice(1).map((row) => row[3]))).toEqual(new Set(['2025-01-07']));
    const source = sourceJson(out);
    expect(source).toMatchObject({ source: 'wikipedia:imf', url: null, http_status: null, published: '2025-01-07', revision: { id: 1267927482, date: '2025-01-07' }, rows: 210 });
    expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['world_bank', ['United States', '2023', '27,360,935']],
    ['un', ['United States', '2022', '25,744,100']],
  ])('--source %s gives its own column group', async (source, usa) => {
    const out = join(tempDir(), 'wiki.csv');
    expect((await cli(['extract', 'wikipedia', '--file', PAGE, '--out', out, '--source', source])).code).toBe(0);
    expect(dumpRows(out)[2].slice(0, 3)).toEqual(usa);
    expect(csvRows(out)[2][5]).toBe(source);
  });

  it("another publisher's column of a page already loaded appends; the same column again is refused", async () => {
    const dir = tempDir();
    const [imf, wb, imf2] = ['imf', 'world_bank', 'imf'].map((source, i) => ({ source, out: join(dir, `${source}-${i}.csv`) }));
    // The second IMF extract is dated otherwise: another dump file, the same page bytes.
    for (const x of [imf, wb, imf2]) expect((await cli(['extract', 'wikipedia', '--file', PAGE, '--out', x.out, '--source', x.source, ...(x === imf2 ? ['--published', '2025-02-01'] : [])])).code).toBe(0);
    const w = join(dir, 'w');
    expect((await cli(['run', imf.out, '--out', w])).code).toBe(0);
    const other = await cli(['run', wb.out, '--out', w, '--append']);
    expect(other.code, other.stderr).toBe(0);
    const again = await cli(['run', imf2.out, '--out', w, '--append']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('wikipedia:imf from the same raw bytes');
  });

  it('finds the columns by header text: groups in another order, footnotes in headers, rowspans', async () => {
    const dir = tempDir();
    const page = `<html><head><script type="application/ld+json">{"dateModified":"2025-04-22T10:00:00Z"}</script></head><body>
      <table><tr><th>Other</th></tr><tr><td>1</td></tr></table>
      <table class="wikitable"><tbody>
      <tr><th colspan="2">United Nations<sup class="reference">[9]</sup></th><th rowspan="2">Country/Territory<sup class="reference">[a]</sup></th><th colspan="2">IMF<sup class="reference">[1]</sup>[2]</th></tr>
      <tr><th>Estimate</th><th>Year</th><th>Year</th><th>Forecast</th></tr>
      <tr><td>1</td><td>2022</td><td><span class="flagicon"><img alt="flag" src="x.png"></span>&#160;<a>Narnia</a><sup class="reference">[n 1]</sup></td><td><sup class="reference">[n 2]</sup>2025</td><td>1,234</td></tr>
      <tr><td>2</td><td>2022</td><td>Oz</td><td colspan="2">—</td></tr>
      </tbody></table></body></html>`;
    const out = join(dir, 'o.csv');
    const r = await cli(['extract', 'wikipedia', '--file', writeInput(dir, 'p.html', page), '--out', out]);
    expect(r.stderr).toBe('');
    expect(dumpRows(out)).toEqual([
      ['country', 'year', 'gdp_usd_million', 'published'],
      ['Narnia', '2025', '1,234', '2025-04-22'],
      ['Oz', '', '—', '2025-04-22'],
    ]);
  });

  it('a page without the table: exit 1 saying which tables were found, nothing written', async () => {
    const dir = tempDir();
    const page = writeInput(dir, 'p.html', '<table><tr><th>Rank</th><th>Name</th></tr><tr><td>1</td><td>x</td></tr></table>');
    const r = await cli(['extract', 'wikipedia', '--file', page, '--out', join(dir, 'o.csv'), '--published', '2025-01-01']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no table with a "Country/Territory" column and a "IMF" column group');
    expect(r.stderr).toContain('"rank"');
    expectNothingWritten(dir, 'p.html');
  });
});

describe('extract imf from the saved responses', () => {
  it('loads with gdpmr run and answers as the WEO CSV does for every country in the region map; run keeps its provenance', async () => {
    const dir = tempDir();
    const out = join(dir, 'weo.csv');
    const r = await cli(['extract', 'imf', '--file', VALUES, '--countries', COUNTRIES, '--out', out, '--published', '2024-10-22']);
    expect(r.code).toBe(0);
    const rows = dumpRows(out);
    expect(rows.find((row) => row[0] === 'United States' && row[1] === '2029')).toEqual(['United States', '2029', '35457964', '2024-10-22']);
    const raw = csvRows(out);
    expect(raw.find((row) => row[0] === 'United States')?.slice(1, 2)).toEqual(['USA']);
    // The IMF's own codes for Kosovo and West Bank and Gaza become ISO's.
    expect(raw.find((row) => row[0] === 'Kosovo')?.[1]).toBe('XKX');
    expect(raw.filter((row) => row[1] === 'UVK' || row[1] === 'WBG')).toEqual([]);
    expect(new Set(raw.slice(1).map((row) => row[5]))).toEqual(new Set(['imf']));
    // Groups such as WEOWORLD are not countries.
    expect(rows.some((row) => /world|euro area/i.test(row[0]))).toBe(false);
    // The API lists West Bank and Gaza (PSE), which the WEO CSV leaves out.
    const withoutPse = join(dir, 'weo-without-pse.csv');
    writeFileSync(withoutPse, readFileSync(out, 'utf8').split('\n').filter((l) => !l.includes(',PSE,')).join('\n'));
    expect((await cli(['run', withoutPse, '--out', join(dir, 'a')])).code).toBe(0);
    expect((await cli(['run', IMF, '--out', join(dir, 'b')])).code).toBe(0);
    for (const query of [['top5'], ['over', '--min', '0'], ['top5', '--year', '2020', '--k', '50']]) {
      // The same figures and identities; only the source differs (the WEO CSV names none).
      const a = JSON.parse((await cli(['query', ...query, '--warehouse', join(dir, 'a'), '--json'])).stdout);
      const b = JSON.parse((await cli(['query', ...query, '--warehouse', join(dir, 'b'), '--json'])).stdout);
      expect([a.source, b.source]).toEqual(['imf', '']);
      delete a.source;
      delete b.source;
      expect(a).toEqual(b);
    }
    expect((await cli(['run', out, '--out', join(dir, 'c')])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'c', 'manifest.json'), 'utf8'));
    expect(manifest.loads[0].source).toEqual(sourceJson(out));
  });
});

describe('an OUT that cannot be written', () => {
  it('exit 1 naming it, no stack trace', async () => {
    const r = await cli(['extract', 'wikipedia', '--file', PAGE, '--out', '/proc/gdpmr-x.csv']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--out must be a file gdpmr can write, got /proc/gdpmr-x.csv');
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });
});

describe('bad usage: exit 2, nothing written', () => {
  it.each([
    [['wikipedia', '--url', 'http://x', '--file', PAGE], 'takes --url or --file, not both'],
    [['imf', '--file', VALUES, '--published', '2024-10-22'], '--file VALUES.json needs --countries COUNTRIES.json'],
    [['imf', '--file', VALUES, '--countries', COUNTRIES], '--file needs --published'],
    [['wikipedia', '--url', 'ftp://example.org/page'], '--url must be an http:// or https:// address'],
    [['wikipedia', '--file', '/no/such/page.html'], '--file must be a readable file, got /no/such/page.html (no such file)'],
    [['wikipedia', '--file', PAGE, '--source', 'oecd'], '--source must be one of imf, world_bank, un'],
    [['wikipedia', '--file', PAGE, '--published', '2025-02-30'], '--published must be a calendar date YYYY-MM-DD'],
    [['wikipedia', '--file', PAGE, '--timeout', '0'], '--timeout must be a number of seconds'],
    [['imf', '--file', VALUES, '--countries', COUNTRIES, '--published', '2024-10-22', '--indicator', 'NG;DPD'], '--indicator must be'],
    [['gdp'], 'gdpmr extract must be followed by wikipedia, imf, weo or worldbank'],
  ])('%j', async (args, message) => {
    const dir = tempDir();
    const r = await cli(['extract', ...args, ...(args.length > 1 ? ['--out', join(dir, 'o.csv')] : [])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectNothingWritten(dir);
  });
});

/** A loopback server whose answers each test scripts, path by path, request by request. */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const script = new Map<string, Answer[]>();
const seen: Array<{ path: string; ua: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, ua: req.headers['user-agent'] });
    const answers = script.get(path) ?? [];
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ok = (body: Buffer | string, type = 'text/html'): Answer => (_req, res) => res.writeHead(200, { 'content-type': type }).end(body);
const status = (code: number, headers: Record<string, string> = {}): Answer => (_req, res) => res.writeHead(code, headers).end(`status ${code}`);

describe('extract over HTTP (loopback server)', () => {
  it('a body larger than --max-bytes: exit 1 naming the cap, nothing written; an endless one too', async () => {
    script.set('/big', [ok(Buffer.alloc(3 * 1024 * 1024, 0x41))]);
    script.set('/endless', [
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 0x42);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => undefined);
        pump();
      },
    ]);
    const dir = tempDir();
    for (const path of ['/big', '/endless']) {
      const r = await cli(['extract', 'wikipedia', '--url', `${base}${path}`, '--out', join(dir, 'o.csv'), '--max-bytes', '1MB', '--published', '2025-01-01']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('larger than --max-bytes 1048576 bytes');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expectNothingWritten(dir);
  });

  it('a gzip bomb counts what it inflates to: exit 1 at the cap, without inflating it all', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    script.set('/bomb', [(_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb)]);
    const dir = tempDir();
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/bomb`, '--out', join(dir, 'o.csv'), '--max-bytes', '2MB', '--published', '2025-01-01']);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('larger than --max-bytes');
    expectNothingWritten(dir);
  });

  it("a page in windows-1252 (its Content-Type says so, or its <meta charset>) keeps its names", async () => {
    const page = (meta: string) =>
      Buffer.from(
        `<html><head>${meta}<script type="application/ld+json">{"dateModified":"2025-01-07T00:00:00Z"}</script></head><body><table class="wikitable">` +
          '<tr><th rowspan="2">Country/Territory</th><th colspan="2">IMF</th></tr><tr><th>Forecast</th><th>Year</th></tr>' +
          "<tr><td>C\u00f4te d'Ivoire</td><td>86,000</td><td>2025</td></tr></table></body></html>",
        'latin1',
      );
    script.set('/cp1252-header', [(_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' }).end(page(''))]);
    script.set('/cp1252-meta', [(_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('<meta charset="windows-1252">'))]);
    for (const path of ['/cp1252-header', '/cp1252-meta']) {
      const out = join(tempDir(), 'o.csv');
      const r = await cli(['extract', 'wikipedia', '--url', `${base}${path}`, '--out', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain("Côte d'Ivoire,,2025,\"86,000\",2025-01-07,imf");
    }
  });

  it.each([
    ['a table of many colspan="1000" cells is refused instead of filling memory', `<html><body><table>${`<tr>${'<td colspan="1000">x</td>'.repeat(50)}</tr>`.repeat(100)}</table></body></html>`, 'grid cells'],
    [
      'a page that gives no figure rows: no header-only dump',
      '<html><body><table><tr><th rowspan="2">Country/Territory</th><th colspan="2">IMF</th></tr><tr><th>Forecast</th><th>Year</th></tr></table></body></html>',
      'no figure rows',
    ],
  ])('%s: exit 1, nothing written', async (_, page, message) => {
    const dir = tempDir();
    const r = await cli(['extract', 'wikipedia', '--file', writeInput(dir, 'p.html', page), '--out', join(dir, 'o.csv'), '--published', '2025-01-01']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(readdirSync(dir)).toEqual(['p.html']);
  });

  it("a page whose own revision date is impossible: exit 1 asking for --published", async () => {
    const dir = tempDir();
    const page = readFileSync(PAGE, 'utf8').replace(/"dateModified":"[^"]*"/, '"dateModified":"2025-02-30T10:00:00Z"');
    const r = await cli(['extract', 'wikipedia', '--file', writeInput(dir, 'p.html', page), '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"2025-02-30" is not a calendar date');
    expect(readdirSync(dir)).toEqual(['p.html']);
  });

  it('a 503 with Retry-After, then a 429, then the page: three attempts logged, the rows extracted', async () => {
    script.set('/wiki/ok', [status(503, { 'retry-after': '1' }), status(429), ok(readFileSync(PAGE))]);
    const out = join(tempDir(), 'w.csv');
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/wiki/ok`, '--out', out, '--verbose']);
    expect(r.code).toBe(0);
    expect(csvRows(out)).toHaveLength(211);
    const source = sourceJson(out);
    expect(source).toMatchObject({ url: `${base}/wiki/ok`, http_status: 200, published: '2025-01-07' });
    expect(source.requests.map((q: { attempt: number; status: number | null }) => [q.attempt, q.status])).toEqual([[1, 503], [2, 429], [3, 200]]);
    expect(source.requests[0].wait_ms).toBe(1000);
    expect(source.requests.every((q: { request_id: string; url: string; ms: number }) => q.request_id && q.url === `${base}/wiki/ok` && q.ms >= 0)).toBe(true);
    expect(r.stderr).toContain('"status":503');
    expect(seen.find((s) => s.path === '/wiki/ok')?.ua).toMatch(/^gdpmr\/\d+\.\d+\.\d+ /);
  });

  it('a redirect is followed to http(s) only and at most 5 times: file:// and a loop fail at once (one request each), not retried', async () => {
    script.set('/moved', [status(301, { location: '/wiki/page' })]);
    script.set('/wiki/page', [ok(readFileSync(PAGE))]);
    const out = join(tempDir(), 'w.csv');
    const moved = await cli(['extract', 'wikipedia', '--url', `${base}/moved`, '--out', out]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(sourceJson(out).url).toBe(`${base}/wiki/page`);

    script.set('/to-file', [status(302, { location: 'file:///etc/passwd' })]);
    const dir = tempDir();
    let before = seen.length;
    const toFile = await cli(['extract', 'wikipedia', '--url', `${base}/to-file`, '--out', join(dir, 'o.csv')]);
    expect(toFile.code).toBe(1);
    expect(toFile.stderr.trim()).toBe(`gdpmr: fetching ${base}/to-file failed: ${base}/to-file redirects to "file:///etc/passwd", which is not an http(s) address (not retried)`);
    expect(seen.slice(before).filter((s) => s.path === '/to-file')).toHaveLength(1);

    script.set('/loop', [status(302, { location: '/loop' })]);
    before = seen.length;
    const loop = await cli(['extract', 'wikipedia', '--url', `${base}/loop`, '--out', join(dir, 'o.csv')]);
    expect(loop.code).toBe(1);
    expect(loop.stderr).toContain('failed: more than 5 redirects (a loop?');
    expect(seen.slice(before).filter((s) => s.path === '/loop')).toHaveLength(6);
    expectNothingWritten(dir);
  });

  it('a Retry-After beyond the 120 s gdpmr waits fails at once saying so; a negative one is named and the usual backoff used', async () => {
    script.set('/later', [status(503, { 'retry-after': '86400' })]);
    const dir = tempDir();
    const later = await cli(['extract', 'wikipedia', '--url', `${base}/later`, '--out', join(dir, 'o.csv')]);
    expect(later.code).toBe(1);
    expect(later.stderr.trim()).toBe(`gdpmr: fetching ${base}/later failed: HTTP 503, and the server asks to wait 86400 s (Retry-After: 86400), more than the 120 s gdpmr waits; try again later`);
    script.set('/negative', [status(503, { 'retry-after': '-5' })]);
    const negative = await cli(['extract', 'wikipedia', '--url', `${base}/negative`, '--out', join(dir, 'o.csv')]);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('failed after 3 attempts; last error: HTTP 503 (Retry-After "-5" is no delay: the usual backoff was used)');
    expectNothingWritten(dir);
  });

  it('a --url with a password: exit 2 without repeating the password', async () => {
    const r = await cli(['extract', 'imf', '--url', `http://user:hunter2@127.0.0.1:9/api`, '--out', join(tempDir(), 'o.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--url must not carry a user name or password');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a 404 is not retried: exit 1 naming the URL and the status, nothing written', async () => {
    const dir = tempDir();
    const before = seen.length;
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/wiki/missing`, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`fetching ${base}/wiki/missing failed: HTTP 404`);
    expect(seen.slice(before).filter((s) => s.path === '/wiki/missing')).toHaveLength(1);
    expectNothingWritten(dir);
  });

  it('a response slower than --timeout: exit 1 after 3 attempts', async () => {
    script.set('/slow', [(_req, res) => setTimeout(() => res.writeHead(200).end('late'), 3000).unref()]);
    const dir = tempDir();
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/slow`, '--out', join(dir, 'o.csv'), '--timeout', '0.3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`fetching ${base}/slow failed after 3 attempts; last error: no complete answer within 0.3 s`);
    expectNothingWritten(dir);
  });

  it('a page without the table: exit 1, nothing written', async () => {
    script.set('/wiki/other', [ok('<html><body><table><tr><th>Name</th></tr></table></body></html>')]);
    const dir = tempDir();
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/wiki/other`, '--out', join(dir, 'o.csv'), '--published', '2025-01-01']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no table with a "Country/Territory" column');
    expectNothingWritten(dir);
  });

  it('imf: the two API responses from BASE give the rows of the saved files', async () => {
    script.set('/api/v1/NGDPD', [ok(readFileSync(VALUES), 'application/json')]);
    script.set('/api/v1/countries', [ok(readFileSync(COUNTRIES), 'application/json')]);
    const dir = tempDir();
    const live = join(dir, 'live.csv');
    const saved = join(dir, 'saved.csv');
    expect((await cli(['extract', 'imf', '--url', `${base}/api/v1`, '--out', live, '--published', '2024-10-22'])).code).toBe(0);
    expect((await cli(['extract', 'imf', '--file', VALUES, '--countries', COUNTRIES, '--out', saved, '--published', '2024-10-22'])).code).toBe(0);
    expect(readFileSync(live, 'utf8')).toBe(readFileSync(saved, 'utf8'));
    expect(sourceJson(live).requests).toHaveLength(2);
    // Without --published, a live fetch is published on the day it was fetched (UTC).
    expect((await cli(['extract', 'imf', '--url', `${base}/api/v1`, '--out', live])).code).toBe(0);
    expect(dumpRows(live)[1][3]).toBe(new Date().toISOString().slice(0, 10));
  });

  it('imf: a truncated JSON body: exit 1 naming the URL, nothing written', async () => {
    const body = readFileSync(VALUES).subarray(0, 5000);
    script.set('/cut/NGDPD', [ok(body, 'application/json')]);
    script.set('/cut/countries', [ok(readFileSync(COUNTRIES), 'application/json')]);
    const dir = tempDir();
    const r = await cli(['extract', 'imf', '--url', `${base}/cut`, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${base}/cut/NGDPD is not JSON`);
    expectNothingWritten(dir);
  });

  it('imf: JSON of the wrong shape: exit 1 naming the missing key', async () => {
    script.set('/shape/NGDPD', [ok('{"values":{"OTHER":{}}}', 'application/json')]);
    script.set('/shape/countries', [ok(readFileSync(COUNTRIES), 'application/json')]);
    const dir = tempDir();
    const r = await cli(['extract', 'imf', '--url', `${base}/shape`, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no "values"."NGDPD" object');
    expectNothingWritten(dir);
  });

  it('a connection that is cut mid-body is retried, then fails: exit 1', async () => {
    script.set('/reset', [(_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('{"values":');
      setTimeout(() => res.destroy(), 20);
    }]);
    const dir = tempDir();
    const r = await cli(['extract', 'wikipedia', '--url', `${base}/reset`, '--out', join(dir, 'o.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`fetching ${base}/reset failed after 3 attempts`);
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });
});
