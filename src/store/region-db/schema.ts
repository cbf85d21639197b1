// A region database's tables, views and names: what the writer creates and every reader reads.
import type { Region } from '../../rules/normalize.js';
import { dayText, FOREVER_DAY } from './days.js';

/**
 * A region's rows are stored in `gdp_rows`, its countries in `gdp_series`, and both are read
 * through the view `gdp` (SPEC §2 allows a view), whose columns every reader uses: a view lists
 * them all, with their types, where `PRAGMA table_info` of a table leaves generated columns
 * out, and SQLite flattens it into each query, indexes included.
 *
 * A series is one source's figures for one country identity (with the map's name for it): its
 * key, code, name and the first spelling of its rows are stored once, and each row carries the
 * series' number. The reduce writes a region's rows series by series, year by year, and numbers
 * the series as they come, so `gdp_rows`, a WITHOUT ROWID table keyed (series, year, load,
 * line), is written in key order (an append to the tree) and a country's rows are a range of
 * the table itself: history, revisions and the --projections path read them without an index
 * of their own. Against rows that each stored the name and an index on (key, source, year):
 * files 0.71x, index builds ~0.6x, the load the same; with dates as day numbers (DAYS_VIEW
 * below) the 1 GB run took 0.80x and its warehouse 0.61x (bench/RESULTS.md, 2026-12-02).
 *
 * Only what differs from row to row is stored; the rest are VIRTUAL generated columns:
 * - run_id, the load's, picked from the schema's own list by load_seq (up to
 *   MAX_SCHEMA_RUN_IDS loads; past that a CASE would cost every read, and run_id is stored);
 *   the source likewise by source_id;
 * - the row's spelling (`country`), stored only where it is not its series' first;
 * - the dates as text, from their day numbers; valid_from, which is published; latest_to,
 *   mostly valid_to's end: latest_cut_day is stored only where a greater year cut a figure's
 *   "latest" interval short.
 * They are added to the table once its rows are in (RegionDbWriter.finish): SQLite computes
 * every generated column of a row it inserts, VIRTUAL ones included, so with them in place the
 * insert cost 1.5 us a row instead of 0.97 (four date() calls and the CASEs, read by nothing).
 */
export interface RegionSchema {
  /** The two tables, with only their stored columns. */
  tables: string;
  /** The generated columns of gdp_rows, each as ADD COLUMN takes it. */
  generated: string[];
  /** The views `gdp` and `gdp_days`. */
  views: string;
}

export function regionSchema(region: Region, runIds: readonly string[], sources: readonly string[]): RegionSchema {
  // Like run_id, a source is spelled by the schema and picked by a small number per row.
  const source = storesSource(sources) ? 'source TEXT NOT NULL' : 'source_id INTEGER NOT NULL';
  const shown: Record<(typeof VIEW_COLUMNS)[number], string> = {
    // CAST gives an expression the declared type TEXT, which PRAGMA table_info (and DuckDB's
    // sqlite scanner) reads; a bare expression has none.
    country: 'CAST(coalesce(r.spelling_unless_series, s.spelling) AS TEXT)',
    country_code: 's.country_code',
    name: 'CAST(coalesce(s.name, r.spelling_unless_series, s.spelling) AS TEXT)',
    source: 'r.source',
    country_key: 's.country_key',
    region: `CAST(${sqlText(region)} AS TEXT)`,
    year: 'r.year',
    gdp_usd_billion: 'r.gdp_usd_billion',
    published: 'r.published',
    line: 'r.line',
    is_current: 'r.is_current',
    estimates_start_after: 'r.estimates_start_after',
    is_projection: 'r.is_projection',
    is_latest: 'r.is_latest',
    run_id: 'r.run_id',
    load_seq: 'r.load_seq',
    valid_from: 'r.valid_from',
    valid_to: 'r.valid_to',
    latest_from: 'r.latest_from',
    latest_to: 'r.latest_to',
  };
  const columns = VIEW_COLUMNS.map((c) => `${shown[c]} AS ${c}`).join(', ');
  const joined = `FROM ${ROWS} r JOIN ${SERIES} s ON s.id = r.series_id`;
  return {
    tables: `
CREATE TABLE ${SERIES} (
  id              INTEGER PRIMARY KEY,
  source          TEXT    NOT NULL,
  country_key     TEXT    NOT NULL,
  country_code    TEXT,
  name            TEXT,
  spelling        TEXT    NOT NULL
);
CREATE TABLE ${ROWS} (
  series_id       INTEGER NOT NULL,
  year            INTEGER NOT NULL,
  load_seq        INTEGER NOT NULL,
  line            INTEGER NOT NULL,
  ${source},
  gdp_usd_billion REAL    NOT NULL,
  published_day   INTEGER,
  is_current      INTEGER NOT NULL,
  is_latest       INTEGER NOT NULL,
  is_projection   INTEGER NOT NULL,
  estimates_start_after INTEGER,
  valid_to_day    INTEGER,
  latest_cut_day  INTEGER,
  latest_start_day INTEGER,
  spelling_unless_series TEXT,${storesRunId(runIds) ? '\n  run_id TEXT NOT NULL,' : ''}
  PRIMARY KEY (series_id, year, load_seq, line)
) WITHOUT ROWID;
CREATE TABLE ${FORECASTS} (
  series_id       INTEGER NOT NULL,
  year            INTEGER NOT NULL,
  h_lo            INTEGER NOT NULL,
  h_hi            INTEGER NOT NULL,
  forecast        REAL    NOT NULL,
  forecast_published_day INTEGER,
  actual          REAL    NOT NULL,
  actual_published_day INTEGER,
  PRIMARY KEY (series_id, year, h_lo)
) WITHOUT ROWID;
CREATE TABLE ${FIRST_LATEST} (
  series_id       INTEGER PRIMARY KEY,
  year            INTEGER NOT NULL,
  load_seq        INTEGER NOT NULL,
  line            INTEGER NOT NULL
)`,
    generated: [
      ...(storesSource(sources) ? [] : [`source TEXT GENERATED ALWAYS AS (CASE source_id ${sources.map((name, id) => `WHEN ${id} THEN ${sqlText(name)}`).join(' ')} END) VIRTUAL`]),
      `latest_from_day INTEGER GENERATED ALWAYS AS (coalesce(latest_start_day, published_day)) VIRTUAL`,
      `latest_to_day INTEGER GENERATED ALWAYS AS (coalesce(latest_cut_day, valid_to_day, ${FOREVER_DAY})) VIRTUAL`,
      `published TEXT GENERATED ALWAYS AS (${dayText('published_day')}) VIRTUAL`,
      `valid_to TEXT GENERATED ALWAYS AS (${dayText('valid_to_day')}) VIRTUAL`,
      `valid_from TEXT GENERATED ALWAYS AS (published) VIRTUAL`,
      `latest_from TEXT GENERATED ALWAYS AS (${dayText('latest_from_day')}) VIRTUAL`,
      `latest_to TEXT GENERATED ALWAYS AS (${dayText('latest_to_day')}) VIRTUAL`,
      ...(storesRunId(runIds) ? [] : [`run_id TEXT GENERATED ALWAYS AS (CASE load_seq ${runIds.map((id, seq) => `WHEN ${seq} THEN ${sqlText(id)}`).join(' ')} END) VIRTUAL`]),
    ],
    views: `
CREATE VIEW gdp AS SELECT ${columns} ${joined};
CREATE VIEW ${DAYS_VIEW} AS SELECT ${columns}, ${DAY_COLUMNS.map((c) => `r.${c} AS ${c}`).join(', ')} ${joined}`,
  };
}


/** The view of `gdp`'s columns and the day numbers the queries' interval tests read. */
export const DAYS_VIEW = 'gdp_days';
const DAY_COLUMNS = ['published_day', 'valid_to_day', 'latest_from_day', 'latest_to_day'] as const;

/** Where a region's countries (one row per source and identity) are stored. */
export const SERIES = 'gdp_series';
/** Where a region's rows are stored. */
export const ROWS = 'gdp_rows';
/**
 * Each projection that was a fact's current figure at the end of year Y - H, for H in
 * [h_lo, h_hi], with the fact's first actual figure (rules/forecasts.ts): what `query accuracy`
 * reads, written by the reduce as it writes the rows.
 */
export const FORECASTS = 'gdp_forecasts';
/**
 * Each series' first actual figure of its greatest year that has one (the row, by its key):
 * what `top5`/`over --release first` read when no --year, --as-of or --projections narrows it.
 */
export const FIRST_LATEST = 'gdp_first_latest';
/** Facts about a region's rows as a whole, key and value. */
export const META = 'gdp_meta';
/** The columns of the view gdp, as readers see them (SPEC §2 and §9). */
export const VIEW_COLUMNS = [
  'country',
  'country_code',
  'name',
  'source',
  'country_key',
  'region',
  'year',
  'gdp_usd_billion',
  'published',
  'line',
  'is_current',
  'estimates_start_after',
  'is_projection',
  'is_latest',
  'run_id',
  'load_seq',
  'valid_from',
  'valid_to',
  'latest_from',
  'latest_to',
] as const;

/** Loads whose run_id the schema spells; a warehouse of more stores it per row. */
const MAX_SCHEMA_RUN_IDS = 256;
export const storesRunId = (runIds: readonly string[]): boolean => runIds.length > MAX_SCHEMA_RUN_IDS;
/** Sources the schema spells; a warehouse of more (or of none known) stores the text per row. */
const MAX_SCHEMA_SOURCES = 64;
export const storesSource = (sources: readonly string[]): boolean => sources.length === 0 || sources.length > MAX_SCHEMA_SOURCES;

/** A value as an SQL string literal. */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
