// One region's rows as CSV: the export's columns as a header, dates as text, booleans 1/0.
import { closeSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { writeFully, yieldToSignals } from '../fs.js';
import { EXPORT_COLUMNS, exportBatches } from './rows.js';

export async function writeCsv(db: Database.Database, path: string, currentOnly: boolean, batchRows: number): Promise<number> {
  const fd = openSync(path, 'w');
  let rows = 0;
  try {
    writeFully(fd, stringify([[...EXPORT_COLUMNS]]), path);
    for (const b of exportBatches(db, currentOnly, batchRows)) {
      const records = new Array(b.length);
      for (let i = 0; i < b.length; i++) records[i] = b.columns.map((column) => column[i]);
      writeFully(fd, stringify(records), path);
      rows += b.length;
      await yieldToSignals();
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}
