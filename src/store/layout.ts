// Every path of a warehouse and of a run's work, built here and nowhere else.
//
//   DIR/                             what queries and users see
//     .current -> .gen/<run_id>      THE commit point: one symlink, swapped by one rename
//     .kept.json                     the generations publishes replaced, newest first, kept for
//                                    `gdpmr rollback` (store/kept.ts: the last five, and any
//                                    that cannot be verified); an earlier gdpmr kept one as
//     .previous -> .gen/<run_id>     which a publish turns into the list's first entry
//     manifest.json -> .current/manifest.json    (fixed symlinks through .current, so
//     regions -> .current/regions                 every published file changes at the
//     rejects.csv -> .current/rejects.csv         same instant)
//     logs/<run_id>.ndjson           one log per run, failed runs included
//     .lock                          held by the run writing DIR: pid, host, start, input
//     .gen/<run_id>/                 a published generation: regions/, rejects.csv, manifest.json
//     .runs/<run_id>/                one run's work, removed once it is published
//       plan.json                    input identity, header, config: what --resume checks
//       journal.ndjson               one line per finished task (scan, map, reduce = load, index)
//       map/<chunk>/<region>.run     sorted run of map task <chunk> (written as <chunk>.tmp, renamed)
//       map/<chunk>/rejects.csv      its reject rows, in input order
//       reduce/<region>/             a reduce task's scratch: earlier loads' rows re-sorted, merge passes
//       staging/                     the next generation, renamed to .gen/<run_id> whole
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { regionFileName, type Region } from '../rules/normalize.js';
import { readManifest, type Manifest } from './manifest.js';

export class WarehousePaths {
  readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  get currentLink(): string {
    return join(this.root, '.current');
  }
  get previousLink(): string {
    return join(this.root, '.previous');
  }
  get keptList(): string {
    return join(this.root, '.kept.json');
  }
  get manifest(): string {
    return join(this.root, 'manifest.json');
  }
  get regionsLink(): string {
    return join(this.root, 'regions');
  }
  get rejectsLink(): string {
    return join(this.root, 'rejects.csv');
  }
  get logsDir(): string {
    return join(this.root, 'logs');
  }
  log(runId: string): string {
    return join(this.logsDir, `${runId}.ndjson`);
  }
  get lock(): string {
    return join(this.root, '.lock');
  }
  get generationsDir(): string {
    return join(this.root, '.gen');
  }
  generation(runId: string): GenerationPaths {
    return new GenerationPaths(join(this.generationsDir, runId));
  }
  get runsDir(): string {
    return join(this.root, '.runs');
  }
  run(runId: string): RunPaths {
    return new RunPaths(join(this.runsDir, runId));
  }
}

/** A complete warehouse's files: a generation, or a run's staging before it becomes one. */
export class GenerationPaths {
  constructor(readonly root: string) {}

  get regionsDir(): string {
    return join(this.root, 'regions');
  }
  regionDb(region: Region): string {
    return join(this.regionsDir, `${regionFileName(region)}.sqlite`);
  }
  get rejects(): string {
    return join(this.root, 'rejects.csv');
  }
  get manifest(): string {
    return join(this.root, 'manifest.json');
  }
}

export class RunPaths {
  constructor(readonly root: string) {}

  get plan(): string {
    return join(this.root, 'plan.json');
  }
  get journal(): string {
    return join(this.root, 'journal.ndjson');
  }
  mapOutput(chunk: number): string {
    return join(this.root, 'map', String(chunk));
  }
  mapRun(chunk: number, region: Region): string {
    return mapOutputFiles(this.mapOutput(chunk)).run(region);
  }
  mapRejects(chunk: number): string {
    return mapOutputFiles(this.mapOutput(chunk)).rejects;
  }
  reduceScratch(region: Region): string {
    return join(this.root, 'reduce', regionFileName(region));
  }
  get staging(): GenerationPaths {
    return new GenerationPaths(join(this.root, 'staging'));
  }
}

/** The published names that point through `.current`; made once, never swapped. */
export const FIXED_LINKS = ['manifest.json', 'regions', 'rejects.csv'] as const;

/** What gdpmr keeps at a warehouse's top level: anything written there from outside breaks it. */
const WAREHOUSE_NAMES: ReadonlySet<string> = new Set([...FIXED_LINKS, '.current', '.previous', '.kept.json', '.gen', '.runs', 'logs', '.lock', 'archive', 'refresh.ndjson', '.refresh']);

/** A directory a run has written or is writing: a published `.current`, or a run's work and logs. */
function isWarehouseRoot(dir: string): boolean {
  return linkTarget(join(dir, '.current')) !== null || (existsSync(join(dir, '.runs')) && existsSync(join(dir, 'logs')));
}

/** `path` with every symlink of its existing part resolved (regions/ is .current/regions). */
export function realPathOf(path: string): string {
  const rest: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      if (dirname(p) === p) return resolve(path);
      rest.push(basename(p));
    }
  }
}

/**
 * The warehouse among whose own files `path` lies (DIR/manifest.json, DIR/regions/…, DIR/.gen/…),
 * or null: an output of report, export, extract, generate or bench must not land there.
 * DIR/report.html and other new names beside the warehouse's own are fine.
 */
export function warehouseOwning(path: string): string | null {
  const real = realPathOf(path);
  for (let dir = dirname(real), child = real; dir !== child; child = dir, dir = dirname(dir)) {
    if (isWarehouseRoot(dir) && WAREHOUSE_NAMES.has(relative(dir, real).split(sep)[0])) return dir;
  }
  return null;
}

/** Where a symlink points, or null when `link` is no symlink (or does not exist). */
export function linkTarget(link: string): string | null {
  try {
    return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : null;
  } catch {
    return null;
  }
}

/**
 * The generation a link's target names (`.gen/<name>`), or null for any other target: `.gen/.`
 * and `.gen/..` name the generations' folder and the warehouse itself, and a publish that took
 * them for a generation would delete them.
 */
export function generationName(target: string | null): string | null {
  const m = target === null ? null : /^\.gen\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/.exec(target);
  return m === null || m[1] === '.' || m[1] === '..' ? null : m[1];
}

/** The generation `.current` points at, or null before the first publish (or when it names none). */
export function currentGeneration(paths: WarehousePaths): string | null {
  return generationName(linkTarget(paths.currentLink));
}

/** The published warehouse's manifest, or null before the first publish. */
export function readPublished(paths: WarehousePaths): Manifest | null {
  const generation = currentGeneration(paths);
  if (generation === null) return null;
  return readManifest(paths.generation(generation).manifest);
}

/** The files of one map task's output directory (or of the temporary one it is filled in). */
export function mapOutputFiles(dir: string): { run(region: Region): string; rejects: string } {
  return { run: (region) => join(dir, `${regionFileName(region)}.run`), rejects: join(dir, 'rejects.csv') };
}
