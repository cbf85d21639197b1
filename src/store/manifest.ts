// manifest.json: what a warehouse holds and how it was built. Written last by a run (it is
// the commit point) and read first by every query and by --append.
import { readFileSync } from 'node:fs';
import { writeFileWhole } from '../fs.js';
import { REGIONS, REJECT_REASONS, type Region, type RejectReason } from '../rules/normalize.js';

/**
 * The warehouse format. 2: facts keyed by source and country identity (SPEC §1), with
 * country_code, source and is_projection. 3: each region's countries in a table of series and
 * its rows keyed by series (store/region-db/schema.ts). 4: estimates_start_after, and is_projection
 * by SPEC §1's rule of this version, stored. 5: each fact's forecast pairs (first actual
 * figure against each projection, by horizon), which `query accuracy` reads, and each series'
 * first-release row, which `--release first` reads. A warehouse of an earlier format must be
 * rebuilt (store/verify.ts says how).
 */
export const WAREHOUSE_FORMAT = 'gdpmr-warehouse/5';

/** What each earlier format lacks, for the message that asks for a rebuild. */
export const EARLIER_FORMATS: Record<string, string> = {
  'gdpmr-warehouse/1': 'facts keyed by country name alone',
  'gdpmr-warehouse/2': "the storage layout before this version's, which its queries do not read",
  'gdpmr-warehouse/3': 'estimates_start_after, and the projection rule that counts a year not before its vintage year as an estimate',
  'gdpmr-warehouse/4': 'the stored forecast pairs and first releases that query accuracy and --release first read',
};

type ByReason = Partial<Record<RejectReason, number>>;
type ByRegion = Partial<Record<Region, number>>;

interface InputInfo {
  path: string;
  bytes: number;
  mtime_ms?: number;
  fingerprint?: string;
}

export interface LoadCounts {
  records: number;
  loaded: number;
  rejected: number;
  by_reason: ByReason;
  by_region: ByRegion;
}

export interface WarehouseCounts extends LoadCounts {
  superseded: number;
  /** Rows of each source ('' for figures that name none): which sources a query can read. */
  by_source: Record<string, number>;
}

export interface Load {
  run_id: string;
  input: InputInfo;
  started_at: string;
  finished_at: string;
  counts: LoadCounts;
  /** Where the load's figures came from: the INPUT.source.json an extractor wrote beside it. */
  source?: Record<string, unknown>;
}

export interface Manifest {
  format: typeof WAREHOUSE_FORMAT;
  run_id: string;
  /** The directory under .gen/ that holds this warehouse's databases. */
  generation: string;
  input: InputInfo;
  config: { chunk_bytes: number; workers: number; region_map: string; append: boolean };
  counts: WarehouseCounts;
  stages: Record<string, { ms: number }>;
  loads: Load[];
}

// A hand-written check, not a schema library: every query reads the manifest first, and a
// query must start in well under 100 ms. Each failure names the key and what it must be.
class ManifestError extends Error {}
const fail = (at: string, what: string, value: unknown): never => {
  throw new ManifestError(`${at} must be ${what}, got ${JSON.stringify(value)?.slice(0, 80) ?? String(value)}`);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const object = (v: unknown, at: string): Record<string, unknown> => (isObject(v) ? v : fail(at, 'an object', v));
const string = (v: unknown, at: string): string => (typeof v === 'string' ? v : fail(at, 'a string', v));
const count = (v: unknown, at: string): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(at, 'a whole number, at least 0', v));
const positive = (v: unknown, at: string): number => (Number.isSafeInteger(v) && (v as number) >= 1 ? (v as number) : fail(at, 'a whole number, at least 1', v));
const counts = <K extends string>(v: unknown, at: string, keys?: readonly K[]): Partial<Record<K, number>> => {
  const o = object(v, at);
  for (const [key, n] of Object.entries(o)) {
    if (keys !== undefined && !(keys as readonly string[]).includes(key)) fail(`${at} key`, `one of ${keys.join(', ')}`, key);
    count(n, `${at}.${key}`);
  }
  return o as Partial<Record<K, number>>;
};

function inputInfo(v: unknown, at: string): InputInfo {
  const o = object(v, at);
  string(o.path, `${at}.path`);
  count(o.bytes, `${at}.bytes`);
  if (o.mtime_ms !== undefined && typeof o.mtime_ms !== 'number') fail(`${at}.mtime_ms`, 'a number', o.mtime_ms);
  if (o.fingerprint !== undefined) string(o.fingerprint, `${at}.fingerprint`);
  return o as unknown as InputInfo;
}

function loadCounts(v: unknown, at: string): LoadCounts {
  const o = object(v, at);
  for (const key of ['records', 'loaded', 'rejected'] as const) count(o[key], `${at}.${key}`);
  counts(o.by_reason, `${at}.by_reason`, REJECT_REASONS);
  counts(o.by_region, `${at}.by_region`, REGIONS);
  return o as unknown as LoadCounts;
}

/** The manifest, checked key by key; an Error naming the first key that is wrong. */
export function parseManifest(value: unknown): Manifest {
  const m = object(value, 'manifest');
  if (m.format !== WAREHOUSE_FORMAT) fail('format', JSON.stringify(WAREHOUSE_FORMAT), m.format);
  string(m.run_id, 'run_id');
  string(m.generation, 'generation');
  inputInfo(m.input, 'input');
  const config = object(m.config, 'config');
  positive(config.chunk_bytes, 'config.chunk_bytes');
  positive(config.workers, 'config.workers');
  string(config.region_map, 'config.region_map');
  if (typeof config.append !== 'boolean') fail('config.append', 'true or false', config.append);
  const c = loadCounts(m.counts, 'counts') as unknown as Record<string, unknown>;
  count(c.superseded, 'counts.superseded');
  counts(c.by_source, 'counts.by_source');
  for (const [stage, t] of Object.entries(object(m.stages, 'stages'))) {
    const ms = object(t, `stages.${stage}`).ms;
    if (!(typeof ms === 'number' && ms >= 0)) fail(`stages.${stage}.ms`, 'a number, at least 0', ms);
  }
  if (!Array.isArray(m.loads) || m.loads.length === 0) fail('loads', 'a list of at least one load', m.loads);
  (m.loads as unknown[]).forEach((l, i) => {
    const load = object(l, `loads[${i}]`);
    for (const key of ['run_id', 'started_at', 'finished_at'] as const) string(load[key], `loads[${i}].${key}`);
    inputInfo(load.input, `loads[${i}].input`);
    loadCounts(load.counts, `loads[${i}].counts`);
    if (load.source !== undefined) object(load.source, `loads[${i}].source`);
  });
  return m as unknown as Manifest;
}

export function readManifest(path: string): Manifest {
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
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
  const tidy: Manifest = { ...manifest, counts: orderCounts(manifest.counts), loads: manifest.loads.map((l) => ({ ...l, counts: orderCounts(l.counts) })) };
  writeFileWhole(path, JSON.stringify(parseManifest(tidy), null, 2) + '\n');
}

export function addCounts<T extends Record<string, number | undefined>>(a: T, b: T): T {
  const sum: Record<string, number> = { ...(a as Record<string, number>) };
  for (const [key, value] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + (value ?? 0);
  return sum as T;
}
