// Runs tasks on a piscina pool of worker threads; workers/tasks.ts names the handlers.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../package-root.js';
import { Piscina } from 'piscina';
import { RESULT_SCHEMAS, type ResultOf, type Task } from '../messages.js';
import type { TaskRunner } from './runner.js';

/** The compiled worker entry; the pool needs JavaScript even when tests run TypeScript. */
export function workerEntry(): string {
  const entry = join(PACKAGE_ROOT, 'dist', 'workers', 'tasks.js');
  if (!existsSync(entry)) throw new Error(`worker entry ${entry} is missing: run \`npm run build\` first`);
  return entry;
}

/** See heapLimits. */
const YOUNG_GENERATION_MB = 64;

/**
 * Each worker's V8 heap, sized to what one map task over `chunkBytes` needs. Without a limit
 * V8 lets a busy worker's heap grow far past its live data before collecting; with one, the
 * run's memory follows the chunk size and the worker count, not the input's size.
 *
 * The young generation is where a reduce's short-lived strings (a line, its fields) die; a
 * smaller one trades time for memory, as each scavenge copies the lines a country holds back.
 * 1 GB, 2 workers, alternating in one session (bench/RESULTS.md, 2026-12-02 22:16-22:25): 64 MB
 * 53.3-56.5 s at 440-470 MB peak RSS; 32 MB 56.0-57.0 s at 354-364 MB; 16 MB 56.1-60.3 s at
 * 307-318 MB. Speed is kept: 64.
 */
export function heapLimits(chunkBytes: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number } {
  const chunkMb = chunkBytes / 1024 / 1024;
  return { maxOldGenerationSizeMb: Math.ceil(96 + 16 * chunkMb), maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
}

/**
 * piscina loads the handlers with require() first, which Node 20.19+ turns into require(esm) of
 * our ES modules; a require(esm) that meets the same graph while an import() of it is in flight
 * aborts the whole process (\`FATAL ERROR: v8::Module::IsGraphAsync\`, seen under load). With
 * require(esm) off in the worker, its require fails at once and piscina takes its import() path.
 */
function workerExecArgv(): string[] {
  const features = process.features as { require_module?: boolean };
  return features.require_module === true ? [...process.execArgv, '--no-experimental-require-module'] : process.execArgv;
}

export class PoolRunner implements TaskRunner {
  readonly kind = 'pool';
  private readonly pool: Piscina;
  private closing = false;

  /** `slots`: the worker threads, each running one task at a time. */
  constructor(
    readonly slots: number,
    chunkBytes: number,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.pool = new Piscina({
      resourceLimits: heapLimits(chunkBytes),
      filename: workerEntry(),
      minThreads: slots,
      maxThreads: slots,
      // One task per thread at a time: a map task holds a whole split in memory.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      env,
      execArgv: workerExecArgv(),
    });
    // A failed run closes the pool while other tasks still run; piscina then reports each
    // one's late answer as an 'error' event, which without a listener would crash the process.
    // Those answers belong to a run that has already failed: nothing is waiting for them.
    this.pool.on('error', (error: Error) => {
      if (!this.closing) process.emitWarning(`worker pool: ${error.message.split('\n')[0]}`);
    });
  }

  async run<T extends Task>(task: T): Promise<ResultOf[T['kind']]> {
    const result = await this.pool.run(task, { name: task.kind });
    return RESULT_SCHEMAS[task.kind].parse(result) as ResultOf[T['kind']];
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.pool.destroy();
  }
}
