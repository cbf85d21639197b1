// Runs tasks in this thread, one at a time: the reference the other runners must agree with.
// Results pass the same zod schemas as the pool's, so a handler that returns the wrong shape
// fails here too.
import { withFaults } from '../faults.js';
import { RESULT_SCHEMAS, type ResultOf, type Task } from '../messages.js';
import type { TaskRunner } from './runner.js';
import { HANDLERS } from '../tasks.js';

export class InlineRunner implements TaskRunner {
  readonly kind = 'inline';
  readonly slots = 1;
  private readonly handlers = withFaults(HANDLERS, process.env.GDPMR_FAULT, false);

  async run<T extends Task>(task: T): Promise<ResultOf[T['kind']]> {
    const handler = this.handlers[task.kind] as unknown as (t: T) => unknown;
    return RESULT_SCHEMAS[task.kind].parse(handler(task)) as ResultOf[T['kind']];
  }

  async close(): Promise<void> {}
}
