// One region's rows as CSV: the export's columns as a header, dates as text, booleans 1/0.
// SPEC §10: a NULL is an empty field and an empty string is `""` (valid_to '' says "never
// current", NULL "still current"), which csv-stringify cannot tell apart: it writes both alike.
import { closeSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { writeFully, yieldToSignals } from '../fs.js';
import { EXPORT_COLUMNS, exportBatches } from './rows.js';

const NEEDS_QUOTES = /[",\r\n]/;

/** One value as a CSV field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) || text.trim() !== text ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function writeCsv(db: Database.Database, path: string, currentOnly: boolean, batchRows: number): Promise<number> {
  const fd = openSync(path, 'w');
  let rows = 0;
  try {
    writeFully(fd, `${EXPORT_COLUMNS.join(',')}\n`, path);
    for (const b of exportBatches(db, currentOnly, batchRows)) {
      let text = '';
      for (let i = 0; i < b.length; i++) {
        let record = '';
        for (let c = 0; c < b.columns.length; c++) record += (c === 0 ? '' : ',') + csvField(b.columns[c][i]);
        text += `${record}\n`;
      }
      writeFully(fd, text, path);
      rows += b.length;
      await yieldToSignals();
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}
