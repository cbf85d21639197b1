// Writes a fresh region database: its tables, its rows in one transaction, and each fact's
// forecast pairs (rules/forecasts.ts). Indexes are built after the load (indexes.ts): inserting
// into a table with indexes costs several times more than sorting once at the end.
import Database from 'better-sqlite3';
import { LATEST_FOREVER } from '../../rules/current.js';
import { FactRows, firstActual, forecastPairs, type EmitPair } from '../../rules/forecasts.js';
import type { Region } from '../../rules/normalize.js';
import { dayNumber } from './days.js';
import { FIRST_LATEST, FORECASTS, META, regionSchema, ROWS, SERIES, storesRunId, storesSource, type RegionSchema } from './schema.js';

const ROWS_PER_INSERT = 200;

/**
 * Writes a fresh region database's rows in one transaction; `finish` commits and closes, and
 * `indexRegionDb` then adds the indexes.
 *
 * Binding values costs more than SQLite's own insert (1 M rows: 0.19 us per row with nothing
 * bound, ~0.9 with everything), a string ~0.1 us and an integer ~0.04, so as little is bound
 * as can be: region and run_id are the schema's (schema.ts regionSchema); a country's key, code
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
  private readonly insertFirstLatest: Database.Statement;
  /** The current series' greatest year with an actual figure so far, and that figure's row (year -1: none). */
  private firstYear = -1;
  private firstLoadSeq = 0;
  private firstLine = 0;
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
    this.insertFirstLatest = this.db.prepare(`INSERT INTO ${FIRST_LATEST} (series_id, year, load_seq, line) VALUES (?, ?, ?, ?)`);
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
      if (series.id !== this.factSeries) this.flushSeries();
      this.factSeries = series.id;
      this.factYear = year;
    }
    this.factRows.push(published, validTo, isProjection, gdpUsdBillion, loadSeq, line);
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
    const rows = this.factRows;
    if (rows.count === 0) return;
    const a = firstActual(rows);
    // Years come in ascending order within a series: the last fact with an actual figure is its greatest.
    if (a >= 0) {
      this.firstYear = this.factYear;
      this.firstLoadSeq = rows.loadSeq[a];
      this.firstLine = rows.line[a];
    }
    forecastPairs(this.factYear, rows, this.emitPair, a);
    rows.count = 0;
  }

  /** The series just finished: its greatest year's first actual row, if it has one. */
  private flushSeries(): void {
    if (this.firstYear !== -1) this.insertFirstLatest.run(this.factSeries, this.firstYear, this.firstLoadSeq, this.firstLine);
    this.firstYear = -1;
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
    this.flushSeries();
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
