// Refused directories and inputs are left as they were. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, ROOT, snapshot, tempDir, WIKIPEDIA, writeInput, expectNoStack, builtWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

const WIKIPEDIA_PAGE = join(ROOT, 'data', 'sources', 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html');

const built = builtWarehouse;

describe('refused directories and inputs are left as they were', () => {
  it('an --out with a file of its own under a warehouse name: nothing added', async () => {
    const dir = tempDir();
    writeInput(dir, 'rejects.csv', 'mine\n');
    const r = await cli(['run', WIKIPEDIA, '--out', dir]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['rejects.csv']);
  });

  it.each([
    ['report', ['--warehouse', '{w}', '--out', '{w}/manifest.json']],
    ['report', ['--warehouse', '{w}', '--out', '{w}/regions/asia.sqlite']],
    ['export', ['--warehouse', '{w}', '--out', '{w}/.gen/export']],
    ['extract', ['wikipedia', '--file', WIKIPEDIA_PAGE, '--out', '{w}/rejects.csv']],
    ['generate', ['--size', '10KB', '--out', '{w}/logs/dump.csv']],
  ])('%s writing among a warehouse\'s own files: exit 2, the warehouse untouched', async (command, args) => {
    const out = await built();
    const before = snapshot(out);
    const links = readdirSync(out).sort();
    const r = await cli([command, ...args.map((a) => a.replaceAll('{w}', out))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`must be outside the files gdpmr keeps in the warehouse ${out}`);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(links);
    expect((await cli(['verify', '--warehouse', out])).code).toBe(0);
  });

  it('outputs beside a warehouse\'s own files are fine: DIR/report.html, DIR/export/', async () => {
    const out = await built();
    expect((await cli(['report', '--warehouse', out])).code).toBe(0);
    expect((await cli(['export', '--warehouse', out, '--out', join(out, 'export')])).code).toBe(0);
    expect((await cli(['verify', '--warehouse', out])).code).toBe(0);
  });

  it.each([
    ['generate', ['--size', '10KB', '--out', '{d}']],
    ['extract', ['wikipedia', '--file', WIKIPEDIA_PAGE, '--out', '{d}']],
  ])('%s with a directory as --out: exit 2 before any work, the directory untouched', async (command, args) => {
    const dir = tempDir();
    const r = await cli([command, ...args.map((a) => a.replaceAll('{d}', dir))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out must be a file path, got ${dir} (a directory)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('generate writes FILE whole: no partial file is left beside it', async () => {
    const dir = tempDir();
    const r = await cli(['generate', '--size', '20KB', '--out', join(dir, 'd.csv')]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['d.csv']);
  });

  it('an empty or header-only region map: exit 2, the warehouse untouched', async () => {
    const out = await built();
    const dir = tempDir();
    for (const text of ['', 'country,region\n']) {
      const r = await cli(['run', WIKIPEDIA, '--out', out, '--regions', writeInput(dir, 'm.csv', text)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('must list at least one country,region row, got none');
    }
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).counts.loaded).toBe(194);
  });

  // Root reads any file: there the case cannot fail, so it is reported as skipped, not passed.
  it.skipIf(process.getuid?.() === 0)('an unreadable input: exit 2 naming it', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 'x.csv', 'country,year,gdp_usd_million\n');
    chmodSync(input, 0o000);
    const r = await cli(['run', input, '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`INPUT must be a file gdpmr can read, got ${input} (EACCES)`);
  });

  it('a binary input: exit 2, the message stays short', async () => {
    const dir = tempDir();
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251 === 10 ? 0 : (i * 31) % 256 === 10 ? 11 : (i * 31) % 256;
    const r = await cli(['run', writeInput(dir, 'bin.csv', bytes), '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(2000);
    expectNoStack(r.stderr);
  });

  it('a header that names a required column twice: exit 2, nothing written', async () => {
    const dir = tempDir();
    const r = await cli(['run', writeInput(dir, 'd.csv', 'country,year,GDP_USD_MILLION,gdp_usd_million\nChina,2024,1,2\n'), '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the header must name each column once, got gdp_usd_million as fields 3 and 4');
    expect(readdirSync(dir)).toEqual(['d.csv']);
  });

  it('bench --report on a file: exit 2 naming it', async () => {
    const dir = tempDir();
    const file = writeInput(dir, 'report', 'x');
    const r = await cli(['bench', WIKIPEDIA, '--report', file, '--chunk-sizes', '1MB', '--workers', '1', '--repeat', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--report must be a directory, got ${file}`);
    expectNoStack(r.stderr);
  });

  it('--version prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gdpmr \d+\.\d+\.\d+\n$/);
  });
});
