// Sorted runs on disk: one text line per figure (see spec/current.ts for the line), sorted by
// plain string order. Map tasks write them; reduce tasks merge them k ways with a small heap,
// reading each run a block at a time, so a region never has to fit in memory.
import { closeSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

// One block per run being merged: a region of a large input merges hundreds of runs at once.
const READ_BLOCK_BYTES = 64 * 1024;

const WRITE_BLOCK_CHARS = 1 << 20;

/** Writes sorted lines to `path`, via a temporary name so a run is never half-written. */
export function writeRun(path: string, sortedLines: Iterable<string>): number {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let lines = 0;
  try {
    let block = '';
    for (const line of sortedLines) {
      block += line + '\n';
      lines++;
      if (block.length >= WRITE_BLOCK_CHARS) {
        writeSync(fd, block);
        block = '';
      }
    }
    if (block.length > 0) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return lines;
}

/** Reads a file of `\n`-terminated UTF-8 lines a block at a time. */
export class LineReader {
  private readonly fd: number;
  private readonly block = Buffer.allocUnsafe(READ_BLOCK_BYTES);
  private carry: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private index = 0;
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
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
      if (this.carry.length > 0) this.lines.push(this.carry.toString('utf8'));
      this.carry = Buffer.alloc(0);
      return;
    }
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, this.block.subarray(0, n)]) : this.block.subarray(0, n);
    const lastBreak = bytes.lastIndexOf(0x0a);
    if (lastBreak < 0) {
      this.carry = Buffer.from(bytes);
      return;
    }
    // Cut on a byte `\n` so no UTF-8 sequence is split between blocks.
    this.lines = bytes.toString('utf8', 0, lastBreak).split('\n');
    this.carry = Buffer.from(bytes.subarray(lastBreak + 1));
  }

  close(): void {
    if (!this.eof) {
      this.eof = true;
      closeSync(this.fd);
    }
  }
}

/** k-way merge of sorted line sources into one sorted stream. */
export function mergeSorted(sources: Array<() => string | undefined>, emit: (line: string) => void): void {
  // Binary min-heap of [line, source index].
  const heapLines: string[] = [];
  const heapSources: number[] = [];
  const swap = (a: number, b: number): void => {
    const l = heapLines[a];
    heapLines[a] = heapLines[b];
    heapLines[b] = l;
    const s = heapSources[a];
    heapSources[a] = heapSources[b];
    heapSources[b] = s;
  };
  const siftDown = (from: number): void => {
    let i = from;
    const n = heapLines.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      let least = left;
      const right = left + 1;
      if (right < n && heapLines[right] < heapLines[left]) least = right;
      if (heapLines[least] < heapLines[i]) {
        swap(least, i);
        i = least;
      } else return;
    }
  };
  const siftUp = (from: number): void => {
    let i = from;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapLines[i] < heapLines[parent]) {
        swap(i, parent);
        i = parent;
      } else return;
    }
  };
  sources.forEach((next, index) => {
    const line = next();
    if (line !== undefined) {
      heapLines.push(line);
      heapSources.push(index);
      siftUp(heapLines.length - 1);
    }
  });
  while (heapLines.length > 0) {
    emit(heapLines[0]);
    const line = sources[heapSources[0]]();
    if (line !== undefined) {
      heapLines[0] = line;
    } else {
      const lastLine = heapLines.pop() as string;
      const lastSource = heapSources.pop() as number;
      if (heapLines.length === 0) return;
      heapLines[0] = lastLine;
      heapSources[0] = lastSource;
    }
    siftDown(0);
  }
}

/** Merges sorted run files; every reader is closed when it is drained. */
export function mergeRuns(paths: readonly string[], emit: (line: string) => void): void {
  const readers = paths.map((p) => new LineReader(p));
  try {
    mergeSorted(
      readers.map((r) => () => r.next()),
      emit,
    );
  } finally {
    for (const r of readers) r.close();
  }
}
