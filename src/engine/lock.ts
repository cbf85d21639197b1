// The warehouse's lock: one file, .lock, naming the process that writes the warehouse (a run,
// a refresh, a rollback). Its format is known here only.
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { GdpmrError } from '../errors.js';
import { diskFull, fsReason } from '../fs.js';
import type { WarehousePaths } from '../store/layout.js';

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
  const lock = paths.lock;
  const mine = `${lock}.${process.pid}`;
  const mutex = `${lock}.takeover`;
  try {
    // Created, never opened through what is there: a planted link of this name must not
    // redirect the write (O_EXCL fails on a link), and a full disk leaves no empty lock behind.
    rmSync(mine, { force: true });
    writeFileSync(mine, JSON.stringify(holder) + '\n', { flag: 'wx' });
  } catch (error) {
    rmSync(mine, { force: true });
    throw new GdpmrError('OUTPUT_UNWRITABLE', `${diskFull(paths.root, error)}cannot take the lock of ${paths.root}: writing ${mine} failed (${fsReason(error)}); nothing was changed`);
  }
  try {
    for (let tries = 0; tries < 200; tries++) {
      try {
        linkSync(mine, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const staleText = readLockText(lock);
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
        if (readLockText(lock) === staleText) {
          warn(
            other === undefined
              ? `taking over an unreadable lock at ${lock}`
              : `taking over a stale lock from run ${other.run_id} (pid ${other.pid} is gone, started ${other.started_at})`,
          );
          rmSync(lock, { force: true });
        }
      } finally {
        rmSync(mutex, { force: true });
      }
    }
    throw new GdpmrError('WAREHOUSE_LOCKED', `could not take the lock ${lock}: other runs kept taking it first`);
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
