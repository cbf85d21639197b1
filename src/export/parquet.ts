// One region's rows as a Parquet file, typed: strings, INT32 year, DOUBLE GDP, INT64 line,
// BOOLEAN is_current and DATE published/valid_from/valid_to. Written a row group per batch
// by hyparquet-writer, so memory stays at one batch.
import type Database from 'better-sqlite3';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { version } from '../version.js';
import { exportBatches } from './rows.js';

/**
 * 'YYYY-MM-DD' → days since 1970-01-01, as Parquet's DATE counts them. valid_to '' (an undated
 * figure superseded by another undated one: never current) becomes 0001-01-01, a date before
 * any other, so that `valid_to IS NULL` still means current and `valid_to > D` still holds never.
 */
const dayCache = new Map<string, number>();
export function days(date: string | null): number | null {
  if (date === null) return null;
  let d = dayCache.get(date);
  if (d === undefined) {
    d = Date.parse(`${date === '' ? '0001-01-01' : date}T00:00:00Z`) / 86_400_000;
    dayCache.set(date, d);
  }
  return d;
}

const SCHEMA = [
  { name: 'root', num_children: 10 },
  { name: 'country', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'region', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'year', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'gdp_usd_billion', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'published', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
  { name: 'line', type: 'INT64', repetition_type: 'REQUIRED' },
  { name: 'is_current', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  { name: 'run_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'valid_from', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
  { name: 'valid_to', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
] as const;

export function writeParquet(db: Database.Database, path: string, currentOnly: boolean, batchRows: number): number {
  const writer = new ParquetWriter({ writer: fileWriter(path), schema: SCHEMA as never, createdBy: `gdpmr ${version()}` });
  let rows = 0;
  for (const b of exportBatches(db, currentOnly, batchRows)) {
    writer.write({
      columnData: [
        { name: 'country', data: b.country },
        { name: 'region', data: b.region },
        { name: 'year', data: Int32Array.from(b.year) },
        { name: 'gdp_usd_billion', data: Float64Array.from(b.gdp_usd_billion) },
        { name: 'published', data: b.published.map(days) },
        { name: 'line', data: BigInt64Array.from(b.line, (n) => BigInt(n)) },
        { name: 'is_current', data: b.is_current },
        { name: 'run_id', data: b.run_id },
        { name: 'valid_from', data: b.valid_from.map(days) },
        { name: 'valid_to', data: b.valid_to.map(days) },
      ],
      rowGroupSize: batchRows,
    });
    rows += b.length;
  }
  writer.finish();
  return rows;
}
