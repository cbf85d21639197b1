// SPEC §12: the sources file, read and checked whole before anything is fetched. Every rule
// broken is exit 2 naming the entry and the field; an unknown field too (a typo must not be
// a source silently read with its defaults).
import { usage } from '../errors.js';
import { isCalendarDate } from '../rules/normalize.js';

export const SOURCE_KINDS = ['imf', 'weo', 'worldbank', 'wikipedia'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const WIKIPEDIA_COLUMNS = ['imf', 'world_bank', 'un'] as const;
export const DEFAULT_EVERY_DAYS = 183;

export interface SourceEntry {
  name: string;
  kind: SourceKind;
  url?: string;
  /** Paths or glob patterns, relative to the sources file. */
  files?: string[];
  column?: (typeof WIKIPEDIA_COLUMNS)[number];
  published?: string;
  every_days: number;
}

const FIELDS = new Set(['name', 'kind', 'url', 'files', 'column', 'published', 'every_days']);
const got = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 80) ?? String(value));

export function parseSourcesFile(text: string, path: string): SourceEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw usage(`--sources must be a JSON file {"sources":[...]}, got ${path} (${(error as Error).message.slice(0, 120)})`);
  }
  const list = (raw as { sources?: unknown } | null)?.sources;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Array.isArray(list)) {
    throw usage(`--sources must be a JSON object with a "sources" list, got ${path}`);
  }
  if (list.length === 0) throw usage(`--sources ${path} lists no source: add one, e.g. {"name":"imf_api","kind":"imf","url":"https://www.imf.org/external/datamapper/api/v1"}`);
  const seen = new Set<string>();
  return list.map((item, i) => {
    const at = (field: string): string => `--sources ${path}: source ${i + 1}${typeof (item as { name?: unknown })?.name === 'string' ? ` (${JSON.stringify((item as { name: string }).name)})` : ''}: ${field}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw usage(`${at('the entry')} must be an object, got ${got(item)}`);
    const e = item as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!FIELDS.has(key)) throw usage(`${at(key)} is not a field of a source (they are ${[...FIELDS].join(', ')})`);
    if (typeof e.name !== 'string' || !/^[a-z0-9_-]+$/.test(e.name)) throw usage(`${at('name')} must be made of a-z, 0-9, _ and -, got ${got(e.name)}`);
    if (seen.has(e.name)) throw usage(`${at('name')} must be unique, got ${JSON.stringify(e.name)} twice`);
    seen.add(e.name);
    if (!SOURCE_KINDS.includes(e.kind as SourceKind)) throw usage(`${at('kind')} must be one of ${SOURCE_KINDS.join(', ')}, got ${got(e.kind)}`);
    const kind = e.kind as SourceKind;
    if ((e.url === undefined) === (e.files === undefined)) throw usage(`${at('url')} or files: exactly one must be given, got ${e.url === undefined ? 'neither' : 'both'}`);
    const entry: SourceEntry = { name: e.name, kind, every_days: DEFAULT_EVERY_DAYS };
    if (e.url !== undefined) {
      let ok = false;
      try {
        ok = typeof e.url === 'string' && ['http:', 'https:'].includes(new URL(e.url).protocol);
      } catch {
        ok = false;
      }
      if (!ok) throw usage(`${at('url')} must be an http:// or https:// address, got ${got(e.url)}`);
      entry.url = e.url as string;
    }
    if (e.files !== undefined) {
      if (!Array.isArray(e.files) || e.files.length === 0 || !e.files.every((f) => typeof f === 'string' && f.trim() !== '')) {
        throw usage(`${at('files')} must be a non-empty list of paths or glob patterns, got ${got(e.files)}`);
      }
      entry.files = e.files as string[];
    }
    if (e.column !== undefined) {
      if (kind !== 'wikipedia') throw usage(`${at('column')} is for a wikipedia source only (which publisher's column), got it on a ${kind} source`);
      if (!WIKIPEDIA_COLUMNS.includes(e.column as (typeof WIKIPEDIA_COLUMNS)[number])) throw usage(`${at('column')} must be one of ${WIKIPEDIA_COLUMNS.join(', ')}, got ${got(e.column)}`);
      entry.column = e.column as SourceEntry['column'];
    }
    if (e.published !== undefined) {
      if (typeof e.published !== 'string' || !isCalendarDate(e.published)) throw usage(`${at('published')} must be a date YYYY-MM-DD, got ${got(e.published)}`);
      entry.published = e.published;
    }
    if (kind === 'imf' && entry.files !== undefined && entry.published === undefined) {
      throw usage(`${at('published')} is needed by an imf source of files (saved API responses do not say when they were published)`);
    }
    if (e.every_days !== undefined) {
      if (typeof e.every_days !== 'number' || !Number.isFinite(e.every_days) || e.every_days <= 0 || e.every_days > 3660) throw usage(`${at('every_days')} must be a number of days from 1 to 3660, got ${got(e.every_days)}`);
      entry.every_days = e.every_days;
    }
    return entry;
  });
}
