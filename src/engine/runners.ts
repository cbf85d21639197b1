// The runner kinds, each one entry: the coordinator asks for a kind and gets a TaskRunner.
// A kind's module loads only when it is asked for (the queue runner brings BullMQ with it).
import { createHash } from 'node:crypto';
import type { TaskRunner } from './runner.js';

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

const FACTORIES = {
  inline: async (): Promise<TaskRunner> => new (await import('./inline-runner.js')).InlineRunner(),
  pool: async (o: RunnerOptions): Promise<TaskRunner> => new (await import('./pool-runner.js')).PoolRunner(o.slots, o.chunkBytes),
  queue: async (o: RunnerOptions): Promise<TaskRunner> => (await import('../queue/queue-runner.js')).QueueRunner.connect(o),
} as const;

export type RunnerKind = keyof typeof FACTORIES;
export const RUNNER_KINDS = Object.keys(FACTORIES) as RunnerKind[];

export function createRunner(kind: RunnerKind, options: RunnerOptions): Promise<TaskRunner> {
  return FACTORIES[kind](options);
}

/** BullMQ queue name for a run of the warehouse at `root` (absolute). */
export function queueNameFor(root: string, runId: string): string {
  return `gdpmr-${createHash('sha256').update(root).digest('hex').slice(0, 12)}-${runId}`;
}
