// SPEC §5: retries, kills at any moment, --resume, the lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { cleanTempDirs, cli, CLI, journalEntries, snapshot, tempDir, until, WIKIPEDIA } from '../helpers.js';

let dump: string;
let reference: ReturnType<typeof snapshot>;
const FLAGS = ['--chunk-size', '128KB', '--workers', '2'];

beforeAll(async () => {
  const dir = tempDir();
  dump = join(dir, 'dump.csv');
  const fd = openSync(dump, 'w');
  for (const piece of generateDump(4 * 1024 * 1024, { seed: 7, territories: 2000 })) writeSync(fd, piece);
  closeSync(fd);
  const out = join(dir, 'reference');
  const r = await cli(['run', dump, '--out', out, ...FLAGS]);
  expect(r.code).toBe(0);
  reference = snapshot(out);
});
afterAll(cleanTempDirs);

/** A warehouse published from the Wikipedia snapshot: what must survive a failed run. */
async function oldWarehouse(): Promise<{ out: string; files: () => Record<string, string> }> {
  const out = join(tempDir(), 'w');
  expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
  const files = (): Record<string, string> => {
    const all: Record<string, string> = { manifest: readFileSync(join(out, 'manifest.json'), 'utf8'), rejects: readFileSync(join(out, 'rejects.csv'), 'utf8') };
    for (const f of readdirSync(join(out, 'regions'))) all[f] = createHash('sha256').update(readFileSync(join(out, 'regions', f))).digest('hex');
    return all;
  };
  return { out, files };
}

describe('retries', () => {
  it.each(['map:3:throw', 'map:2:exit', 'scan:1:exit', 'reduce:asia:exit', 'reduce:europe:throw:2', 'index:asia:exit', 'index:oceania:throw:2'])('a task that fails (%s) is retried and the result equals a clean run', async (fault) => {
    const out = join(tempDir(), 'w');
    const r = await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: fault });
    expect(r.code).toBe(0);
    expect(snapshot(out)).toEqual(reference);
    const log = readFileSync(join(out, 'logs', readdirSync(join(out, 'logs'))[0]), 'utf8');
    expect(log).toContain('"attempt":1');
    expect(log).toContain('task attempt failed');
  });

  it.each(['map:3:exit:3', 'reduce:africa:throw:3', 'index:europe:exit:3'])('a fault that persists (%s) fails the run with exit 1 and leaves the old warehouse byte-identical', async (fault) => {
    const { out, files } = await oldWarehouse();
    const before = files();
    const r = await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: fault });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/task (map:3|reduce:africa|index:europe) failed after 3 attempts; last error: /);
    expect(r.stderr).toContain('the published warehouse is unchanged');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(files()).toEqual(before);
  });
});

function startRun(out: string, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [CLI, 'run', dump, '--out', out, ...FLAGS, ...extra], { stdio: 'ignore' });
}


/** The unfinished run's journal as text, for what it has recorded so far. */
const journalOf = (out: string): string => journalEntries(out).map((e) => JSON.stringify(e)).join('\n');

describe('killed runs and --resume', () => {
  const points: Array<[string, (out: string) => boolean]> = [
    ['during split', (out) => existsSync(join(out, '.lock')) && existsSync(join(out, '.runs')) && readdirSync(join(out, '.runs')).length > 0],
    ['during map', (out) => (journalOf(out).match(/"task":"map"/g) ?? []).length >= 5],
    ['during reduce', (out) => journalOf(out).includes('"task":"reduce"')],
    ['at publish', (out) => journalOf(out).includes('"task":"staged"')],
  ];

  it.each(points)('SIGKILL %s leaves the old warehouse served; --resume publishes the same warehouse', async (_when, ready) => {
    const { out, files } = await oldWarehouse();
    const before = files();
    const answerBefore = (await cli(['query', 'over', '--warehouse', out, '--json'])).stdout;
    const child = startRun(out);
    const exited = new Promise((r) => child.on('exit', r));
    await until(() => ready(out) || child.exitCode !== null, 60_000, 'the kill point', 2);
    child.kill('SIGKILL');
    await exited;
    const published = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    if (published.input.path === WIKIPEDIA) {
      // Killed before its commit point: the old warehouse is exactly as it was.
      expect(files()).toEqual(before);
      expect((await cli(['query', 'over', '--warehouse', out, '--json'])).stdout).toBe(answerBefore);
    }
    const resumed = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(resumed.stderr).not.toMatch(/error|failed/);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(snapshot(out)).toEqual(reference);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run (a map task paused at a known point): one line with the --resume command, exit %i, the warehouse as it was, no lock left', async (signal, code) => {
    const { out, files } = await oldWarehouse();
    const before = files();
    const marker = join(tempDir(), 'paused');
    const child = spawn(process.execPath, [CLI, 'run', dump, '--out', out, ...FLAGS], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, npm_command: '', GDPMR_FAULT: 'map:4:pause', GDPMR_PAUSE_MARKER: marker } });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await until(() => existsSync(marker) || child.exitCode !== null, 60_000, 'the paused task', 2);
    expect(existsSync(marker)).toBe(true);
    // Paused inside map task 4: not one generation can have been published by this run.
    expect(journalOf(out)).not.toContain('"task":"staged"');
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr.trim().split('\n')).toEqual([`gdpmr: run stopped by ${signal}; the warehouse in ${out} is as it was; \`gdpmr run ${dump} --out ${out} --resume\` continues this run`]);
    expect(files()).toEqual(before);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    const resumed = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(resumed.code).toBe(0);
    expect(snapshot(out)).toEqual(reference);
  });

  it('--resume reuses finished tasks and says so', async () => {
    const out = join(tempDir(), 'w');
    const failed = await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: 'reduce:asia:throw:3' });
    expect(failed.code).toBe(1);
    const resumed = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(resumed.code).toBe(0);
    // Every region but Asia was loaded before the run gave up.
    expect(resumed.stdout).toMatch(/resumed +reused \d+ scans, \d+ map tasks, 4 region loads/);
    expect(snapshot(out)).toEqual(reference);
  });

  it('--resume after a failed index build keeps the region\'s load and builds its indexes', async () => {
    const out = join(tempDir(), 'w');
    expect((await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: 'index:asia:throw:3' })).code).toBe(1);
    const resumed = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(resumed.code).toBe(0);
    // Every load is reused, Asia's included; only its indexes are built on resume.
    expect(resumed.stdout).toMatch(/resumed +reused \d+ scans, \d+ map tasks, 5 region loads/);
    expect(snapshot(out)).toEqual(reference);
  });

  it('a run killed while its finished work was being removed leaves nothing --resume takes for a run, and the next run sweeps it', async () => {
    const out = join(tempDir(), 'w');
    expect((await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: 'reduce:asia:throw:3' })).code).toBe(1);
    const [runId] = readdirSync(join(out, '.runs'));
    // What a kill in the middle of the removal leaves: the run renamed away, half deleted.
    const doomed = join(out, '.runs', `.discarded-${runId}-99999`);
    renameSync(join(out, '.runs', runId), doomed);
    rmSync(join(doomed, 'journal.ndjson'));
    const r = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('nothing to resume');
    expect(readdirSync(join(out, '.runs'))).toEqual([]);
    expect(snapshot(out)).toEqual(reference);
  });

  it('--resume refuses a different input', async () => {
    const out = join(tempDir(), 'w');
    expect((await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: 'reduce:asia:throw:3' })).code).toBe(1);
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resume must name the input of the interrupted run');
  });

  it('--resume refuses a run whose map outputs an older gdpmr wrote', async () => {
    const out = join(tempDir(), 'w');
    expect((await cli(['run', dump, '--out', out, ...FLAGS], { GDPMR_FAULT: 'reduce:asia:throw:3' })).code).toBe(1);
    const [runId] = readdirSync(join(out, '.runs'));
    const planPath = join(out, '.runs', runId, 'plan.json');
    const { fact_format: _format, ...olderPlan } = JSON.parse(readFileSync(planPath, 'utf8'));
    writeFileSync(planPath, JSON.stringify(olderPlan));
    const r = await cli(['run', dump, '--out', out, ...FLAGS, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('intermediate files have an older format; run without --resume to start over');
  });
});

describe('the lock', () => {
  it('a second run on the same directory fails at once naming the first; the first finishes', async () => {
    const out = join(tempDir(), 'w');
    const first = startRun(out);
    const firstExit = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
    await until(() => existsSync(join(out, '.lock')), 60_000, 'the lock', 2);
    const second = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is being written by run`);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    expect(second.stderr).toContain(dump);
    expect(await firstExit).toBe(0);
    expect(snapshot(out)).toEqual(reference);
  });

  it('a stale lock from a dead process is taken over with a warning', async () => {
    const out = join(tempDir(), 'w');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('exit', r));
    (await import('node:fs')).mkdirSync(out, { recursive: true });
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: dead.pid, host: hostname(), run_id: 'old-run', started_at: '2026-01-01T00:00:00Z', input: '/x.csv' }));
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`taking over a stale lock from run old-run (pid ${dead.pid} is gone`);
  });
});
