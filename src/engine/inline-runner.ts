// Runs tasks in this thread, one at a time: the reference the pool must agree with.
import { HANDLERS } from './tasks.js';
import type { ResultOf, Task } from './messages.js';
import type { TaskRunner } from './runner.js';

export class InlineRunner implements TaskRunner {
  readonly kind = 'inline';
  readonly slots = 1;

  async run<T extends Task>(task: T): Promise<ResultOf[T['kind']]> {
    const handler = HANDLERS[task.kind] as unknown as (t: T) => ResultOf[T['kind']];
    return handler(task);
  }

  async close(): Promise<void> {}
}
