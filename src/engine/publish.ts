// Who may write a warehouse, and how a finished run becomes the published warehouse.
//
// The lock is a file created with O_EXCL that names its holder; a lock whose process is gone
// is stale and is taken over. Publishing renames the staged generation into .gen/, swaps the
// `regions` and `rejects.csv` symlinks (rename over a symlink is atomic), and then replaces
// manifest.json, which is the commit point: queries reach the databases through it.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { GdpmrError } from '../errors.js';
import { readManifest, writeManifest, type Manifest } from '../store/manifest.js';
import type { WarehousePaths } from './run-dir.js';

export interface LockHolder {
  pid: number;
  host: string;
  run_id: string;
  started_at: string;
  input: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the warehouse lock, or fails at once naming the run that holds it. */
export function acquireLock(paths: WarehousePaths, holder: LockHolder, warn: (message: string) => void): void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(paths.lock, JSON.stringify(holder) + '\n', { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let other: LockHolder | undefined;
    try {
      other = JSON.parse(readFileSync(paths.lock, 'utf8')) as LockHolder;
    } catch {
      other = undefined; // a lock torn by a kill between create and write: nobody holds it
    }
    if (other !== undefined && (other.host !== holder.host || processAlive(other.pid))) {
      throw new GdpmrError(
        'WAREHOUSE_LOCKED',
        `warehouse ${paths.root} is being written by run ${other.run_id} (pid ${other.pid} on ${other.host}, started ${other.started_at}, input ${other.input}); wait for it to finish`,
      );
    }
    warn(
      other === undefined
        ? `taking over an unreadable lock at ${paths.lock}`
        : `taking over a stale lock from run ${other.run_id} (pid ${other.pid} is gone, started ${other.started_at})`,
    );
    rmSync(paths.lock, { force: true });
  }
  throw new GdpmrError('WAREHOUSE_LOCKED', `could not take the lock ${paths.lock}: another run took it first`);
}

export function releaseLock(paths: WarehousePaths, runId: string): void {
  try {
    const holder = JSON.parse(readFileSync(paths.lock, 'utf8')) as LockHolder;
    if (holder.run_id === runId && holder.pid === process.pid) rmSync(paths.lock, { force: true });
  } catch {
    // already gone
  }
}

export function readPublished(paths: WarehousePaths): Manifest | null {
  if (!existsSync(paths.manifest)) return null;
  return readManifest(paths.manifest);
}

function pointLink(link: string, target: string): void {
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(join(link, '..'), target), tmp);
  renameSync(tmp, link);
}

function linkTarget(link: string): string | null {
  try {
    return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : null;
  } catch {
    return null;
  }
}

/**
 * Makes the symlinks agree with manifest.json again after a run was killed mid-swap, and
 * removes generations that no manifest names, keeping those listed in `keep`.
 */
export function repairPublished(paths: WarehousePaths, manifest: Manifest | null, keep: readonly string[]): void {
  for (const link of [paths.regionsLink, paths.rejectsLink]) {
    if (existsSync(link) || linkTarget(link) !== null) {
      if (linkTarget(link) === null) {
        throw new GdpmrError('NOT_A_WAREHOUSE', `${paths.root} is not a gdpmr warehouse: ${link} exists and is not ours; choose another --out`);
      }
    }
  }
  if (manifest !== null) {
    const generation = paths.generation(manifest.generation);
    if (linkTarget(paths.regionsLink) !== relative(paths.root, generation.regionsDir)) pointLink(paths.regionsLink, generation.regionsDir);
    if (linkTarget(paths.rejectsLink) !== relative(paths.root, generation.rejects)) pointLink(paths.rejectsLink, generation.rejects);
  }
  if (existsSync(paths.generationsDir)) {
    for (const name of readdirSync(paths.generationsDir)) {
      if (name !== manifest?.generation && !keep.includes(name)) rmSync(join(paths.generationsDir, name), { recursive: true, force: true });
    }
  }
}

/** Publishes a staged generation. Each step can be redone, so a resumed run finishes it. */
export function publishGeneration(paths: WarehousePaths, stagingRoot: string, runId: string, previous: Manifest | null): void {
  const generation = paths.generation(runId);
  mkdirSync(paths.generationsDir, { recursive: true });
  if (existsSync(stagingRoot)) {
    rmSync(generation.root, { recursive: true, force: true });
    renameSync(stagingRoot, generation.root);
  }
  pointLink(paths.regionsLink, generation.regionsDir);
  pointLink(paths.rejectsLink, generation.rejects);
  const tmp = `${paths.manifest}.tmp`;
  copyFileSync(generation.manifest, tmp);
  renameSync(tmp, paths.manifest);
  if (previous !== null && previous.generation !== runId) {
    rmSync(paths.generation(previous.generation).root, { recursive: true, force: true });
  }
}

export { writeManifest, hostname };
