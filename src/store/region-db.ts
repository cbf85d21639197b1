// One SQLite database per region: its schema, the bulk loader reduce tasks use, and the
// read-only handle queries use. Indexes are built after the load: inserting into a table
// with indexes costs several times more than sorting once at the end.
import Database from 'better-sqlite3';
import type { Region } from '../spec/normalize.js';

const CREATE_TABLE = `
CREATE TABLE gdp (
  country         TEXT    NOT NULL,
  country_key     TEXT    NOT NULL,
  region          TEXT    NOT NULL,
  year            INTEGER NOT NULL,
  gdp_usd_billion REAL    NOT NULL,
  published       TEXT,
  line            INTEGER NOT NULL,
  is_current      INTEGER NOT NULL,
  is_latest       INTEGER NOT NULL,
  run_id          TEXT    NOT NULL,
  load_seq        INTEGER NOT NULL
)`;

// Queries without --year read the latest figures in GDP order; with --year, one year's current
// figures; history and --as-of one country's figures. The first two are partial indexes: they
// hold only the rows those queries can return, a fraction of the table, so they build fast.
const CREATE_INDEXES = [
  'CREATE INDEX gdp_latest_by_gdp ON gdp (gdp_usd_billion DESC, country) WHERE is_latest = 1',
  'CREATE INDEX gdp_current_by_year ON gdp (year, gdp_usd_billion DESC, country) WHERE is_current = 1',
  'CREATE INDEX gdp_country ON gdp (country_key, year)',
];

const COLUMNS = 11;
const ROWS_PER_INSERT = 200;

export interface GdpRow {
  country: string;
  countryKey: string;
  year: number;
  gdpUsdBillion: number;
  published: string | null;
  line: number;
  isCurrent: boolean;
  isLatest: boolean;
  runId: string;
  loadSeq: number;
}

/** Writes a fresh region database in one transaction; call `finish` to index and close. */
export class RegionDbWriter {
  private readonly db: Database.Database;
  private readonly insertMany: Database.Statement;
  private readonly pending: unknown[] = [];
  private pendingRows = 0;
  rows = 0;

  constructor(
    path: string,
    private readonly region: Region,
  ) {
    this.db = new Database(path);
    // A staging file is thrown away if anything fails, so durability during the build buys
    // nothing; the publish step makes the finished file durable.
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -16384');
    this.db.exec(CREATE_TABLE);
    this.insertMany = this.db.prepare(insertSql(ROWS_PER_INSERT));
    this.db.exec('BEGIN');
  }

  add(row: GdpRow): void {
    this.addValues(row.country, row.countryKey, row.year, row.gdpUsdBillion, row.published, row.line, row.isCurrent, row.isLatest, row.runId, row.loadSeq);
  }

  /** `add` without the row object, for the reduce loop. */
  addValues(country: string, countryKey: string, year: number, gdpUsdBillion: number, published: string | null, line: number, isCurrent: boolean, isLatest: boolean, runId: string, loadSeq: number): void {
    this.pending.push(country, countryKey, this.region, year, gdpUsdBillion, published, line, isCurrent ? 1 : 0, isLatest ? 1 : 0, runId, loadSeq);
    this.rows++;
    if (++this.pendingRows === ROWS_PER_INSERT) {
      this.insertMany.run(this.pending);
      this.pending.length = 0;
      this.pendingRows = 0;
    }
  }

  finish(): void {
    if (this.pendingRows > 0) this.db.prepare(insertSql(this.pendingRows)).run(this.pending);
    this.pending.length = 0;
    this.pendingRows = 0;
    this.db.exec('COMMIT');
    for (const sql of CREATE_INDEXES) this.db.exec(sql);
    this.db.close();
  }

  abandon(): void {
    if (this.db.open) this.db.close();
  }
}

function insertSql(rows: number): string {
  const one = `(${new Array(COLUMNS).fill('?').join(',')})`;
  return `INSERT INTO gdp (country, country_key, region, year, gdp_usd_billion, published, line, is_current, is_latest, run_id, load_seq) VALUES ${new Array(rows).fill(one).join(',')}`;
}

export interface StoredFigure {
  country: string;
  country_key: string;
  year: number;
  gdp_usd_billion: number;
  published: string | null;
  line: number;
  run_id: string;
  load_seq: number;
}

/** Every row of a published region database, in batches of `batchRows`, in no set order. */
export function* readAllFigures(path: string, batchRows: number): Generator<StoredFigure[]> {
  const db = openReadOnly(path);
  try {
    const rows = db
      .prepare('SELECT country, country_key, year, gdp_usd_billion, published, line, run_id, load_seq FROM gdp')
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
