// Sorted runs on disk: one text line per figure (see rules/current.ts for the line), sorted by
// plain string order. Map tasks write them; reduce tasks merge them k ways through a tree of losers,
// reading each run a block at a time, so a region never has to fit in memory.
import { temporaryName } from '../fs.js';
import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// One block per run being merged: a region of a large input merges hundreds of runs at once.
const READ_BLOCK_BYTES = 64 * 1024;

const WRITE_BLOCK_CHARS = 1 << 20;

/** Writes a run line by line, via a temporary name so a run is never half-written. */
export class RunWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private block = '';
  lines = 0;

  constructor(private readonly path: string) {
    this.tmp = temporaryName(path);
    this.fd = openSync(this.tmp, 'w');
  }

  add(line: string): void {
    this.block += line + '\n';
    this.lines++;
    if (this.block.length >= WRITE_BLOCK_CHARS) {
      writeSync(this.fd, this.block);
      this.block = '';
    }
  }

  close(): number {
    try {
      if (this.block.length > 0) writeSync(this.fd, this.block);
      this.block = '';
    } finally {
      closeSync(this.fd);
    }
    renameSync(this.tmp, this.path);
    return this.lines;
  }
}

/** Writes sorted lines to `path` as one run; returns how many. */
export function writeRun(path: string, sortedLines: Iterable<string>): number {
  const writer = new RunWriter(path);
  for (const line of sortedLines) writer.add(line);
  return writer.close();
}

/** Reads a file of `\n`-terminated UTF-8 lines a block at a time. */
export class LineReader {
  private readonly fd: number;
  private readonly block: Buffer;
  /** The bytes after the last `\n` read so far, as read: a line longer than a block is joined once, at its end. */
  private carry: Buffer[] = [];
  private lines: string[] = [];
  private index = 0;
  private eof = false;

  constructor(path: string, blockBytes = READ_BLOCK_BYTES) {
    this.fd = openSync(path, 'r');
    this.block = Buffer.allocUnsafe(blockBytes);
  }

  /** The next line, or undefined at the end (the file is closed then). */
  next(): string | undefined {
    while (this.index === this.lines.length) {
      if (this.eof) return undefined;
      this.fill();
    }
    return this.lines[this.index++];
  }

  private fill(): void {
    const n = readSync(this.fd, this.block, 0, this.block.length, null);
    this.lines = [];
    this.index = 0;
    if (n === 0) {
      this.eof = true;
      closeSync(this.fd);
      if (this.carry.length > 0) this.lines.push(Buffer.concat(this.carry).toString('utf8'));
      this.carry = [];
      return;
    }
    const block = this.block.subarray(0, n);
    const lastBreak = block.lastIndexOf(0x0a);
    if (lastBreak < 0) {
      this.carry.push(Buffer.from(block));
      return;
    }
    // Cut on a byte `\n` so no UTF-8 sequence is split between blocks.
    const head = this.carry.length > 0 ? Buffer.concat([...this.carry, block.subarray(0, lastBreak)]) : block.subarray(0, lastBreak);
    this.lines = head.toString('utf8').split('\n');
    this.carry = lastBreak + 1 < n ? [Buffer.from(block.subarray(lastBreak + 1))] : [];
  }

  close(): void {
    if (!this.eof) {
      this.eof = true;
      closeSync(this.fd);
    }
  }
}

/**
 * k-way merge of sorted line sources into one sorted stream, through a tree of losers: each
 * line out costs one comparison per level (log2 k), where a binary heap's sift-down costs two.
 * With hundreds of runs per region this is most of a reduce task's JavaScript time.
 */
export function mergeSorted(sources: Array<() => string | undefined>, emit: (line: string) => void): void {
  const k = sources.length;
  if (k === 0) return;
  // The head line of each source; undefined once a source is spent, and a spent source loses
  // to every other.
  const heads: Array<string | undefined> = sources.map((next) => next());
  const beats = (a: number, b: number): boolean => {
    const hb = heads[b];
    if (hb === undefined) return true;
    const ha = heads[a];
    return ha !== undefined && ha < hb;
  };
  // Leaves k..2k-1 are the sources; internal node n (1..k-1) keeps the loser of the match
  // between its children's winners, so replaying one leaf's path finds the next winner.
  const losers = new Int32Array(Math.max(1, k));
  const winners = new Int32Array(2 * k);
  for (let i = 0; i < k; i++) winners[k + i] = i;
  for (let n = k - 1; n >= 1; n--) {
    const left = winners[2 * n];
    const right = winners[2 * n + 1];
    if (beats(right, left)) {
      winners[n] = right;
      losers[n] = left;
    } else {
      winners[n] = left;
      losers[n] = right;
    }
  }
  let top = k === 1 ? 0 : winners[1];
  for (;;) {
    const line = heads[top];
    if (line === undefined) return;
    emit(line);
    heads[top] = sources[top]();
    let winner = top;
    for (let n = (k + top) >> 1; n >= 1; n >>= 1) {
      const loser = losers[n];
      if (beats(loser, winner)) {
        losers[n] = winner;
        winner = loser;
      }
    }
    top = winner;
  }
}

/**
 * At most this many runs are merged at once. Each open run costs a file descriptor and a read
 * block from a fixed budget; more runs than this (a huge input) are merged in passes, and so
 * are fewer when the process may not open that many files.
 */
export const MAX_MERGE_FAN_IN = 1024;

/** Read blocks share a fixed budget, so merging more runs at once costs no more memory. */
const MERGE_READ_BUDGET_BYTES = 8 * 1024 * 1024;

function readBlockBytes(runs: number): number {
  return Math.max(8 * 1024, Math.min(READ_BLOCK_BYTES, Math.floor(MERGE_READ_BUDGET_BYTES / Math.max(1, runs))));
}

/** Opens every run for one merge, or none of them if the process runs out of descriptors. */
function openRuns(paths: readonly string[]): LineReader[] | null {
  const blockBytes = readBlockBytes(paths.length);
  const readers: LineReader[] = [];
  try {
    for (const p of paths) readers.push(new LineReader(p, blockBytes));
    return readers;
  } catch (error) {
    for (const r of readers) r.close();
    if ((error as NodeJS.ErrnoException).code === 'EMFILE' || (error as NodeJS.ErrnoException).code === 'ENFILE') return null;
    throw error;
  }
}

function mergeReaders(readers: LineReader[], emit: (line: string) => void): void {
  try {
    mergeSorted(
      readers.map((r) => () => r.next()),
      emit,
    );
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * Merges runs under `scratchDir` until at most `fanIn` remain; returns the runs to merge last.
 * A merge of g runs leaves g - 1 fewer, so each one takes no more runs than it must, the
 * map runs before merged ones: 1 030 runs at a fan-in of 1 024 cost one 7-way merge, and
 * 7 runs' rows are read twice instead of all of them.
 */
export function reduceFanIn(paths: readonly string[], scratchDir: string, fanIn = MAX_MERGE_FAN_IN): string[] {
  const runs = [...paths];
  for (let merged = 0; runs.length > fanIn; merged++) {
    // Map runs come first and are shorter than merged ones, which join the back.
    const group = runs.splice(0, Math.min(fanIn, runs.length - fanIn + 1));
    const out = join(scratchDir, `pass-${merged}.run`);
    const readers = openRuns(group);
    if (readers === null) throw Object.assign(new Error(`too many open files for a ${fanIn}-way merge`), { code: 'EMFILE' });
    const writer = new RunWriter(out);
    mergeReaders(readers, (line) => writer.add(line));
    writer.close();
    runs.push(out);
  }
  return runs;
}

/**
 * Merges sorted runs into one sorted stream: in one pass when the process can hold them all
 * open, otherwise in passes of a fan-in that it can.
 */
export function mergeRuns(paths: readonly string[], emit: (line: string) => void, scratchDir?: string): void {
  for (let fanIn = MAX_MERGE_FAN_IN; ; fanIn = Math.max(2, fanIn >> 2)) {
    let runs: string[];
    try {
      runs = scratchDir === undefined ? [...paths] : reduceFanIn(paths, scratchDir, fanIn);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EMFILE' && fanIn > 2) continue;
      throw error;
    }
    const readers = openRuns(runs);
    if (readers !== null) return mergeReaders(readers, emit);
    if (scratchDir === undefined || fanIn === 2) throw new Error(`too many open files to merge ${runs.length} runs`);
  }
}
