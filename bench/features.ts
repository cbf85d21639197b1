// `npm run bench:features -- [--scenario 1GB] [--baseline DIR] [--repeat N] [--no-queue] [--no-export] [--only-run] [--queries-only]`
//
// The figures the time-travel, export and queue work is held to, measured side by side in one
// run on the generated dump of bench/run.ts, each command a process of its own timed from
// outside with its peak RSS (GNU time):
//   run       this build against --baseline (a checkout of an earlier build, built), alternating
//   queries   CLI start included, median of --repeat: top5, top5/over --as-of, history, revisions
//   export    Parquet of the whole warehouse: time, peak RSS, bytes on disk
//   queue     the same run on a BullMQ queue with two local `gdpmr worker` processes, against
//             the pool; and the queue's overhead per task on a dump cut into many small tasks
// Each measurement is a line of bench/results.ndjson, from which RESULTS.md's tables are made;
// the comparison (this build against the baseline, same rows) is printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { flag, oneOf, path } from '../src/command-line.js';
import { benchOptions, CLI, exec, machine, median, publishTables, record, ROOT, runsFlag } from './common.js';
import { SCENARIOS } from './scenarios.js';
import { sameWarehouse } from './same-warehouse.js';

const DATA = join(ROOT, 'bench', 'data');


interface Timed {
  s: number;
  rssMb: number;
  stdout: string;
  bytes: number;
}

/**
 * One command under GNU time: wall seconds and peak RSS. Its output is counted, and only its
 * first MB kept: an answer can be gigabytes.
 */
async function timed(cli: string, args: string[]): Promise<Timed> {
  const child = spawn('/usr/bin/time', ['-f', 'GDPMR_TIME %e %M', process.execPath, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let bytes = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    if (stdout.length < 1 << 20) stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const m = /GDPMR_TIME ([\d.]+) (\d+)/.exec(stderr);
  if (code !== 0 || m === null) throw new Error(`${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`);
  return { s: Number(m[1]), rssMb: Number(m[2]) / 1024, stdout, bytes };
}

const f = (x: number, d = 1): string => x.toFixed(d);

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d) => {
      text += d;
      if (text.includes('Ready to accept')) resolve();
    });
    child.once('exit', () => reject(new Error('redis-server did not start')));
  });
  return child;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const o = benchOptions({
    name: 'npm run bench:features --',
    description: 'This build against --baseline (a built checkout of an earlier one), then queries, export and the queue.',
    flags: {
      scenario: { kind: oneOf(Object.keys(SCENARIOS)), default: '1GB', help: 'the generated dump (bench/scenarios.ts)' },
      baseline: { kind: path('DIR'), help: 'a built checkout of the build to compare with' },
      repeat: runsFlag(100, 5, 'runs of each query (runs of gdpmr run: at most 2)'),
      noQueue: { kind: flag, help: 'leave the queue runner out' },
      noExport: { kind: flag, help: 'leave the export out' },
      onlyRun: { kind: flag, help: 'only the run against the baseline' },
      queriesOnly: { kind: flag, help: 'only the queries' },
    },
  });
  const name = o.scenario;
  const repeat = o.repeat;
  const baseline = o.baseline;
  const scenario = SCENARIOS[name];
  mkdirSync(DATA, { recursive: true });
  const input = join(DATA, `dump-${name}-seed${scenario.seed}.csv`);
  if (!existsSync(input)) {
    process.stderr.write(`generating ${input}\n`);
    await exec(process.execPath, [CLI, 'generate', '--size', scenario.size, '--out', input, '--seed', String(scenario.seed), '--dirt', scenario.dirt]);
  }
  const out = join(DATA, 'features-warehouse');
  let written = 0;
  /** Appends what is new since the last call: a crash later keeps the figures measured so far. */
  const emit = (): void => {
    const fresh = lines.slice(written);
    written = lines.length;
    process.stdout.write(fresh.join('\n') + '\n');
  };
  const lines = [`\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:features -- ${args.join(' ')}\``, '', `Machine: ${machine()}. Dump: ${name} (${f(statSync(input).size / 1024 ** 2, 0)} MB), seed ${scenario.seed}.`, ''];

  // Run: this build against the baseline, alternating.
  if (!o.queriesOnly) lines.push('| build | gdpmr run s | peak RSS MB | warehouse on disk MB |', '|---|---|---|---|');
  const builds: Array<[string, string]> = [['this build', CLI], ...(baseline === undefined ? [] : [['baseline ' + baseline, join(baseline, 'bin', 'gdpmr.js')] as [string, string]])];
  const runs = new Map<string, Timed[]>(builds.map(([b]) => [b, []]));
  const onDisk = new Map<string, number>();
  const rounds = o.queriesOnly ? 0 : Math.max(1, Math.min(repeat, 2));
  for (let round = 0; round < rounds; round++) {
    for (const [label, cli] of builds) {
      rmSync(out, { recursive: true, force: true });
      process.stderr.write(`run (${label}), round ${round + 1}\n`);
      runs.get(label)?.push(await timed(cli, ['run', input, '--out', out, '--workers', '2']));
      onDisk.set(label, dirBytes(join(out, '.gen')));
    }
  }
  for (const [label, rs] of [...runs].filter(([, rs]) => rs.length > 0)) {
    lines.push(`| ${label} | ${f(median(rs.map((r) => r.s)))} | ${f(Math.max(...rs.map((r) => r.rssMb)), 0)} | ${f((onDisk.get(label) ?? 0) / 1024 ** 2, 0)} |`);
    await record({ scenario: `features-${name}-run`, tool: `gdpmr run, 2 workers (${label})`, ms: Math.round(median(rs.map((r) => r.s)) * 1000), peak_rss_mb: Math.round(Math.max(...rs.map((r) => r.rssMb))), warehouse_mb: Math.round((onDisk.get(label) ?? 0) / 1024 ** 2), runs: rs.map((r) => Math.round(r.s * 1000)) });
  }
  if (baseline !== undefined && rounds > 0) {
    const [mine, base] = [...runs.values()].map((rs) => median(rs.map((r) => r.s)));
    lines.push('', `Run time, this build / baseline: ${f(mine / base, 3)}.`);
    // The baseline's last warehouse is in `out`: compare this build's, byte for byte, on the
    // columns both have, the rejects and the counts.
    const theirs = join(DATA, 'features-baseline-warehouse');
    rmSync(theirs, { recursive: true, force: true });
    await exec('cp', ['-r', out, theirs]);
    rmSync(out, { recursive: true, force: true });
    await timed(CLI, ['run', input, '--out', out, '--workers', '2']);
    lines.push('', `Rows (columns of the baseline), rejects.csv and counts of this build equal the baseline's: ${sameWarehouse(out, theirs) ? 'yes, byte for byte' : 'NO'}.`);
    rmSync(theirs, { recursive: true, force: true });
  }
  emit();
  if (o.onlyRun) {
    rmSync(out, { recursive: true, force: true });
    publishTables();
    return;
  }
  // The last run of this build is the warehouse the rest asks.
  rmSync(out, { recursive: true, force: true });
  await timed(CLI, ['run', input, '--out', out, '--workers', '2']);
  lines.push('', `Warehouse on disk: ${f(dirBytes(join(out, '.gen')) / 1024 ** 2, 0)} MB for a ${f(statSync(input).size / 1024 ** 2, 0)} MB dump.`, '');

  // Queries, CLI start included.
  const queries: Array<[string, string[]]> = [
    ['gdpmr --version', ['--version']],
    ['query top5', ['query', 'top5', '--warehouse', out, '--json']],
    ['query top5 --as-of 2024-01-01', ['query', 'top5', '--as-of', '2024-01-01', '--warehouse', out, '--json']],
    ['query top5 --year 2020 --as-of 2024-01-01', ['query', 'top5', '--year', '2020', '--as-of', '2024-01-01', '--warehouse', out, '--json']],
    ['query over', ['query', 'over', '--warehouse', out, '--json']],
    ['query over --as-of 2024-01-01', ['query', 'over', '--as-of', '2024-01-01', '--warehouse', out, '--json']],
    ['query history --country China', ['query', 'history', '--country', 'China', '--warehouse', out, '--json']],
    ['query revisions --from 2023-12-31 --to 2024-12-31 --min-change 15', ['query', 'revisions', '--from', '2023-12-31', '--to', '2024-12-31', '--min-change', '15', '--warehouse', out, '--json']],
    ['query revisions --from 2023-12-31 --to 2024-12-31', ['query', 'revisions', '--from', '2023-12-31', '--to', '2024-12-31', '--warehouse', out, '--json']],
  ];
  lines.push(`| command (CLI start included) | median ms of ${repeat} | answer size | × query top5 |`, '|---|---|---|---|');
  let top5Ms = NaN;
  for (const [label, q] of queries) {
    const ts: Timed[] = [];
    for (let i = 0; i < repeat; i++) ts.push(await timed(CLI, q));
    const ms = median(ts.map((t) => t.s)) * 1000;
    if (label === 'query top5') top5Ms = ms;
    lines.push(`| ${label} | ${f(ms, 0)} | ${f(ts[0].bytes / 1024, 0)} KB | ${label.startsWith('query') ? f(ms / top5Ms, 2) : ''} |`);
    await record({ scenario: `features-${name}-queries`, tool: label, ms: Math.round(ms), answer_kb: Math.round(ts[0].bytes / 1024) });
    emit();
  }

  emit();
  // Export.
  if (!o.noExport) {
    const exported = join(DATA, 'features-export');
    rmSync(exported, { recursive: true, force: true });
    const e = await timed(CLI, ['export', '--warehouse', out, '--out', exported]);
    lines.push('', '| export | s | peak RSS MB | on disk MB |', '|---|---|---|---|', `| parquet, all rows | ${f(e.s)} | ${f(e.rssMb, 0)} | ${f(dirBytes(exported) / 1024 ** 2, 0)} |`);
    await record({ scenario: `features-${name}-export`, tool: 'gdpmr export (parquet, all rows)', ms: Math.round(e.s * 1000), peak_rss_mb: Math.round(e.rssMb), on_disk_mb: Math.round(dirBytes(exported) / 1024 ** 2) });
    rmSync(exported, { recursive: true, force: true });
    const c = await timed(CLI, ['export', '--warehouse', out, '--out', exported, '--format', 'csv']);
    lines.push(`| csv, all rows | ${f(c.s)} | ${f(c.rssMb, 0)} | ${f(dirBytes(exported) / 1024 ** 2, 0)} |`);
    await record({ scenario: `features-${name}-export`, tool: 'gdpmr export (csv, all rows)', ms: Math.round(c.s * 1000), peak_rss_mb: Math.round(c.rssMb), on_disk_mb: Math.round(dirBytes(exported) / 1024 ** 2) });
    rmSync(exported, { recursive: true, force: true });
  }

  emit();
  if (!o.noQueue) {
    const port = 6400 + Math.floor(Math.random() * 500);
    const redis = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const workers = [0, 1].map(() => spawn(process.execPath, [CLI, 'worker', '--redis', url, '--concurrency', '1'], { stdio: 'ignore' }));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      lines.push('', '| runner | gdpmr run s | coordinator peak RSS MB |', '|---|---|---|');
      for (const [label, extra] of [['pool, 2 threads', ['--workers', '2']], ['queue, 2 worker processes (1 task each)', ['--redis', url, '--workers', '2']]] as const) {
        rmSync(out, { recursive: true, force: true });
        process.stderr.write(`run on ${label}\n`);
        const t = await timed(CLI, ['run', input, '--out', out, ...extra]);
        lines.push(`| ${label} | ${f(t.s)} | ${f(t.rssMb, 0)} |`);
        await record({ scenario: `features-${name}-runners`, tool: `gdpmr run on ${label}`, ms: Math.round(t.s * 1000), coordinator_peak_rss_mb: Math.round(t.rssMb) });
      }
      // Per-task overhead: a small dump cut into many tiny tasks, both ways.
      const small = join(DATA, 'features-small.csv');
      if (!existsSync(small)) await exec(process.execPath, [CLI, 'generate', '--size', '4MB', '--out', small, '--seed', '3']);
      const chunk = 16 * 1024;
      const tasks = Math.ceil(statSync(small).size / chunk) * 2 + 10;
      const each: Record<string, number[]> = { pool: [], queue: [] };
      for (let i = 0; i < 3; i++) {
        rmSync(out, { recursive: true, force: true });
        each.pool.push((await timed(CLI, ['run', small, '--out', out, '--chunk-size', '16KB', '--workers', '2'])).s);
        rmSync(out, { recursive: true, force: true });
        each.queue.push((await timed(CLI, ['run', small, '--out', out, '--chunk-size', '16KB', '--redis', url, '--workers', '2'])).s);
      }
      const over = ((median(each.queue) - median(each.pool)) / tasks) * 1000;
      await record({ scenario: 'queue-overhead-4MB-16KB-splits', tool: 'queue vs pool', ms: Math.round(median(each.queue) * 1000), pool_ms: Math.round(median(each.pool) * 1000), tasks, overhead_ms_per_task: Number(f(over, 2)) });
      lines.push('', `Queue overhead per task: ${f(over, 2)} ms (4 MB dump in 16 KB splits, about ${tasks} tasks (scan + map per split, reduce and index per region): pool ${f(median(each.pool), 2)} s, queue ${f(median(each.queue), 2)} s, medians of 3).`);
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      redis.kill('SIGKILL');
    }
  }
  rmSync(out, { recursive: true, force: true });
  emit();
  publishTables();
}

await main();
