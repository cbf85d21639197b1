// SPEC §11: every worker must see the input, the region map and the warehouse at the same
// paths. A task names the paths it needs; a worker that cannot see one fails the task saying
// which, instead of failing somewhere inside it.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import type { Task } from '../engine/messages.js';
import { fsReason } from '../fs.js';

/** Paths a task reads (must exist) and directories it writes into (must be writable). */
export function pathsOf(task: Task): { reads: string[]; writesIn: string[] } {
  switch (task.kind) {
    case 'scan':
      return { reads: [task.inputPath], writesIn: [] };
    case 'map':
      return { reads: [task.inputPath, task.regionMapPath], writesIn: [dirname(task.outDir)] };
    case 'reduce':
      return { reads: [...task.runPaths, task.regionMapPath, ...(task.previousDbPath === null ? [] : [task.previousDbPath])], writesIn: [dirname(task.dbPath)] };
    case 'index':
      return { reads: [task.dbPath], writesIn: [dirname(task.dbPath)] };
  }
}

export function checkVisible(task: Task): void {
  const { reads, writesIn } = pathsOf(task);
  const fail = (path: string, what: string, error: unknown): never => {
    throw new Error(
      `worker on ${hostname()} cannot ${what} ${path} (${fsReason(error)}): every worker must see the input, the region map and the warehouse at the same paths (one shared file system)`,
    );
  };
  for (const path of reads) {
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      fail(path, 'see', error);
    }
  }
  for (const dir of writesIn) {
    // The map output's parent may not exist yet on a fresh run: its run directory must.
    const probe = task.kind === 'map' ? dirname(dir) : dir;
    try {
      accessSync(probe, constants.W_OK);
    } catch (error) {
      fail(probe, 'write into', error);
    }
  }
}
