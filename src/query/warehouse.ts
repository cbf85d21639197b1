// Read-only access to a published warehouse, through the generation `.current` names.
import type Database from 'better-sqlite3';
import { GdpmrError } from '../errors.js';
import { currentGeneration } from '../engine/publish.js';
import { WarehousePaths } from '../engine/run-dir.js';
import { REGIONS, type Region } from '../spec/normalize.js';
import { readManifest, type Manifest } from '../store/manifest.js';
import { openReadOnly } from '../store/region-db.js';

export interface OpenWarehouse {
  manifest: Manifest;
  regions: Array<{ region: Region; db: Database.Database }>;
  close(): void;
}

export function openWarehouse(dir: string): OpenWarehouse {
  const paths = new WarehousePaths(dir);
  // Resolve `.current` once: a run publishing meanwhile swaps it, never the files under it.
  const current = currentGeneration(paths);
  if (current === null) {
    throw new GdpmrError('NO_WAREHOUSE', `--warehouse must be a directory built by gdpmr run, got ${paths.root} (no published warehouse); run \`gdpmr run INPUT.csv --out ${dir}\` first`);
  }
  const generation = paths.generation(current);
  let manifest: Manifest;
  try {
    manifest = readManifest(generation.manifest);
  } catch (error) {
    throw new GdpmrError('NO_WAREHOUSE', `${paths.manifest} is not a gdpmr manifest (${(error as Error).message.split('\n')[0]}); rebuild it with \`gdpmr run\``);
  }
  const regions = REGIONS.filter((r) => (manifest.counts.by_region[r] ?? 0) > 0).map((region) => ({ region, db: openReadOnly(generation.regionDb(region)) }));
  return {
    manifest,
    regions,
    close: () => regions.forEach((r) => r.db.close()),
  };
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

const VISIBLE = '(published IS NULL OR published <= @asOf)';
// Among visible figures, a fact's current one has the latest vintage, then the latest load
// and line; a country's latest figure is the current one of its greatest year.
const RANKED = `ROW_NUMBER() OVER (PARTITION BY country_key ORDER BY year DESC, published DESC, load_seq DESC, line DESC)`;
const RANKED_IN_YEAR = `ROW_NUMBER() OVER (PARTITION BY country_key ORDER BY published DESC, load_seq DESC, line DESC)`;

/**
 * SQL for one region's figures in the view, highest GDP first (ties: country ascending),
 * with `@min` as a floor and `@limit` as a cap (-1: none). Without --as-of the flags set at
 * load time answer it through an index; with --as-of, current and latest are decided anew.
 */
export function figuresSql(view: FigureView): string {
  const order = 'ORDER BY gdp_usd_billion DESC, country ASC LIMIT @limit';
  if (view.asOf === undefined) {
    const where = view.year === undefined ? 'is_latest = 1' : 'year = @year AND is_current = 1';
    return `SELECT country, region, year, gdp_usd_billion FROM gdp WHERE ${where} AND gdp_usd_billion >= @min ${order}`;
  }
  const inner =
    view.year === undefined
      ? `SELECT country, region, year, gdp_usd_billion, ${RANKED} AS rank FROM gdp WHERE ${VISIBLE}`
      : `SELECT country, region, year, gdp_usd_billion, ${RANKED_IN_YEAR} AS rank FROM gdp WHERE year = @year AND ${VISIBLE}`;
  return `SELECT country, region, year, gdp_usd_billion FROM (${inner}) WHERE rank = 1 AND gdp_usd_billion >= @min ${order}`;
}

export function regionFigures(db: Database.Database, view: FigureView, min: number, limit: number): CountryFigure[] {
  const params: Record<string, unknown> = { min, limit };
  if (view.year !== undefined) params.year = view.year;
  if (view.asOf !== undefined) params.asOf = view.asOf;
  return db.prepare(figuresSql(view)).all(params) as CountryFigure[];
}

/** Rounds a value for output; comparisons and means use the unrounded one. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** GDP descending, then country name ascending in code-point order (SQLite's BINARY). */
export function byGdpThenName(a: CountryFigure, b: CountryFigure): number {
  if (a.gdp_usd_billion !== b.gdp_usd_billion) return b.gdp_usd_billion - a.gdp_usd_billion;
  return Buffer.compare(Buffer.from(a.country), Buffer.from(b.country));
}
