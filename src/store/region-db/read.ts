// Reading a region database whole: every stored figure in batches (an append's respill), the
// read-only handle queries use, and the counts the manifest checks.
import Database from 'better-sqlite3';
import { ROWS } from './schema.js';

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

