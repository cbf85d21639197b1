// The coordinator: plans a run and schedules its tasks; the work itself happens in tasks.
//
//   split   header, byte ranges, scan each range from every tokenizer state, chain
//   map     per split: tokenize, normalise, partition by region, sort, spill (pipelined
//           behind the scans: map i starts once scans 0..i-1 are known)
//   reduce  per region: merge runs (and earlier loads' rows), mark current, load SQLite
//   publish rejects in input order, manifest, swap the new generation in
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULTS } from '../config.js';
import { errorText, GdpmrError, usage } from '../errors.js';
import { createRunLogger, type RunLogger } from '../log.js';
import { readSourceInfo } from '../extract/dump-file.js';
import { FACT_LINE_FORMAT } from '../rules/current.js';
import { REGIONS, type Region } from '../rules/normalize.js';
import { REC_START, stateAfter, type TokenizerState } from '../rules/tokenizer.js';
import { diskFull, fsReason, makeDirectory } from '../store/files.js';
import { currentGeneration, readPublished, WarehousePaths, type RunPaths } from '../store/layout.js';
import { assembleManifest, sumLoadCounts, writeRejects } from '../store/generation.js';
import { readManifest, writeManifest, type Manifest } from '../store/manifest.js';
import { countRows, sorterThreadsFor } from '../store/region-db.js';
import { loadRegionMap } from '../store/region-map-file.js';
import { requireSound, verifyCheap } from '../store/verify.js';
import { Journal } from './journal.js';
import type { InputSplit, MapResult, ReduceResult, ScanResult } from './messages.js';
import { identifyInput, planSplits, readHeader, type InputIdentity } from './plan.js';
import { acquireLock, checkOutDirectory, publishGeneration, releaseLock, repairPublished } from './publish.js';
import { loadPlanToResume, pendingRuns, savePlan, type RunPlan } from './run-plan.js';
import { runWithRetries, type TaskRunner } from './runner.js';
import { createRunner, queueNameFor, type RunnerKind } from './runners.js';
import { PriorityScheduler } from './schedule.js';

/** Failures after which the run's work is kept for --resume. */
export const RESUMABLE: ReadonlySet<string> = new Set(['TASK_FAILED', 'RUNNER_FAILED', 'RUN_FAILED']);

const LOAD_PRIORITY = 1;
const INDEX_PRIORITY = 0;

export interface RunRequest {
  inputPath: string;
  outDir: string;
  /** Undefined when not given: a new run takes the default, --resume the interrupted run's. */
  chunkBytes?: number;
  workers: number;
  /** Undefined when not given: a new run takes the bundled map, --resume the interrupted run's. */
  regionMapPath?: string;
  /** --source: the source of records that name none (checked, lower case; '' for none). */
  source?: string;
  append: boolean;
  /** --replace: replace a warehouse of several loads (a plain run refuses to). */
  replace?: boolean;
  /** --allow-reload: append an input a load already holds. */
  allowReload?: boolean;
  resume: boolean;
  /** Which runner executes the tasks (runners.ts); the CLI uses the pool. */
  runner: RunnerKind;
  /** For the queue runner: the Redis URL. */
  redisUrl?: string;
}

export interface RunProgress {
  stage: 'split' | 'map' | 'reduce' | 'publish';
  done: number;
  total: number;
  /** Input bytes whose map task has finished. */
  bytesDone: number;
  elapsedMs: number;
}

export interface RunEvents {
  progress?(progress: RunProgress): void;
  notice?(message: string): void;
}

export interface RunOutcome {
  runId: string;
  manifest: Manifest;
  logPath: string;
  reused: { scan: number; map: number; reduce: number };
}

/**
 * Marks a task's promise as handled: once one task fails, the stage stops waiting for the
 * rest, and their later rejections (the pool is being torn down) must not crash the process.
 */
function tracked<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

function prepareDirectory(paths: WarehousePaths): void {
  try {
    makeDirectory(paths.root);
    accessSync(paths.root, constants.W_OK);
    makeDirectory(paths.runsDir);
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a directory gdpmr can write, got ${paths.root} (${fsReason(error)})`);
  }
}

/**
 * The warehouse a run builds on. An append (or the resume of one) refuses a damaged one; a
 * replacing run only says it replaces it, as that is the way out of the damage.
 */
function publishedBase(paths: WarehousePaths, dir: string, appending: boolean, notice: (m: string) => void): Manifest | null {
  if (appending) return currentGeneration(paths) === null ? null : requireSound(dir).manifest;
  try {
    return readPublished(paths);
  } catch (error) {
    notice(`replacing the damaged warehouse in ${paths.root} (${errorText(error, 200).split('\n')[0]})`);
    return null;
  }
}

interface LoadSummary {
  run_id: string;
  path: string;
  fingerprint?: string;
  sha256?: string;
}

/** The loads of the published warehouse, read loosely: an outdated or damaged manifest too. */
function publishedLoads(paths: WarehousePaths): LoadSummary[] {
  const generation = currentGeneration(paths);
  if (generation === null) return [];
  try {
    const raw = JSON.parse(readFileSync(paths.generation(generation).manifest, 'utf8')) as { loads?: unknown };
    if (!Array.isArray(raw.loads)) return [];
    return raw.loads.map((l: { run_id?: unknown; input?: { path?: unknown; fingerprint?: unknown }; source?: { sha256?: unknown } }) => ({
      run_id: String(l?.run_id ?? '?'),
      path: String(l?.input?.path ?? '?'),
      fingerprint: typeof l?.input?.fingerprint === 'string' ? l.input.fingerprint : undefined,
      sha256: typeof l?.source?.sha256 === 'string' ? l.source.sha256 : undefined,
    }));
  } catch {
    return [];
  }
}

/**
 * A warehouse of many loads is history no typo may lose: a plain run onto one is refused
 * unless --replace says so. An --append of an input a load already holds (the same bytes at
 * both ends and size, or the same extracted source) is refused unless --allow-reload: a weekly
 * job run twice would double every figure's history.
 */
function guardLoads(paths: WarehousePaths, request: RunRequest, input: InputIdentity): void {
  const loads = publishedLoads(paths);
  const list = (ls: LoadSummary[]): string => ls.map((l, i) => `${i + 1}: ${l.path} (run ${l.run_id})`).join(', ');
  if (!request.append && request.replace !== true && loads.length > 1) {
    throw usage(
      `gdpmr run without --append would replace the warehouse ${paths.root} and drop its ${loads.length} loads (${list(loads)}); ` +
        `add --append to add ${request.inputPath} as load ${loads.length + 1}, or --replace to replace them all (the replaced warehouse is kept for \`gdpmr rollback\`)`,
    );
  }
  // A damaged warehouse is refused as such later on (exit 1, naming the file), not as a reload.
  if (request.append && request.allowReload !== true && verifyCheap(request.outDir).problems.every((p) => p.check === 'links' || p.check === 'kept')) {
    const sha = readSourceInfo(request.inputPath)?.sha256;
    const holder = loads.findIndex((l) => l.fingerprint === input.fingerprint || (sha !== undefined && l.sha256 === sha));
    if (holder >= 0) {
      const l = loads[holder];
      throw usage(
        `${request.inputPath} is already loaded in ${paths.root}: load ${holder + 1} (run ${l.run_id}, ${l.path}) holds ${l.fingerprint === input.fingerprint ? 'the same file' : 'the same extracted source (sha256)'}; ` +
          `appending it again would make every figure its own revision. Add --allow-reload to load it again anyway`,
      );
    }
  }
}

export async function runJob(request: RunRequest, events: RunEvents = {}): Promise<RunOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  // Everything that can be wrong with the input is found before DIR is touched.
  const input = identifyInput(request.inputPath);
  const absoluteInput: InputIdentity = { ...input, path: resolve(request.inputPath) };
  const paths = new WarehousePaths(request.outDir);
  checkOutDirectory(paths);
  if (!request.resume) guardLoads(paths, request, absoluteInput);

  let plan: RunPlan | undefined;
  let runId = newRunId(startedAt);
  const notices: string[] = [];
  const notice = (message: string): void => {
    notices.push(message);
    events.notice?.(message);
  };
  if (request.resume) {
    const pending = pendingRuns(paths);
    if (pending.length === 0) {
      notice(`nothing to resume in ${paths.root}: starting a new run`);
    } else {
      plan = loadPlanToResume(paths.run(pending[pending.length - 1]).plan, absoluteInput, { chunkBytes: request.chunkBytes, regionMapPath: request.regionMapPath, source: request.source, append: request.append });
      runId = plan.run_id;
    }
  }
  const header = plan?.header ?? readHeader(request.inputPath, input.bytes);
  const regionMapPath = plan?.region_map ?? request.regionMapPath ?? DEFAULTS.regionMap;
  loadRegionMap(regionMapPath);
  prepareDirectory(paths);

  const holder = { pid: process.pid, host: hostname(), run_id: runId, started_at: startedAt.toISOString(), input: absoluteInput.path };
  acquireLock(paths, holder, notice);
  let log: RunLogger | undefined;
  let runner: TaskRunner | undefined;
  try {
    log = createRunLogger(paths.log(runId), runId);
    for (const message of notices) log.warn({ stage: 'plan' }, message);
    const published = publishedBase(paths, request.outDir, plan?.append ?? request.append, notice);
    if (plan === undefined) {
      for (const stale of pendingRuns(paths)) {
        notice(`discarding the unfinished run ${stale} (use --resume to continue one)`);
        rmSync(paths.run(stale).root, { recursive: true, force: true });
      }
      plan = {
        run_id: runId,
        started_at: startedAt.toISOString(),
        input: absoluteInput,
        input_arg: request.inputPath,
        header,
        chunk_bytes: request.chunkBytes ?? DEFAULTS.chunkBytes,
        region_map: resolve(regionMapPath),
        run_source: request.source ?? '',
        append_requested: request.append,
        append: request.append && published !== null,
        previous_generation: request.append && published !== null ? published.generation : null,
        source: readSourceInfo(request.inputPath),
        fact_format: FACT_LINE_FORMAT,
      };
      mkdirSync(paths.run(runId).root, { recursive: true });
      savePlan(paths.run(runId).plan, plan);
    } else if ((published?.generation ?? null) !== plan.previous_generation && plan.append) {
      throw new GdpmrError('RESUME_MISMATCH', `the warehouse changed since run ${runId} started; run without --resume to start over`);
    }
    repairPublished(paths, [runId]);
    log.info({ stage: 'plan', input: plan.input, chunk_bytes: plan.chunk_bytes, workers: request.workers, append: plan.append, resume: request.resume, runner: request.runner }, 'run planned');

    runner = await createRunner(request.runner, { slots: request.workers, chunkBytes: plan.chunk_bytes, redisUrl: request.redisUrl, queueName: queueNameFor(paths.root, runId), notice });
    const job = new Job({ request, plan, paths, journal: Journal.open(paths.run(runId).journal), runner, log, events, previous: published, t0 });
    const manifest = await job.execute();
    log.info({ stage: 'publish', counts: manifest.counts, stages: manifest.stages }, 'run published');
    return { runId, manifest, logPath: paths.log(runId), reused: job.reused };
  } catch (error) {
    log?.error({ stage: 'run', code: (error as GdpmrError).code, err: errorText(error) }, 'run failed; the published warehouse is unchanged');
    // The command adds how to go on (--resume): the engine only says what happened.
    const after = currentGeneration(paths) === null ? `nothing was published: ${paths.root} holds no warehouse yet (log: ${paths.log(runId)})` : `the published warehouse is unchanged (log: ${paths.log(runId)})`;
    const full = diskFull(paths.root, error);
    if (error instanceof GdpmrError) throw RESUMABLE.has(error.code) ? new GdpmrError(error.code, `${full}${error.message}; ${after}`) : error;
    throw new GdpmrError('RUN_FAILED', `${full}run ${runId} failed: ${errorText(error)}; ${after}`);
  } finally {
    await runner?.close();
    log?.close();
    releaseLock(paths, runId);
  }
}

interface JobParts {
  request: RunRequest;
  plan: RunPlan;
  paths: WarehousePaths;
  journal: Journal;
  runner: TaskRunner;
  log: RunLogger;
  events: RunEvents;
  /** The published warehouse this run builds on, if any. */
  previous: Manifest | null;
  t0: number;
}

class Job {
  readonly reused = { scan: 0, map: 0, reduce: 0 };
  private readonly stages: Record<string, { ms: number }> = {};
  private readonly splits: InputSplit[];
  private readonly loadSeq: number;
  private readonly runIds: string[];
  /** SQLite helper threads per index build, given how many tasks share the cores. */
  private readonly sorterThreads: number;

  private readonly request: RunRequest;
  private readonly plan: RunPlan;
  private readonly paths: WarehousePaths;
  private readonly work: RunPaths;
  private readonly journal: Journal;
  private readonly runner: TaskRunner;
  private readonly log: RunLogger;
  private readonly events: RunEvents;
  private readonly previous: Manifest | null;
  private readonly t0: number;

  constructor(parts: JobParts) {
    ({ request: this.request, plan: this.plan, paths: this.paths, journal: this.journal, runner: this.runner, log: this.log, events: this.events, previous: this.previous, t0: this.t0 } = parts);
    this.work = this.paths.run(this.plan.run_id);
    const { plan, previous, runner } = this;
    this.splits = planSplits(plan.header.dataStart, plan.input.bytes, plan.chunk_bytes);
    const earlier = plan.append && previous !== null ? previous.loads.map((l) => l.run_id) : [];
    this.loadSeq = earlier.length;
    this.runIds = [...earlier, plan.run_id];
    this.sorterThreads = sorterThreadsFor(runner.slots, availableParallelism());
  }

  private progress(stage: RunProgress['stage'], done: number, total: number, bytesDone: number): void {
    this.events.progress?.({ stage, done, total, bytesDone, elapsedMs: performance.now() - this.t0 });
  }

  private attemptFailed = (failure: { task: string; attempt: number; error: string; willRetry: boolean }): void => {
    this.log.warn({ stage: failure.task.split(':')[0], task: failure.task, attempt: failure.attempt, err: failure.error, will_retry: failure.willRetry }, 'task attempt failed');
  };

  async execute(): Promise<Manifest> {
    if (this.journal.has('staged')) {
      this.log.info({ stage: 'publish' }, 'resuming at publish: the next generation is already staged');
    } else {
      const mapResults = await this.splitAndMap();
      const reduceResults = await this.reduceRegions(mapResults);
      this.stage(mapResults, reduceResults);
      this.journal.record({ task: 'staged' });
    }
    const t = performance.now();
    this.progress('publish', 0, 1, this.plan.input.bytes);
    const staged = this.work.staging;
    publishGeneration(this.paths, staged.root, this.plan.run_id, this.previous !== null);
    rmSync(this.work.root, { recursive: true, force: true });
    this.progress('publish', 1, 1, this.plan.input.bytes);
    const manifest = readManifest(this.paths.generation(this.plan.run_id).manifest);
    this.log.info({ stage: 'publish', ms: Math.round(performance.now() - t) }, 'generation swapped in');
    return manifest;
  }

  private async splitAndMap(): Promise<Map<number, MapResult>> {
    const { splits, plan } = this;
    const scans = this.journal.scans();
    const maps = this.journal.maps();
    const scanned: Array<ScanResult | undefined> = splits.map((s) => scans.get(s.chunk));
    const tSplit = performance.now();
    let tMapStart = 0;
    let scansDone = scanned.filter((s) => s !== undefined).length;
    // The last split's scan would only say where a next split starts: there is none.
    const scansNeeded = Math.max(0, splits.length - 1);
    this.reused.scan = Math.min(scansDone, scansNeeded);
    let mapsDone = 0;
    let bytesDone = 0;
    const pending: Promise<void>[] = [];
    let nextMap = 0;
    let state: TokenizerState = REC_START;
    let line = plan.header.dataStartLine;

    const dispatchReadyMaps = (): void => {
      while (nextMap < splits.length && (nextMap === 0 || scanned[nextMap - 1] !== undefined)) {
        if (nextMap > 0) {
          const before = scanned[nextMap - 1] as ScanResult;
          state = stateAfter(before, state);
          line += before.newlines;
        }
        const split = splits[nextMap];
        nextMap++;
        if (tMapStart === 0) tMapStart = performance.now();
        const done = maps.get(split.chunk);
        if (done !== undefined) {
          this.reused.map++;
          mapsDone++;
          bytesDone += split.end - split.start;
          continue;
        }
        const task = {
          kind: 'map' as const,
          attempt: 1,
          inputPath: plan.input.path,
          inputBytes: plan.input.bytes,
          split,
          startState: state,
          startLine: line,
          columns: plan.header.columns,
          regionMapPath: plan.region_map,
          source: plan.run_source,
          loadSeq: this.loadSeq,
          outDir: this.work.mapOutput(split.chunk),
        };
        this.log.debug({ stage: 'map', chunk: split.chunk, start: split.start, end: split.end, start_state: state, start_line: line }, 'map task queued');
        pending.push(
          tracked(runWithRetries(this.runner, task, this.attemptFailed).then((result) => {
            this.journal.record({ task: 'map', chunk: split.chunk, result });
            maps.set(split.chunk, result);
            mapsDone++;
            bytesDone += split.end - split.start;
            this.log.info({ stage: 'map', chunk: split.chunk, records: result.records, rejected: result.rejected, by_region: result.byRegion, overread_bytes: result.overreadBytes }, 'map task done');
            this.progress('map', mapsDone, splits.length, bytesDone);
          })),
        );
      }
    };

    dispatchReadyMaps();
    const scanTasks: Promise<void>[] = [];
    for (let i = 0; i < scansNeeded; i++) {
      if (scanned[i] !== undefined) continue;
      const split = splits[i];
      scanTasks.push(
        tracked(runWithRetries(this.runner, { kind: 'scan', attempt: 1, inputPath: plan.input.path, inputBytes: plan.input.bytes, split }, this.attemptFailed).then((result) => {
          this.journal.record({ task: 'scan', chunk: split.chunk, result });
          scanned[i] = result;
          scansDone++;
          this.log.debug({ stage: 'split', chunk: split.chunk, exit_states: result.exitStates, newlines: result.newlines }, 'scan task done');
          this.progress('split', scansDone, scansNeeded, bytesDone);
          dispatchReadyMaps();
        })),
      );
    }
    await Promise.all(scanTasks);
    this.stages.split = { ms: Math.round(performance.now() - tSplit) };
    dispatchReadyMaps();
    // Tasks are added while we wait (each scan releases maps), so wait until none is left.
    for (let waited = 0; waited < pending.length; waited = pending.length) await Promise.all(pending);
    this.stages.map = { ms: Math.round(performance.now() - (tMapStart || performance.now())) };
    this.log.info({ stage: 'map', splits: splits.length, reused: this.reused.map, ms: this.stages.map.ms }, 'map stage done');
    return maps;
  }

  private async reduceRegions(maps: Map<number, MapResult>): Promise<Map<Region, ReduceResult>> {
    const t = performance.now();
    const staging = this.work.staging;
    mkdirSync(staging.regionsDir, { recursive: true });
    const previousGeneration = this.plan.previous_generation === null ? null : this.paths.generation(this.plan.previous_generation);
    const previousRegions = new Set(this.plan.append && this.previous !== null ? (Object.keys(this.previous.counts.by_region) as Region[]) : []);
    const done = this.journal.reduces();
    const indexed = this.journal.indexed();
    const results = new Map<Region, ReduceResult>();
    const newRows = (r: Region): number => this.splits.reduce((n, s) => n + (maps.get(s.chunk)?.byRegion[r] ?? 0), 0);
    const expectedRows = new Map(REGIONS.map((r) => [r, newRows(r) + (previousRegions.has(r) ? (this.previous?.counts.by_region[r] ?? 0) : 0)]));
    // Loads largest first, so the last region to start is a small one, and index builds after
    // every load (see PriorityScheduler).
    const scheduler = new PriorityScheduler(this.runner.slots);
    const regions = REGIONS.filter((r) => (expectedRows.get(r) ?? 0) > 0).sort((a, b) => (expectedRows.get(b) ?? 0) - (expectedRows.get(a) ?? 0));
    /** The region's rows in its staged database: loaded now, or by the interrupted run. */
    const loadRegion = async (region: Region): Promise<ReduceResult> => {
      const reused = done.get(region);
      if (reused !== undefined && existsSync(staging.regionDb(region))) {
        this.reused.reduce++;
        return reused;
      }
      const runPaths = this.splits.filter((s) => (maps.get(s.chunk)?.byRegion[region] ?? 0) > 0).map((s) => this.work.mapRun(s.chunk, region));
      let result: ReduceResult;
      if (runPaths.length === 0 && previousGeneration !== null) {
        // Nothing new for this region: the earlier database is already right.
        copyFileSync(previousGeneration.regionDb(region), staging.regionDb(region));
        const row = countRows(staging.regionDb(region));
        result = { rows: row.rows, current: row.current, superseded: row.rows - row.current, runsMerged: 0, bySource: row.bySource };
        // Its indexes came with it.
        indexed.add(region);
      } else {
        const task = {
          kind: 'reduce' as const,
          attempt: 1,
          region,
          runPaths,
          previousDbPath: previousGeneration !== null && previousRegions.has(region) ? previousGeneration.regionDb(region) : null,
          scratchDir: this.work.reduceScratch(region),
          dbPath: staging.regionDb(region),
          regionMapPath: this.plan.region_map,
          runIds: this.runIds,
          sources: this.sourcesOf(maps),
        };
        result = await scheduler.run(LOAD_PRIORITY, () => runWithRetries(this.runner, task, this.attemptFailed));
      }
      this.journal.record({ task: 'reduce', region, result });
      this.log.info({ stage: 'reduce', region, rows: result.rows, superseded: result.superseded, runs: result.runsMerged }, 'region loaded');
      return result;
    };
    let finished = 0;
    // Every region is tried even when one fails for good: what finished is journaled, and
    // --resume then redoes only the failed region.
    const outcomes = await Promise.allSettled(
      regions.map((region) => tracked((async () => {
        results.set(region, await loadRegion(region));
        await this.indexRegion(region, indexed, scheduler);
        finished++;
        this.progress('reduce', finished, regions.length, this.plan.input.bytes);
      })())),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    this.stages.reduce = { ms: Math.round(performance.now() - t) };
    return results;
  }

  /** Every source a region's rows can name: the run's, each map task's, and the earlier loads'. */
  private sourcesOf(maps: Map<number, MapResult>): string[] {
    const all = new Set<string>([this.plan.run_source]);
    for (const s of this.splits) for (const name of maps.get(s.chunk)?.sources ?? []) all.add(name);
    if (this.plan.append && this.previous !== null) for (const name of Object.keys(this.previous.counts.by_source)) all.add(name);
    return [...all].sort();
  }

  /** Indexes a loaded region's staged database, unless the journal says it has been. */
  private async indexRegion(region: Region, indexed: ReadonlySet<string>, scheduler: PriorityScheduler): Promise<void> {
    if (indexed.has(region)) return;
    const dbPath = this.work.staging.regionDb(region);
    const result = await scheduler.run(INDEX_PRIORITY, () => runWithRetries(this.runner, { kind: 'index', attempt: 1, region, dbPath, sorterThreads: this.sorterThreads }, this.attemptFailed));
    this.journal.record({ task: 'index', region });
    this.log.info({ stage: 'reduce', region, indexes: result.indexes }, 'region indexed');
  }

  /** Writes rejects.csv and manifest.json into staging: the generation is then complete. */
  private stage(maps: Map<number, MapResult>, reduces: Map<Region, ReduceResult>): void {
    const t = performance.now();
    const staging = this.work.staging;
    mkdirSync(staging.regionsDir, { recursive: true });
    const previous = this.plan.previous_generation === null ? null : this.paths.generation(this.plan.previous_generation).rejects;
    writeRejects(staging.rejects, previous, this.splits.map((s) => this.work.mapRejects(s.chunk)));
    const manifest = assembleManifest({
      plan: this.plan,
      workers: this.request.workers,
      earlier: this.plan.append ? this.previous : null,
      load: sumLoadCounts(this.splits.map((s) => maps.get(s.chunk) as MapResult)),
      regions: reduces,
      stages: { ...this.stages, publish: { ms: Math.round(performance.now() - t) } },
      finishedAt: new Date(),
    });
    writeManifest(staging.manifest, manifest);
  }
}

