// A dump written by an extractor: OUT.csv with the header SPEC §8 gives, and OUT.source.json
// beside it saying where its figures came from. Both appear whole or not at all.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { GdpmrError } from '../errors.js';
import { maskUrls } from '../format.js';
import { fsReason, makeDirectory } from '../fs.js';
import type { DumpRow } from './wikipedia.js';

export const DUMP_HEADER = ['country', 'country_code', 'year', 'gdp_usd_million', 'published', 'source', 'estimates_start_after'] as const;

/** Where a dump's figures came from: kept beside it, and copied into the manifest's load. */
export const SourceInfo = z
  .object({
    format: z.literal('gdpmr-source/1'),
    source: z.string(),
    url: z.string().nullable(),
    file: z.string().nullable(),
    retrieved_at: z.string(),
    http_status: z.number().nullable(),
    published: z.string(),
    sha256: z.string(),
    rows: z.number(),
  })
  .passthrough();
export type SourceInfo = z.infer<typeof SourceInfo>;

export function sourcePathFor(dumpPath: string): string {
  return `${dumpPath}.source.json`;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The dump's rows under DUMP_HEADER; `source` is the publisher of every figure (imf,
 * world_bank, un). estimates_start_after stays empty: these sources do not say.
 */
export function dumpCsv(rows: readonly DumpRow[], published: string, source: string): string {
  return stringify([[...DUMP_HEADER], ...rows.map((r) => [r.country, r.country_code, r.year, r.gdp_usd_million, published, source, ''])]);
}

/** One field of a dump line, quoted only where CSV needs it (an empty field stays empty). */
export function dumpField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One dump line under DUMP_HEADER, for extractors that write row by row. Figures and years are
 * digits and codes letters: only names can need quotes.
 */
export function dumpLine(country: string, code: string, year: string, millions: string, published: string, source: string, estimatesStartAfter: string): string {
  return `${dumpField(country)},${code},${year},${millions},${published},${source},${estimatesStartAfter}\n`;
}

/** writeDump, or exit 1 naming the --out it could not write. */
export function writeDumpOrFail(path: string, csv: string, source: SourceInfo): void {
  try {
    writeDump(path, csv, source);
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${path} (${fsReason(error)}); nothing was written`);
  }
}

/** Writes both files through temporary names beside them; the CSV's rename comes last. */
export function writeDump(path: string, csv: string, source: SourceInfo): void {
  makeDirectory(dirname(path));
  const tmpCsv = `${path}.tmp-${process.pid}`;
  const sourcePath = sourcePathFor(path);
  const tmpSource = `${sourcePath}.tmp-${process.pid}`;
  try {
    writeFileSync(tmpCsv, csv);
    writeFileSync(tmpSource, JSON.stringify(maskUrls(source), null, 2) + '\n');
    renameSync(tmpSource, sourcePath);
    renameSync(tmpCsv, path);
  } finally {
    rmSync(tmpCsv, { force: true });
    rmSync(tmpSource, { force: true });
  }
}

/** The provenance beside a dump, if it has a readable one. */
export function readSourceInfo(dumpPath: string): SourceInfo | undefined {
  const path = sourcePathFor(dumpPath);
  if (!existsSync(path)) return undefined;
  try {
    return SourceInfo.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}
