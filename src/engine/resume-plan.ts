// A run's plan: what --resume needs to continue a run exactly as it started, saved before the
// first task and checked against the flags a resumed run is given.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GdpmrError } from '../errors.js';
import { FACT_LINE_FORMAT } from '../rules/current.js';
import { ColumnIndexSchema } from '../rules/header.js';
import { writeFileWhole } from '../fs.js';
import type { WarehousePaths } from '../store/layout.js';
import type { InputIdentity } from './splits.js';

export const RunPlan = z.object({
  run_id: z.string(),
  started_at: z.string(),
  input: z.object({ path: z.string(), bytes: z.number(), mtimeMs: z.number(), fingerprint: z.string() }),
  input_arg: z.string(),
  header: z.object({
    names: z.array(z.string()),
    dataStart: z.number(),
    dataStartLine: z.number(),
    columns: ColumnIndexSchema,
  }),
  chunk_bytes: z.number().int().positive(),
  region_map: z.string(),
  /** --source: the source of records that name none. */
  run_source: z.string(),
  /** Whether the user asked for --append (the run appends only when a warehouse was there). */
  append_requested: z.boolean().optional(),
  append: z.boolean(),
  previous_generation: z.string().nullable(),
  /** INPUT.source.json as it was when the run started, carried into the manifest's load. */
  source: z.record(z.string(), z.unknown()).optional(),
  /** The fact-line format of the run's map outputs; absent in plans from before it was kept. */
  fact_format: z.number().optional(),
});
export type RunPlan = z.infer<typeof RunPlan>;

/** The flags a resumed run was given; undefined where the user left a flag out. */
export interface ResumeFlags {
  chunkBytes?: number;
  regionMapPath?: string;
  source?: string;
  append: boolean;
}

/** Unfinished runs in DIR/.runs, oldest first (the lock allows no more than one to be live). */
export function pendingRuns(paths: WarehousePaths): string[] {
  if (!existsSync(paths.runsDir)) return [];
  return readdirSync(paths.runsDir)
    .filter((name) => !name.startsWith('.') && existsSync(paths.run(name).plan))
    .sort();
}

/**
 * Removes a run's work. Renamed out of `.runs/<run_id>` first, in one step: a kill in the middle
 * of a recursive delete would leave half a run (a journal without its plan, or a plan without
 * its journal) that --resume would take for a run to continue. What a kill leaves of a
 * renamed one is swept by the next run that holds the lock.
 */
export function discardRun(paths: WarehousePaths, runId: string): void {
  const work = paths.run(runId).root;
  const doomed = join(paths.runsDir, `.discarded-${runId}-${process.pid}`);
  try {
    renameSync(work, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  rmSync(doomed, { recursive: true, force: true });
}

/** What killed runs left of discarded work; called with the warehouse's lock held. */
export function sweepDiscardedRuns(paths: WarehousePaths): void {
  if (!existsSync(paths.runsDir)) return;
  for (const name of readdirSync(paths.runsDir)) {
    if (name.startsWith('.discarded-')) rmSync(join(paths.runsDir, name), { recursive: true, force: true });
  }
}

export function savePlan(path: string, plan: RunPlan): void {
  // Written whole: a run killed while writing its plan leaves no plan, not half of one.
  writeFileWhole(path, JSON.stringify(plan, null, 2) + '\n');
}

function sameInput(a: InputIdentity, b: InputIdentity): boolean {
  return a.path === b.path && a.bytes === b.bytes && a.mtimeMs === b.mtimeMs && a.fingerprint === b.fingerprint;
}

/**
 * The interrupted run's plan, checked against what the resumed run is given: the same input
 * (unchanged since), this version's intermediate format, and no flag that contradicts it.
 */
export function loadPlanToResume(path: string, input: InputIdentity, flags: ResumeFlags): RunPlan {
  let plan: RunPlan;
  try {
    plan = RunPlan.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new GdpmrError('RESUME_MISMATCH', `--resume must continue a run with a readable plan, got ${path} (${(error as Error).message.split('\n')[0]}); run without --resume to start over`);
  }
  if (!sameInput(plan.input, input)) {
    throw new GdpmrError(
      'RESUME_MISMATCH',
      `--resume must name the input of the interrupted run ${plan.run_id} (${plan.input.path}, ${plan.input.bytes} bytes), got ${input.path} (${input.bytes} bytes${plan.input.path === input.path ? ', changed since' : ''}); run without --resume to start over`,
    );
  }
  if (plan.fact_format !== FACT_LINE_FORMAT) {
    throw new GdpmrError(
      'RESUME_MISMATCH',
      `--resume must continue a run of this gdpmr version, got run ${plan.run_id} whose intermediate files have an older format; run without --resume to start over`,
    );
  }
  const contradiction = (flag: string, given: string, planned: string): GdpmrError =>
    new GdpmrError('RESUME_MISMATCH', `--resume continues run ${plan.run_id} as it was planned, but ${flag} ${given} contradicts its plan (${planned}); leave ${flag} out, or run without --resume to start over`);
  if (flags.chunkBytes !== undefined && flags.chunkBytes !== plan.chunk_bytes) {
    throw contradiction('--chunk-size', String(flags.chunkBytes), `chunk size ${plan.chunk_bytes} bytes`);
  }
  if (flags.regionMapPath !== undefined && resolve(flags.regionMapPath) !== plan.region_map) {
    throw contradiction('--regions', flags.regionMapPath, `region map ${plan.region_map}`);
  }
  if (flags.source !== undefined && flags.source !== plan.run_source) {
    throw contradiction('--source', flags.source, `source ${JSON.stringify(plan.run_source)}`);
  }
  const appendRequested = plan.append_requested ?? plan.append;
  if (flags.append && !appendRequested) {
    throw contradiction('--append', '', 'a run that replaces the warehouse');
  }
  return plan;
}
