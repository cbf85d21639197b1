// Before a run starts work: its id, the output directory, the warehouse it builds on, and the
// refusals that protect a warehouse of many loads. Nothing here runs a task.
import { accessSync, constants, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { errorText, GdpmrError, usage } from '../errors.js';
import { fsReason, kindOf, makeDirectory } from '../fs.js';
import { REGIONS, type Region } from '../rules/normalize.js';
import type { RegionMap } from '../rules/regions.js';
import { SERIES } from '../store/region-db/schema.js';
import { currentGeneration, readPublished, WarehousePaths } from '../store/layout.js';
import type { Manifest } from '../store/manifest.js';
import { requireSound, verifyCheap, type Verification } from '../store/verify.js';
import type { InputIdentity } from './splits.js';
import type { RunRequest } from './request.js';

export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

export function prepareDirectory(paths: WarehousePaths): void {
  try {
    makeDirectory(paths.root);
    accessSync(paths.root, constants.W_OK);
    makeDirectory(paths.runsDir);
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a directory gdpmr can write, got ${paths.root} (${fsReason(error)})`);
  }
}

/**
 * The warehouse a run builds on. An append (or the resume of one) refuses a damaged one; a
 * replacing run only says it replaces it, as that is the way out of the damage.
 */
export function publishedBase(paths: WarehousePaths, dir: string, appending: boolean, notice: (m: string) => void): Manifest | null {
  if (appending) return currentGeneration(paths) === null ? null : requireSound(dir).manifest;
  try {
    return readPublished(paths);
  } catch (error) {
    notice(`replacing the damaged warehouse in ${paths.root} (${errorText(error, 200).split('\n')[0]})`);
    return null;
  }
}

interface LoadSummary {
  run_id: string;
  path: string;
  fingerprint?: string;
  raw?: RawIdentity;
}

/**
 * What a load was extracted from: the source (`wikipedia:imf`, `imf-weo:NGDPD`) and the sha256 of
 * each raw file or response. Loading the same source from any of the same bytes again is a
 * reload (the WEO files of one vintage, in any order); another publisher's column of the same
 * page is not.
 */
interface RawIdentity {
  source: string;
  sha256: string[];
}

function rawIdentity(info: unknown): RawIdentity | undefined {
  const i = info as { source?: unknown; sha256?: unknown; files?: unknown } | undefined;
  if (typeof i?.source !== 'string') return undefined;
  const files = Array.isArray(i.files) ? i.files.map((f: { sha256?: unknown }) => f?.sha256).filter((h): h is string => typeof h === 'string' && h !== '') : [];
  const sha256 = files.length > 0 ? files : typeof i.sha256 === 'string' && i.sha256 !== '' ? [i.sha256] : [];
  return sha256.length === 0 ? undefined : { source: i.source, sha256 };
}

const summaryOf = (l: { run_id?: unknown; input?: { path?: unknown; fingerprint?: unknown }; source?: unknown }): LoadSummary => ({
  run_id: String(l?.run_id ?? '?'),
  path: String(l?.input?.path ?? '?'),
  fingerprint: typeof l?.input?.fingerprint === 'string' ? l.input.fingerprint : undefined,
  raw: rawIdentity(l?.source),
});

/**
 * What the guards of a run need to know of the warehouse it writes, read once before them:
 * the published generation, its manifest's cheap checks (verify.ts), and its loads, read
 * loosely from a manifest the checks refuse (an outdated or damaged one), so that the guards
 * can still name them.
 */
export interface WarehouseState {
  generation: string | null;
  cheap: Verification;
  loads: LoadSummary[];
}

export function readWarehouseState(paths: WarehousePaths): WarehouseState {
  const cheap = verifyCheap(paths.root);
  if (cheap.generation === null) return { generation: null, cheap, loads: [] };
  if (cheap.manifest !== null) return { generation: cheap.generation, cheap, loads: cheap.manifest.loads.map(summaryOf) };
  let loads: LoadSummary[] = [];
  try {
    const raw = JSON.parse(readFileSync(paths.generation(cheap.generation).manifest, 'utf8')) as { loads?: unknown };
    if (Array.isArray(raw.loads)) loads = raw.loads.map(summaryOf);
  } catch {
    loads = [];
  }
  return { generation: cheap.generation, cheap, loads };
}

/**
 * A warehouse of many loads is history no typo may lose: a plain run onto one is refused
 * unless --replace says so. An --append of an input a load already holds (the same bytes at
 * both ends and size, or the same source from any of the same raw bytes) is refused unless
 * --allow-reload: a weekly
 * job run twice would double every figure's history.
 */
export function guardLoads(paths: WarehousePaths, state: WarehouseState, request: RunRequest, input: InputIdentity): void {
  const loads = state.loads;
  const list = (ls: LoadSummary[]): string => ls.map((l, i) => `${i + 1}: ${l.path} (run ${l.run_id})`).join(', ');
  if (!request.append && request.replace !== true && loads.length > 1) {
    throw usage(
      `gdpmr run without --append would replace the warehouse ${paths.root} and drop its ${loads.length} loads (${list(loads)}); ` +
        `add --append to add ${request.inputPath} as load ${loads.length + 1}, or --replace to replace them all (the replaced warehouse is kept for \`gdpmr rollback\`)`,
    );
  }
  // A damaged warehouse is refused as such later on (exit 1, naming the file), not as a reload.
  if (request.append && request.allowReload !== true && state.cheap.problems.every((p) => p.check === 'links' || p.check === 'kept')) {
    const mine = rawIdentity(request.sourceInfo);
    const shared = (l: LoadSummary): string | undefined => (mine === undefined || l.raw?.source !== mine.source ? undefined : mine.sha256.find((h) => l.raw?.sha256.includes(h)));
    const holder = loads.findIndex((l) => l.fingerprint === input.fingerprint || shared(l) !== undefined);
    if (holder >= 0) {
      const l = loads[holder];
      const what = l.fingerprint === input.fingerprint ? 'the same file' : `${mine?.source} from the same raw bytes (sha256 ${shared(l)?.slice(0, 12)}…)`;
      throw usage(
        `${request.inputPath} is already loaded in ${paths.root}: load ${holder + 1} (run ${l.run_id}, ${l.path}) holds ${what}; ` +
          `appending it again would make every figure its own revision. Add --allow-reload to load it again anyway`,
      );
    }
  }
}

/**
 * An --append whose country map puts a code already loaded in one region into another would
 * give that country two regions (`over` lists JPN twice): refused before anything is written,
 * naming the codes. The loaded regions are read from the series tables, not from the map the
 * earlier loads named (its file may have changed since).
 */
export function guardMovedCodes(paths: WarehousePaths, generation: string | null, regionMap: RegionMap, mapArg: string): void {
  if (generation === null) return;
  const gen = paths.generation(generation);
  const loadedIn = new Map<string, Region[]>();
  for (const region of REGIONS) {
    const file = gen.regionDb(region);
    if (kindOf(file) !== 'file') continue;
    let codes: string[];
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        codes = db.prepare(`SELECT DISTINCT country_code FROM ${SERIES} WHERE country_code IS NOT NULL`).pluck().all() as string[];
      } finally {
        db.close();
      }
    } catch {
      continue; // a damaged database is refused as such by the append's soundness check
    }
    for (const code of codes) loadedIn.set(code, [...(loadedIn.get(code) ?? []), region]);
  }
  const moved: string[] = [];
  for (const [code, { region }] of regionMap.codes()) {
    const were = loadedIn.get(code);
    if (were !== undefined && !were.includes(region)) moved.push(`${code} (loaded in ${were.join(', ')}, the map says ${region})`);
  }
  if (moved.length === 0) return;
  throw usage(
    `--regions ${mapArg} moves ${moved.length} ${moved.length === 1 ? 'country' : 'countries'} the warehouse ${paths.root} holds to another region: ${moved.slice(0, 8).join(', ')}${moved.length > 8 ? `, and ${moved.length - 8} more` : ''}; ` +
      'appending with it would put each in two regions. Append with the map the warehouse was built with, or rebuild it with the new map (`gdpmr run` the first load with --replace --regions, then --append each later one)',
  );
}
