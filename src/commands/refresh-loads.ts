// What `gdpmr refresh` and `gdpmr rebuild` share: running a source's extract on its raw bytes
// (the files of a `files` source, or a fetch recorded or replayed through the archive), and the
// record a refresh keeps with each load in the manifest, enough to extract it again.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorText, GdpmrError } from '../errors.js';
import { readSourceInfo, type SourceInfo } from '../extract/dump-file.js';
import { withFetchTap, type FetchTap } from '../extract/http.js';
import type { Output } from '../output.js';
import { readArchive, sha256Of } from '../refresh/archive.js';
import type { SourceKind } from '../refresh/sources-file.js';
import type { Load } from '../store/manifest.js';
import { extractCommand } from './extract.js';

/** One raw file or response of a load, as the archive keeps it. */
export interface ArchivedPart {
  sha256: string;
  bytes: number;
  /** A fetch's address as asked for, and as answered (after redirects). */
  requested?: string;
  url?: string;
  status?: number;
  content_type?: string | null;
  /** A file's path when it was read. */
  file?: string;
}

/** What a refresh keeps with a load (manifest: loads[i].source.refresh). */
export interface RefreshRecord {
  name: string;
  kind: SourceKind;
  /** The extract's options: which column, and the date its figures were given. */
  options: { column?: string; published?: string };
  /** `url` for a fetched source (replayed on rebuild), `files` for files read. */
  mode: 'url' | 'files';
  url?: string;
  archive: ArchivedPart[];
  country_map_sha256: string;
  records: number;
  rejected: number;
  economies: string[];
  rows_change_pct: number | null;
  gone: string[];
  new: string[];
  warnings: string[];
}

/** The refresh record of a manifest load, if a refresh made it. */
export function refreshRecordOf(load: Load): RefreshRecord | undefined {
  const r = (load.source as { refresh?: unknown } | undefined)?.refresh as RefreshRecord | undefined;
  return r !== undefined && typeof r?.name === 'string' && Array.isArray(r.archive) ? r : undefined;
}

/** Collects what a command prints, for the message of a source that failed. */
function quietOutput(): Output & { text(): string } {
  const lines: string[] = [];
  return {
    stdout: (t) => lines.push(t),
    stream: async (t) => {
      lines.push(t);
    },
    stderr: (t) => lines.push(t),
    progress: () => undefined,
    stderrIsTTY: false,
    text: () => lines.join('\n'),
  };
}

/** An IMF pair of saved responses: the one with a `countries` member is BASE/countries. */
function imfPair(files: string[]): { values: string; countries: string } {
  const isCountries = (f: string): boolean => {
    try {
      const raw = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
      return raw !== null && typeof raw === 'object' && 'countries' in raw;
    } catch {
      return false;
    }
  };
  const countries = files.filter(isCountries);
  const values = files.filter((f) => !isCountries(f));
  if (files.length !== 2 || countries.length !== 1) {
    throw new GdpmrError('SOURCE_INVALID', `an imf source of files needs two saved API responses, BASE/NGDPD and BASE/countries, got ${files.length} file${files.length === 1 ? '' : 's'} (${countries.length} of countries)`);
  }
  return { values: values[0], countries: countries[0] };
}

/** The extract's arguments for a source read from files; one extract per unit (wikipedia: a page each). */
function fileExtracts(kind: SourceKind, files: string[], options: RefreshRecord['options']): string[][] {
  const published = options.published === undefined ? [] : ['--published', options.published];
  switch (kind) {
    case 'weo':
      return [['weo', ...files.flatMap((f) => ['--file', f]), ...published]];
    case 'worldbank':
      return [['worldbank', ...files.flatMap((f) => ['--file', f]), ...published]];
    case 'imf': {
      const { values, countries } = imfPair(files);
      return [['imf', '--file', values, '--countries', countries, ...published]];
    }
    case 'wikipedia':
      return files.map((f) => ['wikipedia', '--file', f, '--source', options.column ?? 'imf', ...published]);
  }
}

function urlExtract(kind: SourceKind, url: string, options: RefreshRecord['options']): string[] {
  const published = options.published === undefined ? [] : ['--published', options.published];
  switch (kind) {
    case 'weo':
      return ['weo', '--url', url, ...published];
    case 'worldbank':
      return ['worldbank', '--url', url, ...published];
    case 'imf':
      return ['imf', '--url', url, ...published];
    case 'wikipedia':
      return ['wikipedia', '--url', url, '--source', options.column ?? 'imf', ...published];
  }
}

export interface Extracted {
  /** The dump, as `gdpmr run` reads it. */
  csv: string;
  /** The extract's own provenance (of the last unit, for a source of several pages). */
  info: SourceInfo;
  /** Every unit's published date: the newest is the load's. */
  published: string;
}

/** Runs extract units into a scratch directory; their dumps joined under one header. */
async function runExtracts(argvs: string[][], scratch: string): Promise<Extracted> {
  let csv = '';
  let info: SourceInfo | undefined;
  let published = '';
  for (const [i, argv] of argvs.entries()) {
    const out = join(scratch, `part-${i}.csv`);
    const printed = quietOutput();
    try {
      await extractCommand([...argv, '--out', out], printed);
    } catch (error) {
      throw new GdpmrError((error as GdpmrError).code ?? 'SOURCE_INVALID', errorText(error, 600));
    }
    const text = readFileSync(out, 'utf8');
    csv += i === 0 ? text : text.slice(text.indexOf('\n') + 1);
    info = readSourceInfo(out);
    if (info === undefined) throw new GdpmrError('SOURCE_INVALID', `the extract wrote no readable provenance beside ${out}`);
    if (info.published > published) published = info.published;
  }
  return { csv, info: info as SourceInfo, published };
}

/** A source of files: the extract of those files. */
export async function extractFiles(kind: SourceKind, files: string[], options: RefreshRecord['options']): Promise<Extracted> {
  const scratch = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'gdpmr-refresh-'));
  try {
    return await runExtracts(fileExtracts(kind, files, options), scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A fetched source: the extract, with every response recorded (bytes kept for the archive). */
export async function extractUrl(kind: SourceKind, url: string, options: RefreshRecord['options']): Promise<Extracted & { responses: Array<ArchivedPart & { body: Buffer }> }> {
  const responses: Array<ArchivedPart & { body: Buffer }> = [];
  const tap: FetchTap = {
    record: (r) => responses.push({ sha256: sha256Of(r.bytes), bytes: r.bytes.length, requested: r.requested, url: r.url, status: r.status, content_type: r.contentType, body: r.bytes }),
  };
  const scratch = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'gdpmr-refresh-'));
  try {
    const extracted = await withFetchTap(tap, () => runExtracts([urlExtract(kind, url, options)], scratch));
    return { ...extracted, responses };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A load of a refresh extracted again from the archive alone (rebuild): files copied out, fetches replayed. */
export async function extractFromArchive(root: string, record: RefreshRecord): Promise<Extracted> {
  const scratch = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'gdpmr-rebuild-'));
  try {
    if (record.mode === 'files') {
      const files = record.archive.map((part, i) => {
        // The extract names a file by its path; the archive's bytes under a name that keeps its extension.
        const ext = /\.[A-Za-z0-9]{1,5}$/.exec(part.file ?? '')?.[0] ?? '';
        const path = join(scratch, `file-${i}${ext}`);
        writeFileSync(path, readArchive(root, part.sha256));
        return path;
      });
      return await runExtracts(fileExtracts(record.kind, files, record.options), scratch);
    }
    const unused = [...record.archive];
    const tap: FetchTap = {
      replay: (url) => {
        const at = unused.findIndex((p) => p.requested === url);
        if (at < 0) throw new GdpmrError('SOURCE_INVALID', `rebuilding source ${record.name}: its extract asks for ${url}, which the archive does not hold for this load`);
        const [part] = unused.splice(at, 1);
        return { url: part.url ?? url, status: part.status ?? 200, contentType: part.content_type ?? null, bytes: readArchive(root, part.sha256) };
      },
    };
    return await withFetchTap(tap, () => runExtracts([urlExtract(record.kind, record.url as string, record.options)], scratch));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
