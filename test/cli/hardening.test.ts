// Damage and abuse (issue 9): every case a run could lose data, hang or crash on, each with
// the answer it must get instead.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, CLI, IMF, ROOT, snapshot, tempDir, until, WIKIPEDIA, writeInput } from '../helpers.js';
import { generateDump } from '../../src/generate/dump.js';

afterAll(cleanTempDirs);

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('[object Object]');
}

const WIKIPEDIA_PAGE = join(ROOT, 'data', 'sources', 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html');

async function built(): Promise<string> {
  const out = join(tempDir(), 'w');
  expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
  return out;
}

describe('secrets stay out of messages and logs', () => {
  it('a Redis password is shown as *** on stderr and in the run log', async () => {
    const out = join(tempDir(), 'w');
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--redis', 'redis://user:s3cret@127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redis://user:***@127.0.0.1:9');
    expect(r.stderr).not.toContain('s3cret');
    const logs = existsSync(join(out, 'logs')) ? readdirSync(join(out, 'logs')).map((f) => readFileSync(join(out, 'logs', f), 'utf8')).join('') : '';
    expect(logs).not.toContain('s3cret');
  }, 30_000);
});

describe('links planted in a warehouse are never followed out of it', () => {
  it.each(['.gen', '.runs', 'logs'])('%s as a link to a directory elsewhere: a plain run exits 1 naming it, and nothing there is touched', async (name) => {
    const out = await built();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'precious.txt'), 'keep me');
    // The real directory moves elsewhere too, so the link's target holds the warehouse's files.
    renameSync(join(out, name), join(elsewhere, 'moved'));
    symlinkSync(elsewhere, join(out, name));
    const before = readdirSync(elsewhere).sort();
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(out, name)} is a symbolic link`);
    expectNoStack(r.stderr);
    expect(readdirSync(elsewhere).sort()).toEqual(before);
    expect(readFileSync(join(elsewhere, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('.current pointing out of .gen/: exit 1 naming it', async () => {
    const out = await built();
    const elsewhere = tempDir();
    rmSync(join(out, '.current'));
    symlinkSync(elsewhere, join(out, '.current'));
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('which is not one generation of the warehouse');
  });
});

describe('a damaged warehouse is refused, not built on', () => {
  it('--append onto a warehouse whose region database is missing: exit 1 naming it, nothing lost', async () => {
    const out = await built();
    rmSync(join(out, '.current', 'regions', 'asia.sqlite'));
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--append']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asia.sqlite');
    expect(r.stderr).toContain('gdpmr verify');
    expectNoStack(r.stderr);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('verify: exit 0 on a sound warehouse, exit 1 with one line per problem and how to recover', async () => {
    const out = await built();
    const ok = await cli(['verify', '--warehouse', out, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ query: 'verify', ok: true, problems: [] });
    writeFileSync(join(out, '.current', 'regions', 'europe.sqlite'), 'not a database at all');
    writeFileSync(join(out, '.current', 'rejects.csv'), 'line,reason,record\n');
    rmSync(join(out, 'regions'));
    const bad = await cli(['verify', '--warehouse', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/database: .*europe\.sqlite: does not open/);
    expect(bad.stderr).toMatch(/rejects: .*rejects\.csv: holds 0 reject rows, but the manifest counts 16/);
    expect(bad.stderr).toMatch(/links: .*regions: regions must be a link to \.current\/regions; to recover: /);
    const json = JSON.parse((await cli(['verify', '--warehouse', out, '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.problems.map((p: { check: string }) => p.check).sort()).toEqual(['database', 'links', 'rejects']);
  });

  it('verify finds a row count that differs from the manifest', async () => {
    const out = await built();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.counts.by_region.Asia += 1;
    m.counts.by_region.Europe -= 1;
    writeFileSync(join(out, '.current', 'manifest.json'), JSON.stringify(m));
    const r = await cli(['verify', '--warehouse', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asia\.sqlite: holds \d+ rows, but the manifest counts \d+/);
  });

  it('a query on a damaged region database: exit 1 naming the file', async () => {
    const out = await built();
    writeFileSync(join(out, '.current', 'regions', 'asia.sqlite'), Buffer.alloc(8192, 7));
    const r = await cli(['query', 'top5', '--warehouse', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asia.sqlite');
    expectNoStack(r.stderr);
  });

  it('a corrupt manifest: queries exit 1 naming it, and a plain run rebuilds the warehouse', async () => {
    const out = await built();
    writeFileSync(join(out, '.current', 'manifest.json'), '{"format": "gdpmr-warehouse/1", "cut');
    const q = await cli(['query', 'over', '--warehouse', out]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('manifest.json');
    expect((await cli(['run', WIKIPEDIA, '--out', out, '--append'])).code).toBe(1);
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('replacing the damaged warehouse');
    // The damaged generation is kept (never deleted), and verify says so; queries answer.
    const v = await cli(['verify', '--warehouse', out]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('has 1 problem');
    expect(v.stderr).toContain('kept for rollback');
    expect((await cli(['query', 'over', '--warehouse', out])).code).toBe(0);
  });
});

describe('runs that cannot progress fail instead of spinning', () => {
  it('an input that shrinks while it is read: exit 1 naming the input, the lock released', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.csv');
    writeFileSync(input, Buffer.concat([...generateDump(24 * 1024 * 1024, { seed: 3, territories: 300 })].map((p) => Buffer.from(p))));
    const out = join(dir, 'w');
    const child = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--chunk-size', '1MB', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Truncate as soon as the run holds the lock: its map tasks then read past the end.
    await until(() => existsSync(join(out, '.lock')) || child.exitCode !== null, 60_000, 'the run to take the lock', 5);
    expect(child.exitCode, 'the run ended before it could be cut short').toBe(null);
    truncateSync(input, 2 * 1024 * 1024);
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    expect(code).toBe(1);
    expect(stderr).toContain(input);
    expect(stderr).toMatch(/changed while the run read it|changed since|no such|must/);
    expectNoStack(stderr);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('--out under /proc fails at once with the reason', async () => {
    const r = await cli(['run', WIKIPEDIA, '--out', '/proc/gdpmr-x/y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--out must be a directory gdpmr can write, got /proc/gdpmr-x/y');
  });
});

describe('every numeric flag is bounded, every path non-empty', () => {
  it.each([
    [['run', WIKIPEDIA, '--workers', '99999999999'], /--workers must be at most \d+ \(\d+ is 4 × the machine's \d+ cores/],
    [['run', WIKIPEDIA, '--workers', '1000'], /--workers must be at most/],
    [['run', WIKIPEDIA, '--chunk-size', '2GB'], /--chunk-size must be at most 1GB \(a map task holds its whole split in memory\), got "2GB"/],
    [['run', WIKIPEDIA, '--out', ''], /--out must be a path, got ""/],
    [['run', '', '--out', 'x'], /INPUT must be a path, got ""/],
    [['run', WIKIPEDIA, '--regions', ''], /--regions must be a path, got ""/],
    [['query', 'top5', '--warehouse', ''], /--warehouse must be a path, got ""/],
    [['query', 'top5', '--k', '1000000000'], /--k must be at most 100000/],
    [['query', 'top5', '--k', '99999999999999999999'], /--k must be at most 100000 \(more than any region has countries\), got "99999999999999999999"/],
    [['run', IMF, '--out', 'x', '--chunk-size', '1'], /--chunk-size 1 would cut \S+imf_weo_2024-10_ngdpd.csv \(\d+ bytes\) into \d+ splits; at most 16384 .*use --chunk-size \d+ or more/],
    [['bench', WIKIPEDIA, '--repeat', '100000'], /--repeat must be at most 100/],
    [['bench', WIKIPEDIA, '--workers', '1,5000'], /--workers must be a comma-separated list of worker counts from 1 to/],
    [['generate', '--size', '99999GB', '--out', 'x.csv'], /--size must be at most/],
    [['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '5000'], /--concurrency must be at most \d+ \(4 × the cores\), got "5000"/],
    [['worker', '--redis', 'http://127.0.0.1:1'], /--redis must be a Redis URL/],
    [['extract', 'wikipedia', '--url', 'file:///etc/passwd', '--out', 'x.csv'], /--url must be an http:\/\/ or https:\/\/ address/],
    // A negative number is the flag's value, refused in the flag's own words.
    [['query', 'over', '--min', '-5'], /^gdpmr: --min must be a number of billions of USD, at least 0, got "-5"\n$/],
    [['query', 'top5', '--k', '-1'], /^gdpmr: --k must be a whole number of at least 1, got "-1"\n$/],
    [['run', WIKIPEDIA, '--workers', '-2'], /^gdpmr: --workers must be a whole number of worker threads, at least 1, got "-2"\n$/],
  ])('%j: exit 2', async (args, message) => {
    const cwd = tempDir();
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoStack(r.stderr);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('--resume refuses flags that contradict the interrupted run', () => {
  async function interrupted(): Promise<{ dir: string; out: string; input: string }> {
    const dir = tempDir();
    const input = join(dir, 'd.csv');
    writeFileSync(input, Buffer.concat([...generateDump(300 * 1024, { seed: 5, territories: 300 })].map((p) => Buffer.from(p))));
    const out = join(dir, 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
    // A plain run that fails for good in its reduce leaves a resumable run behind.
    const failed = await cli(['run', input, '--out', out, '--chunk-size', '64KB', '--workers', '1'], { GDPMR_FAULT: 'reduce:asia:throw:3' });
    expect(failed.code).toBe(1);
    return { dir, out, input };
  }

  it.each([
    [['--append'], '--append'],
    [['--chunk-size', '128KB'], '--chunk-size 131072 contradicts its plan (chunk size 65536 bytes)'],
    [['--regions', 'data/un_regions_other.csv'], '--regions data/un_regions_other.csv contradicts its plan'],
  ])('%j: exit 2 naming the flag and the plan', async (flags, message) => {
    const { out, input } = await interrupted();
    const before = snapshot(out);
    const r = await cli(['run', input, '--out', out, '--resume', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(snapshot(out)).toEqual(before);
    // Without the contradiction the run continues.
    const resumed = await cli(['run', input, '--out', out, '--resume']);
    expect(resumed.stderr).not.toContain('failed');
    expect(resumed.code).toBe(0);
  });
});

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
