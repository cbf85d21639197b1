// `gdpmr export`: the warehouse's rows as Hive-style partitions, DIR2/region=<region>/part-0.*,
// that DuckDB, Spark, pandas and warehouse COPY commands read as they are. DIR2 appears whole
// or not at all: everything is written under a temporary name beside it, then renamed.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { defineCommand, flag, oneOf, path } from '../command-line.js';
import { FLAGS, refuseWarehouseFiles } from '../config.js';
import { GdpmrError, usage } from '../errors.js';
import { withWarehouse } from '../query/warehouse.js';
import { fsReason, makeDirectory, removeOnSignal } from '../fs.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr export',
  description: `Writes every row of the warehouse (or only the current figures) as Hive-style partitions,
DIR2/region=<Region>/part-0.parquet (or .csv), e.g. region=Asia, with DIR2/_gdpmr_export.json describing them.
An --out that exists must be an earlier gdpmr export: it is replaced whole.`,
  flags: {
    warehouse: FLAGS.warehouse,
    out: { kind: path('DIR2'), required: 'gdpmr export needs --out DIR2', help: 'the directory to write (whole, or not at all)' },
    format: { kind: oneOf(['parquet', 'csv']), default: 'parquet', help: 'the files\' format' },
    currentOnly: { kind: flag, help: 'only the current figure of each fact' },
    force: { ...FLAGS.force, help: 'replace an --out directory that exists though it is no earlier gdpmr export' },
  },
});

const MARKER = '_gdpmr_export.json';
/** Rows per batch, and per Parquet row group: memory holds one batch (1.4 M rows: 100,000 a batch peaked at 362 MB RSS, 25,000 at 182 MB, in the same time). */
const BATCH_ROWS = 25_000;


function isEarlierExport(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { format?: string }).format === 'gdpmr-export/1';
  } catch {
    return false;
  }
}

export async function exportCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const target = resolve(o.out);
  refuseWarehouseFiles('--out', target);
  if (existsSync(target) && !statSync(target).isDirectory()) throw usage(`--out must be a directory, got ${target} (a file)`);
  if (existsSync(target) && !o.force && !isEarlierExport(target)) {
    throw usage(`--out must be a new directory or an earlier gdpmr export, got ${target} (it exists and has no ${MARKER}); give another path, or --force to replace it`);
  }
  const t0 = performance.now();
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  const writer = o.format === 'parquet' ? (await import('../export/parquet.js')).writeParquet : (await import('../export/csv.js')).writeCsv;
  // Ctrl-C midway: the temporary directory goes with the process.
  removeOnSignal(tmp, 'export');
  try {
    makeDirectory(dirname(target));
    rmSync(tmp, { recursive: true, force: true });
    makeDirectory(tmp);
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a directory gdpmr can write, got ${target} (${fsReason(error)})`);
  }
  try {
    const summary = await withWarehouse(o.warehouse, async (w) => {
      const regions: Record<string, number> = {};
      const t0 = performance.now();
      let written = 0;
      for (const [i, { region, db }] of w.regions.entries()) {
        // Progress on a terminal: a large warehouse takes tens of seconds.
        if (out.stderrIsTTY) out.progress(`export ${region} (${i + 1}/${w.regions.length})  ${written} rows written  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        // The partition's value is the region column's own (`region=Asia`): readers that let the
        // path win (DuckDB) then find Asia's rows with WHERE region = 'Asia'.
        const dir = join(tmp, `region=${region}`);
        makeDirectory(dir);
        regions[region] = await writer(db, join(dir, `part-0.${o.format}`), o.currentOnly, BATCH_ROWS);
        written += regions[region];
      }
      if (out.stderrIsTTY) out.progress('');
      return { generation: w.manifest.generation, regions };
    });
    const rows = Object.values(summary.regions).reduce((a, b) => a + b, 0);
    writeFileSync(
      join(tmp, MARKER),
      JSON.stringify({ format: 'gdpmr-export/1', file_format: o.format, warehouse: resolve(o.warehouse), generation: summary.generation, current_only: o.currentOnly, exported_at: new Date().toISOString(), rows, by_region: summary.regions }, null, 2) + '\n',
    );
    // Swap in whole: an earlier export moves aside first and goes once the new one is in.
    const old = existsSync(target) ? `${tmp}.old` : null;
    try {
      if (old !== null) renameSync(target, old);
      renameSync(tmp, target);
    } catch (error) {
      // Another export (or anything else) took the name meanwhile: leave theirs, drop ours.
      if (old !== null && !existsSync(target)) renameSync(old, target);
      throw new GdpmrError('OUTPUT_UNWRITABLE', `--out ${target} changed while this export was written (${fsReason(error)}); nothing of this export was kept`);
    }
    if (old !== null) rmSync(old, { recursive: true, force: true });
    out.stdout(`exported ${rows} rows${o.currentOnly ? ' (current figures only)' : ''} of ${Object.keys(summary.regions).length} regions as ${o.format} into ${target} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return 0;
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // A full disk, a file size limit: say which path could not be written, not a stack.
    if (!(error instanceof GdpmrError) && typeof (error as NodeJS.ErrnoException)?.code === 'string' && (error as Error).name !== 'SqliteError') {
      throw new GdpmrError('OUTPUT_UNWRITABLE', `--out ${target} could not be written (${fsReason(error)}${(error as NodeJS.ErrnoException).code === 'ENOSPC' ? ': the disk is full' : ''}); nothing of this export was kept`);
    }
    throw error;
  }
}
