// The pool's named handlers: thin adapters over src/engine/tasks.ts, plus the fault
// injection that the crash tests drive through GDPMR_FAULT (read only here, in workers).
//
// GDPMR_FAULT=kind:target:mode[:attempts][,...]  e.g. map:3:throw, map:3:exit:3, reduce:asia:exit
//   kind     scan | map | reduce | index
//   target   chunk number, or region name for reduce and index
//   mode     throw (the task throws) or exit (the worker thread dies)
//   attempts how many attempts fail (default 1; 3 or more makes the fault persist)
import * as handlers from '../src/engine/tasks.js';
import { taskTarget, type IndexTask, type MapTask, type ReduceTask, type ScanTask, type Task } from '../src/engine/messages.js';

interface Fault {
  kind: string;
  target: string;
  mode: 'throw' | 'exit';
  attempts: number;
}

function parseFaults(spec: string | undefined): Fault[] {
  if (spec === undefined || spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const [kind, target, mode, attempts] = part.trim().split(':');
    if (mode !== 'throw' && mode !== 'exit') throw new Error(`GDPMR_FAULT must look like map:3:throw or reduce:asia:exit[:attempts], got ${part}`);
    return { kind, target: target.toLowerCase(), mode, attempts: attempts === undefined ? 1 : Number(attempts) };
  });
}

const faults = parseFaults(process.env.GDPMR_FAULT);

function injectFault(task: Task): void {
  const target = taskTarget(task);
  for (const fault of faults) {
    if (fault.kind !== task.kind || fault.target !== target || task.attempt > fault.attempts) continue;
    if (fault.mode === 'exit') process.exit(70);
    throw new Error(`injected fault ${fault.kind}:${fault.target}:${fault.mode} on attempt ${task.attempt}`);
  }
}

export function scan(task: ScanTask) {
  injectFault(task);
  return handlers.scan(task);
}

export function map(task: MapTask) {
  injectFault(task);
  return handlers.map(task);
}

export function reduce(task: ReduceTask) {
  injectFault(task);
  return handlers.reduce(task);
}

export function index(task: IndexTask) {
  injectFault(task);
  return handlers.index(task);
}
