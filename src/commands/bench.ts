// `gdpmr bench INPUT`: the whole pipeline for every chunk size × worker count, each run in a
// process of its own into a temporary warehouse; the median of --repeat runs per setting.
import { median } from '../bench/stats.js';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { makeDirectory } from '../fs.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { throughputChart } from '../bench/chart.js';
import { defineCommand, list, parseByteSize, path, positiveInt } from '../command-line.js';
import { FLAGS, refuseWarehouseFiles } from '../config.js';
import { DEFAULTS, LIMITS } from '../defaults.js';
import { identifyInput, readHeader } from '../engine/splits.js';
import type { RunRequest } from '../engine/request.js';
import { GdpmrError, usage } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { formatBytes, formatMs, table } from '../format.js';
import { loadRegionMap } from '../store/region-map-file.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr bench',
  description: `Runs the whole pipeline for every chunk size and worker count into temporary warehouses, prints
a table, and writes DIR/bench.json and DIR/bench.svg (throughput against chunk size).`,
  positionals: [{ name: 'input', placeholder: 'INPUT.csv', kind: path('INPUT'), required: 'gdpmr bench needs INPUT.csv, the dump to benchmark on', help: 'the dump to benchmark on' }],
  flags: {
    chunkSizes: {
      kind: list((t) => { const b = parseByteSize(t); return b !== undefined && b <= LIMITS.chunkBytes ? b : undefined; }, `byte sizes from 1 to ${formatBytes(LIMITS.chunkBytes)} such as 256KB,1MB`),
      default: DEFAULTS.benchChunkSizes.split(',').map((t) => parseByteSize(t) as number),
      defaultText: DEFAULTS.benchChunkSizes,
      help: 'the chunk sizes to try',
    },
    workers: {
      kind: list((t) => (/^[0-9]+$/.test(t) && Number(t) >= 1 && Number(t) <= LIMITS.workers ? Number(t) : undefined), `worker counts from 1 to ${LIMITS.workers} such as 1,2`),
      default: DEFAULTS.benchWorkers.split(',').map(Number),
      defaultText: DEFAULTS.benchWorkers,
      help: 'the worker counts to try',
    },
    repeat: { kind: positiveInt('a whole number of at least 1', LIMITS.repeat), default: DEFAULTS.benchRepeat as number, help: 'runs per setting (the median is kept)' },
    report: { kind: path('DIR'), default: DEFAULTS.benchReport as string, help: 'where bench.json and bench.svg go' },
    regions: { kind: path('FILE'), default: DEFAULTS.regionMap as string, defaultText: 'the bundled UN map', help: 'the country map' },
    json: { ...FLAGS.json, help: 'the results as JSON on stdout' },
  },
});

export interface BenchResult {
  chunk_bytes: number;
  workers: number;
  median_ms: number;
  mb_per_s: number;
  peak_rss_mb: number;
  stages: Record<string, { ms: number }>;
}

export interface BenchReport {
  query: 'bench';
  input: { path: string; bytes: number };
  results: BenchResult[];
  best: { chunk_bytes: number; workers: number };
}

interface Measurement {
  ms: number;
  maxRssKb: number;
  stages: Record<string, { ms: number }>;
}

const MEASURED_RUN = join(PACKAGE_ROOT, 'dist', 'src', 'bench', 'measured-run.js');

async function measure(request: RunRequest): Promise<Measurement> {
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [MEASURED_RUN, JSON.stringify(request)], { maxBuffer: 1 << 20 }));
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new GdpmrError('RUN_FAILED', `bench run (chunk ${formatBytes(request.chunkBytes ?? 0)}, ${request.workers} workers) failed: ${(e.stderr ?? e.message).trim()}`);
  }
  const ms = performance.now() - t0;
  const reported = JSON.parse(stdout.trim().split('\n').pop() as string) as { maxRssKb: number; stages: Record<string, { ms: number }> };
  return { ms, maxRssKb: reported.maxRssKb, stages: reported.stages };
}

/** How much slower than the fastest a setting may be and still be recommended for using less memory. */
const WITHIN_PCT = 5;

/**
 * What the measurements support: the fastest setting is called best only when its slowest run
 * beats every other setting's fastest; otherwise the settings whose spreads overlap its own are
 * named as equal within noise. Of the settings within WITHIN_PCT of the fastest median, the
 * one with the least peak memory is suggested when it is not the fastest.
 */
export function recommendation(results: readonly BenchResult[], spreads: ReadonlyArray<{ min: number; max: number }>, repeat: number): string {
  const name = (r: BenchResult): string => `--chunk-size ${formatBytes(r.chunk_bytes)} --workers ${r.workers}`;
  const order = results.map((r, i) => ({ r, s: spreads[i] })).sort((a, b) => a.r.median_ms - b.r.median_ms);
  const [first] = order;
  const ties = order.slice(1).filter((x) => x.s.min <= first.s.max);
  const head =
    repeat < 2
      ? `fastest: ${name(first.r)} (${first.r.mb_per_s} MB/s; one run each: --repeat 3 or more tells a difference from noise)`
      : ties.length === 0
        ? `best: ${name(first.r)} (${first.r.mb_per_s} MB/s), faster in every run than any other setting`
        : `fastest median: ${name(first.r)} (${first.r.mb_per_s} MB/s), equal within noise (their runs overlap) to ${ties.map((x) => name(x.r)).join(', ')}`;
  const near = order.filter((x) => x.r.median_ms <= first.r.median_ms * (1 + WITHIN_PCT / 100));
  const lean = near.reduce((a, b) => (b.r.peak_rss_mb < a.r.peak_rss_mb ? b : a));
  return lean.r === first.r ? head : `${head}; within ${WITHIN_PCT} % of it, ${name(lean.r)} uses least memory (${lean.r.peak_rss_mb} MB against ${first.r.peak_rss_mb} MB)`;
}

export async function benchCommand(argv: string[], out: Output): Promise<number> {
  const parsed = COMMAND.parse(argv);
  if (parsed === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const o = { ...parsed, input: parsed.positionals.input as string };
  const input = identifyInput(o.input);
  readHeader(o.input, input.bytes);
  loadRegionMap(o.regions);
  // Found before the runs, not after minutes of them.
  refuseWarehouseFiles('--report', o.report);
  if (existsSync(o.report) && !statSync(o.report).isDirectory()) throw usage(`--report must be a directory, got ${o.report} (a file)`);

  const settings = o.chunkSizes.flatMap((chunkBytes) => o.workers.map((workers) => ({ chunkBytes, workers })));
  const scratch = mkdtempSync(join(tmpdir(), 'gdpmr-bench-'));
  const runs = new Map<string, Measurement[]>();
  const total = settings.length * o.repeat;
  let done = 0;
  try {
    // Settings interleave within each round, so drift in the machine's speed spreads evenly.
    for (let round = 0; round < o.repeat; round++) {
      for (const s of settings) {
        const key = `${s.chunkBytes}/${s.workers}`;
        const outDir = join(scratch, `run-${done}`);
        if (out.stderrIsTTY) out.progress(`bench ${done + 1}/${total}: chunk ${formatBytes(s.chunkBytes)}, ${s.workers} worker${s.workers === 1 ? '' : 's'}`);
        const m = await measure({ inputPath: resolve(o.input), outDir, chunkBytes: s.chunkBytes, workers: s.workers, regionMapPath: resolve(o.regions), append: false, resume: false, runner: 'pool' });
        rmSync(outDir, { recursive: true, force: true });
        runs.set(key, [...(runs.get(key) ?? []), m]);
        done++;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (out.stderrIsTTY) out.progress('');
  }

  const results: BenchResult[] = settings.map((s) => {
    const ms = runs.get(`${s.chunkBytes}/${s.workers}`) as Measurement[];
    const medianMs = median(ms.map((m) => m.ms));
    const typical = ms.reduce((best, m) => (Math.abs(m.ms - medianMs) < Math.abs(best.ms - medianMs) ? m : best));
    return {
      chunk_bytes: s.chunkBytes,
      workers: s.workers,
      median_ms: Math.round(medianMs),
      mb_per_s: Math.round((input.bytes / 1024 / 1024 / (medianMs / 1000)) * 100) / 100,
      peak_rss_mb: Math.round((Math.max(...ms.map((m) => m.maxRssKb)) / 1024) * 10) / 10,
      stages: typical.stages,
    };
  });
  const best = results.reduce((a, b) => (b.median_ms < a.median_ms ? b : a));
  const spreads = settings.map((s) => {
    const ms = (runs.get(`${s.chunkBytes}/${s.workers}`) as Measurement[]).map((m) => m.ms);
    return { min: Math.round(Math.min(...ms)), max: Math.round(Math.max(...ms)) };
  });
  const report: BenchReport = { query: 'bench', input: { path: o.input, bytes: input.bytes }, results, best: { chunk_bytes: best.chunk_bytes, workers: best.workers } };

  makeDirectory(o.report);
  writeFileSync(join(o.report, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(o.report, 'bench.svg'), await throughputChart(results, `gdpmr throughput on ${o.input} (${formatBytes(input.bytes)}), median of ${o.repeat}`));

  if (o.json) {
    out.stdout(JSON.stringify(report));
  } else {
    const rows = results.map((r, i) => [
      formatBytes(r.chunk_bytes),
      String(r.workers),
      formatMs(r.median_ms),
      `${formatMs(spreads[i].min)}-${formatMs(spreads[i].max)}`,
      r.mb_per_s,
      r.peak_rss_mb.toFixed(1),
      Object.entries(r.stages).map(([k, v]) => `${k} ${formatMs(v.ms)}`).join(', '),
    ]);
    out.stdout(table(['chunk', 'workers', 'median', 'spread (min-max)', 'MB/s', 'peak RSS MB', 'stages'], rows, [1, 2, 4, 5]));
    out.stdout(`\n${recommendation(results, spreads, o.repeat)}; report in ${join(o.report, 'bench.json')} and bench.svg`);
  }
  return 0;
}
