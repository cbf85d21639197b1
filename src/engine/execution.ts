// One run's stages once it is planned: split and map, reduce and index each region, write the
// summary files into staging, publish. The coordinator's scheduling only: every task body is in
// tasks.ts, run by whichever runner the run was given.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { RunLogger } from '../log.js';
import { REGIONS, REJECT_REASONS, type Region } from '../rules/normalize.js';
import { REC_START, type TokenizerState } from '../rules/tokenizer.js';
import { assembleManifest, sumLoadCounts, writeRejects } from '../store/generation.js';
import type { RunPaths, WarehousePaths } from '../store/layout.js';
import { readManifest, writeManifest, type Manifest } from '../store/manifest.js';
import { sorterThreadsFor } from '../store/region-db/indexes.js';
import { countRows } from '../store/region-db/read.js';
import type { Journal } from './journal.js';
import { GdpmrError } from '../errors.js';
import type { InputCheck, InputSplit, MapResult, ReduceResult, ScanResult } from './messages.js';
import { hashRange, nextSplitStart, planSplits } from './splits.js';
import { publishGeneration } from './publish.js';
import { discardRun, type RunPlan } from './resume-plan.js';
import type { RunEvents, RunProgress, RunRequest } from './request.js';
import { runWithRetries, type TaskRunner } from './runners/runner.js';
import { PriorityScheduler } from './schedule.js';

const LOAD_PRIORITY = 1;
const INDEX_PRIORITY = 0;

/**
 * Marks a task's promise as handled: once one task fails, the stage stops waiting for the
 * rest, and their later rejections (the pool is being torn down) must not crash the process.
 */
function tracked<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

interface ExecutionParts {
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

export class RunExecution {
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

  constructor(parts: ExecutionParts) {
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

  /** Queue workers may see another file at the input's path: they check it, and hash what they read. */
  private inputCheck(): InputCheck {
    return { inputMtimeMs: this.plan.input.mtimeMs, inputFingerprint: this.plan.input.fingerprint, hashSplit: this.request.runner === 'queue' };
  }

  /**
   * A load of which no record loads replaces or extends the warehouse with nothing (a plain run
   * of it replaced 8,983 rows with none): refused before the reduce, unless --allow-empty.
   */
  private refuseEmptyLoad(maps: Map<number, MapResult>): void {
    if (this.request.allowEmpty === true) return;
    const load = sumLoadCounts([...maps.values()]);
    if (load.loaded > 0) return;
    const reasons = REJECT_REASONS.filter((r) => (load.by_reason[r] ?? 0) > 0).map((r) => `${r} ${load.by_reason[r]}`).join(', ');
    throw new GdpmrError(
      'USAGE',
      `${this.request.inputPath}: ${load.records} records, 0 loaded${load.records > 0 ? ` (rejected: ${reasons})` : ''}: nothing to load, so nothing was published; --allow-empty publishes it anyway`,
    );
  }

  /** The sha256 of each split as this process reads the input: the truth a worker's read is held to. */
  private readonly splitHashes = new Map<number, string>();

  /**
   * A split's bytes as a queue worker's scan or map read them must be those this process reads:
   * else the worker sees another file at the input's path (a mount of its own, a copy that
   * differs), and its figures must not be published. One read of the input by the
   * coordinator, in queue runs only (hashSplit).
   */
  private checkSplitRead(split: InputSplit, task: 'scan' | 'map', read: string | undefined): void {
    if (read === undefined) return;
    let mine = this.splitHashes.get(split.chunk);
    if (mine === undefined) {
      mine = hashRange(this.plan.input.path, split.start, split.end);
      this.splitHashes.set(split.chunk, mine);
    }
    if (read === mine) return;
    throw new GdpmrError(
      'TASK_FAILED',
      `the ${task} task of split ${split.chunk} read other bytes of ${this.plan.input.path} (${split.start}-${split.end}) than the coordinator: a worker sees another file at that path; every worker must see the input the coordinator sees (one shared file system)`,
    );
  }

  private attemptFailed = (failure: { task: string; attempt: number; error: string; willRetry: boolean }): void => {
    this.log.warn({ stage: failure.task.split(':')[0], task: failure.task, attempt: failure.attempt, err: failure.error, will_retry: failure.willRetry }, 'task attempt failed');
  };

  async execute(): Promise<Manifest> {
    if (this.journal.has('staged')) {
      this.log.info({ stage: 'publish' }, 'resuming at publish: the next generation is already staged');
    } else {
      const mapResults = await this.splitAndMap();
      this.refuseEmptyLoad(mapResults);
      const reduceResults = await this.reduceRegions(mapResults);
      this.writeSummaryFiles(mapResults, reduceResults);
      this.journal.record({ task: 'staged' });
    }
    const t = performance.now();
    this.progress('publish', 0, 1, this.plan.input.bytes);
    const staged = this.work.staging;
    publishGeneration(this.paths, staged.root, this.plan.run_id);
    discardRun(this.paths, this.plan.run_id);
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
        if (nextMap > 0) ({ state, line } = nextSplitStart({ state, line }, scanned[nextMap - 1] as ScanResult));
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
          ...this.inputCheck(),
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
            this.checkSplitRead(split, 'map', result.splitSha256);
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
        tracked(runWithRetries(this.runner, { kind: 'scan', attempt: 1, inputPath: plan.input.path, inputBytes: plan.input.bytes, ...this.inputCheck(), split }, this.attemptFailed).then((result) => {
          this.checkSplitRead(split, 'scan', result.splitSha256);
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
  private writeSummaryFiles(maps: Map<number, MapResult>, reduces: Map<Region, ReduceResult>): void {
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
      // 'publish' times this step: the rejects and the manifest, the generation's last files.
      stages: { ...this.stages, publish: { ms: Math.round(performance.now() - t) } },
      finishedAt: new Date(),
    });
    writeManifest(staging.manifest, manifest);
  }
}

