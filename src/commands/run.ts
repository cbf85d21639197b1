// `gdpmr run INPUT.csv`: build (or append to) a warehouse.
import { readFileSync, rmSync } from 'node:fs';
import { byteSize, defineCommand, flag, path, positiveInt, redisUrl, sourceName } from '../command-line.js';
import { CHUNK_WHY, DEFAULTS, LIMITS, WORKERS_WHY } from '../defaults.js';
import { WarehousePaths } from '../store/layout.js';
import { RESUMABLE, type RunProgress } from '../engine/request.js';
import { runJob } from '../engine/run.js';
import { readSourceInfo } from '../extract/dump-file.js';
import { GdpmrError, usage } from '../errors.js';
import { formatBytes, formatMs, shownUrl } from '../format.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr run',
  description: 'Builds a warehouse from a raw GDP dump: one SQLite database per region, rejects.csv, manifest.json.',
  positionals: [{ name: 'input', placeholder: 'INPUT.csv', kind: path('INPUT'), required: 'gdpmr run needs INPUT.csv, the dump to load', help: 'the dump to load' }],
  flags: {
    out: { kind: path('DIR'), default: DEFAULTS.warehouse as string, help: 'warehouse directory' },
    chunkSize: { kind: byteSize(LIMITS.chunkBytes, CHUNK_WHY), defaultText: formatBytes(DEFAULTS.chunkBytes), help: 'bytes per split: 65536, 256KB, 16MB, 1GB' },
    workers: {
      kind: positiveInt('a whole number of worker threads, at least 1', LIMITS.workers, WORKERS_WHY),
      default: Math.min(DEFAULTS.workers, LIMITS.workers),
      defaultText: `the number of cores, ${DEFAULTS.workers}`,
      help: 'worker threads',
    },
    // Left undefined when not given: --resume then takes the interrupted run's.
    regions: { kind: path('FILE'), defaultText: 'the bundled UN map', help: 'country map, CSV country,region[,code,name]' },
    source: { kind: sourceName, defaultText: 'none', help: 'source of records that name none: imf, world_bank, un, ...' },
    append: { kind: flag, help: 'add INPUT as a new load instead of replacing the warehouse' },
    replace: { kind: flag, help: 'replace a warehouse of several loads (a plain run refuses to); the\nreplaced warehouse is kept: `gdpmr rollback` brings it back' },
    allowReload: { kind: flag, help: '--append an input that a load already holds' },
    allowEmpty: { kind: flag, help: 'publish a load of which no record loads (refused otherwise: exit 2)' },
    resume: { kind: flag, help: "continue the interrupted run of INPUT into DIR (flags left out are the run's own)" },
    redis: { kind: redisUrl, help: 'send the tasks to a BullMQ queue in Redis, run by `gdpmr worker` processes' },
  },
});

export async function runCommand(argv: string[], out: Output): Promise<number> {
  const parsed = COMMAND.parse(argv);
  if (parsed === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const options = { ...parsed, input: parsed.positionals.input as string };
  if (options.append && options.replace) throw usage('gdpmr run takes --append (add a load) or --replace (replace every load), not both');
  if (options.allowReload && !options.append) throw usage('--allow-reload goes with --append');
  const showProgress = out.stderrIsTTY;
  // The Redis password (if any) is not echoed: the user puts it back in.
  const resumeCommand = `gdpmr run ${options.input} --out ${options.out} --resume${options.redis === undefined ? '' : ` --redis ${shownUrl(options.redis)}`}`;
  // Ctrl-C (or a SIGTERM from a scheduler) mid-run: nothing is published until the last step's
  // one rename, so the warehouse is as it was; say so, and how to go on, in one line.
  const stop = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (showProgress) out.progress('');
    out.stderr(`gdpmr: run stopped by ${signal}; the warehouse in ${options.out} is as it was; \`${resumeCommand}\` continues this run`);
    releaseOwnLock(options.out);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onInt = (): void => stop('SIGINT');
  const onTerm = (): void => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  const outcome = await runJob(
    {
      inputPath: options.input,
      outDir: options.out,
      chunkBytes: options.chunkSize,
      workers: options.workers,
      regionMapPath: options.regions,
      source: options.source,
      append: options.append,
      replace: options.replace,
      allowReload: options.allowReload,
      allowEmpty: options.allowEmpty,
      resume: options.resume,
      runner: options.redis === undefined ? 'pool' : 'queue',
      redisUrl: options.redis,
      // The extractor's record of where INPUT came from, kept with the load.
      sourceInfo: readSourceInfo(options.input),
    },
    {
      progress: showProgress ? (p) => out.progress(progressLine(p)) : undefined,
      notice: (message) => out.stderr(`gdpmr: ${message}`),
    },
  ).catch((error: unknown) => {
    if (error instanceof GdpmrError && RESUMABLE.has(error.code)) {
      throw new GdpmrError(error.code, `${error.message}; \`${resumeCommand}\` continues this run`);
    }
    throw error;
  }).finally(() => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  });
  if (showProgress) out.progress('');
  const { manifest, reused } = outcome;
  const c = manifest.counts;
  const load = manifest.loads[manifest.loads.length - 1].counts;
  const lines = [
    `run ${outcome.runId}: ${load.records} records, ${load.loaded} loaded, ${load.rejected} rejected${manifest.loads.length > 1 ? ` (load ${manifest.loads.length} of the warehouse)` : ''}`,
    `  warehouse  ${options.out}: ${c.loaded} rows, ${c.superseded} superseded, ${c.rejected} rejected in all`,
    `  by region  ${Object.entries(c.by_region).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`,
  ];
  if (load.rejected > 0) lines.push(`  rejects    ${Object.entries(load.by_reason).map(([r, n]) => `${r} ${n}`).join(', ')} (see ${options.out}/rejects.csv)`);
  if (options.resume && reused.scan + reused.map + reused.reduce > 0) {
    lines.push(`  resumed    reused ${reused.scan} scans, ${reused.map} map tasks, ${reused.reduce} region loads`);
  }
  lines.push(`  stages     ${Object.entries(manifest.stages).map(([s, t]) => `${s} ${formatMs(t.ms)}`).join(', ')}`);
  lines.push(`  log        ${outcome.logPath}`);
  out.stdout(lines.join('\n'));
  return 0;
}

function progressLine(p: RunProgress): string {
  const seconds = p.elapsedMs / 1000;
  // A rate only once a map task has finished: before that 0.0 MB/s says nothing true.
  const rate = p.bytesDone > 0 && seconds > 0 ? `  ${(p.bytesDone / 1024 / 1024 / seconds).toFixed(1)} MB/s mapped` : '';
  return `${p.stage} ${p.done}/${p.total}${rate}  ${seconds.toFixed(1)} s`;
}

/** The warehouse lock, if this process holds it: a run stopped by a signal leaves none behind. */
function releaseOwnLock(dir: string): void {
  const lock = new WarehousePaths(dir).lock;
  try {
    if ((JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(lock, { force: true });
  } catch {
    // no lock, or not ours
  }
}
