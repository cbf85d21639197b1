// Read-only access to a published warehouse, through the generation `.current` names.
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { errorText, GdpmrError, usage } from '../errors.js';
import { WarehousePaths } from '../store/layout.js';
import { requireSound } from '../store/verify.js';
import { REGIONS, type Region } from '../rules/normalize.js';
import type { Manifest } from '../store/manifest.js';
import { firstReleaseSql } from '../store/vintage-sql.js';
import { openReadOnly } from '../store/region-db/read.js';
import { DAYS_VIEW } from '../store/region-db/schema.js';
import { currentAsOf, EARLIEST_PUBLISHED, EVER_CURRENT, LATEST_GAPS, latestAsOf } from '../store/region-db/validity-sql.js';

export interface OpenWarehouse {
  manifest: Manifest;
  regions: Array<{ region: Region; db: Database.Database }>;
  close(): void;
}

export function openWarehouse(dir: string): OpenWarehouse {
  // The cheap checks first: a damaged warehouse is refused, naming the file, not answered from.
  const { manifest, generation: current } = requireSound(dir);
  // `.current` is resolved once: a run publishing meanwhile swaps it, never the files under it.
  const generation = new WarehousePaths(dir).generation(current);
  const regions: OpenWarehouse['regions'] = [];
  const close = (): void => regions.forEach((r) => r.db.close());
  for (const region of REGIONS.filter((r) => (manifest.counts.by_region[r] ?? 0) > 0)) {
    const path = generation.regionDb(region);
    try {
      const db = openReadOnly(path);
      regions.push({ region, db });
      db.prepare('SELECT 1 FROM gdp LIMIT 1').get();
    } catch (error) {
      close();
      throw damaged(dir, path, error);
    }
  }
  return { manifest, regions, close };
}

function damaged(dir: string, file: string, error: unknown): GdpmrError {
  return new GdpmrError('WAREHOUSE_DAMAGED', `warehouse ${resolve(dir)} is damaged: ${file}: ${errorText(error, 300)}; \`gdpmr verify --warehouse ${dir}\` lists every problem and how to recover`);
}

/**
 * Opens the warehouse, asks, closes. A database that fails while it is read (a damaged page
 * deep in a file) is reported as damage, naming the warehouse, not as a bug.
 */
export function withWarehouse<T>(dir: string, ask: (w: OpenWarehouse) => T): T {
  const warehouse = openWarehouse(dir);
  const asDamage = (error: unknown): unknown => (error instanceof GdpmrError || (error as Error)?.name !== 'SqliteError' ? error : damaged(dir, `${resolve(dir)}/regions`, error));
  let answer: T;
  try {
    answer = ask(warehouse);
  } catch (error) {
    warehouse.close();
    throw asDamage(error);
  }
  // An answer that streams (a promise) keeps the databases open until it is written.
  if (answer instanceof Promise) {
    return answer.then(
      (value) => {
        warehouse.close();
        return value;
      },
      (error: unknown) => {
        warehouse.close();
        throw asDamage(error);
      },
    ) as T;
  }
  warehouse.close();
  return answer;
}

/** Which figures a query sees: one source's, SPEC §3's "latest figure" or one year, as of a date. */
export interface FigureView {
  source: string;
  year?: number;
  asOf?: string;
  /** Projections count as a country's latest figure too (no effect with a year). */
  projections?: boolean;
  /** `first`: each fact's first actual figure instead of its current one (SPEC §9). */
  release?: 'first' | 'latest';
}

export interface CountryFigure {
  /** The country's name (SPEC §1): the map's name for its code, else the name loaded. */
  country: string;
  country_code: string | null;
  region: Region;
  year: number;
  gdp_usd_billion: number;
}

/** The sources a warehouse holds, '' standing for figures that name none. */
export function sourcesOf(manifest: Manifest): string[] {
  return Object.keys(manifest.counts.by_source ?? {}).sort();
}

const sourceLabel = (source: string): string => (source === '' ? '"" (figures that name no source)' : source);

/** "imf figures", or "figures that name no source": how answers and notes speak of a source. */
export function sourceFigures(source: string): string {
  return source === '' ? 'figures that name no source' : `${source} figures`;
}

/**
 * SPEC §3: a query reads one source's figures: the one asked for, else the warehouse's only
 * one, else `imf` when it has IMF figures. Several and none of them `imf`: the user must say.
 */
export function chooseSource(manifest: Manifest, requested: string | undefined): string {
  const sources = sourcesOf(manifest);
  const held = sources.length === 0 ? 'no figures' : sources.map(sourceLabel).join(', ');
  if (requested !== undefined) {
    if (sources.length === 0 || sources.includes(requested)) return requested;
    throw usage(`--source must be one of the sources this warehouse holds (${held}), got ${JSON.stringify(requested)}`);
  }
  if (sources.length <= 1) return sources[0] ?? '';
  if (sources.includes('imf')) return 'imf';
  throw usage(`this warehouse holds figures of several sources (${held}) and none is imf: choose one with --source NAME`);
}

const FIGURE_COLUMNS = 'name AS country, country_code, region, year, gdp_usd_billion';

/**
 * SQL for one region's figures in the view, highest GDP first (ties: name ascending), with
 * `@min` as a floor and `@limit` as a cap (-1: none). Without --as-of the flags set at load
 * time answer it through an index. With --as-of the validity intervals do (SPEC §9): a
 * country's figure as of D is its one row whose interval holds D, read in GDP order from an
 * index of the rows whose interval is not empty. With --projections (no year) a country's
 * latest figure is its current one of the greatest year, projection or not: asked of each
 * current row through the (country, source, year) index, a slower path for that flag alone.
 */
export function figuresSql(view: FigureView, latestGaps = false): string {
  const order = 'ORDER BY gdp_usd_billion DESC, name ASC LIMIT @limit';
  if (view.release === 'first') return firstReleaseSql({ projections: view.projections === true, year: view.year !== undefined, asOf: view.asOf !== undefined });
  if (view.year === undefined && view.projections === true) {
    const current = (t: string): string => (view.asOf === undefined ? `${t}.is_current = 1` : currentAsOf('@asOf', `${t}.`));
    return `SELECT g.name AS country, g.country_code, g.region, g.year, g.gdp_usd_billion FROM ${DAYS_VIEW} g
      WHERE g.source = @source AND ${current('g')} AND g.gdp_usd_billion >= @min
        AND NOT EXISTS (SELECT 1 FROM ${DAYS_VIEW} h WHERE h.country_key = g.country_key AND h.source = g.source AND h.year > g.year AND ${current('h')})
      ORDER BY g.gdp_usd_billion DESC, g.name ASC LIMIT @limit`;
  }
  if (view.asOf === undefined) {
    const where = view.year === undefined ? 'is_latest = 1' : `year = @year AND is_current = 1 AND ${EVER_CURRENT}`;
    return `SELECT ${FIGURE_COLUMNS} FROM ${DAYS_VIEW} WHERE source = @source AND ${where} AND gdp_usd_billion >= @min ${order}`;
  }
  return view.year === undefined
    ? // A row stores the hull of the dates it was latest (rules/current.ts CurrentMarker): where
      // a later vintage called a year an estimate again (latestGaps: the region has such
      // rows), a lower year's hull may hold D too, and the greatest year's row is the one
      // latest on D. Elsewhere one row of a country holds D, and the check is not paid for.
      `SELECT g.name AS country, g.country_code, g.region, g.year, g.gdp_usd_billion FROM ${DAYS_VIEW} g
        WHERE g.source = @source AND ${latestAsOf('g.')} AND g.gdp_usd_billion >= @min${
          latestGaps ? `
          AND NOT EXISTS (SELECT 1 FROM ${DAYS_VIEW} h WHERE h.country_key = g.country_key AND h.source = g.source AND h.year > g.year AND ${latestAsOf('h.')})` : ''
        }
        ORDER BY g.gdp_usd_billion DESC, g.name ASC LIMIT @limit`
    : `SELECT ${FIGURE_COLUMNS} FROM ${DAYS_VIEW} WHERE source = @source AND year = @year AND ${EVER_CURRENT} AND ${currentAsOf()} AND gdp_usd_billion >= @min ${order}`;
}

/** Whether a region database stores "latest" intervals with gaps (store/region-db/validity-sql.ts LATEST_GAPS). */
function hasLatestGaps(db: Database.Database): boolean {
  const row = db.prepare(LATEST_GAPS).get() as { value: number | null } | undefined;
  return (row?.value ?? 0) > 0;
}

export function regionFigures(db: Database.Database, view: FigureView, min: number, limit: number): CountryFigure[] {
  const params: Record<string, unknown> = { min, limit, source: view.source };
  if (view.year !== undefined) params.year = view.year;
  if (view.asOf !== undefined) params.asOf = view.asOf;
  return db.prepare(figuresSql(view, view.asOf !== undefined && hasLatestGaps(db))).all(params) as CountryFigure[];
}

/**
 * Why an answer is empty, when the warehouse can say: an --as-of before the source's first
 * vintage, or a --year it has no figure for. Asked only of an empty answer.
 */
export function emptyAnswerNote(warehouse: OpenWarehouse, view: FigureView): string | null {
  const label = sourceFigures(view.source);
  if (view.asOf !== undefined) {
    let earliest: string | null = null;
    let undated = false;
    for (const { db } of warehouse.regions) {
      const r = db.prepare(EARLIEST_PUBLISHED).get({ source: view.source }) as { first: string | null; undated: number | null };
      if (r.first !== null && (earliest === null || r.first < earliest)) earliest = r.first;
      if (r.undated === 1) undated = true;
    }
    if (earliest !== null && view.asOf < earliest && !undated) return `no ${label} had been published by ${view.asOf}: the earliest vintage is ${earliest}`;
  }
  if (view.year === undefined && view.projections !== true) {
    // Every visible figure a projection: there is no latest actual one to show (SPEC §3). The
    // first actual figure found settles it; only a source without one is counted.
    const visible = `source = @source${view.asOf === undefined ? '' : ` AND ${currentAsOf()}`}`;
    const params = view.asOf === undefined ? { source: view.source } : { source: view.source, asOf: view.asOf };
    const hasActual = warehouse.regions.some(({ db }) => (db.prepare(`SELECT EXISTS (SELECT 1 FROM ${DAYS_VIEW} WHERE ${visible} AND is_projection = 0) AS found`).get(params) as { found: number }).found === 1);
    if (!hasActual) {
      const rows = warehouse.regions.reduce((n, { db }) => n + (db.prepare(`SELECT count(*) AS n FROM ${DAYS_VIEW} WHERE ${visible}`).get(params) as { n: number }).n, 0);
      if (rows > 0) {
        return `every one of the ${rows} ${label}${view.asOf === undefined ? '' : ` published by ${view.asOf}`} is a projection (the publisher's estimate or forecast, SPEC §1), so no country has a latest actual figure: --projections lets forecasts count, --year Y reads one year's figures`;
      }
    }
  }
  if (view.year !== undefined) {
    let first: number | null = null;
    let last: number | null = null;
    for (const { db } of warehouse.regions) {
      const r = db.prepare('SELECT min(year) AS first, max(year) AS last FROM gdp WHERE source = @source').get({ source: view.source }) as { first: number | null; last: number | null };
      if (r.first !== null && (first === null || r.first < first)) first = r.first;
      if (r.last !== null && (last === null || r.last > last)) last = r.last;
    }
    if (first === null) return `the warehouse holds no ${label}`;
    return `no ${label} for ${view.year}${view.asOf === undefined ? '' : ` as of ${view.asOf}`}: the warehouse has years ${first}–${last}`;
  }
  return null;
}

/**
 * The mean of finite figures, finite whatever their size: the plain sum when it is finite
 * (the answer a reference computes), else the sum of each figure's share, which cannot
 * overflow.
 */
export function meanOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  if (Number.isFinite(sum)) return sum / values.length;
  let mean = 0;
  for (const v of values) mean += v / values.length;
  return mean;
}


/** GDP descending, then country name ascending in code-point order (SQLite's BINARY). */
export function byGdpThenName(a: CountryFigure, b: CountryFigure): number {
  if (a.gdp_usd_billion !== b.gdp_usd_billion) return b.gdp_usd_billion - a.gdp_usd_billion;
  return Buffer.compare(Buffer.from(a.country), Buffer.from(b.country));
}
