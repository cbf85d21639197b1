// What a run is asked to do and what it tells while it goes: the types the coordinator
// (run.ts), its execution (execution.ts), its guards (prepare.ts) and the commands share.
import type { Manifest } from '../store/manifest.js';
import type { RunnerKind } from './runners/registry.js';

/** Failures after which the run's work is kept for --resume. */
export const RESUMABLE: ReadonlySet<string> = new Set(['TASK_FAILED', 'RUNNER_FAILED', 'RUN_FAILED']);


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
  /** --allow-empty: publish a load of which no record loads (refused otherwise). */
  allowEmpty?: boolean;
  resume: boolean;
  /** Which runner executes the tasks (runners/registry.ts); the CLI uses the pool. */
  runner: RunnerKind;
  /** For the queue runner: the Redis URL. */
  redisUrl?: string;
  /** Where the input came from (the INPUT.source.json an extractor wrote), as the command read it. */
  sourceInfo?: Record<string, unknown> & { sha256?: string };
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
