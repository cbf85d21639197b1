// `gdpmr query history`: every figure ever loaded for a country, of every source, in every
// region and vintage. The country is named by its code, any name of the country map, or any
// name a figure was loaded under: all of them stand for one identity (SPEC §5).
import { existsSync } from 'node:fs';
import { DEFAULTS } from '../defaults.js';
import { cleanText, countryKey, parseCountryCode } from '../rules/normalize.js';
import type { RegionMap } from '../rules/regions.js';
import { DAYS_VIEW, SERIES } from '../store/region-db/schema.js';
import { begunBy, currentAsOf, IDENTITIES_OF_NAME } from '../store/region-db/validity-sql.js';
import { loadRegionMap } from '../store/region-map-file.js';
import { editDistance } from '../suggest.js';
import { round2 } from '../format.js';
import { type OpenWarehouse } from './warehouse.js';

export interface HistoryFigure {
  source: string;
  region: string;
  country: string;
  country_code: string | null;
  year: number;
  gdp_usd_billion: number;
  published: string | null;
  run_id: string;
  is_current: boolean;
  is_projection: boolean;
}

export interface HistoryAnswer {
  query: 'history';
  country: string;
  as_of: string | null;
  figures: HistoryFigure[];
  /** Why the answer is empty: the nearest names the warehouse knows. */
  note?: string;
}

/** A figure as SQLite gives it: flags as 0/1, and what orders a fact's vintages. */
type HistoryRow = Omit<HistoryFigure, 'is_current' | 'is_projection'> & { is_current: number; is_projection: number; load_seq: number; line: number };

const COLUMNS = 'source, region, name AS country, country_code, year, gdp_usd_billion, published, run_id, is_projection, load_seq, line';
export const ALL = `SELECT ${COLUMNS}, is_current FROM gdp WHERE country_key = @key`;
// As of a date, later vintages are invisible, and the current figure is the one whose
// validity interval holds the date.
const AS_OF = `SELECT ${COLUMNS}, (${currentAsOf()}) AS is_current FROM ${DAYS_VIEW} WHERE country_key = @key AND ${begunBy()}`;

/** The map the warehouse was built with, else the project's own (it may have moved since). */
export function warehouseMap(warehouse: OpenWarehouse): RegionMap {
  const path = warehouse.manifest.config.region_map;
  return loadRegionMap(existsSync(path) ? path : DEFAULTS.regionMap);
}

/** The identities (country_key values) a name or code stands for. */
export function identitiesOf(warehouse: OpenWarehouse, map: RegionMap, text: string): string[] {
  const clean = cleanText(text);
  const keys = new Set<string>();
  const code = parseCountryCode(clean);
  if (code !== undefined && code !== '') keys.add(code);
  const entry = map.entryOf(clean);
  if (entry !== undefined) {
    keys.add(entry.code ?? countryKey(clean));
  } else {
    // A name the map does not know: the identities of the figures loaded under it, and the
    // name itself (the identity of a figure that had neither a code nor a map entry).
    keys.add(countryKey(clean));
    for (const { db } of warehouse.regions) {
      const rows = db.prepare(IDENTITIES_OF_NAME).all({ name: countryKey(clean) }) as Array<{ country_key: string }>;
      for (const r of rows) keys.add(r.country_key);
    }
  }
  return [...keys];
}

const BY_FACT_ORDER = (a: HistoryRow, b: HistoryRow): number =>
  cmp(a.source, b.source) || cmp(a.region, b.region) || a.year - b.year || cmp(a.published ?? '', b.published ?? '') || a.load_seq - b.load_seq || a.line - b.line;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function history(warehouse: OpenWarehouse, country: string, asOf: string | undefined): HistoryAnswer {
  const map = warehouseMap(warehouse);
  const keys = identitiesOf(warehouse, map, country);
  const rows: HistoryRow[] = [];
  for (const { db } of warehouse.regions) {
    const statement = db.prepare(asOf === undefined ? ALL : AS_OF);
    for (const key of keys) rows.push(...(statement.all(asOf === undefined ? { key } : { key, asOf }) as HistoryRow[]));
  }
  // Fact order: an undated figure ('' here, NULL in SQL) is the oldest of its fact.
  rows.sort(BY_FACT_ORDER);
  const answer: HistoryAnswer = {
    query: 'history',
    country: cleanText(country),
    as_of: asOf ?? null,
    figures: rows.map((r) => ({
      source: r.source,
      region: r.region,
      country: r.country,
      country_code: r.country_code,
      year: r.year,
      gdp_usd_billion: round2(r.gdp_usd_billion),
      published: r.published,
      run_id: r.run_id,
      is_current: r.is_current === 1,
      is_projection: r.is_projection === 1,
    })),
  };
  if (rows.length === 0) {
    const near = nearestNames(warehouse, map, cleanText(country));
    answer.note = near.length === 0 ? `no figure for ${JSON.stringify(cleanText(country))}` : `no figure for ${JSON.stringify(cleanText(country))}; did you mean ${near.map((n) => JSON.stringify(n)).join(', ')}?`;
  }
  return answer;
}

/**
 * Up to three names of countries the warehouse holds, nearest to `name`: those that hold it as
 * a word ("korea": "South Korea") first, then by edit distance; one spelling per name whatever
 * its case. Read from the series tables (a row per country and source), not from the rows: a
 * warehouse of millions of rows answers at once.
 */
function nearestNames(warehouse: OpenWarehouse, map: RegionMap, name: string): string[] {
  const names = new Map<string, string>();
  const add = (n: string | null): void => {
    if (n !== null && n !== '' && !names.has(n.toLowerCase())) names.set(n.toLowerCase(), n);
  };
  const held = new Set<string>();
  for (const { db } of warehouse.regions) {
    for (const r of db.prepare(`SELECT name, spelling, country_code FROM ${SERIES}`).all() as Array<{ name: string | null; spelling: string; country_code: string | null }>) {
      add(r.name);
      add(r.spelling);
      if (r.country_code !== null) held.add(r.country_code);
    }
  }
  // The map's other spellings of the countries held are good answers too (its keys are lower case).
  for (const [key, entry] of map.names()) if (entry.code !== null && held.has(entry.code)) add(key);
  const target = name.toLowerCase();
  const limit = Math.max(2, Math.floor(target.length / 3));
  const word = new RegExp(`(^|[^\\p{L}])${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u');
  return [...names]
    .map(([lower, n]) => ({ n, d: target.length >= 3 && word.test(lower) ? -1 : editDistance(target, lower, limit) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d || cmp(a.n, b.n))
    .slice(0, 3)
    .map((c) => c.n);
}
