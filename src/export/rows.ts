// The rows an export hands on: every column of a region's gdp (SPEC §10) but `region`, which
// the partition directory names (region=Asia): Hive-style readers (pyarrow, so pandas) refuse
// a directory whose files repeat the partition column with another type. Every region's rows
// (or only the current ones) are read in batches, so memory stays flat whatever the
// warehouse's size. One table says each column's kind; the CSV and Parquet writers both follow it.
import type Database from 'better-sqlite3';
import { VIEW_COLUMNS } from '../store/region-db/schema.js';

export type ColumnKind = 'text' | 'optional_text' | 'int32' | 'optional_int32' | 'int64' | 'double' | 'boolean' | 'date';

type ExportColumn = Exclude<(typeof VIEW_COLUMNS)[number], 'region'>;

/** Every column of the view gdp, but the partition's, and how it is handed on. */
export const EXPORT_COLUMN_KINDS: Record<ExportColumn, ColumnKind> = {
  country: 'text',
  country_code: 'optional_text',
  name: 'text',
  source: 'text',
  country_key: 'text',
  year: 'int32',
  gdp_usd_billion: 'double',
  published: 'date',
  line: 'int64',
  is_current: 'boolean',
  estimates_start_after: 'optional_int32',
  is_projection: 'boolean',
  is_latest: 'boolean',
  run_id: 'text',
  load_seq: 'int64',
  valid_from: 'date',
  valid_to: 'date',
  latest_from: 'date',
  latest_to: 'date',
};

export const EXPORT_COLUMNS = VIEW_COLUMNS.filter((c): c is ExportColumn => c !== 'region');

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
