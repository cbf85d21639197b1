// The coordinator: plans a run and schedules its tasks; the work itself happens in tasks.
//
//   split   header, byte ranges, scan each range from every tokenizer state, chain
//   map     per split: tokenize, normalise, partition by region, sort, spill (pipelined
//           behind the scans: map i starts once scans 0..i-1 are known)
//   reduce  per region: merge runs (and earlier loads' rows), mark current, load SQLite
//   publish rejects in input order, manifest, swap the new generation in

import { mkdirSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULTS } from '../defaults.js';
import { errorText, GdpmrError, usage } from '../errors.js';
import { nearest } from '../suggest.js';
import { createRunLogger, type RunLogger } from '../log.js';
import { FACT_LINE_FORMAT } from '../rules/current.js';
import { diskFull, kindOf } from '../fs.js';
import { currentGeneration, WarehousePaths } from '../store/layout.js';
import { loadRegionMap } from '../store/region-map-file.js';
import { RunExecution } from './execution.js';
import { Journal } from './journal.js';
import { checkSplitCount, identifyInput, readHeader, type InputIdentity } from './splits.js';
import { guardLoads, guardMovedCodes, newRunId, prepareDirectory, publishedBase, readWarehouseState } from './prepare.js';
import { acquireLock, releaseLock } from './lock.js';
import { checkOutDirectory, repairPublished } from './publish.js';
import { discardRun, loadPlanToResume, pendingRuns, savePlan, sweepDiscardedRuns, type RunPlan } from './resume-plan.js';
import { RESUMABLE, type RunEvents, type RunOutcome, type RunRequest } from './request.js';
import { queueNameFor, type TaskRunner } from './runners/runner.js';
import { createRunner } from './runners/registry.js';

/** --append onto a directory that holds no warehouse is a typo more often than a start: exit 2, naming a warehouse beside it. */
function refuseAppendToNothing(paths: WarehousePaths, outArg: string): never {
  const parent = dirname(paths.root);
  let near: string[] = [];
  try {
    const warehouses = readdirSync(parent).filter((n) => currentGeneration(new WarehousePaths(join(parent, n))) !== null);
    near = nearest(basename(paths.root), warehouses, 1);
  } catch {
    near = [];
  }
  throw usage(
    `--append needs a warehouse at --out, got ${outArg} (${kindOf(paths.root) === null ? 'no such directory' : 'it holds none'})${near.length === 0 ? '' : `; did you mean ${join(dirname(outArg), near[0])}?`} Leave out --append to start a warehouse there`,
  );
}

export async function runJob(request: RunRequest, events: RunEvents = {}): Promise<RunOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  // Everything that can be wrong with the input is found before DIR is touched.
  const input = identifyInput(request.inputPath);
  const absoluteInput: InputIdentity = { ...input, path: resolve(request.inputPath) };
  if (request.chunkBytes !== undefined) checkSplitCount(input.bytes, request.chunkBytes, request.inputPath);
  const paths = new WarehousePaths(request.outDir);
  checkOutDirectory(paths);
  // Read once for every guard below; the lock's holder reads it again before building on it.
  const state = readWarehouseState(paths);

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
  // A fresh run (--resume with nothing to resume too) passes every guard a plain one does.
  if (plan === undefined) {
    if (request.append && state.generation === null) refuseAppendToNothing(paths, request.outDir);
    guardLoads(paths, state, request, absoluteInput);
  }
  const header = plan?.header ?? readHeader(request.inputPath, input.bytes);
  const regionMapPath = plan?.region_map ?? request.regionMapPath ?? DEFAULTS.regionMap;
  const regionMap = loadRegionMap(regionMapPath);
  if (plan?.append ?? request.append) guardMovedCodes(paths, state.generation, regionMap, regionMapPath);
  prepareDirectory(paths);

  const holder = { pid: process.pid, host: hostname(), run_id: runId, started_at: startedAt.toISOString(), input: absoluteInput.path };
  acquireLock(paths, holder, notice);
  sweepDiscardedRuns(paths);
  let log: RunLogger | undefined;
  let runner: TaskRunner | undefined;
  try {
    log = createRunLogger(paths.log(runId), runId);
    for (const message of notices) log.warn({ stage: 'plan' }, message);
    const published = publishedBase(paths, request.outDir, plan?.append ?? request.append, notice);
    if (plan === undefined) {
      for (const stale of pendingRuns(paths)) {
        notice(`discarding the unfinished run ${stale} (use --resume to continue one)`);
        discardRun(paths, stale);
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
        source: request.sourceInfo,
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
    const job = new RunExecution({ request, plan, paths, journal: Journal.open(paths.run(runId).journal), runner, log, events, previous: published, t0 });
    const manifest = await job.execute();
    log.info({ stage: 'publish', counts: manifest.counts, stages: manifest.stages }, 'run published');
    return { runId, manifest, logPath: paths.log(runId), reused: job.reused };
  } catch (error) {
    // A refused load leaves nothing to resume.
    if (error instanceof GdpmrError && error.code === 'USAGE') discardRun(paths, runId);
    log?.error({ stage: 'run', code: (error as GdpmrError).code, err: errorText(error) }, 'run failed; the published warehouse is unchanged');
    // The command adds how to go on (--resume): the engine only says what happened.
    const now = currentGeneration(paths);
    const after =
      now === runId
        ? `its generation ${runId} was published before the failure: the warehouse holds this load (\`gdpmr rollback\` puts back the one it replaced; log: ${paths.log(runId)})`
        : now === null
          ? `nothing was published: ${paths.root} holds no warehouse yet (log: ${paths.log(runId)})`
          : `the published warehouse is unchanged (log: ${paths.log(runId)})`;
    const full = diskFull(paths.root, error);
    if (error instanceof GdpmrError) throw RESUMABLE.has(error.code) ? new GdpmrError(error.code, `${full}${error.message}; ${after}`) : error;
    throw new GdpmrError('RUN_FAILED', `${full}run ${runId} failed: ${errorText(error)}; ${after}`);
  } finally {
    await runner?.close();
    log?.close();
    releaseLock(paths, runId);
  }
}
