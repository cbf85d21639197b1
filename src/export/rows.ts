// The rows an export hands on: every region's rows (or only the current ones) read in batches,
// so memory stays flat whatever the warehouse's size.
import type Database from 'better-sqlite3';

export interface ExportBatch {
  country: string[];
  region: string[];
  year: number[];
  gdp_usd_billion: number[];
  published: Array<string | null>;
  line: number[];
  is_current: boolean[];
  run_id: string[];
  valid_from: Array<string | null>;
  valid_to: Array<string | null>;
  length: number;
}

export const EXPORT_COLUMNS = ['country', 'region', 'year', 'gdp_usd_billion', 'published', 'line', 'is_current', 'run_id', 'valid_from', 'valid_to'] as const;

function emptyBatch(): ExportBatch {
  return { country: [], region: [], year: [], gdp_usd_billion: [], published: [], line: [], is_current: [], run_id: [], valid_from: [], valid_to: [], length: 0 };
}

type RawRow = [string, string, number, number, string | null, number, number, string, string | null, string | null];

/** The region's rows in batches of `batchRows`, in storage order. */
export function* exportBatches(db: Database.Database, currentOnly: boolean, batchRows: number): Generator<ExportBatch> {
  const sql = `SELECT ${EXPORT_COLUMNS.join(', ')} FROM gdp${currentOnly ? ' WHERE is_current = 1' : ''}`;
  let batch = emptyBatch();
  for (const r of db.prepare(sql).raw(true).iterate() as IterableIterator<RawRow>) {
    batch.country.push(r[0]);
    batch.region.push(r[1]);
    batch.year.push(r[2]);
    batch.gdp_usd_billion.push(r[3]);
    batch.published.push(r[4]);
    batch.line.push(r[5]);
    batch.is_current.push(r[6] === 1);
    batch.run_id.push(r[7]);
    batch.valid_from.push(r[8]);
    batch.valid_to.push(r[9]);
    if (++batch.length === batchRows) {
      yield batch;
      batch = emptyBatch();
    }
  }
  if (batch.length > 0) yield batch;
}
