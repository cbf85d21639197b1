// Fault injection for the crash tests, applied once around the task handlers so that every
// runner (inline, pool, queue) meets the same faults.
//
// GDPMR_FAULT=kind:target:mode[:attempts][,...]  e.g. map:3:throw, map:3:exit:3, reduce:asia:exit
//   kind     scan | map | reduce | index
//   target   chunk number, or region name for reduce and index
//   mode     throw (the task throws), exit (the thread or process running it dies; inline,
//            where that would be the coordinator itself, it throws), or pause (the task writes
//            the file GDPMR_PAUSE_MARKER names and then waits for ever: a kill test then kills
//            at a known point instead of guessing one with a timer)
//   attempts how many attempts fail (default 1; 3 or more makes the fault persist)
import { writeFileSync } from 'node:fs';
import { taskTarget, type Task } from './messages.js';

interface Fault {
  kind: string;
  target: string;
  mode: 'throw' | 'exit' | 'pause';
  attempts: number;
}

export function parseFaults(spec: string | undefined): Fault[] {
  if (spec === undefined || spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const [kind, target, mode, attempts] = part.trim().split(':');
    if ((mode !== 'throw' && mode !== 'exit' && mode !== 'pause') || target === undefined) throw new Error(`GDPMR_FAULT must look like map:3:throw, reduce:asia:exit[:attempts] or map:1:pause, got ${part}`);
    return { kind, target: target.toLowerCase(), mode, attempts: attempts === undefined ? 1 : Number(attempts) };
  });
}

type Handlers = Record<Task['kind'], (task: never) => unknown>;

/** `handlers` with each call first checked against the faults; the same object when there are none. */
export function withFaults<H extends Handlers>(handlers: H, spec: string | undefined, canExit: boolean): H {
  const faults = parseFaults(spec);
  if (faults.length === 0) return handlers;
  const inject = (task: Task): void => {
    const target = taskTarget(task);
    for (const fault of faults) {
      if (fault.kind !== task.kind || fault.target !== target || task.attempt > fault.attempts) continue;
      if (fault.mode === 'pause') {
        if (process.env.GDPMR_PAUSE_MARKER) writeFileSync(process.env.GDPMR_PAUSE_MARKER, `${taskTarget(task)}\n`);
        // Blocks this thread (a pool worker's) without spinning, until the process is killed.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
      if (fault.mode === 'exit' && canExit) process.exit(70);
      throw new Error(`injected fault ${fault.kind}:${fault.target}:${fault.mode} on attempt ${task.attempt}`);
    }
  };
  const wrapped: Record<string, (task: Task) => unknown> = {};
  for (const [kind, handler] of Object.entries(handlers)) {
    wrapped[kind] = (task: Task) => {
      inject(task);
      return (handler as (t: Task) => unknown)(task);
    };
  }
  return wrapped as unknown as H;
}
