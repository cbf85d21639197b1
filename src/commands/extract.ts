// `gdpmr extract wikipedia|imf`: the E of the ETL. Reads a source (live, a URL, or a saved
// file), writes OUT.csv for `gdpmr run` and OUT.source.json saying where it came from.
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { defineCommand, httpUrl, oneOf, path, text } from '../command-line.js';
import { checkOutputFile, isEarlierExtract, EXTRACT_FLAGS, FLAGS } from '../config.js';
import { GdpmrError, usage } from '../errors.js';
import { dumpCsv, sha256, writeDumpOrFail, type SourceInfo } from '../extract/dump-file.js';
import { fetchSource, type Fetched } from '../extract/http.js';
import { extractImf } from '../extract/imf.js';
import { decodePage, extractWikipedia, WIKIPEDIA_SOURCES, type WikipediaSource } from '../extract/wikipedia.js';
import { isCalendarDate } from '../rules/normalize.js';
import { readSmallBytes } from '../fs.js';
import type { Output } from '../output.js';

export const WIKIPEDIA_URL = 'https://en.wikipedia.org/wiki/List_of_countries_by_GDP_(nominal)';
export const IMF_BASE_URL = 'https://www.imf.org/external/datamapper/api/v1';


export const EXTRACT_HELP = `gdpmr extract wikipedia|imf|weo|worldbank ... --out OUT.csv

Writes a raw dump (country,country_code,year,gdp_usd_million,published,source,
estimates_start_after) that
\`gdpmr run\` reads, and OUT.csv.source.json with where it came from (URL or file, time, HTTP
status, revision, sha256, rows). \`gdpmr extract SOURCE --help\` explains each:
  wikipedia  Wikipedia's "List of countries by GDP (nominal)", one publisher's column group
  imf        the IMF DataMapper API (the current WEO vintage), with ISO codes
  weo        the IMF's WEO database files, every vintage since 2007 into one dump
  worldbank  the World Bank's GDP (current US$): its bulk files or its API v2`;


const WIKIPEDIA = defineCommand({
  name: 'gdpmr extract wikipedia',
  description: `Reads the table of Wikipedia's "List of countries by GDP (nominal)" that has a Country/Territory
column and the column group of --source, found by header text. With neither --url nor --file
the live page is fetched: ${WIKIPEDIA_URL}`,
  flags: {
    url: { kind: httpUrl(), help: 'the page to fetch' },
    file: { kind: path('PAGE.html'), help: 'a saved copy of the page' },
    source: { kind: oneOf(Object.keys(WIKIPEDIA_SOURCES) as WikipediaSource[], 'NAME'), default: 'imf' as WikipediaSource, help: "whose figures: imf, world_bank or un; written as each row's source" },
    published: { ...FLAGS.published, defaultText: "the page revision's date from its own metadata", help: "the figures' date" },
    ...EXTRACT_FLAGS,
  },
  notes: `Wikipedia gives no country codes: country_code is left empty and \`gdpmr run\` finds the
code (and the region) by the name in the country map.`,
});

const IMF = defineCommand({
  name: 'gdpmr extract imf',
  description: `Reads the IMF DataMapper API: BASE/INDICATOR ({"values":{"NGDPD":{ISO3:{YEAR:billions}}}}) and
BASE/countries. With neither --url nor --file it fetches ${IMF_BASE_URL}.
One row per country of BASE/countries and year with a value; groups such as WEOWORLD are left
out; the API's codes are written as country_code (UVK -> XKX, WBG -> PSE); source is imf.`,
  flags: {
    url: { kind: httpUrl('BASE'), help: "the API's base address" },
    file: { kind: path('VALUES.json'), help: 'a saved BASE/INDICATOR response; needs --countries and --published' },
    countries: { kind: path('FILE'), help: 'a saved BASE/countries response' },
    indicator: {
      kind: text('CODE', (value) => (/^[A-Za-z0-9_]{1,40}$/.test(value) ? undefined : `--indicator must be a DataMapper indicator code such as NGDPD, got ${JSON.stringify(value)}`)),
      default: 'NGDPD',
      help: 'the DataMapper indicator (NGDPD: nominal GDP, billions of USD)',
    },
    published: { ...FLAGS.published, help: "the vintage's date; default for a live fetch: the day fetched (UTC);\nrequired with --file (a saved response does not say when it was published)" },
    ...EXTRACT_FLAGS,
  },
});


/** A saved source file, or exit 2 naming it: read as a fetch would be, up to --max-bytes. */
function readSaved(path: string, flag: string, maxBytes: number): Buffer {
  return readSmallBytes(path, { flag, maxBytes, code: 'INPUT_MISSING' });
}

/** Request log lines: kept for the .source.json, and echoed to stderr with --verbose. */
function requestLog(verbose: boolean, out: Output): { log: Logger; lines: unknown[] } {
  const lines: unknown[] = [];
  const log = pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
        if (verbose) out.stderr(line.trimEnd());
      },
    },
  );
  return { log, lines };
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new GdpmrError('SOURCE_INVALID', `${where} is not JSON (${(error as Error).message.slice(0, 120)})`);
  }
}


export async function extractCommand(argv: string[], out: Output): Promise<number> {
  const [which, ...rest] = argv;
  if (which === undefined || which === '--help' || which === '-h') {
    out.stdout(EXTRACT_HELP);
    return which === undefined ? 2 : 0;
  }
  if (which === 'wikipedia') return extractWikipediaCommand(rest, out);
  if (which === 'imf') return extractImfCommand(rest, out);
  if (which === 'weo') {
    const { log, lines } = requestLog(rest.includes('--verbose'), out);
    return (await import('./extract-weo.js')).extractWeoCommand(rest, out, log, lines);
  }
  if (which === 'worldbank') {
    const { log, lines } = requestLog(rest.includes('--verbose'), out);
    return (await import('./extract-worldbank.js')).extractWorldBankCommand(rest, out, log, lines);
  }
  throw usage(`gdpmr extract must be followed by wikipedia, imf, weo or worldbank, got ${JSON.stringify(which.slice(0, 60))}`);
}

async function extractWikipediaCommand(argv: string[], out: Output): Promise<number> {
  const o = WIKIPEDIA.parse(argv);
  if (o === null) {
    out.stdout(WIKIPEDIA.help());
    return 0;
  }
  if (o.url !== undefined && o.file !== undefined) throw usage('gdpmr extract wikipedia takes --url or --file, not both');
  checkOutputFile('--out', o.out, { force: o.force, own: isEarlierExtract, what: 'an earlier extract (with its .source.json)' });
  const { log, lines } = requestLog(o.verbose, out);
  let fetched: Fetched | undefined;
  let bytes: Buffer;
  if (o.file !== undefined) bytes = readSaved(o.file, '--file', o.maxBytes);
  else {
    fetched = await fetchSource(o.url ?? WIKIPEDIA_URL, o.timeout * 1000, log, o.maxBytes);
    bytes = fetched.bytes;
  }
  const where = o.file ?? fetched?.url ?? '';
  const page = decodePage(bytes, fetched?.contentType ?? null);
  if ('error' in page) throw new GdpmrError('SOURCE_INVALID', `${where} ${page.error}; nothing was written`);
  const result = extractWikipedia(page.text, o.source as WikipediaSource);
  if (!result.ok) throw new GdpmrError('SOURCE_INVALID', `${where}: ${result.reason}`);
  if (result.rows.length === 0) throw new GdpmrError('SOURCE_INVALID', `${where}: the ${WIKIPEDIA_SOURCES[o.source as WikipediaSource]} table has no figure rows; nothing was written`);
  if (o.published === undefined && result.revision.date !== null && !isCalendarDate(result.revision.date)) {
    throw new GdpmrError('SOURCE_INVALID', `${where}: the page's own revision date ${JSON.stringify(result.revision.date)} is not a calendar date; give --published YYYY-MM-DD`);
  }
  if (result.alsoMatched.length > 0) {
    out.stderr(`gdpmr: warning: ${where} has ${result.alsoMatched.length + 1} tables with these columns; extracted the first (${result.rows.length} rows), left out ${result.alsoMatched.join(', ')}`);
  }
  const published = o.published ?? result.revision.date;
  if (published === null) throw new GdpmrError('SOURCE_INVALID', `${where}: the page's metadata gives no revision date; give --published YYYY-MM-DD`);
  const source: SourceInfo = {
    format: 'gdpmr-source/1',
    source: `wikipedia:${o.source}`,
    url: fetched?.url ?? null,
    file: o.file === undefined ? null : resolve(o.file),
    retrieved_at: fetched?.retrievedAt ?? new Date().toISOString(),
    http_status: fetched?.status ?? null,
    published,
    revision: result.revision,
    sha256: sha256(bytes),
    bytes: bytes.length,
    rows: result.rows.length,
    requests: lines,
  };
  writeDumpOrFail(o.out, dumpCsv(result.rows, published, o.source), source);
  out.stdout(`extracted ${result.rows.length} rows (${WIKIPEDIA_SOURCES[o.source as WikipediaSource]}, published ${published}${result.revision.id === null ? '' : `, revision ${result.revision.id}`}) from ${where} into ${o.out}`);
  return 0;
}

async function extractImfCommand(argv: string[], out: Output): Promise<number> {
  const o = IMF.parse(argv);
  if (o === null) {
    out.stdout(IMF.help());
    return 0;
  }
  if (o.url !== undefined && o.file !== undefined) throw usage('gdpmr extract imf takes --url or --file, not both');
  if (o.file !== undefined && o.countries === undefined) throw usage('gdpmr extract imf --file VALUES.json needs --countries COUNTRIES.json too');
  if (o.file === undefined && o.countries !== undefined) throw usage('gdpmr extract imf --countries goes with --file VALUES.json');
  if (o.file !== undefined && o.published === undefined) throw usage('gdpmr extract imf --file needs --published YYYY-MM-DD: a saved response does not say when it was published');
  checkOutputFile('--out', o.out, { force: o.force, own: isEarlierExtract, what: 'an earlier extract (with its .source.json)' });
  const { log, lines } = requestLog(o.verbose, out);
  let valuesBytes: Buffer;
  let countriesBytes: Buffer;
  let valuesWhere: string;
  let countriesWhere: string;
  let fetched: Fetched | undefined;
  let fetchedCountries: Fetched | undefined;
  if (o.file !== undefined) {
    valuesBytes = readSaved(o.file, '--file', o.maxBytes);
    countriesBytes = readSaved(o.countries as string, '--countries', o.maxBytes);
    valuesWhere = o.file;
    countriesWhere = o.countries as string;
  } else {
    const base = (o.url ?? IMF_BASE_URL).replace(/\/+$/, '');
    fetched = await fetchSource(`${base}/${o.indicator}`, o.timeout * 1000, log, o.maxBytes);
    fetchedCountries = await fetchSource(`${base}/countries`, o.timeout * 1000, log, o.maxBytes);
    valuesBytes = fetched.bytes;
    countriesBytes = fetchedCountries.bytes;
    valuesWhere = fetched.url;
    countriesWhere = fetchedCountries.url;
  }
  const valuesJson = parseJson(valuesBytes, valuesWhere);
  const countriesJson = parseJson(countriesBytes, countriesWhere);
  const result = extractImf(valuesJson, countriesJson, o.indicator);
  if (!result.ok) throw new GdpmrError('SOURCE_INVALID', `${result.reason.includes('countries response') ? countriesWhere : valuesWhere}: ${result.reason}`);
  if (result.rows.length === 0) throw new GdpmrError('SOURCE_INVALID', `${valuesWhere}: no country of ${countriesWhere} has a ${o.indicator} value; nothing was written`);
  // A live fetch's vintage is the day it was fetched (UTC): the API does not say its release.
  const published = o.published ?? (fetched as Fetched).retrievedAt.slice(0, 10);
  const api = (valuesJson as { api?: unknown }).api ?? null;
  const source: SourceInfo = {
    format: 'gdpmr-source/1',
    source: `imf:${o.indicator}`,
    url: fetched?.url ?? null,
    file: o.file === undefined ? null : resolve(o.file),
    retrieved_at: fetched?.retrievedAt ?? new Date().toISOString(),
    http_status: fetched?.status ?? null,
    published,
    vintage: { published, api },
    sha256: sha256(valuesBytes),
    bytes: valuesBytes.length,
    countries: { url: fetchedCountries?.url ?? null, file: o.countries === undefined ? null : resolve(o.countries), http_status: fetchedCountries?.status ?? null, sha256: sha256(countriesBytes), bytes: countriesBytes.length },
    rows: result.rows.length,
    requests: lines,
  };
  writeDumpOrFail(o.out, dumpCsv(result.rows, published, 'imf'), source);
  out.stdout(`extracted ${result.rows.length} rows (${o.indicator}, published ${published}) from ${valuesWhere} into ${o.out}`);
  return 0;
}

/** The definitions of the subcommands this module runs (weo and worldbank have their own). */
export const DEFINITIONS = [WIKIPEDIA, IMF];
