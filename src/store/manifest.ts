// manifest.json: what a warehouse holds and how it was built. Written last by a run (it is
// the commit point) and read first by every query and by --append.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { REGIONS, REJECT_REASONS } from '../rules/normalize.js';

/**
 * The warehouse format. 2: facts keyed by source and country identity (SPEC §1), with
 * country_code, source and is_projection; a warehouse of format 1 must be rebuilt.
 */
export const WAREHOUSE_FORMAT = 'gdpmr-warehouse/2';

export const Count = z.number().int().nonnegative();
export const ByReason = z.partialRecord(z.enum(REJECT_REASONS), Count);
export const ByRegion = z.partialRecord(z.enum(REGIONS), Count);

const InputInfo = z.object({
  path: z.string(),
  bytes: Count,
  mtime_ms: z.number().optional(),
  fingerprint: z.string().optional(),
});

export const LoadCounts = z.object({
  records: Count,
  loaded: Count,
  rejected: Count,
  by_reason: ByReason,
  by_region: ByRegion,
});
export type LoadCounts = z.infer<typeof LoadCounts>;

export const WarehouseCounts = LoadCounts.extend({
  superseded: Count,
  /** Rows of each source ('' for figures that name none): which sources a query can read. */
  by_source: z.record(z.string(), Count),
});
export type WarehouseCounts = z.infer<typeof WarehouseCounts>;

export const Load = z.object({
  run_id: z.string(),
  input: InputInfo,
  started_at: z.string(),
  finished_at: z.string(),
  counts: LoadCounts,
  /** Where the load's figures came from: the INPUT.source.json an extractor wrote beside it. */
  source: z.record(z.string(), z.unknown()).optional(),
});
export type Load = z.infer<typeof Load>;

export const Manifest = z.object({
  format: z.literal(WAREHOUSE_FORMAT),
  run_id: z.string(),
  /** The directory under .gen/ that holds this warehouse's databases. */
  generation: z.string(),
  input: InputInfo,
  config: z.object({
    chunk_bytes: z.number().int().positive(),
    workers: z.number().int().positive(),
    region_map: z.string(),
    append: z.boolean(),
  }),
  counts: WarehouseCounts,
  stages: z.record(z.string(), z.object({ ms: z.number().nonnegative() })),
  loads: z.array(Load).min(1),
});
export type Manifest = z.infer<typeof Manifest>;

export function readManifest(path: string): Manifest {
  return Manifest.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The same keys in the SPEC's order (regions, reasons), whatever order they were added in. */
function ordered<K extends string>(keys: readonly K[], counts: Partial<Record<K, number>>): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of keys) if (counts[key] !== undefined) out[key] = counts[key];
  return out;
}

function orderCounts<T extends LoadCounts>(counts: T): T {
  return { ...counts, by_reason: ordered(REJECT_REASONS, counts.by_reason), by_region: ordered(REGIONS, counts.by_region) };
}

export function writeManifest(path: string, manifest: Manifest): void {
  const tmp = `${path}.tmp`;
  const tidy: Manifest = { ...manifest, counts: orderCounts(manifest.counts), loads: manifest.loads.map((l) => ({ ...l, counts: orderCounts(l.counts) })) };
  writeFileSync(tmp, JSON.stringify(Manifest.parse(tidy), null, 2) + '\n');
  renameSync(tmp, path);
}

export function addCounts<T extends Record<string, number | undefined>>(a: T, b: T): T {
  const sum: Record<string, number> = { ...(a as Record<string, number>) };
  for (const [key, value] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + (value ?? 0);
  return sum as T;
}
