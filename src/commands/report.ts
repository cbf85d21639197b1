// `gdpmr report`: the warehouse as one self-contained HTML page (default DIR/report.html).
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, path } from '../command-line.js';
import { checkOutputFile, FLAGS } from '../config.js';
import { REPORT_GENERATOR } from '../report/generator.js';
import { GdpmrError } from '../errors.js';
import { openWarehouse } from '../query/warehouse.js';
import { fsReason, makeDirectory, writeFileWhole } from '../fs.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr report',
  description: `Writes one self-contained HTML page (default DIR/report.html) that opens offline: each region's
top 5 with its mean, GDP over the years of each region's top 3, the largest revisions between
the last two vintages, the loads with what they loaded and rejected, the last run's stages.
It shows one source's figures (--source, default as for queries: the only one, else imf) and
lists the others.`,
  flags: {
    warehouse: FLAGS.warehouse,
    out: { kind: path('FILE.html'), defaultText: 'DIR/report.html', help: 'where to write the page' },
    asOf: { ...FLAGS.asOf, help: 'the report as the warehouse stood on that date' },
    source: FLAGS.source,
    force: FLAGS.force,
  },
});

/** A page gdpmr report wrote: it names its generator in its head. */
function isEarlierReport(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4096);
      const n = readSync(fd, head, 0, head.length, 0);
      return head.subarray(0, n).toString('utf8').includes(REPORT_GENERATOR);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}


export async function reportCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const target = resolve(o.out ?? join(o.warehouse, 'report.html'));
  checkOutputFile('--out', target, { force: o.force, own: isEarlierReport, what: 'an earlier gdpmr report' });
  const { buildReport } = await import('../report/report.js');
  const w = openWarehouse(o.warehouse);
  let html: string;
  try {
    html = await buildReport(w, { warehouseDir: o.warehouse, asOf: o.asOf, source: o.source });
  } finally {
    w.close();
  }
  try {
    makeDirectory(dirname(target));
    writeFileWhole(target, html);
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${target} (${fsReason(error)})`);
  }
  out.stdout(`wrote ${target} (${Math.round(html.length / 1024)} KB)`);
  return 0;
}
