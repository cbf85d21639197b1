// Planning a run: what the input is (identity, header, where data starts) and how it is cut
// into splits. Everything here runs before the warehouse directory is touched, so a bad
// input stops the run with nothing written.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { GdpmrError, quote, usage } from '../errors.js';
import { fsReason } from '../fs.js';
import { resolveColumns, type ColumnIndex } from '../rules/header.js';
import { allFields, readRecord, RecordLayout, stateAfter, type TokenizerState } from '../rules/tokenizer.js';
import type { InputSplit, ScanResult } from './messages.js';

/** Enough to tell, on --resume, that the input is still the file the run started on. */
export interface InputIdentity {
  path: string;
  bytes: number;
  mtimeMs: number;
  /** sha256 of the first and last 64 KiB and the size: cheap, and catches edits in place. */
  fingerprint: string;
}

export interface InputHeader {
  columns: ColumnIndex;
  names: string[];
  /** First byte after the header record: where data records begin. */
  dataStart: number;
  /** Physical line on which `dataStart` lies. */
  dataStartLine: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const FINGERPRINT_BYTES = 64 * 1024;
const HEADER_READ_STEP = 64 * 1024;

function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw new GdpmrError('INPUT_UNREADABLE', `INPUT must be a file gdpmr can read, got ${path} (${fsReason(error)})`);
  }
}

export function identifyInput(path: string): InputIdentity {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GdpmrError('INPUT_MISSING', `INPUT must be an existing CSV file, got ${path} (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  if (!stat.isFile()) {
    throw new GdpmrError('INPUT_NOT_A_FILE', `INPUT must be a CSV file, got ${path} (${stat.isDirectory() ? 'a directory' : 'not a regular file'})`);
  }
  const hash = createHash('sha256');
  const fd = openInput(path);
  try {
    const head = Buffer.alloc(Math.min(FINGERPRINT_BYTES, stat.size));
    readSync(fd, head, 0, head.length, 0);
    hash.update(head);
    const tailLength = Math.min(FINGERPRINT_BYTES, stat.size);
    const tail = Buffer.alloc(tailLength);
    readSync(fd, tail, 0, tailLength, stat.size - tailLength);
    hash.update(tail);
  } finally {
    closeSync(fd);
  }
  hash.update(String(stat.size));
  return { path, bytes: stat.size, mtimeMs: stat.mtimeMs, fingerprint: hash.digest('hex') };
}

/** The sha256 of bytes [start, end) of `path`, read in blocks. */
export function hashRange(path: string, start: number, end: number): string {
  const hash = createHash('sha256');
  const fd = openInput(path);
  try {
    const block = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, end - start)));
    for (let at = start; at < end; ) {
      const n = readSync(fd, block, 0, Math.min(block.length, end - at), at);
      if (n === 0) break;
      hash.update(block.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * What a file given to `run` is, when it is an IMF WEO database file rather than a raw dump (the
 * IMF's "entire dataset" download: UTF-16, tab-separated, a `WEO Country Code` column): null else.
 */
function weoFileHint(head: Buffer): string | null {
  const utf16 = head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head.subarray(0, 64).includes(0));
  const text = utf16 ? head.toString(head[0] === 0xfe ? 'latin1' : 'utf16le').replace(/\u0000/g, '') : head.toString('latin1');
  if (/WEO Country Code|WEO Subject Code/i.test(text)) return 'an IMF WEO database file';
  return utf16 ? 'a UTF-16 file (an IMF WEO download is one)' : null;
}

/** Reads the header record: the first record that is not a blank line, after any BOM. */
export function readHeader(path: string, bytes: number): InputHeader {
  const fd = openInput(path);
  try {
    let buffer = Buffer.alloc(0);
    let loaded = 0;
    const more = (): void => {
      const grown = Buffer.alloc(Math.min(bytes, Math.max(buffer.length * 2, HEADER_READ_STEP)));
      buffer.copy(grown, 0, 0, loaded);
      buffer = grown;
      while (loaded < buffer.length) {
        const n = readSync(fd, buffer, loaded, buffer.length - loaded, loaded);
        if (n === 0) break;
        loaded += n;
      }
    };
    more();
    const bom = loaded >= 3 && UTF8_BOM.every((b, i) => buffer[i] === b) ? 3 : 0;
    const layout = new RecordLayout();
    let pos = bom;
    let line = 1;
    for (;;) {
      if (pos >= loaded && loaded >= bytes) {
        throw new GdpmrError('INPUT_EMPTY', `INPUT must start with a header naming the columns country, year, gdp_usd_million; ${path} has no records`);
      }
      if (!readRecord(buffer, pos, loaded, loaded >= bytes, layout)) {
        more();
        continue;
      }
      if (!layout.blank) break;
      line += layout.newlines;
      pos = layout.next;
    }
    const names = allFields(buffer, layout);
    const header = resolveColumns(names);
    // A binary file's "header" can be megabytes: quote a few names, each cut short.
    const found = names.slice(0, 12).map((n) => quote(n)).join(', ') + (names.length > 12 ? `, … (${names.length} fields)` : '');
    if (!header.ok && header.duplicate !== undefined) {
      throw new GdpmrError(
        'DUPLICATE_COLUMN',
        `${path}: the header must name each column once, got ${header.duplicate.name} as fields ${header.duplicate.positions.join(' and ')} (${found})`,
      );
    }
    if (!header.ok) {
      const weo = weoFileHint(buffer.subarray(0, Math.min(loaded, 4096)));
      if (weo !== null) throw new GdpmrError('MISSING_COLUMN', `${path} is ${weo}, not a raw dump: \`gdpmr extract weo --file ${path} --out OUT.csv\` makes one of it, which \`gdpmr run\` then reads`);
      throw new GdpmrError(
        'MISSING_COLUMN',
        `${path}: missing required column${header.missing.length > 1 ? 's' : ''} ${header.missing.join(', ')}; the header must name country, year, gdp_usd_million (region and published are optional), got ${found}`,
      );
    }
    return { columns: header.columns, names, dataStart: layout.next, dataStartLine: line + layout.newlines };
  } finally {
    closeSync(fd);
  }
}

/** Cuts [dataStart, bytes) into splits of `chunkBytes`, blind to where records fall. */
/**
 * The most splits a run cuts its input into. Each split is a task with a fixed cost (a scan from
 * every tokenizer state, a map task, a run file per region, a journal line): `--chunk-size 1`
 * on a 361 KB file made 370,000 of them, 257 s and 2.5 GB. 16,384 is 64 KB splits of 1 GB.
 */
export const MAX_SPLITS = 16_384;

/** Refuses a chunk size that would cut `bytes` into more than MAX_SPLITS splits (exit 2). */
export function checkSplitCount(bytes: number, chunkBytes: number, inputArg: string): void {
  const splits = Math.ceil(bytes / chunkBytes);
  if (splits <= MAX_SPLITS) return;
  const least = Math.ceil(bytes / MAX_SPLITS);
  throw usage(
    `--chunk-size ${chunkBytes} would cut ${inputArg} (${bytes} bytes) into ${splits} splits; at most ${MAX_SPLITS} (each split is a task with its own scan, map and files, and more of them cost more than they save): use --chunk-size ${least} or more`,
  );
}

export function planSplits(dataStart: number, bytes: number, chunkBytes: number): InputSplit[] {
  const splits: InputSplit[] = [];
  for (let start = dataStart, chunk = 0; start < bytes; start += chunkBytes, chunk++) {
    splits.push({ chunk, start, end: Math.min(bytes, start + chunkBytes) });
  }
  return splits;
}

/**
 * Where the split after one starts, from where that one started and its scan: the tokenizer
 * state (inside a quoted field or not) and the line number. Chaining it left to right gives
 * every split's start as soon as the scans before it are known.
 */
export function nextSplitStart(start: { state: TokenizerState; line: number }, scan: ScanResult): { state: TokenizerState; line: number } {
  return { state: stateAfter(scan, start.state), line: start.line + scan.newlines };
}
