// A generation's two summary files, assembled from what the run's tasks reported: rejects.csv
// (earlier loads' rejects, then this load's split by split: input order) and manifest.json
// (counts for the warehouse and for every load).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { replaceWhole } from '../fs.js';
import type { Region, RejectReason } from '../rules/normalize.js';
import { addCounts, WAREHOUSE_FORMAT, type LoadCounts, type Manifest, type WarehouseCounts } from './manifest.js';
import { REJECTS_HEADER } from './rejects.js';

export function writeRejects(path: string, previousRejects: string | null, splitRejects: readonly string[]): void {
  replaceWhole(path, (tmp) => {
    if (previousRejects !== null) copyFileSync(previousRejects, tmp);
    else writeFileSync(tmp, REJECTS_HEADER);
    for (const file of splitRejects) {
      const rows = readFileSync(file);
      if (rows.length > 0) writeFileSync(tmp, rows, { flag: 'a' });
    }
  });
}

/** What a map task reports of its split. */
export interface SplitCounts {
  records: number;
  rejected: number;
  byReason: Partial<Record<RejectReason, number>>;
  byRegion: Partial<Record<Region, number>>;
}

export function sumLoadCounts(splits: readonly SplitCounts[]): LoadCounts {
  let records = 0;
  let rejected = 0;
  let byReason: Partial<Record<RejectReason, number>> = {};
  let byRegion: Partial<Record<Region, number>> = {};
  for (const r of splits) {
    records += r.records;
    rejected += r.rejected;
    byReason = addCounts(byReason, r.byReason);
    byRegion = addCounts(byRegion, r.byRegion);
  }
  return { records, loaded: records - rejected, rejected, by_reason: byReason, by_region: byRegion };
}

export interface ManifestParts {
  plan: {
    run_id: string;
    started_at: string;
    input_arg: string;
    input: { bytes: number; mtimeMs: number; fingerprint: string };
    chunk_bytes: number;
    region_map: string;
    append: boolean;
    source?: Record<string, unknown>;
  };
  workers: number;
  /** The warehouse this load is appended to, if any. */
  earlier: Manifest | null;
  load: LoadCounts;
  /** Rows and superseded rows of each region's new database. */
  regions: ReadonlyMap<Region, { rows: number; superseded: number; bySource: Record<string, number> }>;
  stages: Record<string, { ms: number }>;
  finishedAt: Date;
}

export function assembleManifest(p: ManifestParts): Manifest {
  const byRegion: Partial<Record<Region, number>> = {};
  let superseded = 0;
  let bySource: Record<string, number> = {};
  for (const [region, result] of p.regions) {
    if (result.rows > 0) byRegion[region] = result.rows;
    superseded += result.superseded;
    bySource = addCounts(bySource, result.bySource);
  }
  const e = p.earlier;
  const counts: WarehouseCounts = {
    records: (e?.counts.records ?? 0) + p.load.records,
    loaded: (e?.counts.loaded ?? 0) + p.load.loaded,
    rejected: (e?.counts.rejected ?? 0) + p.load.rejected,
    superseded,
    by_reason: e === null ? p.load.by_reason : addCounts(e.counts.by_reason, p.load.by_reason),
    by_region: byRegion,
    by_source: Object.fromEntries(Object.entries(bySource).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  const input = { path: p.plan.input_arg, bytes: p.plan.input.bytes, mtime_ms: p.plan.input.mtimeMs, fingerprint: p.plan.input.fingerprint };
  return {
    format: WAREHOUSE_FORMAT,
    run_id: p.plan.run_id,
    generation: p.plan.run_id,
    input,
    config: { chunk_bytes: p.plan.chunk_bytes, workers: p.workers, region_map: p.plan.region_map, append: p.plan.append },
    counts,
    stages: p.stages,
    loads: [
      ...(e?.loads ?? []),
      { run_id: p.plan.run_id, input, started_at: p.plan.started_at, finished_at: p.finishedAt.toISOString(), counts: p.load, ...(p.plan.source === undefined ? {} : { source: p.plan.source }) },
    ],
  };
}
