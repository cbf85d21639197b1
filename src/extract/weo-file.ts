// The bytes of a WEO database file as lines of text: its encoding decided as the IMF ships
// them (UTF-16 with a BOM, or without one as the October 2020 and April 2022 files are, UTF-8,
// else Windows-1252), read as a stream so that memory stays flat whatever the file's size and
// however many files one extract reads, and time linear in it however long a line is.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { isBlankWeoLine, vintageOf, WeoReader, type WeoOutcome, type WeoRow } from './weo.js';

export type WeoEncoding = 'utf-16le' | 'utf-16be' | 'utf-8' | 'windows-1252';

/** Where a WEO file's bytes are: a saved file, or a fetched body held in memory. */
export type WeoBytes = { path: string } | { bytes: Buffer };

const CHUNK = 1 << 20;
const TAIL = 16 * 1024;
/** The longest line read (real WEO lines are a few KB): a longer one is no WEO file. */
export const MAX_WEO_LINE_CHARS = 16 * 1024 * 1024;
/** Bytes looked at to tell UTF-16 without a BOM by its NUL bytes. */
const SNIFF = 4096;

function sizeOf(source: WeoBytes): number {
  return 'bytes' in source ? source.bytes.length : statSync(source.path).size;
}

function readAt(source: WeoBytes, position: number, length: number): Buffer {
  if ('bytes' in source) return source.bytes.subarray(position, position + length);
  const fd = openSync(source.path, 'r');
  try {
    const out = Buffer.alloc(length);
    const n = readSync(fd, out, 0, length, position);
    return out.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

async function* chunks(source: WeoBytes): AsyncGenerator<Buffer> {
  if ('bytes' in source) {
    for (let at = 0; at < source.bytes.length; at += CHUNK) yield source.bytes.subarray(at, at + CHUNK);
    return;
  }
  for await (const chunk of createReadStream(source.path, { highWaterMark: CHUNK })) yield chunk as Buffer;
}

/**
 * UTF-16 without a BOM, told by its NUL bytes: text whose characters are mostly ASCII has a
 * NUL in every other byte, the odd ones in little-endian, the even ones in big-endian.
 */
export function utf16WithoutBom(head: Uint8Array): WeoEncoding | null {
  const pairs = Math.floor(head.length / 2);
  if (pairs < 2) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (odd >= pairs * 0.6 && even < pairs * 0.1) return 'utf-16le';
  if (even >= pairs * 0.6 && odd < pairs * 0.1) return 'utf-16be';
  return null;
}

/**
 * The encoding a BOM names; without one, UTF-16 if its NUL bytes say so, UTF-8 if every byte
 * decodes as UTF-8, else Windows-1252.
 */
export async function detectEncoding(source: WeoBytes): Promise<{ encoding: WeoEncoding; bom: number }> {
  const head = readAt(source, 0, 3);
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  const utf16 = utf16WithoutBom(readAt(source, 0, SNIFF));
  if (utf16 !== null) return { encoding: utf16, bom: 0 };
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of chunks(source)) utf8.decode(chunk, { stream: true });
    utf8.decode();
    return { encoding: 'utf-8', bom: 0 };
  } catch {
    return { encoding: 'windows-1252', bom: 0 };
  }
}

/** The vintage the file's last non-blank line names, read from its tail alone; null if none. */
export function tailVintage(source: WeoBytes, encoding: WeoEncoding, bom: number): string | null {
  const size = sizeOf(source);
  let start = Math.max(bom, size - TAIL);
  // A UTF-16 code unit starts an even number of bytes after the BOM.
  if (encoding.startsWith('utf-16') && (start - bom) % 2 === 1) start++;
  const text = new TextDecoder(encoding, { ignoreBOM: true }).decode(readAt(source, start, size - start));
  const lines = text.split(/\r\n|\n|\r/).filter((l) => !isBlankWeoLine(l));
  return lines.length === 0 ? null : vintageOf(lines[lines.length - 1]);
}

export interface WeoFileResult {
  outcome: WeoOutcome;
  encoding: WeoEncoding;
  sha256: string;
  bytes: number;
}

/**
 * Streams the file's lines through a WeoReader; `emit` gets each row as it is read. A file
 * that does not decode in its encoding (a UTF-16 file cut in the middle of a character, say)
 * fails naming it.
 */
export async function readWeoFile(source: WeoBytes, subject: string, emit: (row: WeoRow) => void): Promise<WeoFileResult> {
  const { encoding, bom } = await detectEncoding(source);
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  const reader = new WeoReader(subject, emit);
  const hash = createHash('sha256');
  let bytes = 0;
  let pending = '';
  let going = true;
  let lineNumber = 0;
  let tooLong: string | null = null;
  // A line ends at \n, \r\n or a lone \r. `pending` holds only the unfinished line, and each
  // character is looked at once, so a line's cost is linear in its length.
  let skipLf = false;
  const feed = (text: string): void => {
    let from = 0;
    let i = 0;
    if (skipLf && text.length > 0) {
      // The \n of a \r\n that the previous chunk ended inside.
      if (text.charCodeAt(0) === 0x0a) from = i = 1;
      skipLf = false;
    }
    for (; i < text.length && going; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      const line = pending === '' ? text.slice(from, i) : pending + text.slice(from, i);
      pending = '';
      if (c === 0x0d) {
        if (i + 1 === text.length) skipLf = true;
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      lineNumber++;
      going = reader.line(line);
      from = i + 1;
    }
    if (!going) return;
    pending += text.slice(from);
    if (pending.length > MAX_WEO_LINE_CHARS) {
      tooLong = `line ${lineNumber + 1} is longer than ${MAX_WEO_LINE_CHARS / (1024 * 1024)} Mi characters: no WEO database file has such a line`;
      going = false;
    }
  };
  try {
    for await (const chunk of chunks(source)) {
      hash.update(chunk);
      bytes += chunk.length;
      if (going) feed(decoder.decode(chunk, { stream: true }));
    }
    if (going) feed(decoder.decode());
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA' || error instanceof TypeError) {
      return { outcome: { ok: false, reason: `cannot be read as ${encoding === 'windows-1252' ? 'text' : encoding.toUpperCase()}${bom > 0 ? ' (its byte-order mark says so)' : ''}: the bytes after ${bytes} are no valid text` }, encoding, sha256: '', bytes };
    }
    throw error;
  }
  if (tooLong !== null) return { outcome: { ok: false, reason: tooLong }, encoding, sha256: hash.digest('hex'), bytes };
  if (going && pending !== '') reader.line(pending);
  return { outcome: reader.finish(), encoding, sha256: hash.digest('hex'), bytes };
}
