// The generations a warehouse keeps (issue 33, 1-4 and 15-18; issue 30's five kept): no link, flag
// or damaged generation makes a run or rollback delete what it must not.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, releaseLock } from '../../src/engine/lock.js';
import { WarehousePaths } from '../../src/store/layout.js';
import { cleanTempDirs, cli, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const csv = (country: string, gdp: number): string => `country,year,gdp_usd_million\n${country},2023,${gdp}\n`;
const manifestOf = (w: string): { generation: string; loads: unknown[] } => JSON.parse(readFileSync(join(w, 'manifest.json'), 'utf8'));
const generations = (w: string): string[] => readdirSync(join(w, '.gen')).sort();
const keptList = (w: string): string[] => JSON.parse(readFileSync(join(w, '.kept.json'), 'utf8')).kept.map((k: { generation: string }) => k.generation);

/** A warehouse of `loads` appended loads, each a one-row file of its own. */
async function warehouse(loads: number): Promise<{ dir: string; w: string; inputs: string[] }> {
  const dir = tempDir();
  const w = join(dir, 'w');
  const inputs: string[] = [];
  for (let i = 0; i < loads; i++) {
    inputs.push(writeInput(dir, `in${i}.csv`, csv('Japan', 1000 + i)));
    const r = await cli(['run', inputs[i], '--out', w, ...(i === 0 ? [] : ['--append'])]);
    expect(r.code, r.stderr).toBe(0);
  }
  return { dir, w, inputs };
}

describe('links inside the warehouse are resolved, never followed out of a generation', () => {
  for (const [link, target] of [
    ['.previous', '.gen/..'],
    ['.previous', '.gen/.'],
    ['.current', '.gen/..'],
    ['.current', '.gen/.'],
  ] as const) {
    it(`${link} -> ${target}: run and rollback refuse (exit 1), nothing is deleted`, async () => {
      const { dir, w } = await warehouse(2);
      writeFileSync(join(w, 'mine.txt'), 'a user file');
      const before = generations(w);
      rmSync(join(w, link), { force: true });
      symlinkSync(target, join(w, link));
      const other = writeInput(dir, 'other.csv', csv('Japan', 7));
      for (const args of [
        ['run', other, '--out', w, '--append', '--allow-reload'],
        ['run', other, '--out', w, '--replace'],
        ['rollback', '--warehouse', w],
      ]) {
        const r = await cli(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBeGreaterThan(0);
        expect(r.stderr).toContain('not one generation');
        expect(r.stderr).not.toContain('internal error');
      }
      expect(readFileSync(join(w, 'mine.txt'), 'utf8')).toBe('a user file');
      expect(generations(w)).toEqual(before);
    });
  }

  it('.previous or .current as a real directory is refused before the run: nothing is published', async () => {
    const { dir, w } = await warehouse(1);
    const before = manifestOf(w).generation;
    mkdirSync(join(w, '.previous'));
    const r = await cli(['run', writeInput(dir, 'b.csv', csv('Japan', 5)), '--out', w, '--append']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('.previous must be gdpmr');
    expect(manifestOf(w).generation).toBe(before);
  });

  it('.current pointing at a generation that is itself a link is refused', async () => {
    const { dir, w } = await warehouse(1);
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'x');
    symlinkSync(outside, join(w, '.gen', 'planted'));
    rmSync(join(w, '.current'));
    symlinkSync('.gen/planted', join(w, '.current'));
    const r = await cli(['run', writeInput(dir, 'b.csv', csv('Japan', 5)), '--out', w, '--replace']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a generation directory');
    expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
  });
});

describe('--resume with nothing to resume passes every guard a plain run passes', () => {
  it('onto several loads without --append: exit 2, nothing replaced', async () => {
    const { dir, w } = await warehouse(3);
    const before = manifestOf(w).generation;
    const r = await cli(['run', writeInput(dir, 'x.csv', csv('Japan', 9)), '--out', w, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('drop its 3 loads');
    expect(manifestOf(w).generation).toBe(before);
  });

  it('--append --resume of a file already loaded: exit 2, not loaded twice', async () => {
    const { w, inputs } = await warehouse(2);
    const r = await cli(['run', inputs[1], '--out', w, '--append', '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already loaded');
    expect(manifestOf(w).loads).toHaveLength(2);
  });
});

describe('what cannot be read is never deleted', () => {
  it('a plain run over a truncated manifest keeps the damaged generation and the kept one; rollback --list shows both', async () => {
    const { dir, w } = await warehouse(2);
    const [damaged] = [manifestOf(w).generation];
    const keptBefore = keptList(w);
    writeFileSync(join(w, '.gen', damaged, 'manifest.json'), '{"cut');
    const r = await cli(['run', writeInput(dir, 'n.csv', csv('Japan', 3)), '--out', w]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('replacing the damaged warehouse');
    expect(generations(w)).toEqual(expect.arrayContaining([damaged, ...keptBefore]));
    const list = await cli(['rollback', '--list', '--warehouse', w]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(damaged);
    expect(list.stdout).toContain('cannot be restored');
    // The damaged one is refused; the sound one behind it is restored.
    const refused = await cli(['rollback', '--warehouse', w]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot be restored');
    expect(refused.stderr).toContain('manifest.json');
    const back = await cli(['rollback', '--warehouse', w, '--to', '2']);
    expect(back.code, back.stderr).toBe(0);
    expect(manifestOf(w).loads).toHaveLength(1);
  });

  it('--replace over a warehouse of another gdpmr format keeps it', async () => {
    const { dir, w } = await warehouse(2);
    const other = manifestOf(w).generation;
    const path = join(w, '.gen', other, 'manifest.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/gdpmr-warehouse\/\d+/, 'gdpmr-warehouse/99'));
    const r = await cli(['run', writeInput(dir, 'n.csv', csv('Japan', 3)), '--out', w, '--replace']);
    expect(r.code, r.stderr).toBe(0);
    expect(generations(w)).toContain(other);
    expect(keptList(w)).toContain(other);
  });

  it('rollback refuses a kept generation verify flags (a database removed): exit 1, nothing changed', async () => {
    const { w } = await warehouse(2);
    const published = manifestOf(w).generation;
    const kept = keptList(w)[0];
    rmSync(join(w, '.gen', kept, 'regions'), { recursive: true });
    const r = await cli(['rollback', '--warehouse', w]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('database is missing');
    expect(manifestOf(w).generation).toBe(published);
    expect((await cli(['query', 'top5', '--warehouse', w])).code).toBe(0);
  });

  it('a damaged published generation replaced by a run stays kept beside the sound one, and the sound one is restorable', async () => {
    const { dir, w } = await warehouse(2);
    const damaged = manifestOf(w).generation;
    const sound = keptList(w)[0];
    rmSync(join(w, '.gen', damaged, 'regions'), { recursive: true });
    expect((await cli(['query', 'top5', '--warehouse', w])).code).toBe(1);
    const r = await cli(['run', writeInput(dir, 'n.csv', csv('Japan', 3)), '--out', w, '--replace']);
    expect(r.code, r.stderr).toBe(0);
    expect(keptList(w)).toEqual([damaged, sound]);
    const back = await cli(['rollback', '--warehouse', w, '--to', '2']);
    expect(back.code, back.stderr).toBe(0);
    expect(manifestOf(w).generation).toBe(sound);
  });
});

describe('the last five replaced generations are kept', () => {
  it('seven publishes keep five, newest first; rollback --to restores any of them', async () => {
    const { w } = await warehouse(7);
    const kept = keptList(w);
    expect(kept).toHaveLength(5);
    expect(generations(w)).toHaveLength(6);
    const list = await cli(['rollback', '--list', '--warehouse', w]);
    expect(list.stdout.split('\n').filter((l) => /^\d+: /.test(l))).toHaveLength(5);
    expect(list.stdout).toContain('1: ' + kept[0]);
    const r = await cli(['rollback', '--warehouse', w, '--to', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(manifestOf(w).loads).toHaveLength(2);
    expect(manifestOf(w).generation).toBe(kept[4]);
    expect((await cli(['rollback', '--warehouse', w, '--to', '6'])).code).toBe(2);
    expect((await cli(['rollback', '--warehouse', w, '--to', '0'])).code).toBe(2);
  });
});

describe('the lock', () => {
  it('a planted .lock.<pid> link does not redirect the lock write', () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    mkdirSync(w);
    const outside = join(dir, 'precious.txt');
    writeFileSync(outside, 'precious');
    const paths = new WarehousePaths(w);
    symlinkSync(outside, `${paths.lock}.${process.pid}`);
    acquireLock(paths, { pid: process.pid, host: 'h', run_id: 'r', started_at: 'now', input: 'i' }, () => {});
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(JSON.parse(readFileSync(paths.lock, 'utf8')).run_id).toBe('r');
    releaseLock(paths, 'r');
    expect(readdirSync(w)).toEqual([]);
  });
});

/** A 4 MB tmpfs of our own, where the machine lets us mount one (root, CAP_SYS_ADMIN). */
function smallDisk(): string | null {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

describe('a full disk', () => {
  const disk = smallDisk();
  afterAll(() => {
    if (disk !== null) execFileSync('umount', [disk]);
  });
  it.skipIf(disk === null)('run --append and rollback exit 1 saying the disk is full, and leave no lock file behind (needs a tmpfs mount)', async () => {
    const d = disk as string;
    const w = join(d, 'w');
    const inputs = [0, 1].map((i) => writeInput(tempDir(), `in${i}.csv`, csv('Japan', 10 + i)));
    expect((await cli(['run', inputs[0], '--out', w])).code).toBe(0);
    expect((await cli(['run', inputs[1], '--out', w, '--append'])).code).toBe(0);
    const before = manifestOf(w).generation;
    // Fill the disk to the last byte.
    const fill = join(d, 'fill');
    const block = Buffer.alloc(64 * 1024, 1);
    for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
      try {
        for (;;) appendFileSync(fill, block.subarray(0, size));
      } catch {
        // full at this block size: try a smaller one
      }
    }
    for (const args of [
      ['run', writeInput(tempDir(), 'x.csv', csv('Japan', 5)), '--out', w, '--append'],
      ['rollback', '--warehouse', w],
    ]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('is full');
      expect(r.stderr).not.toContain('internal error');
      expect(readdirSync(w).filter((n) => n.startsWith('.lock'))).toEqual([]);
    }
    expect(manifestOf(w).generation).toBe(before);
  });
});
