// The rows an export hands on: every column of a region's gdp (SPEC §10), every region's rows
// (or only the current ones) read in batches, so memory stays flat whatever the warehouse's
// size. One table says each column's kind; the CSV and Parquet writers both follow it.
import type Database from 'better-sqlite3';
import { VIEW_COLUMNS } from '../store/region-db.js';

export type ColumnKind = 'text' | 'optional_text' | 'int32' | 'int64' | 'double' | 'boolean' | 'date';

/** Every column of the view gdp and how it is handed on. */
export const EXPORT_COLUMN_KINDS: Record<(typeof VIEW_COLUMNS)[number], ColumnKind> = {
  country: 'text',
  country_code: 'optional_text',
  name: 'text',
  source: 'text',
  country_key: 'text',
  region: 'text',
  year: 'int32',
  gdp_usd_billion: 'double',
  published: 'date',
  line: 'int64',
  is_current: 'boolean',
  is_projection: 'boolean',
  is_latest: 'boolean',
  run_id: 'text',
  load_seq: 'int64',
  valid_from: 'date',
  valid_to: 'date',
  latest_from: 'date',
  latest_to: 'date',
};

export const EXPORT_COLUMNS = VIEW_COLUMNS;

/** One batch: a column of values per export column, in EXPORT_COLUMNS order. */
export interface ExportBatch {
  columns: unknown[][];
  length: number;
}

/** The region's rows in batches of `batchRows`, in storage order. */
export function* exportBatches(db: Database.Database, currentOnly: boolean, batchRows: number): Generator<ExportBatch> {
  const sql = `SELECT ${EXPORT_COLUMNS.join(', ')} FROM gdp${currentOnly ? ' WHERE is_current = 1' : ''}`;
  const width = EXPORT_COLUMNS.length;
  const empty = (): ExportBatch => ({ columns: Array.from({ length: width }, () => []), length: 0 });
  let batch = empty();
  for (const r of db.prepare(sql).raw(true).iterate() as IterableIterator<unknown[]>) {
    for (let c = 0; c < width; c++) batch.columns[c].push(r[c]);
    if (++batch.length === batchRows) {
      yield batch;
      batch = empty();
    }
  }
  if (batch.length > 0) yield batch;
}
