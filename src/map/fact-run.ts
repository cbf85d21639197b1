// One region's fact lines of one map task, held as bytes and sorted into a run.
//
// Lines (rules/current.ts) are appended `\n`-terminated into one growing buffer, with each
// line's start and key hash on the side. The run is the lines in plain string order, which is
// the order the reduce's merge compares in: lines are sorted by their hash as numbers (a
// Float64Array of hash * 2^21 + index sorts natively), and only lines of equal hash — one
// country's figures, or a rare collision — are compared byte by byte.

const NEWLINE = 0x0a;
/** Lines up to this many sort through numbers: a line's index fits below its hash. */
const INDEX_LIMIT = 2 ** 21;
const INITIAL_BYTES = 64 * 1024;
const INITIAL_LINES = 1024;
/** The sorted run is handed out in blocks of this size, not copied whole. */
const RUN_BLOCK_BYTES = 256 * 1024;

/**
 * Reusable: `clear` keeps the buffers for the next map task. A worker that allocated fresh
 * ones per task left them to the garbage collector, which a task that makes almost no
 * JavaScript garbage seldom runs: tens of MB of dead buffers per worker, held into the reduce.
 */
export class FactRunBuffer {
  /** The lines, `\n`-terminated. Writers fill it after `startLine` and then set `used`. */
  bytes: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  used = 0;
  count = 0;
  private starts = new Int32Array(INITIAL_LINES);
  private hashes = new Uint32Array(INITIAL_LINES);
  private order = new Float64Array(INITIAL_LINES);
  private readonly block: Buffer = Buffer.allocUnsafe(RUN_BLOCK_BYTES);

  clear(): void {
    this.used = 0;
    this.count = 0;
  }

  /**
   * Opens a line of at most `maxBytes` bytes (its `\n` included) at `used` and returns the
   * buffer to write it into; the writer then moves `used` past it.
   */
  startLine(hash: number, maxBytes: number): Buffer {
    if (this.used + maxBytes > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + maxBytes));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      starts.set(this.starts);
      this.starts = starts;
      const hashes = new Uint32Array(this.count * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.starts[this.count] = this.used;
    this.hashes[this.count] = hash;
    this.count++;
    return this.bytes;
  }

  /** Appends a line built as a string (`hash` is its key hash, as the line spells it). */
  appendText(hash: number, line: string): void {
    const out = this.startLine(hash, Buffer.byteLength(line, 'utf8') + 1);
    this.used += out.write(line, this.used, 'utf8');
    out[this.used++] = NEWLINE;
  }

  private end(index: number): number {
    return index + 1 < this.count ? this.starts[index + 1] : this.used;
  }

  /**
   * Plain string order of lines `a` and `b`. Up to their first differing byte the two are the
   * same text; if both bytes there are ASCII they are the differing UTF-16 code units too, so
   * they decide. Otherwise (non-ASCII names of a hash collision) the decoded lines decide.
   */
  compareLines(a: number, b: number): number {
    const bytes = this.bytes;
    let p = this.starts[a];
    let q = this.starts[b];
    const pEnd = this.end(a);
    for (; p < pEnd; p++, q++) {
      const x = bytes[p];
      const y = bytes[q];
      if (x === y) continue;
      if (x < 0x80 && y < 0x80) return x === NEWLINE ? -1 : y === NEWLINE ? 1 : x - y;
      const left = bytes.toString('utf8', this.starts[a], pEnd - 1);
      const right = bytes.toString('utf8', this.starts[b], this.end(b) - 1);
      return left < right ? -1 : left > right ? 1 : 0;
    }
    return 0;
  }

  /**
   * The run: every line in plain string order, as the bytes of a run file, handed to `write`
   * a block at a time (each block is only valid during its call).
   */
  writeSortedRun(write: (block: Buffer) => void): void {
    const n = this.count;
    const out = this.block;
    let at = 0;
    const copyLine = (index: number): void => {
      const bytes = this.bytes;
      const start = this.starts[index];
      const end = this.end(index);
      if (at > 0 && at + (end - start) > out.length) {
        write(out.subarray(0, at));
        at = 0;
      }
      if (end - start > out.length) {
        write(bytes.subarray(start, end));
        return;
      }
      for (let i = start; i < end; i++) out[at++] = bytes[i];
    };
    const compare = (a: number, b: number): number => this.compareLines(a, b);
    if (n >= INDEX_LIMIT) {
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort(compare);
      for (const index of order) copyLine(index);
      if (at > 0) write(out.subarray(0, at));
      return;
    }
    if (this.order.length < n) this.order = new Float64Array(this.starts.length);
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = this.hashes[i] * INDEX_LIMIT + i;
    order.sort();
    const group: number[] = [];
    let groupHash = -1;
    const flush = (): void => {
      if (group.length > 1) group.sort(compare);
      for (const index of group) copyLine(index);
      group.length = 0;
    };
    for (let i = 0; i < n; i++) {
      const hash = Math.floor(order[i] / INDEX_LIMIT);
      if (hash !== groupHash) {
        flush();
        groupHash = hash;
      }
      group.push(order[i] - hash * INDEX_LIMIT);
    }
    flush();
    if (at > 0) write(out.subarray(0, at));
  }
}
