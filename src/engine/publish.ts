// Who may write a warehouse, and how a finished run becomes the published warehouse.
//
// The lock is a file created with O_EXCL that names its holder; a lock whose process is gone
// is stale and is taken over. Publishing renames the staged generation into .gen/ and then
// swaps the one `.current` symlink (rename over a symlink is atomic): that is the commit.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GdpmrError } from '../errors.js';
import { kindOf } from '../fs.js';
import { currentGeneration, FIXED_LINKS, linkTarget, previousGeneration, type WarehousePaths } from '../store/layout.js';

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

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** The lock's text, or null when there is none. */
function readLockText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Takes the warehouse lock, or fails at once naming the run that holds it.
 *
 * A lock appears whole (written under a private name, then hard-linked into place: link fails
 * if the lock exists), so a lock being written never looks torn. A stale lock (its process is
 * gone) is removed only by the one process that holds the takeover mutex (`.lock.takeover`,
 * created with O_EXCL), and only if it is still the very lock found stale: a lock taken
 * meanwhile by a live run is never removed, and two runs never both hold the lock.
 */
export function acquireLock(paths: WarehousePaths, holder: LockHolder, warn: (message: string) => void): void {
  const mine = `${paths.lock}.${process.pid}`;
  const mutex = `${paths.lock}.takeover`;
  writeFileSync(mine, JSON.stringify(holder) + '\n');
  try {
    for (let tries = 0; tries < 200; tries++) {
      try {
        linkSync(mine, paths.lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const staleText = readLockText(paths.lock);
      if (staleText === null) continue; // released meanwhile: try again
      let other: LockHolder | undefined;
      try {
        other = JSON.parse(staleText) as LockHolder;
      } catch {
        other = undefined; // an earlier gdpmr's lock torn by a kill: nobody holds it
      }
      if (other !== undefined && (other.host !== holder.host || processAlive(other.pid))) {
        throw new GdpmrError(
          'WAREHOUSE_LOCKED',
          `warehouse ${paths.root} is being written by run ${other.run_id} (pid ${other.pid} on ${other.host}, started ${other.started_at}, input ${other.input}); wait for it to finish`,
        );
      }
      if (!takeMutex(mutex)) {
        sleepSync(5 + Math.random() * 10);
        continue;
      }
      try {
        if (readLockText(paths.lock) === staleText) {
          warn(
            other === undefined
              ? `taking over an unreadable lock at ${paths.lock}`
              : `taking over a stale lock from run ${other.run_id} (pid ${other.pid} is gone, started ${other.started_at})`,
          );
          rmSync(paths.lock, { force: true });
        }
      } finally {
        rmSync(mutex, { force: true });
      }
    }
    throw new GdpmrError('WAREHOUSE_LOCKED', `could not take the lock ${paths.lock}: other runs kept taking it first`);
  } finally {
    rmSync(mine, { force: true });
  }
}

/**
 * The takeover mutex: created with O_EXCL; one left by a process that died is cleared. A
 * takeover only happens for a lock of this host (a stale one), so the mutex's pid is local.
 */
function takeMutex(mutex: string): boolean {
  try {
    writeFileSync(mutex, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pid = Number(readLockText(mutex));
  // Its taker died within the microseconds a takeover takes: clear it (one rename wins).
  if (Number.isSafeInteger(pid) && pid > 0 && !processAlive(pid)) {
    const aside = `${mutex}.${process.pid}`;
    try {
      renameSync(mutex, aside);
      rmSync(aside, { force: true });
    } catch {
      // another run cleared it first
    }
  }
  return false;
}

export function releaseLock(paths: WarehousePaths, runId: string): void {
  try {
    const holder = JSON.parse(readFileSync(paths.lock, 'utf8')) as LockHolder;
    if (holder.run_id === runId && holder.pid === process.pid) rmSync(paths.lock, { force: true });
  } catch {
    // already gone
  }
}

function pointLink(link: string, target: string): void {
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(dirname(link), target), tmp);
  renameSync(tmp, link);
}

/**
 * Refuses an --out that is not a directory, or holds a published name that is not gdpmr's
 * link: checked before anything is written there, so a refused directory is left as it was.
 */
export function checkOutDirectory(paths: WarehousePaths): void {
  const kind = kindOf(paths.root);
  if (kind !== null && kind !== 'directory') {
    throw new GdpmrError('NOT_A_WAREHOUSE', `--out must be a directory, got ${paths.root} (${kind === 'file' ? 'a file' : 'not a directory'})`);
  }
  // A run writes and deletes inside these: one planted as a link to a directory elsewhere
  // would have it delete or fill that directory. Never follow a link out of the warehouse.
  for (const dir of [paths.generationsDir, paths.runsDir, paths.logsDir]) {
    if (linkTarget(dir) !== null) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${dir} is a symbolic link (to ${linkTarget(dir)}): gdpmr writes and deletes only inside the warehouse and does not follow it; remove the link and run again`);
    }
  }
  for (const link of [paths.currentLink, paths.previousLink]) {
    const target = linkTarget(link);
    if (target !== null && !/^\.gen\/[^/]+$/.test(target)) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${link} points at ${target}, outside the warehouse's .gen/: gdpmr does not follow it; remove the link, or rebuild the warehouse`);
    }
  }
  for (const name of FIXED_LINKS) {
    const link = join(paths.root, name);
    if (linkTarget(link) === null && kindOf(link) !== null) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `--out must be a gdpmr warehouse or a directory without ${FIXED_LINKS.join(', ')}, got ${paths.root} (${name} is not gdpmr's)`);
    }
  }
}

/** The fixed links from DIR's published names through `.current`; made once, never swapped. */
function ensureFixedLinks(paths: WarehousePaths): void {
  checkOutDirectory(paths);
  for (const name of FIXED_LINKS) {
    const link = join(paths.root, name);
    const want = join('.current', name);
    if (linkTarget(link) !== want) pointLink(link, join(paths.root, want));
  }
}

/**
 * Tidies what a killed run may have left: completes the fixed links, and removes generations
 * that `.current` does not name, keeping those listed in `keep` (a resumed run's own).
 */
export function repairPublished(paths: WarehousePaths, keep: readonly string[]): void {
  const current = currentGeneration(paths);
  const previous = previousGeneration(paths);
  // Before the first publish the links may not exist yet; files of someone else's must not.
  if (current !== null || FIXED_LINKS.some((name) => existsSync(join(paths.root, name)))) ensureFixedLinks(paths);
  if (existsSync(paths.generationsDir)) {
    for (const name of readdirSync(paths.generationsDir)) {
      if (name !== current && name !== previous && !keep.includes(name)) rmSync(join(paths.generationsDir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Publishes a staged generation: one rename of `.current` swaps every published file at once.
 * Each step can be redone, so a resumed run finishes a publish that was cut short.
 */
export function publishGeneration(paths: WarehousePaths, stagingRoot: string, runId: string, keepReplaced = true): void {
  const generation = paths.generation(runId);
  const previous = currentGeneration(paths);
  mkdirSync(paths.generationsDir, { recursive: true });
  if (existsSync(stagingRoot)) {
    rmSync(generation.root, { recursive: true, force: true });
    renameSync(stagingRoot, generation.root);
  }
  const older = previousGeneration(paths);
  pointLink(paths.currentLink, generation.root);
  ensureFixedLinks(paths);
  // The generation just replaced is kept for `gdpmr rollback` (a damaged one is not worth
  // keeping); the one kept before it goes.
  if (previous !== null && previous !== runId && keepReplaced) {
    pointLink(paths.previousLink, paths.generation(previous).root);
  } else if (previous !== null && previous !== runId) {
    rmSync(paths.generation(previous).root, { recursive: true, force: true });
  }
  if (older !== null && older !== previous && older !== runId) {
    if (!keepReplaced) rmSync(paths.previousLink, { force: true });
    rmSync(paths.generation(older).root, { recursive: true, force: true });
  }
}

/**
 * `gdpmr rollback`: the kept generation becomes the published one in one rename of
 * `.current`, and the one it replaces is kept in its place (a second rollback undoes the first).
 */
export function rollbackGeneration(paths: WarehousePaths): { restored: string; replaced: string } {
  const current = currentGeneration(paths);
  const previous = previousGeneration(paths);
  if (current === null || previous === null || !existsSync(paths.generation(previous).manifest)) {
    throw new GdpmrError('NOTHING_TO_ROLL_BACK', `warehouse ${paths.root} keeps no earlier generation to roll back to${current === null ? ' (nothing is published)' : ''}: a run keeps the one it replaces, and none has replaced one here yet`);
  }
  pointLink(paths.currentLink, paths.generation(previous).root);
  pointLink(paths.previousLink, paths.generation(current).root);
  return { restored: previous, replaced: current };
}
