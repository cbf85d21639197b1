// DIR/archive/<sha256>: every raw file and response a refresh loaded, named by its bytes'
// sha256, written whole (a temporary name, then a hard link that fails if the name exists) and
// never overwritten or deleted: the only copy of a vintage an API no longer serves.
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GdpmrError } from '../errors.js';

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const archiveDir = (root: string): string => join(root, 'archive');
export const archivePath = (root: string, sha: string): string => join(archiveDir(root), sha);

/** Keeps `bytes` in the archive (once: a file of that name holds them already); its sha256. */
export function putArchive(root: string, bytes: Uint8Array): string {
  const sha = sha256Of(bytes);
  mkdirSync(archiveDir(root), { recursive: true });
  const tmp = join(archiveDir(root), `.tmp-${process.pid}-${sha.slice(0, 12)}`);
  writeFileSync(tmp, bytes);
  try {
    linkSync(tmp, archivePath(root, sha));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
  return sha;
}

/** The archived bytes of `sha`, checked against their name: a tampered file is exit 1 naming it. */
export function readArchive(root: string, sha: string): Buffer {
  const path = archivePath(root, sha);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new GdpmrError('SOURCE_INVALID', `the archive file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the warehouse's archive is incomplete`);
  }
  if (sha256Of(bytes) !== sha) throw new GdpmrError('SOURCE_INVALID', `the archive file ${path} no longer holds the bytes its name says (sha256 ${sha256Of(bytes).slice(0, 16)}…): it was changed after it was archived`);
  return bytes;
}
