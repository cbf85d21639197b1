// Runners execute tasks; the coordinator only decides which tasks and in what order. Both
// runners take the same plain-data tasks, so the same plan (and the same tests) run inline,
// for debugging and the property tests, or on the worker pool.
import { createHash } from 'node:crypto';
import { errorText, GdpmrError } from '../../errors.js';
import { taskName, type ResultOf, type Task } from '../messages.js';

export interface TaskRunner {
  readonly kind: string;
  /**
   * How many tasks the coordinator keeps in flight at once, which also sizes the reduce's
   * scheduling: the pool's threads; for the queue, the run's --workers (how many machines and
   * threads serve the queue is not known to the coordinator: more in flight would only wait
   * in Redis, fewer would leave workers idle).
   */
  readonly slots: number;
  run<T extends Task>(task: T): Promise<ResultOf[T['kind']]>;
  close(): Promise<void>;
}

export const MAX_ATTEMPTS = 3;

export interface AttemptFailure {
  task: string;
  attempt: number;
  error: string;
  willRetry: boolean;
}

/**
 * Runs a task, retrying a task whose worker threw or died. Pool workers that die are
 * replaced by the pool, so each retry runs on a fresh thread.
 */
export async function runWithRetries<T extends Task>(
  runner: TaskRunner,
  task: T,
  onFailure: (failure: AttemptFailure) => void,
): Promise<ResultOf[T['kind']]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runner.run({ ...task, attempt });
    } catch (error) {
      // A runner that lost its workers' transport (Redis) cannot run any attempt.
      if (error instanceof GdpmrError && error.code === 'RUNNER_FAILED') throw error;
      const message = describeError(error);
      const willRetry = attempt < MAX_ATTEMPTS;
      onFailure({ task: taskName(task), attempt, error: message, willRetry });
      if (!willRetry) {
        throw new GdpmrError('TASK_FAILED', `task ${taskName(task)} failed after ${MAX_ATTEMPTS} attempts; last error: ${message}`);
      }
    }
  }
}

/** Errors from worker threads arrive as plain clones of Error objects: errorText reads both. */
export const describeError = (error: unknown): string => errorText(error);

export interface RunnerOptions {
  /** Tasks that run at once (pool threads). */
  slots: number;
  chunkBytes: number;
  redisUrl?: string;
  /** The queue's name: one per warehouse and run, so two runs never share tasks. */
  queueName: string;
  /** Says something the user should know while the run goes on (the queue: no worker yet). */
  notice?: (message: string) => void;
}

/** BullMQ queue name for a run of the warehouse at `root` (absolute). */
export function queueNameFor(root: string, runId: string): string {
  return `gdpmr-${createHash('sha256').update(root).digest('hex').slice(0, 12)}-${runId}`;
}
