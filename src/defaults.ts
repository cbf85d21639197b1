// Defaults and limits, each declared once: what the commands fill in for a flag left out, and
// the bounds they check. Imported from below as well as by the command line (the engine's
// chunk size and region map, a query's k), so this module imports nothing of gdpmr's above it.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

export const DEFAULTS = {
  warehouse: 'warehouse',
  chunkBytes: 16 * 1024 * 1024,
  workers: availableParallelism(),
  regionMap: join(PACKAGE_ROOT, 'data', 'un_regions.csv'),
  k: 5,
  minUsdBillion: 100,
  benchChunkSizes: '256KB,1MB,4MB,16MB,64MB',
  benchWorkers: '1,2',
  benchRepeat: 3,
  benchReport: 'bench-report',
} as const;

/**
 * Upper bounds of the numeric flags. Workers: threads beyond a few per core only compete for
 * the cores (and each holds a split in memory). Chunk size: a map task holds its whole split in
 * memory, and a Node buffer of more than 1 GB is not worth what it costs the worker heap.
 */
export const LIMITS = {
  workers: Math.max(4, 4 * availableParallelism()),
  chunkBytes: 1024 ** 3,
  k: 100_000,
  repeat: 100,
  generateBytes: 1024 ** 4,
} as const;


export const WORKERS_WHY = `${LIMITS.workers} is 4 × the machine's ${availableParallelism()} cores; more threads only compete for them`;
export const CHUNK_WHY = 'a map task holds its whole split in memory';
