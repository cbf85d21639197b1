// The runner kinds, each one entry: the coordinator asks for a kind and gets a TaskRunner.
// A kind's module loads only when it is asked for (the queue runner brings BullMQ with it).
import type { RunnerOptions, TaskRunner } from './runner.js';

const FACTORIES = {
  inline: async (): Promise<TaskRunner> => new (await import('./inline.js')).InlineRunner(),
  pool: async (o: RunnerOptions): Promise<TaskRunner> => new (await import('./pool.js')).PoolRunner(o.slots, o.chunkBytes),
  queue: async (o: RunnerOptions): Promise<TaskRunner> => (await import('../../queue/queue-runner.js')).QueueRunner.connect(o),
} as const;

export type RunnerKind = keyof typeof FACTORIES;
export const RUNNER_KINDS = Object.keys(FACTORIES) as RunnerKind[];

export function createRunner(kind: RunnerKind, options: RunnerOptions): Promise<TaskRunner> {
  return FACTORIES[kind](options);
}
