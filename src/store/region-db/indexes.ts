// The indexes a loaded region database gets, built once from its rows (store/region-db/writer.ts
// says why after the load), and how many sorter threads the build takes.
import Database from 'better-sqlite3';
import { ROWS, SERIES } from './schema.js';
import { EVER_CURRENT, EVER_LATEST } from './validity-sql.js';

export const CREATE_INDEXES = [
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
