// SPEC §12 (issue 30): `gdpmr refresh`, `status` and `rebuild` against a loopback server standing
// in for the IMF API, the World Bank API and a Wikipedia page, and a folder of WEO files, whose
// answers change between refreshes.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, CLI, DATA, snapshot, tempDir, until } from '../helpers.js';

afterAll(cleanTempDirs);

const IMF_VALUES = JSON.parse(readFileSync(join(DATA, 'sources', 'imf_datamapper_NGDPD_raw.json'), 'utf8'));
const IMF_COUNTRIES = readFileSync(join(DATA, 'sources', 'imf_datamapper_countries.json'));
const PAGE = readFileSync(join(DATA, 'sources', 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html'));

/** What the server answers; the tests change it between refreshes. */
const state = { imf: structuredClone(IMF_VALUES), page: PAGE as Buffer, worldBankDown: false };

const wbRow = (code: string, name: string, date: string, value: number) => ({ indicator: { id: 'NY.GDP.MKTP.CD', value: 'GDP (current US$)' }, country: { id: code.slice(0, 2), value: name }, countryiso3code: code, date, value, unit: '', obs_status: '', decimal: 0 });
const WB_COUNTRIES = [
  { id: 'JPN', name: 'Japan', region: { id: 'EAS', value: 'East Asia & Pacific' } },
  { id: 'DEU', name: 'Germany', region: { id: 'ECS', value: 'Europe & Central Asia' } },
  { id: 'WLD', name: 'World', region: { id: 'NA', value: 'Aggregates' } },
];
const WB_VALUES = [wbRow('JPN', 'Japan', '2023', 4212945000000), wbRow('DEU', 'Germany', '2023', 4525704000000), wbRow('JPN', 'Japan', '2022', 4256410000000), wbRow('DEU', 'Germany', '2022', 4082469000000)];

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/imf/NGDPD') return json(state.imf);
    if (url.pathname === '/imf/countries') return res.writeHead(200, { 'content-type': 'application/json' }).end(IMF_COUNTRIES);
    if (url.pathname === '/wiki') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(state.page);
    if (url.pathname.startsWith('/wb/')) {
      if (state.worldBankDown) return res.writeHead(503).end('down');
      if (url.pathname === '/wb/country') return json([{ page: 1, pages: 1, per_page: 20000, total: WB_COUNTRIES.length }, WB_COUNTRIES]);
      const page = Number(url.searchParams.get('page') ?? '1');
      if (url.pathname === '/wb/country/all/indicator/NY.GDP.MKTP.CD') return json([{ page, pages: 2, per_page: 2, total: 4, sourceid: '2', lastupdated: '2025-07-01' }, WB_VALUES.slice((page - 1) * 2, page * 2)]);
    }
    res.writeHead(404).end('no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

interface Status {
  sources: Array<{ name: string; last_status: string; last_changed: string | null; published: string | null; rows: number | null; economies: number | null; gone: string[]; stale: boolean; warnings: string[] }>;
  warehouse: { loads: number; rows: number; bytes: number };
}

describe('gdpmr refresh, status and rebuild', () => {
  it('loads each source once, loads nothing on a second refresh, follows revisions and failures, and rebuilds the same warehouse', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const weoFolder = join(dir, 'downloads');
    mkdirSync(weoFolder);
    copyFileSync(join(DATA, 'weo', 'WEOOct2019all.xls'), join(weoFolder, 'WEOOct2019all.xls'));
    writeFileSync(
      join(dir, 'gdpmr-sources.json'),
      JSON.stringify({
        sources: [
          { name: 'imf_api', kind: 'imf', url: `${base}/imf` },
          { name: 'weo', kind: 'weo', files: ['downloads/WEO*.xls'] },
          { name: 'world_bank', kind: 'worldbank', url: `${base}/wb` },
          { name: 'wikipedia', kind: 'wikipedia', url: `${base}/wiki`, column: 'world_bank' },
        ],
      }),
    );
    const w = join(dir, 'wh');
    const sources = join(dir, 'gdpmr-sources.json');
    const refresh = (...more: string[]) => cli(['refresh', '--warehouse', w, '--sources', sources, ...more]);
    const status = async (): Promise<Status> => JSON.parse((await cli(['status', '--warehouse', w, '--sources', sources, '--json'])).stdout);
    const loads = (): Array<{ source?: { refresh?: { name: string } } }> => JSON.parse(readFileSync(join(w, 'manifest.json'), 'utf8')).loads;
    const log = (): Array<{ source: string; status: string }> => readFileSync(join(w, 'refresh.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

    const first = await refresh();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/imf_api\s+loaded/);
    expect(loads().map((l) => l.source?.refresh?.name)).toEqual(['imf_api', 'weo', 'world_bank', 'wikipedia']);
    expect(log().map((l) => l.status)).toEqual(['loaded', 'loaded', 'loaded', 'loaded']);
    // The four loads went in with one publish: one generation, nothing left of the refresh's stage.
    expect(readdirSync(join(w, '.gen'))).toHaveLength(1);
    expect(existsSync(join(w, '.refresh'))).toBe(false);
    // Every raw byte kept, named by its sha256: two IMF responses, one WEO file, three World Bank pages, one page.
    expect(readdirSync(join(w, 'archive')).filter((n) => /^[0-9a-f]{64}$/.test(n))).toHaveLength(7);

    const second = await refresh();
    expect(second.code).toBe(0);
    expect(second.stdout.match(/unchanged/g)).toHaveLength(4);
    expect(loads()).toHaveLength(4);
    expect(log()).toHaveLength(8);
    expect(readdirSync(join(w, '.gen'))).toHaveLength(1);
    let s = await status();
    expect(s.sources.map((x) => [x.name, x.last_status, x.stale])).toEqual([
      ['imf_api', 'unchanged', false],
      ['weo', 'unchanged', false],
      ['world_bank', 'unchanged', false],
      ['wikipedia', 'unchanged', false],
    ]);
    expect(s.warehouse.loads).toBe(4);

    // A revised vintage without Japan, a folder that gains the next WEO file, the World Bank
    // down, a page whose table moved away.
    delete state.imf.values.NGDPD.JPN;
    state.imf.values.NGDPD.DEU['2024'] = 4700.5;
    copyFileSync(join(DATA, 'weo', 'WEOApr2024all.xls'), join(weoFolder, 'WEOApr2024all.xls'));
    state.worldBankDown = true;
    state.page = Buffer.from('<html><body><p>The table moved to another page.</p></body></html>');
    const third = await refresh();
    expect(third.code).toBe(1);
    expect(third.stderr).toContain('world_bank');
    expect(third.stderr).toContain('wikipedia');
    // The new WEO file holds twice the records of the last: a drift the check stops.
    expect(third.stdout).toMatch(/weo\s+failed: its record count changed by 102.7 % \(110 -> 223\)/);
    expect(loads().map((l) => l.source?.refresh?.name)).toEqual(['imf_api', 'weo', 'world_bank', 'wikipedia', 'imf_api']);
    expect(log().slice(8).map((l) => [l.source, l.status])).toEqual([
      ['imf_api', 'loaded'],
      ['weo', 'failed'],
      ['world_bank', 'failed'],
      ['wikipedia', 'failed'],
    ]);
    s = await status();
    const imf = s.sources.find((x) => x.name === 'imf_api');
    expect(imf?.gone).toEqual(['JPN']);
    expect(imf?.warnings.join()).toContain('JPN');
    expect(s.sources.find((x) => x.name === 'world_bank')?.last_status).toBe('failed');
    const check = await cli(['status', '--warehouse', w, '--sources', sources, '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('world_bank failed its last refresh');
    // --accept-drift loads the new vintage alone; what did not change is not loaded again.
    state.worldBankDown = false;
    state.page = PAGE;
    const fourth = await refresh('--accept-drift');
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(log().slice(12).map((l) => [l.source, l.status])).toEqual([
      ['imf_api', 'unchanged'],
      ['weo', 'loaded'],
      ['world_bank', 'unchanged'],
      ['wikipedia', 'unchanged'],
    ]);
    expect(loads().map((l) => l.source?.refresh?.name)).toEqual(['imf_api', 'weo', 'world_bank', 'wikipedia', 'imf_api', 'weo']);
    const weoLoad = loads()[5].source as { refresh: { archive: Array<{ file: string }> } };
    expect(weoLoad.refresh.archive.map((p) => p.file)).toEqual([join(weoFolder, 'WEOApr2024all.xls')]);
    state.worldBankDown = true;
    expect((await refresh()).code).toBe(1);

    // A rebuild from the archive alone has the same rows.
    const rebuilt = join(dir, 'rebuilt');
    const r = await cli(['rebuild', '--warehouse', w, '--out', rebuilt]);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(rebuilt)).toEqual(snapshot(w));

    // A tampered archive file: rebuild says which, writes nothing.
    const victim = readdirSync(join(w, 'archive')).find((n) => /^[0-9a-f]{64}$/.test(n)) as string;
    writeFileSync(join(w, 'archive', victim), 'tampered');
    const again = join(dir, 'again');
    const t = await cli(['rebuild', '--warehouse', w, '--out', again]);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(victim);
    expect(existsSync(join(again, 'manifest.json'))).toBe(false);
  });

  it('a sources file that breaks a rule is exit 2 naming the entry and the field, before anything is fetched', async () => {
    const dir = tempDir();
    const cases: Array<[unknown, string]> = [
      [{ sources: [{ name: 'A b', kind: 'imf', url: 'http://x' }] }, 'source 1 ("A b"): name must be made of a-z, 0-9, _ and -'],
      [{ sources: [{ name: 'a', kind: 'fred', url: 'http://x' }] }, 'source 1 ("a"): kind must be one of imf, weo, worldbank, wikipedia, got "fred"'],
      [{ sources: [{ name: 'a', kind: 'weo' }] }, 'url or files: exactly one must be given, got neither'],
      [{ sources: [{ name: 'a', kind: 'weo', url: 'http://x', files: ['a'] }] }, 'exactly one must be given, got both'],
      [{ sources: [{ name: 'a', kind: 'weo', files: ['a'] }, { name: 'a', kind: 'weo', files: ['b'] }] }, 'source 2 ("a"): name must be unique'],
      [{ sources: [{ name: 'a', kind: 'weo', files: ['a'], every_dayz: 3 }] }, 'every_dayz is not a field of a source'],
      [{ sources: [{ name: 'a', kind: 'wikipedia', url: 'file:///etc/passwd' }] }, 'url must be an http:// or https:// address'],
      [{ sources: [{ name: 'a', kind: 'weo', files: ['../wh/archive/*'] }] }, 'files must lie outside the warehouse'],
    ];
    mkdirSync(join(dir, 'wh', 'archive'), { recursive: true });
    writeFileSync(join(dir, 'wh', 'archive', 'x'), 'x');
    mkdirSync(join(dir, 'cfg'));
    for (const [file, message] of cases) {
      writeFileSync(join(dir, 'cfg', 's.json'), JSON.stringify(file));
      const r = await cli(['refresh', '--warehouse', join(dir, 'wh'), '--sources', join(dir, 'cfg', 's.json')]);
      expect(r.code, JSON.stringify(file)).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(join(dir, 'wh', 'refresh.ndjson'))).toBe(false);
    }
  });
});

describe('a refresh interrupted, and two at once', () => {
  it('a second refresh while one runs exits 1 naming it; one killed mid-load is finished by the next, nothing loaded twice', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const sources = join(dir, 'gdpmr-sources.json');
    writeFileSync(
      sources,
      JSON.stringify({
        sources: [
          { name: 'imf', kind: 'imf', files: [join(DATA, 'sources', 'imf_datamapper_*.json')], published: '2024-10-22' },
          { name: 'wiki', kind: 'wikipedia', files: [join(DATA, 'sources', 'wikipedia_*.html')] },
        ],
      }),
    );
    const w = join(dir, 'wh');
    const marker = join(dir, 'paused');
    const first = spawn(process.execPath, [CLI, 'refresh', '--warehouse', w, '--sources', sources], { stdio: 'ignore', env: { ...process.env, npm_command: '', GDPMR_FAULT: 'reduce:asia:pause', GDPMR_PAUSE_MARKER: marker } });
    try {
      await until(() => existsSync(marker), 60_000, 'the first refresh to reach its load');
      const second = await cli(['refresh', '--warehouse', w, '--sources', sources]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/is being written by run refresh-\d+ \(pid \d+/);
    } finally {
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
    }
    const again = await cli(['refresh', '--warehouse', w, '--sources', sources]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/imf\s+loaded/);
    const loads = JSON.parse(readFileSync(join(w, 'manifest.json'), 'utf8')).loads.map((l: { source: { refresh: { name: string } } }) => l.source.refresh.name);
    expect(loads).toEqual(['imf', 'wiki']);
    expect((await cli(['refresh', '--warehouse', w, '--sources', sources])).stdout.match(/unchanged/g)).toHaveLength(2);
    expect((await cli(['verify', '--warehouse', w])).code).toBe(0);
  });
});

describe('rebuild of a warehouse with a load no refresh made', () => {
  it('names it and skips it: exit 1, or 0 with --skip-unarchived; the refreshed loads are rebuilt', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const sources = join(dir, 'gdpmr-sources.json');
    writeFileSync(sources, JSON.stringify({ sources: [{ name: 'wiki', kind: 'wikipedia', files: [join(DATA, 'sources', 'wikipedia_*.html')] }] }));
    const w = join(dir, 'wh');
    expect((await cli(['refresh', '--warehouse', w, '--sources', sources])).code).toBe(0);
    expect((await cli(['run', join(DATA, 'imf_weo_2024-10_ngdpd.csv'), '--out', w, '--append', '--source', 'imf'])).code).toBe(0);
    const r = await cli(['rebuild', '--warehouse', w, '--out', join(dir, 'r1')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('skipping load 2 (');
    expect(JSON.parse(readFileSync(join(dir, 'r1', 'manifest.json'), 'utf8')).loads).toHaveLength(1);
    expect((await cli(['rebuild', '--warehouse', w, '--out', join(dir, 'r2'), '--skip-unarchived'])).code).toBe(0);
  });
});
