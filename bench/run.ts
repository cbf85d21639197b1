// `npm run bench [-- --scenarios 256MB,1GB,4GB] [--repeat N] [--no-duckdb] [--no-single]`
//
// Side by side, in one run and alternating, on the same generated file: gdpmr (default
// settings, then 1 worker) and DuckDB doing the same job (bench/duckdb-job.ts). Each run is a
// process of its own, timed from outside, reporting its own peak RSS (worker threads are in
// the process, so that is the whole tree). Each measurement is a line of bench/results.ndjson,
// from which RESULTS.md's tables are made. Dumps are generated once into bench/data/ (git-ignored).
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/defaults.js';
import { formatBytes } from '../src/format.js';
import { flag, text } from '../src/command-line.js';
import { benchOptions, CLI, exec, machine, median, publishTables, record, ROOT, runsFlag } from './common.js';
import { SCENARIOS } from './scenarios.js';
import { duckdbClientEntry } from './duckdb-client.js';

const DATA = join(ROOT, 'bench', 'data');
const MEASURED_RUN = join(ROOT, 'dist', 'src', 'bench', 'measured-run.js');
const DUCKDB_JOB = join(ROOT, 'dist', 'bench', 'duckdb-job.js');
const REGIONS = join(ROOT, 'data', 'un_regions.csv');


interface Timed {
  ms: number;
  maxRssKb: number;
  stages?: Record<string, { ms: number }>;
}

async function timed(args: string[]): Promise<Timed> {
  const t0 = performance.now();
  const { stdout } = await exec(process.execPath, args, { maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  const reported = JSON.parse(stdout.trim().split('\n').pop() as string);
  return { ms, maxRssKb: reported.maxRssKb, stages: reported.stages };
}

function gdpmrRun(input: string, outDir: string, workers: number): Promise<Timed> {
  rmSync(outDir, { recursive: true, force: true });
  const request = { inputPath: input, outDir, chunkBytes: DEFAULTS.chunkBytes, workers, regionMapPath: REGIONS, append: false, resume: false, runner: 'pool' };
  return timed([MEASURED_RUN, JSON.stringify(request)]);
}


const mb = (bytes: number) => bytes / 1024 / 1024;
const fmt = (x: number, d = 1) => x.toFixed(d);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const o = benchOptions({
    name: 'npm run bench --',
    description: 'gdpmr run against DuckDB doing the same job, on generated dumps (bench/scenarios.ts).',
    flags: {
      scenarios: {
        kind: text('LIST', (v, name) => (v.split(',').every((s) => Object.hasOwn(SCENARIOS, s)) ? undefined : `${name} must be a comma-separated list of ${Object.keys(SCENARIOS).join(', ')}, got ${JSON.stringify(v)}`)),
        default: '256MB',
        help: 'which dumps',
      },
      repeat: runsFlag(100, 1, 'runs of each setting'),
      noDuckdb: { kind: flag, help: 'leave DuckDB out' },
      noSingle: { kind: flag, help: 'leave the one-worker run out' },
    },
  });
  const scenarios = o.scenarios.split(',');
  const repeat = o.repeat;
  const withDuckdb = !o.noDuckdb;
  const withOneWorker = !o.noSingle;
  mkdirSync(DATA, { recursive: true });
  if (withDuckdb) duckdbClientEntry();
  const lines: string[] = [];
  lines.push(`\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench -- ${args.join(' ')}\``, '', `Machine: ${machine()}.`, '');
  lines.push('| dump | tool | workers | median s | MB/s | peak RSS MB | stages (s) | gdpmr / DuckDB |', '|---|---|---|---|---|---|---|---|');

  for (const name of scenarios) {
    const scenario = SCENARIOS[name];
    if (scenario === undefined) throw new Error(`--scenarios must name ${Object.keys(SCENARIOS).join(', ')}, got ${name}`);
    const input = join(DATA, `dump-${name}-seed${scenario.seed}.csv`);
    if (!existsSync(input)) {
      process.stderr.write(`generating ${input}\n`);
      await exec(process.execPath, [CLI, 'generate', '--size', scenario.size, '--out', input, '--seed', String(scenario.seed), '--dirt', scenario.dirt]);
    }
    const bytes = statSync(input).size;
    const runs: Record<string, Timed[]> = { gdpmr2: [], gdpmr1: [], duckdb: [] };
    const out = join(DATA, 'warehouse');
    for (let round = 0; round < repeat; round++) {
      // Alternate the tools within a round, so the machine's drift falls on both.
      process.stderr.write(`${name} round ${round + 1}: gdpmr, 2 workers\n`);
      runs.gdpmr2.push(await gdpmrRun(input, out, 2));
      if (withDuckdb) {
        process.stderr.write(`${name} round ${round + 1}: duckdb\n`);
        runs.duckdb.push(await timed([DUCKDB_JOB, input, REGIONS, join(DATA, 'duckdb.db')]));
        rmSync(join(DATA, 'duckdb.db'), { force: true });
        rmSync(join(DATA, 'duckdb.db.wal'), { force: true });
      }
      if (withOneWorker) {
        process.stderr.write(`${name} round ${round + 1}: gdpmr, 1 worker\n`);
        runs.gdpmr1.push(await gdpmrRun(input, out, 1));
      }
    }
    // The warehouse of the last gdpmr run answers the query: CLI start included.
    const queryMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await exec(process.execPath, [CLI, 'query', 'top5', '--warehouse', out, '--json']);
      queryMs.push(performance.now() - t0);
    }
    rmSync(out, { recursive: true, force: true });
    const duck = withDuckdb ? median(runs.duckdb.map((r) => r.ms)) : NaN;
    const measured: Array<Parameters<typeof record>[0]> = [];
    const row = (tool: string, workers: string, rs: Timed[]) => {
      const ms = median(rs.map((r) => r.ms));
      const stages = rs[0].stages ? Object.entries(rs[0].stages).map(([k, v]) => `${k} ${fmt(v.ms / 1000)}`).join(', ') : '—';
      const ratio = tool === 'gdpmr' && withDuckdb ? fmt(ms / duck, 2) : '';
      measured.push({ scenario: name, tool: `${tool} (${workers})`, ms: Math.round(ms), mb_per_s: Number(fmt(mb(bytes) / (ms / 1000))), peak_rss_mb: Math.round(Math.max(...rs.map((r) => r.maxRssKb)) / 1024), input_mb: Math.round(mb(bytes)), ...(ratio === '' ? {} : { vs_duckdb: Number(ratio) }), stages: rs[0].stages, runs: rs.map((r) => Math.round(r.ms)) });
      lines.push(`| ${name} (${fmt(mb(bytes), 0)} MB) | ${tool} | ${workers} | ${fmt(ms / 1000)} | ${fmt(mb(bytes) / (ms / 1000))} | ${fmt(Math.max(...rs.map((r) => r.maxRssKb)) / 1024, 0)} | ${stages} | ${ratio} |`);
      return ms;
    };
    const two = row('gdpmr', '2', runs.gdpmr2);
    const one = withOneWorker ? row('gdpmr', '1', runs.gdpmr1) : NaN;
    if (withDuckdb) row('DuckDB 1.5', '2 threads', runs.duckdb);
    lines.push(`| ${name} | ${withOneWorker ? `speed-up 2 workers / 1: ${fmt(one / two, 2)}×` : ''} | | | | | query top5 (CLI, median of 3): ${fmt(median(queryMs), 0)} ms | |`);
    if (withOneWorker) measured[0].speedup_2_over_1 = Number(fmt(one / two, 2));
    for (const m of measured) await record(m);
  }
  lines.push('', `Median of ${repeat} run(s) per row; gdpmr at default settings (${formatBytes(DEFAULTS.chunkBytes)} chunks).`);
  publishTables();
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
