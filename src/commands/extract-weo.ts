// `gdpmr extract weo`: every WEO vintage's database file into one dump (SPEC §8). Each file is
// read twice at most (its tail for the vintage, then its lines as a stream) and its rows are
// written as they are read, so memory stays flat in the number and size of files.
import { closeSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Logger } from 'pino';
import { defineCommand, httpUrl, path, type Kind } from '../command-line.js';
import { checkOutputFile, isEarlierExtract, EXTRACT_FLAGS, FLAGS } from '../config.js';
import { GdpmrError, usage } from '../errors.js';
import { maskUrls } from '../format.js';
import { DUMP_HEADER, dumpLine, sha256, sourcePathFor, type SourceInfo } from '../extract/dump-file.js';
import { fetchSource } from '../extract/http.js';
import { detectEncoding, readWeoFile, tailVintage, type WeoBytes } from '../extract/weo-file.js';
import { vintageOf } from '../extract/weo.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { isCalendarDate } from '../rules/normalize.js';
import { fsReason, kindOf, makeDirectory, readSmallFile, removeOnSignal, writeFully } from '../fs.js';
import type { Output } from '../output.js';

export const WEO_VINTAGES = join(PACKAGE_ROOT, 'data', 'weo_vintages.csv');
/** A release-date table is a few lines; a larger --vintages is no such table. */
const VINTAGES_MAX_BYTES = 1024 * 1024;

export const COMMAND = defineCommand({
  name: 'gdpmr extract weo',
  description: `Reads the IMF's World Economic Outlook database files as the IMF publishes each vintage
("entire dataset, by countries": WEOOct2024all.xls and the like, which are tab-separated text)
and writes one dump for \`gdpmr run\` holding every vintage, in file order, each row with its
vintage's release date as published and the IMF's Estimates Start After (the last year it
counts as actual for that country; later years are its estimates and forecasts):
  country,country_code,year,gdp_usd_million,published,source,estimates_start_after`,
  flags: {
    file: { kind: path('FILE'), multiple: true, help: 'a saved WEO file, one per vintage (--file a --file b)' },
    url: { kind: httpUrl(), multiple: true, help: 'a WEO file to fetch, one per vintage' },
    subject: {
      kind: {
        type: 'string',
        placeholder: 'CODE',
        parse: (value: string) => {
          if (!/^[A-Za-z0-9_]{1,40}$/.test(value.trim())) throw usage(`--subject must be a WEO Subject Code such as NGDPD, got ${JSON.stringify(value)}`);
          return value.trim().toUpperCase();
        },
      } as Kind<string>,
      default: 'NGDPD',
      help: 'the WEO Subject Code to read (NGDPD: GDP, current prices, U.S.\ndollars); it must be in U.S. dollars',
    },
    published: { ...FLAGS.published, help: `the release date, for one file only; otherwise each vintage's date is\nlooked up in ${WEO_VINTAGES}\n(exit 2 naming a vintage it does not list)` },
    vintages: { kind: path('FILE'), help: 'a release-date table of your own (columns vintage,published,read_from),\nfor vintages the bundled one does not list yet' },
    ...EXTRACT_FLAGS,
    out: { ...EXTRACT_FLAGS.out, required: 'gdpmr extract weo needs --out OUT.csv' },
  },
  notes: `Every layout the IMF has shipped: UTF-16 with or without a BOM, UTF-8, else Windows-1252;
quoted cells ("18,224.78"), lines of tabs, the vintage line quoted and padded with tabs.
n/a, -- and empty cells give no row; Scale (Billions, Millions, Units) is applied; a value that
is no number stops the extract, naming its line and column. Two files of one vintage: exit 2.
The country-group file (WEO<Mon><Year>alla.xls) holds no country: exit 1.
OUT.csv.source.json lists each file (path or URL, sha256, encoding, vintage, release date, rows).`,
});


/** The release date of each vintage the project ships, with where it was read. */
export function releaseDates(path = WEO_VINTAGES): Map<string, { published: string; readFrom: string }> {
  let rows: Array<{ vintage?: string; published?: string; read_from?: string }>;
  try {
    rows = parse(readSmallFile(path, { flag: '--vintages', maxBytes: VINTAGES_MAX_BYTES, what: 'CSV file' }), { columns: true, bom: true, skip_empty_lines: true });
  } catch (error) {
    if (error instanceof GdpmrError) throw error;
    throw usage(`--vintages must be a readable CSV with columns vintage,published,read_from, got ${path} (${fsReason(error)})`);
  }
  const dates = new Map<string, { published: string; readFrom: string }>();
  rows.forEach((r, i) => {
    const vintage = (r.vintage ?? '').trim();
    const published = (r.published ?? '').trim();
    if (vintageOf(`International Monetary Fund, World Economic Outlook Database, ${vintage}`) === null || !isCalendarDate(published)) {
      throw usage(`${path}, row ${i + 2}: must give a vintage such as "October 2024" and a release date YYYY-MM-DD, got ${JSON.stringify(vintage)} and ${JSON.stringify(published)}`);
    }
    if (dates.has(vintage)) throw usage(`${path}, row ${i + 2}: lists the vintage ${vintage} a second time: each vintage must have one release date`);
    dates.set(vintage, { published, readFrom: (r.read_from ?? '').trim() || path });
  });
  return dates;
}

interface Input {
  where: string;
  source: WeoBytes;
  url: string | null;
  httpStatus: number | null;
  retrievedAt: string;
}

export async function extractWeoCommand(argv: string[], out: Output, log: Logger, lines: unknown[]): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const files = o.file;
  const urls = o.url;
  if (files.length === 0 && urls.length === 0) throw usage('gdpmr extract weo needs --file FILE (one per vintage) or --url URL');
  if (files.length > 0 && urls.length > 0) throw usage('gdpmr extract weo takes --file or --url, not both');
  if (o.published !== undefined && files.length + urls.length > 1) {
    throw usage(`--published gives one release date, for one file only, got ${files.length + urls.length} files: leave it out and each vintage's date is looked up in ${WEO_VINTAGES}`);
  }
  checkOutputFile('--out', o.out, { force: o.force, own: isEarlierExtract, what: 'an earlier extract (with its .source.json)' });

  const inputs: Input[] = [];
  // Each fetched file goes to disk as it arrives: eight 200 MB files are never in memory at once.
  const fetchedFiles = urls.map((_, i) => `${o.out}.url-${i}.tmp-${process.pid}`);
  if (urls.length > 0) {
    makeDirectory(dirname(resolve(o.out)));
    removeOnSignal(fetchedFiles, 'extract weo');
  }
  try {
    return await extractInputs(o, files, urls, fetchedFiles, inputs, out, log, lines);
  } finally {
    for (const file of fetchedFiles) rmSync(file, { force: true });
  }
}

type Options = NonNullable<ReturnType<typeof COMMAND.parse>>;

async function extractInputs(o: Options, files: string[], urls: string[], fetchedFiles: string[], inputs: Input[], out: Output, log: Logger, lines: unknown[]): Promise<number> {
  for (const file of files) {
    const kind = kindOf(file);
    if (kind !== 'file') throw new GdpmrError('INPUT_MISSING', `--file must be a readable file, got ${file} (${kind === null ? 'no such file' : kind === 'directory' ? 'a directory' : 'not a regular file'})`);
    inputs.push({ where: file, source: { path: file }, url: null, httpStatus: null, retrievedAt: new Date().toISOString() });
  }
  for (const [i, url] of urls.entries()) {
    let fetched;
    try {
      fetched = await fetchSource(url, o.timeout * 1000, log, o.maxBytes, fetchedFiles[i]);
    } catch (error) {
      if (error instanceof GdpmrError) throw error;
      throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be in a directory gdpmr can write (each fetched file is kept there until the extract ends), got ${o.out} (${fsReason(error)}); nothing was written`);
    }
    inputs.push({ where: fetched.url, source: { path: fetchedFiles[i] }, url: fetched.url, httpStatus: fetched.status, retrievedAt: fetched.retrievedAt });
  }

  // Every file's vintage and release date first: a date missing for any vintage stops the
  // extract before a byte is written.
  const table = o.vintages ?? WEO_VINTAGES;
  const dates = releaseDates(table);
  const plan: Array<Input & { vintage: string; published: string; publishedFrom: string }> = [];
  for (const input of inputs) {
    let vintage: string | null;
    try {
      const { encoding, bom } = await detectEncoding(input.source);
      vintage = tailVintage(input.source, encoding, bom);
    } catch (error) {
      throw new GdpmrError('SOURCE_INVALID', `${input.where} cannot be read (${fsReason(error)}); nothing was written`);
    }
    if (vintage === null) {
      // Say what is wrong with it as the full read would: no header, an HTML page, no footer.
      const outcome = (await readWeoFile(input.source, o.subject, () => undefined)).outcome;
      const reason = outcome.ok ? 'has no vintage line at its end ("International Monetary Fund, World Economic Outlook Database, <Month> <Year>")' : outcome.reason;
      throw new GdpmrError('SOURCE_INVALID', `${input.where} ${reason}; nothing was written`);
    }
    const known = dates.get(vintage);
    if (o.published === undefined && known === undefined) {
      throw usage(`${input.where} is the WEO ${vintage} vintage, whose release date ${table} does not list: give it with --published YYYY-MM-DD (one file at a time), or in a table of your own with --vintages FILE`);
    }
    const twin = plan.find((p) => p.vintage === vintage);
    if (twin !== undefined) {
      throw usage(`${twin.where} and ${input.where} are both the WEO ${vintage} vintage: give each vintage once (two copies of one vintage would load as revisions of themselves)`);
    }
    plan.push({ ...input, vintage, published: o.published ?? (known as { published: string }).published, publishedFrom: o.published !== undefined ? '--published' : `${table}: ${known?.readFrom}` });
  }

  makeDirectory(dirname(resolve(o.out)));
  const tmpCsv = `${o.out}.tmp-${process.pid}`;
  const sourcePath = sourcePathFor(o.out);
  const tmpSource = `${sourcePath}.tmp-${process.pid}`;
  let fd: number;
  // Ctrl-C midway: the partial files go with the process.
  removeOnSignal([tmpCsv, tmpSource], 'extract weo');
  try {
    fd = openSync(tmpCsv, 'w');
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${o.out} (${fsReason(error)}); nothing was written`);
  }
  const perFile: Array<Record<string, unknown>> = [];
  let total = 0;
  try {
    try {
      let pending = `${DUMP_HEADER.join(',')}\n`;
      const flush = (): void => {
        writeFully(fd, pending, tmpCsv);
        pending = '';
      };
      for (const input of plan) {
        const result = await readWeoFile(input.source, o.subject, (row) => {
          pending += dumpLine(row.country, row.country_code, row.year, row.gdp_usd_million, input.published, 'imf', row.estimates_start_after);
          if (pending.length >= 1 << 20) flush();
        });
        if (!result.outcome.ok) throw new GdpmrError('SOURCE_INVALID', `${input.where} ${result.outcome.reason}; nothing was written`);
        if (result.outcome.vintage !== input.vintage) throw new GdpmrError('SOURCE_INVALID', `${input.where} changed while it was read (its vintage line said ${input.vintage}, then ${result.outcome.vintage}); nothing was written`);
        total += result.outcome.rows;
        perFile.push({
          file: input.url === null ? resolve(input.where) : null,
          url: input.url,
          http_status: input.httpStatus,
          sha256: result.sha256,
          bytes: result.bytes,
          encoding: result.encoding,
          vintage: input.vintage,
          published: input.published,
          published_from: input.publishedFrom,
          subject: o.subject,
          rows: result.outcome.rows,
          estimates_start_after_column: result.outcome.estimatesColumn,
        });
      }
      flush();
    } finally {
      closeSync(fd);
    }
    if (total === 0) throw new GdpmrError('SOURCE_INVALID', `${plan.map((p) => p.where).join(', ')}: the ${o.subject} rows hold no value; nothing was written`);
    const last = plan[plan.length - 1];
    const source: SourceInfo = {
      format: 'gdpmr-source/1',
      source: `imf-weo:${o.subject}`,
      url: plan.length === 1 ? last.url : null,
      file: plan.length === 1 && last.url === null ? resolve(last.where) : null,
      retrieved_at: new Date().toISOString(),
      http_status: plan.length === 1 ? last.httpStatus : null,
      published: last.published,
      // One file's sha256, or for several the sha256 of their sha256s in order: what
      // `run --append` compares to refuse loading the same files twice.
      sha256: plan.length === 1 ? (perFile[0].sha256 as string) : sha256(Buffer.from(perFile.map((f) => f.sha256).join('\n'))),
      rows: total,
      files: perFile,
      requests: lines,
    };
    writeFileSync(tmpSource, JSON.stringify(maskUrls(source), null, 2) + '\n');
    renameSync(tmpSource, sourcePath);
    renameSync(tmpCsv, o.out);
  } catch (error) {
    rmSync(tmpCsv, { force: true });
    rmSync(tmpSource, { force: true });
    if (error instanceof GdpmrError) throw error;
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${o.out} (${fsReason(error)}); nothing was written`);
  }
  out.stdout(`extracted ${total} rows (${o.subject}) of ${plan.length} WEO vintage${plan.length === 1 ? '' : 's'} (${plan.map((p) => `${p.vintage}: ${p.published}`).join(', ')}) into ${o.out}`);
  return 0;
}
