// `gdpmr extract worldbank`: the World Bank's GDP (current US$) from its bulk files, several
// vintages into one dump, or from its API v2, every page (SPEC §8).
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { defineCommand, httpUrl, path } from '../command-line.js';
import { checkOutputFile, isEarlierExtract, EXTRACT_FLAGS, FLAGS } from '../config.js';
import { DEFAULTS } from '../defaults.js';
import { GdpmrError, usage } from '../errors.js';
import { DUMP_HEADER, dumpLine, sha256, writeDumpOrFail, type SourceInfo } from '../extract/dump-file.js';
import { fetchSource, type Fetched } from '../extract/http.js';
import { aggregateCodes, apiPage, apiRows, parseWorldBankCsv, WORLD_BANK_INDICATOR, type WorldBankRow } from '../extract/worldbank.js';
import { readSmallBytes } from '../fs.js';
import { isCalendarDate } from '../rules/normalize.js';
import type { Output } from '../output.js';
import { loadRegionMap } from '../store/region-map-file.js';

export const WORLD_BANK_API = 'https://api.worldbank.org/v2';
/** Rows per API page: the API serves up to this many in one answer. */
const PER_PAGE = 20000;
/** Pages followed at the most: the GDP indicator is ~17,000 rows, one or two pages. */
const MAX_PAGES = 200;
/** A bulk file is ~250 KB; a larger --file is no such file. */
const FILE_MAX_BYTES = 64 * 1024 * 1024;

export const COMMAND = defineCommand({
  name: 'gdpmr extract worldbank',
  description: `Reads the World Bank's GDP in current US$ (${WORLD_BANK_INDICATOR}) and writes one dump for
\`gdpmr run\`, source world_bank, figures in millions of USD:
  country,country_code,year,gdp_usd_million,published,source,estimates_start_after
A FILE is the Bank's bulk download (API_NY.GDP.MKTP.CD_DS2_en_csv_v2_<n>.csv); published is its
"Last Updated Date". Several files make one dump holding every vintage, in file order. With
--url (or neither), the API v2 at BASE (default ${WORLD_BANK_API}) is read, every page;
published is its lastupdated.`,
  flags: {
    file: { kind: path('FILE'), multiple: true, help: 'a saved bulk file, one per vintage (--file a --file b)' },
    url: { kind: httpUrl('BASE'), help: "the API v2's base address" },
    published: { ...FLAGS.published, help: "the figures' date, for one file or the API only; default: the file's\nLast Updated Date, or the API's lastupdated" },
    regions: { kind: path('FILE'), default: DEFAULTS.regionMap as string, help: 'the country map: with a file, a code it does not know is an aggregate' },
    ...EXTRACT_FLAGS,
    out: { ...EXTRACT_FLAGS.out, required: 'gdpmr extract worldbank needs --out OUT.csv' },
  },
  notes: `Aggregates (regions, income groups, WLD) are not economies and give no row: the API's country
list says which they are; a file does not, so every code the country map lacks is taken for one.
They are named on stderr and in OUT.csv.source.json. KSV, the Bank's code for Kosovo until 2017,
is written XKX. Two files of one Last Updated Date: exit 2.`,
});

function dumpText(parts: ReadonlyArray<{ rows: WorldBankRow[]; published: string }>): string {
  let text = `${DUMP_HEADER.join(',')}\n`;
  for (const part of parts) for (const r of part.rows) text += dumpLine(r.country, r.country_code, r.year, r.gdp_usd_million, part.published, 'world_bank', '');
  return text;
}

function aggregatesNote(codes: readonly string[]): string {
  return `${codes.length} aggregate${codes.length === 1 ? '' : 's'} left out (no economy): ${codes.slice(0, 40).join(', ')}${codes.length > 40 ? ', ...' : ''}`;
}

/** Every page of one API endpoint, each fetched through the extracts' limits. */
async function allPages(url: string, timeoutMs: number, log: Logger, maxBytes: number): Promise<{ items: unknown[]; first: Fetched; meta: { lastupdated?: string }; fetched: Fetched[] }> {
  const items: unknown[] = [];
  const fetched: Fetched[] = [];
  let pages = 1;
  let meta: { lastupdated?: string } = {};
  for (let page = 1; page <= pages; page++) {
    const f = await fetchSource(`${url}${url.includes('?') ? '&' : '?'}format=json&per_page=${PER_PAGE}&page=${page}`, timeoutMs, log, maxBytes);
    fetched.push(f);
    let json: unknown;
    try {
      json = JSON.parse(f.bytes.toString('utf8'));
    } catch (error) {
      throw new GdpmrError('SOURCE_INVALID', `${f.url} is not JSON (${(error as Error).message.slice(0, 120)}); nothing was written`);
    }
    const p = apiPage(json);
    if ('error' in p) throw new GdpmrError('SOURCE_INVALID', `${f.url} ${p.error}; nothing was written`);
    if (page === 1) {
      meta = p.meta;
      pages = p.meta.pages;
      if (pages > MAX_PAGES) throw new GdpmrError('SOURCE_INVALID', `${f.url} says it has ${pages} pages of ${PER_PAGE} rows, more than the ${MAX_PAGES} a GDP indicator could fill; nothing was written`);
    }
    items.push(...p.items);
  }
  return { items, first: fetched[0], meta, fetched };
}

export async function extractWorldBankCommand(argv: string[], out: Output, log: Logger, lines: unknown[]): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  if (o.file.length > 0 && o.url !== undefined) throw usage('gdpmr extract worldbank takes --file or --url, not both');
  if (o.published !== undefined && o.file.length > 1) {
    throw usage(`--published gives one date, for one file only, got ${o.file.length} files: leave it out and each file's "Last Updated Date" is its published date`);
  }
  checkOutputFile('--out', o.out, { force: o.force, own: isEarlierExtract, what: 'an earlier extract (with its .source.json)' });
  const map = loadRegionMap(o.regions);

  if (o.file.length > 0) {
    const parts: Array<{ where: string; rows: WorldBankRow[]; published: string; aggregates: string[]; sha256: string; bytes: number }> = [];
    for (const file of o.file) {
      // The sha256 is of the bytes as shipped, the one a later refresh compares.
      const bytes = readSmallBytes(file, { flag: '--file', maxBytes: FILE_MAX_BYTES });
      const result = parseWorldBankCsv(bytes.toString('utf8'), (code) => map.regionOfCode(code) !== undefined);
      if (!result.ok) throw new GdpmrError('SOURCE_INVALID', `${file} ${result.reason}; nothing was written`);
      const published = o.published ?? result.published;
      const twin = parts.find((p) => p.published === published);
      if (twin !== undefined) throw usage(`${twin.where} and ${file} are both the World Bank's release of ${published}: give each vintage once`);
      if (result.rows.length === 0) throw new GdpmrError('SOURCE_INVALID', `${file} holds no figure of an economy the country map knows; nothing was written`);
      parts.push({ where: file, rows: result.rows, published, aggregates: result.aggregates, sha256: sha256(bytes), bytes: bytes.length });
    }
    const aggregates = [...new Set(parts.flatMap((p) => p.aggregates))].sort();
    const total = parts.reduce((n, p) => n + p.rows.length, 0);
    const last = parts[parts.length - 1];
    const source: SourceInfo = {
      format: 'gdpmr-source/1',
      source: `world_bank:${WORLD_BANK_INDICATOR}`,
      url: null,
      file: parts.length === 1 ? resolve(last.where) : null,
      retrieved_at: new Date().toISOString(),
      http_status: null,
      published: last.published,
      sha256: parts.length === 1 ? last.sha256 : sha256(Buffer.from(parts.map((p) => p.sha256).join('\n'))),
      rows: total,
      files: parts.map((p) => ({ file: resolve(p.where), sha256: p.sha256, bytes: p.bytes, published: p.published, rows: p.rows.length, aggregates_left_out: p.aggregates })),
      aggregates_left_out: aggregates,
      requests: lines,
    };
    writeDumpOrFail(o.out, dumpText(parts), source);
    out.stderr(`gdpmr: ${aggregatesNote(aggregates)}`);
    out.stdout(`extracted ${total} rows (${WORLD_BANK_INDICATOR}) of ${parts.length} World Bank release${parts.length === 1 ? '' : 's'} (${parts.map((p) => p.published).join(', ')}) into ${o.out}`);
    return 0;
  }

  const base = (o.url ?? WORLD_BANK_API).replace(/\/+$/, '');
  const timeoutMs = o.timeout * 1000;
  const countries = await allPages(`${base}/country`, timeoutMs, log, o.maxBytes);
  const known = aggregateCodes(countries.items);
  const values = await allPages(`${base}/country/all/indicator/${WORLD_BANK_INDICATOR}`, timeoutMs, log, o.maxBytes);
  const result = apiRows(values.items, known);
  if (result.error !== undefined) throw new GdpmrError('SOURCE_INVALID', `${values.first.url} ${result.error}; nothing was written`);
  const lastUpdated = values.meta.lastupdated?.trim();
  if (o.published === undefined && (lastUpdated === undefined || !isCalendarDate(lastUpdated))) {
    throw new GdpmrError('SOURCE_INVALID', `${values.first.url} gives no "lastupdated" date in its page header (got ${JSON.stringify(lastUpdated ?? null)}): give --published YYYY-MM-DD; nothing was written`);
  }
  if (result.rows.length === 0) throw new GdpmrError('SOURCE_INVALID', `${values.first.url} holds no figure of an economy; nothing was written`);
  const published = o.published ?? (lastUpdated as string);
  const responses = [...countries.fetched, ...values.fetched];
  const source: SourceInfo = {
    format: 'gdpmr-source/1',
    source: `world_bank:${WORLD_BANK_INDICATOR}`,
    url: values.first.url,
    file: null,
    retrieved_at: values.first.retrievedAt,
    http_status: values.first.status,
    published,
    sha256: sha256(Buffer.from(responses.map((f) => sha256(f.bytes)).join('\n'))),
    rows: result.rows.length,
    responses: responses.map((f) => ({ url: f.url, http_status: f.status, sha256: sha256(f.bytes), bytes: f.bytes.length })),
    aggregates_left_out: result.aggregates,
    requests: lines,
  };
  writeDumpOrFail(o.out, dumpText([{ rows: result.rows, published }]), source);
  out.stderr(`gdpmr: ${aggregatesNote(result.aggregates)}`);
  out.stdout(`extracted ${result.rows.length} rows (${WORLD_BANK_INDICATOR}, published ${published}) from ${base} (${responses.length} pages) into ${o.out}`);
  return 0;
}
