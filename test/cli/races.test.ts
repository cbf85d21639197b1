// Readers and writers at the same time: reads racing publishes, runs racing for a stale lock,
// a run and an export onto a disk that fills up.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, IMF, ROOT, snapshot, tempDir, until, WIKIPEDIA } from '../helpers.js';

afterAll(cleanTempDirs);

describe('reads racing publishes', () => {
  it('queries, sql, report and verify during five appends all answer from a whole generation', async () => {
    const out = join(tempDir(), 'w');
    expect((await cli(['run', IMF, '--out', out])).code).toBe(0);
    let appending = true;
    const appends = (async () => {
      try {
        for (let i = 0; i < 5; i++) {
          const r = await cli(['run', i % 2 === 0 ? WIKIPEDIA : IMF, '--out', out, '--append', '--allow-reload', '--workers', '1']);
          expect(r.code, r.stderr).toBe(0);
        }
      } finally {
        appending = false;
      }
    })();
    const report = join(tempDir(), 'r.html');
    const reads: Array<[string[], (stdout: string) => void]> = [
      [['query', 'top5', '--json'], (s) => expect(JSON.parse(s).regions).toHaveLength(5)],
      [['sql', 'SELECT count(*) AS n FROM gdp', '--json'], (s) => expect(JSON.parse(s).rows[0][0]).toBeGreaterThan(8000)],
      [['report', '--out', report], () => expect(readFileSync(report, 'utf8')).toContain('<svg')],
      [['verify'], (s) => expect(s).toContain('is sound')],
    ];
    const failures: string[] = [];
    let done = 0;
    const reader = async (which: number): Promise<void> => {
      for (let turn = which; appending; turn++) {
        const [args, check] = reads[turn % reads.length];
        const r = await cli([...args, '--warehouse', out]);
        try {
          expect(r.code).toBe(0);
          check(r.stdout);
          done++;
        } catch {
          failures.push(`${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
        }
      }
    };
    await Promise.all([appends, reader(0), reader(1), reader(2)]);
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(10);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).loads).toHaveLength(6);
  }, 240_000);
});

describe('runs racing for a stale lock', () => {
  it('of eight processes taking over the same stale lock at once, exactly one holds it', async () => {
    const publish = join(ROOT, 'dist', 'src', 'engine', 'lock.js');
    const layout = join(ROOT, 'dist', 'src', 'store', 'layout.js');
    // Each contender waits for the same moment, tries, and says whether it holds the lock; a
    // holder holds it (alive, so never stale) until the test ends its standard input.
    const contender = `
      const { acquireLock } = await import(${JSON.stringify(publish)});
      const { WarehousePaths } = await import(${JSON.stringify(layout)});
      const [dir, at] = process.argv.slice(1);
      while (Date.now() < Number(at)) {}
      try {
        acquireLock(new WarehousePaths(dir), { pid: process.pid, host: ${JSON.stringify(hostname())}, run_id: 'r' + process.pid, started_at: '', input: '' }, () => {});
        process.stdout.write('held');
        process.stdin.resume();
        process.stdin.on('end', () => process.exit(0));
      } catch (e) { process.stdout.write(e.code); process.exit(0); }`;
    for (let round = 0; round < 5; round++) {
      const dir = join(tempDir(), 'w');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), run_id: 'dead', started_at: '', input: '' }));
      const at = Date.now() + 3000;
      const children = Array.from({ length: 8 }, () => spawn(process.execPath, ['--input-type=module', '-e', contender, dir, String(at)], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const said = children.map(() => '');
      children.forEach((child, i) => child.stdout.on('data', (d: Buffer) => (said[i] += d)));
      // Every contender has answered: then the holder may go.
      await until(() => said.every((s, i) => s !== '' || children[i].exitCode !== null), 60_000, 'every contender to answer');
      children.forEach((child) => child.stdin.end());
      await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((r) => child.on('exit', r)))));
      expect(said.filter((s) => s === 'held'), said.join(' ')).toHaveLength(1);
      expect(said.filter((s) => s !== 'held').every((s) => s === 'WAREHOUSE_LOCKED'), said.join(' ')).toBe(true);
      expect(readdirSync(dir).filter((f) => f.startsWith('.lock'))).toEqual(['.lock']);
    }
  }, 120_000);
});

// A disk that fills: a small tmpfs, as root (CI is root); said and skipped elsewhere.
const tmpfsOk = process.getuid?.() === 0 && (() => {
  const probe = tempDir();
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok;
})();

describe.skipIf(!tmpfsOk)('a disk that fills up (a tmpfs of a few MB)', () => {
  const disks: string[] = [];
  afterAll(() => disks.forEach((d) => spawnSync('umount', ['-l', d])));
  const smallDisk = (size: string): string => {
    const dir = tempDir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status).toBe(0);
    disks.push(dir);
    return dir;
  };

  it('run: exit 1 in one line naming the disk and the warehouse; the published warehouse unchanged', async () => {
    // Two loads (about 3.1 MB with the generation each keeps) fit; a third does not.
    const disk = smallDisk('3584k');
    const out = join(disk, 'w');
    expect((await cli(['run', IMF, '--out', out])).code).toBe(0);
    expect((await cli(['run', WIKIPEDIA, '--out', out, '--append'])).code).toBe(0);
    const before = snapshot(out);
    const r = await cli(['run', IMF, '--out', out, '--append', '--allow-reload']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('discarding'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^gdpmr: the disk holding ${out} is full \\(.* free\\): free some space, or write the warehouse to a larger disk; .*ENOSPC.*the published warehouse is unchanged`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(out)).toEqual(before);
    expect((await cli(['verify', '--warehouse', out])).code).toBe(0);
  }, 120_000);

  it('export: exit 1 naming the path and the full disk; nothing of it kept', async () => {
    const w = join(tempDir(), 'w');
    expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
    const disk = smallDisk('3m');
    writeFileSync(join(disk, 'filler'), Buffer.alloc(3 * 1024 * 1024 - 64 * 1024));
    const r = await cli(['export', '--warehouse', w, '--out', join(disk, 'e'), '--format', 'csv']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`gdpmr: --out ${join(disk, 'e')} could not be written (ENOSPC: the disk is full); nothing of this export was kept`);
    expect(readdirSync(disk)).toEqual(['filler']);
  }, 120_000);
});

describe('an export stopped midway', () => {
  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('by %s: exit %i in one line, no temporary directory left, an earlier export kept', async (signal, status) => {
    const dir = tempDir();
    const dump = join(dir, 'dump.csv');
    expect((await cli(['generate', '--size', '24MB', '--out', dump, '--seed', '5'])).code).toBe(0);
    const w = join(dir, 'w');
    expect((await cli(['run', dump, '--out', w])).code).toBe(0);
    const target = join(dir, 'e');
    expect((await cli(['export', '--warehouse', w, '--out', target, '--format', 'csv', '--current-only'])).code).toBe(0);
    const before = readFileSync(join(target, '_gdpmr_export.json'), 'utf8');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'gdpmr.js'), 'export', '--warehouse', w, '--out', target, '--format', 'csv'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const tmp = `.e.tmp-${child.pid}`;
    // Killed once it has written some of a partition: the temporary directory holds a file.
    await until(() => readdirSync(dir).includes(tmp) || child.exitCode !== null, 20_000, 'the temporary directory', 5);
    expect(readdirSync(dir)).toContain(tmp);
    child.kill(signal);
    expect(await exited).toBe(status);
    expect(stderr.trim()).toBe(`gdpmr: export stopped by ${signal}; nothing was written`);
    expect(readdirSync(dir).sort()).toEqual(['dump.csv', 'e', 'w']);
    expect(readFileSync(join(target, '_gdpmr_export.json'), 'utf8')).toBe(before);
  }, 120_000);
});
