// The bytes of a WEO database file as lines of text: its encoding decided as the IMF ships
// them (UTF-16 with a BOM since October 2020, UTF-8, else Windows-1252), read as a stream so
// that memory stays flat whatever the file's size and however many files one extract reads.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { vintageOf, WeoReader, type WeoOutcome, type WeoRow } from './weo.js';

export type WeoEncoding = 'utf-16le' | 'utf-16be' | 'utf-8' | 'windows-1252';

/** Where a WEO file's bytes are: a saved file, or a fetched body held in memory. */
export type WeoBytes = { path: string } | { bytes: Buffer };

const CHUNK = 1 << 20;
const TAIL = 16 * 1024;

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

/** The encoding a BOM names; without one, UTF-8 if every byte decodes as UTF-8, else Windows-1252. */
export async function detectEncoding(source: WeoBytes): Promise<{ encoding: WeoEncoding; bom: number }> {
  const head = readAt(source, 0, 3);
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
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
  const text = new TextDecoder(encoding).decode(readAt(source, start, size - start));
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
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
  const feed = (text: string): void => {
    pending += text;
    let from = 0;
    for (let nl = pending.indexOf('\n', from); nl >= 0 && going; nl = pending.indexOf('\n', from)) {
      const end = nl > from && pending.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      going = reader.line(pending.slice(from, end));
      from = nl + 1;
    }
    pending = pending.slice(from);
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
  if (going && pending.replace(/\r$/, '') !== '') reader.line(pending.replace(/\r$/, ''));
  return { outcome: reader.finish(), encoding, sha256: hash.digest('hex'), bytes };
}
