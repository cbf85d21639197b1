// Read-only access to a published warehouse, through the generation `.current` names.
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { errorText, GdpmrError } from '../errors.js';
import { WarehousePaths } from '../store/layout.js';
import { requireSound } from '../store/verify.js';
import { REGIONS, type Region } from '../rules/normalize.js';
import type { Manifest } from '../store/manifest.js';
import { BEGUN_BY_AS_OF, EVER_CURRENT, EVER_LATEST, openReadOnly, VALID_TO_KEY } from '../store/region-db.js';

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

/** Which figures a query sees: SPEC §3's "latest figure", or one year, as of a date. */
export interface FigureView {
  year?: number;
  asOf?: string;
}

export interface CountryFigure {
  country: string;
  region: Region;
  year: number;
  gdp_usd_billion: number;
}

/**
 * SQL for one region's figures in the view, highest GDP first (ties: country ascending),
 * with `@min` as a floor and `@limit` as a cap (-1: none). Without --as-of the flags set at
 * load time answer it through an index. With --as-of the validity intervals do (SPEC §9): a
 * country's figure as of D is its one row whose interval holds D, read in GDP order from an
 * index of the rows whose interval is not empty.
 */
export function figuresSql(view: FigureView): string {
  const order = 'ORDER BY gdp_usd_billion DESC, country ASC LIMIT @limit';
  if (view.asOf === undefined) {
    const where = view.year === undefined ? 'is_latest = 1' : `year = @year AND is_current = 1 AND ${EVER_CURRENT}`;
    return `SELECT country, region, year, gdp_usd_billion FROM gdp WHERE ${where} AND gdp_usd_billion >= @min ${order}`;
  }
  return view.year === undefined
    ? `SELECT country, region, year, gdp_usd_billion FROM gdp WHERE ${EVER_LATEST} AND latest_to > @asOf AND ${BEGUN_BY_AS_OF} AND gdp_usd_billion >= @min ${order}`
    : `SELECT country, region, year, gdp_usd_billion FROM gdp WHERE year = @year AND ${EVER_CURRENT} AND ${VALID_TO_KEY} > @asOf AND ${BEGUN_BY_AS_OF} AND gdp_usd_billion >= @min ${order}`;
}

export function regionFigures(db: Database.Database, view: FigureView, min: number, limit: number): CountryFigure[] {
  const params: Record<string, unknown> = { min, limit };
  if (view.year !== undefined) params.year = view.year;
  if (view.asOf !== undefined) params.asOf = view.asOf;
  return db.prepare(figuresSql(view)).all(params) as CountryFigure[];
}

/** Rounds a value for output; comparisons and means use the unrounded one. */
export function round2(value: number): number {
  // toFixed rounds the exact binary value, as SQLite's round() and Python's round() do;
  // Math.round(value * 100) would round 2793.495 (really 2793.49499…) up.
  return Number(value.toFixed(2));
}

/** GDP descending, then country name ascending in code-point order (SQLite's BINARY). */
export function byGdpThenName(a: CountryFigure, b: CountryFigure): number {
  if (a.gdp_usd_billion !== b.gdp_usd_billion) return b.gdp_usd_billion - a.gdp_usd_billion;
  return Buffer.compare(Buffer.from(a.country), Buffer.from(b.country));
}
