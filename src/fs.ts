// File-system steps every command shares: making a directory without Node's recursive mkdir
// (which spins for ever on some paths, such as /proc/x), and writing a file whole or not at all.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { GdpmrError, type ErrorCode } from './errors.js';
import { formatBytes } from './format.js';
import { dirname, resolve } from 'node:path';

/**
 * Makes `path` and any missing parents, one `mkdir` at a time, so a failure is an error with
 * the path and its code instead of a retry loop.
 */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(at) === at) throw error;
      missing.push(at);
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The temporary name beside `path` that a whole write fills: one naming scheme everywhere. */
export const temporaryName = (path: string): string => `${path}.tmp-${process.pid}`;

/**
 * Fills a temporary file (or directory) beside `path` and renames it into place: readers see
 * all of it or none, and a failure leaves nothing behind, neither `path` nor the temporary.
 */
export function replaceWhole(path: string, fill: (tmp: string) => void): void {
  const tmp = temporaryName(path);
  rmSync(tmp, { recursive: true, force: true });
  try {
    fill(tmp);
    if (kindOf(tmp) === 'directory') rmSync(path, { recursive: true, force: true });
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Writes `path` whole (replaceWhole with its bytes). */
export function writeFileWhole(path: string, data: string | Uint8Array): void {
  replaceWhole(path, (tmp) => writeFileSync(tmp, data));
}

/** The errno code of a file-system error, or its message. */
export function fsReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** What is at `path`: 'file', 'directory', 'other' (a dangling link too), or null for nothing. */
export function kindOf(path: string): 'file' | 'directory' | 'other' | null {
  try {
    const s = statSync(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
  } catch {
    try {
      lstatSync(path);
      return 'other';
    } catch {
      return null;
    }
  }
}

/**
 * Writes all of `data` at the file's position, or throws: a write that stops short (a file
 * size limit, a full disk) must fail the command, never leave a file that ends mid-row.
 */
export function writeFully(fd: number, data: string | Uint8Array, path: string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let done = 0; done < bytes.length; ) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw Object.assign(new Error(`${path}: a write stopped after ${done} of ${bytes.length} bytes`), { code: 'ENOSPC' });
    done += n;
  }
}

/**
 * "the disk holding DIR is full (12 KB free): ..." when `error` is a full disk, whatever layer
 * said it (a worker's ENOSPC, SQLite's SQLITE_FULL); '' otherwise. Said first: it is the cause.
 */
export function diskFull(dir: string, error: unknown): string {
  const text = `${(error as NodeJS.ErrnoException)?.code ?? ''} ${(error as Error)?.message ?? String(error)}`;
  if (!/ENOSPC|no space left on device|SQLITE_FULL|database or disk is full/i.test(text)) return '';
  let free = '';
  try {
    const s = statfsSync(dir);
    free = ` (${formatBytes(s.bavail * s.bsize)} free)`;
  } catch {
    // the size is a courtesy
  }
  return `the disk holding ${dir} is full${free}: free some space, or write the warehouse to a larger disk; `;
}

/**
 * Ctrl-C or SIGTERM while `partial` (a file or a directory) is written: it goes, the command
 * says so in one line and exits 130/143. The writing loop must yield (yieldToSignals) for the
 * signal to be heard.
 */
export function removeOnSignal(partial: string | readonly string[], command: string): void {
  const stop = (signal: NodeJS.Signals): void => {
    for (const path of typeof partial === 'string' ? [partial] : partial) rmSync(path, { recursive: true, force: true });
    process.stderr.write(`gdpmr: ${command} stopped by ${signal}; nothing was written\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Lets a signal handler run between the pieces of a long write. */
export const yieldToSignals = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a small input is, for its messages: the flag that named it and its cap. */
export interface SmallInput {
  flag: string;
  maxBytes: number;
  /** How messages name it: "file" (default), "CSV file", ... */
  what?: string;
  /** The error code of a refusal (all are exit 2): default USAGE. */
  code?: ErrorCode;
}

/**
 * A small input (a country map, a release-date table, a SQL file, a saved page) read whole,
 * never past `maxBytes`: a regular file, or `-` for standard input read up to the cap. A FIFO,
 * a device (/dev/zero) or a directory is refused at once (opened without blocking), as is a
 * file over the cap: exit 2 naming the flag, the path and why.
 */
export function readSmallBytes(path: string, input: SmallInput): Buffer {
  const { flag, maxBytes, what = 'file', code = 'USAGE' } = input;
  const refuse = (why: string): GdpmrError => new GdpmrError(code, `${flag} must be a readable ${what}, got ${path === '-' ? 'standard input' : path} (${why})`);
  const tooLarge = (): GdpmrError => refuse(`larger than ${formatBytes(maxBytes)}, the most it may hold`);
  if (path === '-') {
    const parts: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(0, chunk, 0, chunk.length, null);
      } catch (error) {
        // Standard input left non-blocking by whoever started us: wait for it.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw error;
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge();
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(parts);
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw refuse(fsReason(error) === 'ENOENT' ? 'no such file' : fsReason(error));
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse(`${stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a named pipe' : 'a device or socket'}, not a regular file`);
    if (stat.size > maxBytes) throw tooLarge();
    // One byte more than its size: a file that grows while read is still never read past the cap.
    const bytes = Buffer.allocUnsafe(stat.size + 1);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
      if (done > maxBytes) throw tooLarge();
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** readSmallBytes as UTF-8 text. */
export function readSmallFile(path: string, input: SmallInput): string {
  return readSmallBytes(path, input).toString('utf8');
}
