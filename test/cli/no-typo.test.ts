// Issue 30's rules that no typo loses data: an --out that exists is replaced only when it is the
// command's own earlier output or --force says so; a load of nothing is refused; --append onto
// a directory without a warehouse is refused naming the one beside it.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cleanTempDirs, cli, CLI, DATA, IMF, tempDir, WIKIPEDIA, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const PAGE = join(DATA, 'sources', 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html');

describe('an --out that exists', () => {
  it('extract, generate and report refuse a file that is not their own output (exit 2, untouched); --force replaces it', async () => {
    const dir = tempDir();
    const precious = writeInput(dir, 'precious.csv', 'my data\n');
    const w = join(dir, 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', w])).code).toBe(0);
    for (const args of [
      ['extract', 'wikipedia', '--file', PAGE, '--out', precious],
      ['generate', '--size', '1KB', '--out', precious],
      ['report', '--warehouse', w, '--out', precious],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`got ${precious} (it exists`);
      expect(r.stderr).toContain('--force');
      expect(readFileSync(precious, 'utf8')).toBe('my data\n');
    }
    expect((await cli(['generate', '--size', '1KB', '--out', precious, '--force'])).code).toBe(0);
    expect(readFileSync(precious, 'utf8')).not.toBe('my data\n');
  });

  it("their own earlier output is replaced without --force: an extract with its provenance, a report, an export", async () => {
    const dir = tempDir();
    const out = join(dir, 'wiki.csv');
    for (let i = 0; i < 2; i++) expect((await cli(['extract', 'wikipedia', '--file', PAGE, '--out', out])).code).toBe(0);
    const w = join(dir, 'w');
    expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
    const page = join(dir, 'report.html');
    for (let i = 0; i < 2; i++) expect((await cli(['report', '--warehouse', w, '--out', page])).code).toBe(0);
    const exported = join(dir, 'export');
    for (let i = 0; i < 2; i++) expect((await cli(['export', '--warehouse', w, '--out', exported, '--format', 'csv'])).code).toBe(0);
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'mine.txt'), 'x');
    const refused = await cli(['export', '--warehouse', w, '--out', other, '--format', 'csv']);
    expect(refused.code).toBe(2);
    expect(readdirSync(other)).toEqual(['mine.txt']);
  });
});

describe('a run that would publish nothing, or start a warehouse by mistake', () => {
  it('a load of which no record loads is refused (exit 2): the warehouse keeps its rows; --allow-empty publishes it', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
    const before = readFileSync(join(w, 'manifest.json'), 'utf8');
    const bad = writeInput(dir, 'bad.csv', 'country,year,gdp_usd_million\nWorld,2023,1\nAtlantis,2023,5\nJapan,2023,n/a\n');
    const r = await cli(['run', bad, '--out', w]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('3 records, 0 loaded (rejected: missing_gdp 1, unknown_region 2)');
    expect(readFileSync(join(w, 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(w, '.runs'))).toEqual([]);
    expect((await cli(['run', bad, '--out', w, '--allow-empty'])).code).toBe(0);
  });

  it('--append onto a directory without a warehouse: exit 2 naming the warehouse beside it, nothing created', async () => {
    const dir = tempDir();
    expect((await cli(['run', IMF, '--out', join(dir, 'wh')])).code).toBe(0);
    const r = await cli(['run', WIKIPEDIA, '--out', join(dir, 'whh'), '--append']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`did you mean ${join(dir, 'wh')}?`);
    expect(existsSync(join(dir, 'whh'))).toBe(false);
  });
});

describe('the commands gdpmr suggests', () => {
  it('are spelled as the user invoked gdpmr: `npx gdpmr ...` when npx ran it', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', w])).code).toBe(0);
    writeFileSync(join(w, 'manifest.json'), '{"cut');
    const viaNpx = await cli(['query', 'top5', '--warehouse', w], { npm_command: 'exec' });
    expect(viaNpx.stderr).toContain('`npx gdpmr verify --warehouse');
    const direct = await cli(['query', 'top5', '--warehouse', w], { npm_command: '' });
    expect(direct.stderr).toContain('`gdpmr verify --warehouse');
    expect(direct.stderr).not.toContain('npx');
  });
});

describe('progress on a terminal', () => {
  const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!HAVE_SCRIPT)('run says no rate before a map task has finished, and export counts its regions (a pty from script(1))', () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    const onTty = (args: string[]): string => spawnSync('script', ['-qec', [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { encoding: 'utf8' }).stdout.replaceAll('\r', '\n');
    const run = onTty(['run', IMF, '--out', w, '--chunk-size', '64KB']);
    expect(run).toMatch(/split \d+\/\d+/);
    expect(run).not.toContain('0.0 MB/s');
    const exported = onTty(['export', '--warehouse', w, '--out', join(dir, 'e'), '--format', 'csv']);
    expect(exported).toMatch(/export Africa \(1\/5\)/);
    expect(exported).toMatch(/export Oceania \(5\/5\)  \d+ rows written/);
  });
});
