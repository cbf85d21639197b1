// One region's rows as CSV: the export's columns as a header, dates as text, booleans 1/0.
import { closeSync, openSync, writeSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { EXPORT_COLUMNS, exportBatches } from './rows.js';

export function writeCsv(db: Database.Database, path: string, currentOnly: boolean, batchRows: number): number {
  const fd = openSync(path, 'w');
  let rows = 0;
  try {
    writeSync(fd, stringify([[...EXPORT_COLUMNS]]));
    for (const b of exportBatches(db, currentOnly, batchRows)) {
      const records = new Array(b.length);
      for (let i = 0; i < b.length; i++) {
        records[i] = [b.country[i], b.region[i], b.year[i], b.gdp_usd_billion[i], b.published[i], b.line[i], b.is_current[i] ? 1 : 0, b.run_id[i], b.valid_from[i], b.valid_to[i]];
      }
      writeSync(fd, stringify(records));
      rows += b.length;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}
