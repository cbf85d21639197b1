// What a worker checks before it runs a task it took from Redis. Anyone who can write to Redis
// can put a job in a run's queue, and a task deletes and writes where it says: a reduce task
// aimed outside its run deleted a directory recursively. So a task is run only when every path
// it writes lies inside the run directory its queue belongs to (links resolved), and every
// path it reads is the run's own input and map, its own files, or the generation it appends to,
// as the run's plan.json records them. A task that reads the input checks that the file at
// that path is the one the coordinator recorded (size, mtime, a hash of its ends).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Task } from '../engine/messages.js';
import { identifyInput } from '../engine/splits.js';
import { RunPlan } from '../engine/resume-plan.js';
import { queueNameFor } from '../engine/runners/runner.js';
import { realPathOf } from '../store/layout.js';

const refuse = (queue: string, why: string): never => {
  throw new Error(`worker on ${hostname()} refuses a task of queue ${queue}: ${why}`);
};

const inside = (dir: string, path: string): boolean => {
  const r = relative(dir, path);
  return r !== '' && !r.startsWith('..') && !r.startsWith(sep) && !r.split(sep).includes('..');
};

/** The run directory a task's write paths name (`<DIR>/.runs/<run_id>`), or null for a scan. */
function runDirOf(task: Task): string | null {
  switch (task.kind) {
    case 'scan':
      return null;
    case 'map':
      return dirname(dirname(task.outDir));
    case 'reduce':
    case 'index':
      return dirname(dirname(dirname(task.dbPath)));
  }
}

export function checkTask(task: Task, queueName: string): void {
  const runDir = runDirOf(task);
  let plan: RunPlan | null = null;
  if (runDir !== null) {
    const real = realPathOf(runDir);
    if (real !== resolve(runDir)) refuse(queueName, `its run directory ${runDir} goes through a link (to ${real})`);
    if (basename(dirname(runDir)) !== '.runs') refuse(queueName, `${runDir} is not a run directory of a warehouse (<DIR>/.runs/<run_id>)`);
    const root = dirname(dirname(runDir));
    const runId = basename(runDir);
    if (queueNameFor(root, runId) !== queueName) refuse(queueName, `its paths name run ${runId} of ${root}, whose queue is another`);
    try {
      plan = RunPlan.parse(JSON.parse(readFileSync(join(runDir, 'plan.json'), 'utf8')));
    } catch {
      refuse(queueName, `${runDir} holds no readable plan.json: no run of gdpmr is there`);
    }
    if (plan?.run_id !== runId) refuse(queueName, `the plan in ${runDir} is of another run`);
    const mustWriteIn = (path: string, under: string): void => {
      if (!inside(realPathOf(under), realPathOf(path))) refuse(queueName, `${path} lies outside ${under}`);
    };
    const mustRead = (path: string, expected: string, what: string): void => {
      if (resolve(path) !== resolve(expected)) refuse(queueName, `it reads ${path}, but the run's ${what} is ${expected}`);
    };
    const p = plan as RunPlan;
    switch (task.kind) {
      case 'map':
        mustWriteIn(task.outDir, join(runDir, 'map'));
        mustRead(task.inputPath, p.input.path, 'input');
        mustRead(task.regionMapPath, p.region_map, 'country map');
        break;
      case 'reduce':
        mustWriteIn(task.dbPath, join(runDir, 'staging', 'regions'));
        mustWriteIn(task.scratchDir, join(runDir, 'reduce'));
        for (const run of task.runPaths) mustWriteIn(run, join(runDir, 'map'));
        mustRead(task.regionMapPath, p.region_map, 'country map');
        if (task.previousDbPath !== null) {
          if (p.previous_generation === null) refuse(queueName, `it reads ${task.previousDbPath}, but the run appends to no generation`);
          mustWriteIn(task.previousDbPath, join(root, '.gen', p.previous_generation as string, 'regions'));
        }
        break;
      case 'index':
        mustWriteIn(task.dbPath, join(runDir, 'staging', 'regions'));
        break;
    }
  }
  if (task.kind === 'scan' || task.kind === 'map') {
    const seen = identifyInput(task.inputPath);
    if (seen.bytes !== task.inputBytes || seen.mtimeMs !== task.inputMtimeMs || seen.fingerprint !== task.inputFingerprint) {
      throw new Error(
        `worker on ${hostname()} sees another file at ${task.inputPath} than the run's coordinator (${seen.bytes} bytes, modified ${new Date(seen.mtimeMs).toISOString()}; the run's input: ${task.inputBytes} bytes, modified ${new Date(task.inputMtimeMs).toISOString()}${seen.bytes === task.inputBytes && seen.mtimeMs === task.inputMtimeMs ? ', other bytes' : ''}): every worker must see the input the coordinator sees (one shared file system)`,
      );
    }
  }
}
