// One SQLite database per region: its schema, the bulk loader reduce tasks use, the index
// build that follows it, and the read-only handle queries use. Indexes are built after the
// load: inserting into a table with indexes costs several times more than sorting once at the end.
import Database from 'better-sqlite3';
import { LATEST_FOREVER } from '../rules/current.js';
import { FactRows, forecastPairs, type EmitPair } from '../rules/forecasts.js';
import type { Region } from '../rules/normalize.js';

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
interface RegionSchema {
  /** The two tables, with only their stored columns. */
  tables: string;
  /** The generated columns of gdp_rows, each as ADD COLUMN takes it. */
  generated: string[];
  /** The views `gdp` and `gdp_days`. */
  views: string;
}

function regionSchema(region: Region, runIds: readonly string[], sources: readonly string[]): RegionSchema {
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
) WITHOUT ROWID`,
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

/**
 * Dates are stored as day numbers (the Julian day of the date's start, SQLite's julianday() less
 * 0.5: 2460310 for 2024-01-01), '' as 0, before every date as '' is; 3 bytes where the text took
 * 10. The view shows them as text; the queries' interval tests read the numbers, through the
 * view `gdp_days`: the columns of `gdp` and the day numbers.
 */
export const DAYS_VIEW = 'gdp_days';
const DAY_COLUMNS = ['published_day', 'valid_to_day', 'latest_from_day', 'latest_to_day'] as const;
/** A day number's date as text: '' for 0, NULL for NULL. */
export function dayText(column: string): string {
  return `CASE ${column} WHEN 0 THEN '' ELSE date(${column} + 0.5) END`;
}
/** @param, a date as text, as a day number: SQLite computes it once per statement. */
export const dayOfParam = (param: string): string => `(julianday(${param}) - 0.5)`;

/**
 * The day number of a date `YYYY-MM-DD` (any year 0000-9999, proleptic Gregorian as SQLite's), '' 0.
 * Worked out from the digits (days from the civil date, as in H. Hinnant's "chrono-compatible
 * low-level date algorithms"): a map of dates to numbers cost a string hash per row, as each
 * row's date is a fresh slice of its line.
 */
export function dayNumber(date: string): number {
  if (date.length === 0) return 0;
  const month = digit(date, 5) * 10 + digit(date, 6);
  // Years start in March, so a leap day is a year's last.
  const year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3) - (month <= 2 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + digit(date, 8) * 10 + digit(date, 9) - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468 + UNIX_EPOCH_DAY;
}
const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;
/** 1970-01-01's day number. */
const UNIX_EPOCH_DAY = 2440587;
/** LATEST_FOREVER's. */
const FOREVER_DAY = dayNumber(LATEST_FOREVER);

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
/** Facts about a region's rows as a whole, key and value. */
const META = 'gdp_meta';
/** How many rows store a "latest" interval with gaps (0 or NULL: none). */
export const LATEST_GAPS = `SELECT value FROM ${META} WHERE key = 'latest_hulls_with_gaps'`;
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
const storesRunId = (runIds: readonly string[]): boolean => runIds.length > MAX_SCHEMA_RUN_IDS;
/** Sources the schema spells; a warehouse of more (or of none known) stores the text per row. */
const MAX_SCHEMA_SOURCES = 64;
const storesSource = (sources: readonly string[]): boolean => sources.length === 0 || sources.length > MAX_SCHEMA_SOURCES;

// Queries without --year read the latest figures in GDP order, from a partial index that holds
// only the rows they can return, a fraction of the table, so it builds fast; with --year, one
// year's figures in GDP order (gdp_fact_as_of below).
//
// --as-of reads validity intervals (SPEC §9). A fact's non-empty intervals [valid_from,
// valid_to) do not overlap, so at most one of its rows holds a date D; a country's non-empty
// "latest" intervals [valid_from, latest_to) do not overlap either. So both indexes below,
// in GDP order and holding only rows whose interval is not empty, give the as-of answer in
// GDP order: a scan that stops after k rows that hold D, as the plain top 5 does.
// gdp_latest_as_of holds the few rows of a country that ever were its latest. validToKey
// puts a current figure (valid_to NULL) after every date. History and revisions read a
// country's rows by gdp_series_key and the table's own key.
/** valid_to of a row (of table alias `t`) with a current figure's NULL after every date. */
export const validToKey = (t = ''): string => `coalesce(${t}valid_to_day, ${FOREVER_DAY})`;
/** A row (of alias `t`) whose "latest" interval is not empty: it was its country's latest on some day. */
const everLatest = (t = ''): string => `${t}latest_to_day > coalesce(${t}latest_from_day, 0)`;
export const EVER_LATEST = everLatest();
const AS_OF = dayOfParam('@asOf');
/** A row that was its country's latest figure on @asOf. */
// A figure latest for good (latest_to LATEST_FOREVER) is latest on that day too: --as-of 9999-12-31.
export const latestAsOf = (t = ''): string =>
  `${everLatest(t)} AND (${t}latest_to_day > ${AS_OF} OR ${t}latest_to_day = ${FOREVER_DAY}) AND (${t}latest_from_day IS NULL OR ${t}latest_from_day <= ${AS_OF})`;
/** A row (of alias `t`) whose validity interval is not empty: it was current on some day. */
export const everCurrent = (t = ''): string => `${validToKey(t)} > coalesce(${t}published_day, 0)`;
export const EVER_CURRENT = everCurrent();
/** A row (of table alias `t`) visible as of @param: published by then, or undated. */
export const begunBy = (param = '@asOf', t = ''): string => `(${t}published_day IS NULL OR ${t}published_day <= ${dayOfParam(param)})`;
/** A row (of table alias `t`) that was its fact's current figure on @param: its interval holds the date. */
export const currentAsOf = (param = '@asOf', t = ''): string => `${begunBy(param, t)} AND (${t}valid_to_day IS NULL OR ${t}valid_to_day > ${dayOfParam(param)})`;
/** A row (of alias `t`) published after @param. */
export const publishedAfter = (param: string, t = ''): string => `${t}published_day > ${dayOfParam(param)}`;
/** The earliest published date of the rows of @source, as text (NULL when none is dated). */
export const EARLIEST_PUBLISHED = `SELECT ${dayText('min(published_day)')} AS first, max(published_day IS NULL) AS undated FROM ${ROWS} WHERE source = @source`;
/** Every published date of @source, as text, oldest first. */
export const PUBLISHED_DATES = `SELECT ${dayText('published_day')} AS published FROM (SELECT DISTINCT published_day FROM ${ROWS} WHERE published_day IS NOT NULL AND source = @source) ORDER BY published_day`;
const CREATE_INDEXES = [
  // GDP order alone: a tie on GDP is put in name order by a sort of the tied rows, which
  // SQLite does as it reads the index (the name is the series', not the row's).
  `CREATE INDEX IF NOT EXISTS gdp_latest_by_gdp ON ${ROWS} (source, gdp_usd_billion DESC) WHERE is_latest = 1`,
  // A country's rows are a range of gdp_rows' key; this finds its series.
  `CREATE INDEX IF NOT EXISTS gdp_series_key ON ${SERIES} (country_key, source)`,
  // Only (year, GDP): the interval test reads the few rows the scan meets before k match, and
  // the narrower key builds in 2/3 of the time of one that carries the interval too. It also
  // serves --year without --as-of (current rows are among its rows): one index fewer to build.
  `CREATE INDEX IF NOT EXISTS gdp_fact_as_of ON ${ROWS} (source, year, gdp_usd_billion DESC) WHERE ${EVER_CURRENT}`,
  `CREATE INDEX IF NOT EXISTS gdp_latest_as_of ON ${ROWS} (source, gdp_usd_billion DESC, latest_to, latest_from) WHERE ${EVER_LATEST}`,
  // The few rows spelled otherwise than their series' first, by name: IDENTITIES_OF_NAME.
  `CREATE INDEX IF NOT EXISTS gdp_other_spellings ON ${ROWS} (lower(spelling_unless_series)) WHERE spelling_unless_series IS NOT NULL`,
];

/**
 * The identities (country_key) of the figures loaded under a name, or shown under it
 * (`@name`, in lower case as SQLite's lower() gives it): the series' names and first
 * spellings, then the rows spelled otherwise, through their index. A scan of the view would
 * read every row (~0.3 s a region on 128 MB).
 */
export const IDENTITIES_OF_NAME = `
SELECT country_key FROM ${SERIES} WHERE lower(spelling) = @name OR lower(name) = @name
UNION
SELECT s.country_key FROM ${ROWS} r JOIN ${SERIES} s ON s.id = r.series_id
  WHERE lower(r.spelling_unless_series) = @name AND r.spelling_unless_series IS NOT NULL`;

const ROWS_PER_INSERT = 200;

/**
 * Writes a fresh region database's rows in one transaction; `finish` commits and closes, and
 * `indexRegionDb` then adds the indexes.
 *
 * Binding values costs more than SQLite's own insert (1 M rows: 0.19 us per row with nothing
 * bound, ~0.9 with everything), a string ~0.1 us and an integer ~0.04, so as little is bound
 * as can be: region and run_id are the schema's (see createTableSql); a country's key, code
 * and name once per series; is_current, is_latest, load_seq and the source travel as one
 * integer that SQL takes apart. With 16 KB pages instead of 4 KB the load and index builds
 * take ~25 % less.
 */
export class RegionDbWriter {
  private readonly db: Database.Database;
  private readonly insertMany: Database.Statement;
  private readonly insertSeries: Database.Statement;
  private readonly pending: unknown[] = [];
  private readonly bindsRunId: boolean;
  private readonly bindsSource: boolean;
  private readonly sourceIds: ReadonlyMap<string, number>;
  private readonly runIds: readonly string[];
  private readonly sql: (rows: number) => string;
  private pendingRows = 0;
  private readonly schema: RegionSchema;
  rows = 0;
  /** Rows of each source, by its id in the schema's list (or by name where the text is stored). */
  private readonly sourceRows: number[];
  /** The fact being written (series id, year) and its rows, for its forecast pairs. */
  private factSeries = 0;
  private factYear = 0;
  private readonly factRows = new FactRows();
  private readonly pendingPairs: unknown[] = [];
  private pendingPairCount = 0;
  private readonly insertPairs: Database.Statement;
  private readonly textSourceRows = new Map<string, number>();
  /**
   * The series being written. The reduce's rows come series by series; rows that come back to
   * an earlier series (only a test writes those) start another of the same key, which readers
   * of the view cannot tell apart. No map of every series is kept: its keys would be slices of
   * the merge's text and hold all of it in memory (+60 MB per reduce on 128 MB).
   */
  private series = { source: '', identity: '', name: null as string | null, id: 0, spelling: '' };

  /** `runIds[load_seq]` is that load's run_id. */
  constructor(path: string, region: Region, runIds: readonly string[], sources: readonly string[] = []) {
    this.runIds = runIds;
    this.bindsRunId = storesRunId(runIds);
    this.bindsSource = storesSource(sources);
    this.sourceIds = new Map(sources.map((name, id) => [name, id]));
    this.sourceRows = sources.map(() => 0);
    this.db = new Database(path);
    // page_size only takes effect before the first table is created.
    this.db.pragma('page_size = 16384');
    // A staging file is thrown away if anything fails, so durability during the build buys
    // nothing; the publish step makes the finished file durable.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -16384');
    this.schema = regionSchema(region, runIds, sources);
    this.db.exec(this.schema.tables);
    this.sql = insertSqlFor(this.bindsRunId, this.bindsSource);
    this.insertMany = this.db.prepare(this.sql(ROWS_PER_INSERT));
    this.insertPairs = this.db.prepare(insertPairsSql(PAIRS_PER_INSERT));
    this.insertSeries = this.db.prepare(`INSERT INTO ${SERIES} (id, source, country_key, country_code, name, spelling) VALUES (?, ?, ?, ?, ?, ?)`);
    this.db.exec('BEGIN');
  }

  /**
   * One row, as separate values: the reduce loop calls this per row and builds no object.
   * `name` is the map's name for the country's code (null: the row's own spelling is shown).
   */
  addValues(
    country: string,
    name: string | null,
    source: string,
    identity: string,
    year: number,
    gdpUsdBillion: number,
    published: string | null,
    line: number,
    isCurrent: boolean,
    isLatest: boolean,
    loadSeq: number,
    validTo: string | null,
    latestFrom: string,
    latestTo: string,
    isProjection: boolean,
    estimatesStartAfter: number | null,
  ): void {
    const runId = this.runIds[loadSeq];
    if (runId === undefined) throw new Error(`load_seq ${loadSeq} has no run_id (${this.runIds.length} loads)`);
    let flags = loadSeq * 8 + (isProjection ? 4 : 0) + (isCurrent ? 2 : 0) + (isLatest ? 1 : 0);
    if (!this.bindsSource) {
      const id = this.sourceIds.get(source);
      if (id === undefined) throw new Error(`source ${JSON.stringify(source)} is not among the reduce task's sources (${[...this.sourceIds.keys()].join(', ')})`);
      flags += id * SOURCE_SHIFT;
      this.sourceRows[id]++;
    }
    if (identity !== this.series.identity || source !== this.series.source || name !== this.series.name || this.series.id === 0) this.enterSeries(source, identity, name, country);
    const series = this.series;
    if (series.id !== this.factSeries || year !== this.factYear) {
      this.flushFact();
      this.factSeries = series.id;
      this.factYear = year;
    }
    this.factRows.push(published, validTo, isProjection, gdpUsdBillion);
    // latest_to and latest_from are bound only where they differ from what they mostly equal.
    const latest = latestTo === (validTo ?? LATEST_FOREVER) ? null : dayNumber(latestTo);
    const latestStart = latestFrom === (published ?? '') ? null : dayNumber(latestFrom);
    if (this.bindsSource) {
      this.textSourceRows.set(source, (this.textSourceRows.get(source) ?? 0) + 1);
      this.pending.push(source);
    }
    this.pending.push(series.id, year, gdpUsdBillion, published === null ? null : dayNumber(published), line, flags, validTo === null ? null : dayNumber(validTo), latest, latestStart, country === series.spelling ? null : country, estimatesStartAfter);
    if (this.bindsRunId) this.pending.push(runId);
    this.rows++;
    if (++this.pendingRows === ROWS_PER_INSERT) {
      this.insertMany.run(this.pending);
      this.pending.length = 0;
      this.pendingRows = 0;
    }
  }

  private readonly emitPair: EmitPair = (hLo, hHi, forecast, forecastPublished, actual, actualPublished) => {
    this.pendingPairs.push(this.factSeries, this.factYear, hLo, hHi, forecast, forecastPublished === null ? null : dayNumber(forecastPublished), actual, actualPublished === null ? null : dayNumber(actualPublished));
    if (++this.pendingPairCount === PAIRS_PER_INSERT) {
      this.insertPairs.run(this.pendingPairs);
      this.pendingPairs.length = 0;
      this.pendingPairCount = 0;
    }
  };

  private flushFact(): void {
    if (this.factRows.count === 0) return;
    forecastPairs(this.factYear, this.factRows, this.emitPair);
    this.factRows.count = 0;
  }

  private enterSeries(source: string, identity: string, name: string | null, spelling: string): void {
    const id = this.series.id + 1;
    // A code is three capital letters, which no case-insensitive name key is (SPEC §1).
    this.insertSeries.run(id, source, identity, CODE.test(identity) ? identity : null, name, spelling);
    this.series = { source, identity, name, id, spelling };
  }

  /** Rows written of each source that has any: the manifest's by_source. */
  get rowsBySource(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.textSourceRows);
    for (const [name, id] of this.sourceIds) if (this.sourceRows[id] > 0) out[name] = this.sourceRows[id];
    return out;
  }

  /**
   * `hullsWithGaps`: rows whose "latest" dates had gaps (CurrentMarker), kept in gdp_meta so that
   * --as-of queries pick the greatest year only in a region that needs it (LATEST_GAPS).
   */
  finish(hullsWithGaps: number): void {
    if (this.pendingRows > 0) this.db.prepare(this.sql(this.pendingRows)).run(this.pending);
    this.flushFact();
    if (this.pendingPairCount > 0) this.db.prepare(insertPairsSql(this.pendingPairCount)).run(this.pendingPairs);
    this.pendingPairs.length = 0;
    this.pendingPairCount = 0;
    this.db.exec(`CREATE TABLE ${META} (key TEXT PRIMARY KEY, value) WITHOUT ROWID`);
    this.db.prepare(`INSERT INTO ${META} VALUES ('latest_hulls_with_gaps', CAST(? AS INTEGER))`).run(hullsWithGaps);
    this.pending.length = 0;
    this.pendingRows = 0;
    // Generated columns join the table after its rows: SQLite computes every one of them, the
    // VIRTUAL ones too, for each row inserted (~0.45 us a row, a third of the insert, for
    // values nothing reads then). Adding a VIRTUAL column only edits the schema.
    for (const column of this.schema.generated) this.db.exec(`ALTER TABLE ${ROWS} ADD COLUMN ${column}`);
    this.db.exec(this.schema.views);
    this.db.exec('COMMIT');
    this.db.close();
  }

  abandon(): void {
    if (this.db.open) this.db.close();
  }
}

const CODE = /^[A-Z]{3}$/;

const PAIRS_PER_INSERT = 100;
const insertPairsSql = (pairs: number): string =>
  `INSERT INTO ${FORECASTS} (series_id, year, h_lo, h_hi, forecast, forecast_published_day, actual, actual_published_day) VALUES ${new Array(pairs).fill('(?,?,?,?,?,?,?,?)').join(',')}`;

/**
 * One row's values are ([source, when stored,] series id, year, gdp, published, line, flags,
 * valid_to, latest_cut (latest_to, or NULL when it equals valid_to's end), latest_start
 * (latest_from, or NULL when it equals published), dates as day numbers, the spelling (NULL when it is the series'
 * first), estimates_start_after, and run_id when it is stored), flags being source_id *
 * SOURCE_SHIFT + load_seq * 8 + is_projection * 4 + is_current * 2 + is_latest. The rows are a
 * VALUES list read by a SELECT, whose columns
 * (column1, column2, …) SQL can use twice: a bound parameter of better-sqlite3's arrays is a
 * plain `?`, usable once. (Two day numbers bound as one integer, 8 values a row instead of 10,
 * loaded no faster: 0.898 against 0.895 us a row, 1 M rows, median of 5.) is_projection is the
 * reduce's (rules/normalize.ts isProjectionYear), stored: the rule has one definition, in code.
 */
function insertSqlFor(bindsRunId: boolean, bindsSource: boolean): (rows: number) => string {
  const width = 11 + (bindsRunId ? 1 : 0) + (bindsSource ? 1 : 0);
  const tuple = `(${new Array(width).fill('?').join(',')})`;
  // Column numbers of the VALUES list: the source (when bound) first, run_id (when bound) last.
  const c = (n: number): string => `column${n + (bindsSource ? 1 : 0)}`;
  const names = ['series_id', 'year', 'gdp_usd_billion', 'published_day', 'line', 'is_current', 'is_latest', 'is_projection', 'load_seq', bindsSource ? 'source' : 'source_id', 'valid_to_day', 'latest_cut_day', 'latest_start_day', 'spelling_unless_series', 'estimates_start_after', ...(bindsRunId ? ['run_id'] : [])];
  const flags = c(6);
  const values = [c(1), c(2), c(3), c(4), c(5), `(${flags} >> 1) & 1`, `${flags} & 1`, `(${flags} >> 2) & 1`, `(${flags} & ${SOURCE_SHIFT - 1}) >> 3`, bindsSource ? 'column1' : `${flags} >> 32`, c(7), c(8), c(9), c(10), c(11), ...(bindsRunId ? [c(12)] : [])];
  return (rows) => `INSERT INTO ${ROWS} (${names.join(', ')}) SELECT ${values.join(', ')} FROM (VALUES ${new Array(rows).fill(tuple).join(',')})`;
}

/** flags = source_id * SOURCE_SHIFT + load_seq * 8 + is_projection * 4 + is_current * 2 + is_latest. */
const SOURCE_SHIFT = 2 ** 32;

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Builds a loaded region database's indexes; returns how many it has. All in one transaction
 * under a rollback journal (unlike the load): a task killed half-way leaves the table as it
 * was, and its retry starts again. The journal holds little, as an index build only appends
 * pages. Without fsync (the publish step makes files durable), this guards against a dying
 * process, which is what a retry follows.
 *
 * `sorterThreads` lets SQLite's sorter hand index-building sorts to helper threads, which only
 * pay when a core is free (see `sorterThreadsFor`).
 */
export function indexRegionDb(path: string, sorterThreads: number): number {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('cache_size = -16384');
    db.pragma(`threads = ${sorterThreads}`);
    db.transaction(() => {
      for (const sql of CREATE_INDEXES) db.exec(sql);
      // Statistics of the small series table: without them SQLite takes a lookup of one
      // country's rows (history, revisions, --projections) by (source, year), thousands of rows
      // each, for as good as one by its key, a single series (revisions: minutes, not 0.3 s).
      db.exec(`ANALYZE ${SERIES}`);
    })();
    return (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index' AND tbl_name IN (?, ?)").get(ROWS, SERIES) as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Helper sorter threads for index builds when `workers` run at once on `cores`: one when a
 * core is left over (1 worker on 2 cores: 4.4 M rows, 0.45 -> 0.35 us per row for the three
 * indexes), none when every core has a worker. Then a helper only takes time from another
 * region's load (1 GB, 2 workers: 44.9-45.4 s with one, 43.1-43.3 s without) and sorts in
 * memory of its own (peak RSS 490-517 MB with one, 478-483 MB without). Never more than one:
 * two were no faster and cost ~45 MB more.
 */
export function sorterThreadsFor(workers: number, cores: number): number {
  return cores > workers ? 1 : 0;
}

export interface StoredFigure {
  country: string;
  country_key: string;
  source: string;
  year: number;
  gdp_usd_billion: number;
  published: string | null;
  line: number;
  run_id: string;
  load_seq: number;
  estimates_start_after: number | null;
}

/** Every row of a published region database, in batches of `batchRows`, in no set order. */
export function* readAllFigures(path: string, batchRows: number): Generator<StoredFigure[]> {
  const db = openReadOnly(path);
  try {
    const rows = db
      .prepare('SELECT country, country_key, source, year, gdp_usd_billion, published, line, run_id, load_seq, estimates_start_after FROM gdp')
      .iterate() as IterableIterator<StoredFigure>;
    let batch: StoredFigure[] = [];
    for (const row of rows) {
      batch.push(row);
      if (batch.length === batchRows) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    db.close();
  }
}

export function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/** Rows and current rows of a region database, and its rows of each source. */
export function countRows(path: string): { rows: number; current: number; bySource: Record<string, number> } {
  const db = openReadOnly(path);
  try {
    // The table, not the view: counting needs no series.
    const totals = db.prepare(`SELECT count(*) AS rows, coalesce(sum(is_current), 0) AS current FROM ${ROWS}`).get() as { rows: number; current: number };
    const bySource: Record<string, number> = {};
    for (const r of db.prepare(`SELECT source, count(*) AS n FROM ${ROWS} GROUP BY source`).all() as Array<{ source: string; n: number }>) bySource[r.source] = r.n;
    return { ...totals, bySource };
  } finally {
    db.close();
  }
}
