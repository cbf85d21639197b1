// One region's rows as a Parquet file, typed by the export's column table: strings, INT32
// year, DOUBLE GDP, INT64 line and load_seq, BOOLEAN flags and DATE dates. Written a row group per batch
// by hyparquet-writer, so memory stays at one batch.
import type Database from 'better-sqlite3';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { version } from '../version.js';
import { yieldToSignals } from '../fs.js';
import { EXPORT_COLUMN_KINDS, EXPORT_COLUMNS, exportBatches, type ColumnKind } from './rows.js';

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

const PARQUET_TYPES: Record<ColumnKind, Record<string, string>> = {
  text: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  optional_text: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  int32: { type: 'INT32', repetition_type: 'REQUIRED' },
  optional_int32: { type: 'INT32', repetition_type: 'OPTIONAL' },
  int64: { type: 'INT64', repetition_type: 'REQUIRED' },
  double: { type: 'DOUBLE', repetition_type: 'REQUIRED' },
  boolean: { type: 'BOOLEAN', repetition_type: 'REQUIRED' },
  date: { type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
};

const SCHEMA = [{ name: 'root', num_children: EXPORT_COLUMNS.length }, ...EXPORT_COLUMNS.map((name) => ({ name, ...PARQUET_TYPES[EXPORT_COLUMN_KINDS[name]] }))];

/** A column's values as the Parquet writer takes them. */
function columnData(kind: ColumnKind, values: unknown[]): unknown {
  switch (kind) {
    case 'int32':
      return Int32Array.from(values as number[]);
    case 'int64':
      return BigInt64Array.from(values as number[], (n) => BigInt(n));
    case 'double':
      return Float64Array.from(values as number[]);
    case 'boolean':
      return values.map((v) => v === 1);
    case 'date':
      return (values as Array<string | null>).map(days);
    default:
      return values;
  }
}

export async function writeParquet(db: Database.Database, path: string, currentOnly: boolean, batchRows: number): Promise<number> {
  const writer = new ParquetWriter({ writer: fileWriter(path), schema: SCHEMA as never, createdBy: `gdpmr ${version()}` });
  let rows = 0;
  for (const b of exportBatches(db, currentOnly, batchRows)) {
    writer.write({
      columnData: EXPORT_COLUMNS.map((name, c) => ({ name, data: columnData(EXPORT_COLUMN_KINDS[name], b.columns[c]) })) as never,
      rowGroupSize: batchRows,
    });
    rows += b.length;
    await yieldToSignals();
  }
  writer.finish();
  return rows;
}
