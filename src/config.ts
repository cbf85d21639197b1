// The flags several commands share, each declared once, and the checks of an output path; the
// machinery that turns a command's definition into parsing, checks and help is
// src/command-line.ts, the defaults and limits the flags use src/defaults.ts.
import { byteSize, calendarDate, decimal, flag, path, sourceName, year, type FlagSpec } from './command-line.js';
import { usage } from './errors.js';
import { DEFAULTS } from './defaults.js';
import { kindOf } from './fs.js';
import { warehouseOwning } from './store/layout.js';

/** Flags several commands take, declared once. */
export const FLAGS = {
  warehouse: { kind: path('DIR'), default: DEFAULTS.warehouse as string, help: 'the warehouse to read' },
  json: { kind: flag, help: 'the answer as JSON on stdout' },
  csv: { kind: flag, help: "the answer's rows as CSV on stdout, for pipes" },
  source: {
    kind: sourceName,
    help: 'whose figures to read (imf, world_bank, un, ...); default: the warehouse\'s\nonly source, else imf; "" for figures that name no source',
  },
  year: { kind: year, help: "the current figures of year Y (projection or not) instead of each\ncountry's latest" },
  asOf: { kind: calendarDate, help: 'answer as the warehouse would have on that date: later vintages unseen' },
  projections: { kind: flag, help: "a country's latest figure may be a projection (the publisher's estimate or\nforecast: a year after its estimates_start_after, else not before its vintage's\nyear); by default it is the newest figure that is not" },
  /** The figures' date of an extract: a real calendar date. */
  published: { kind: calendarDate, help: "the figures' date" },
  verbose: { kind: flag, help: 'log every request to stderr as well as into the .source.json' },
  force: { kind: flag, help: 'replace an --out that exists though it is not this command\'s earlier output' },
  /** Seconds per request of the extract commands, the body included. */
  timeout: { kind: decimal('a number of seconds from 0 to 3600', (n) => n > 0 && n <= 3600, 'S'), default: 30, help: 'seconds per request, the body included' },
  /** How large a fetched response may be, decoded (a gzip body counts as what it inflates to). */
  maxBytes: {
    kind: byteSize(Number.MAX_SAFE_INTEGER, '', '64MB or 1GB'),
    default: 256 * 1024 * 1024,
    defaultText: '256MB',
    help: 'the most a response may hold, decoded (gzip counts as inflated)',
  },
} satisfies Record<string, FlagSpec>;

/** An output must not land among a warehouse's own files (its manifest, regions, generations). */
export function refuseWarehouseFiles(flag: string, path: string): void {
  const owner = warehouseOwning(path);
  if (owner !== null) throw usage(`${flag} must be outside the files gdpmr keeps in the warehouse ${owner} (manifest.json, regions/, rejects.csv, .gen/, .runs/, logs/), got ${path}`);
}

/**
 * An output FILE: outside any warehouse's own files, not a directory, and new unless it is
 * the command's own earlier output (`own`) or --force says to replace it: a typo in --out must
 * not overwrite an extract, a data file or a download. Checked before work starts.
 */
export function checkOutputFile(flag: string, path: string, o: { force: boolean; own?: (path: string) => boolean; what?: string }): void {
  refuseWarehouseFiles(flag, path);
  const kind = kindOf(path);
  if (kind === 'directory') throw usage(`${flag} must be a file path, got ${path} (a directory)`);
  if (kind !== null && !o.force && !(o.own?.(path) ?? false)) {
    throw usage(`${flag} must be a new file${o.what === undefined ? '' : ` or ${o.what}`}, got ${path} (it exists${o.what === undefined ? '' : ' and is not one'}); give another path, or --force to replace it`);
  }
}

/** An earlier extract's dump: its provenance file lies beside it. */
export const isEarlierExtract = (path: string): boolean => kindOf(`${path}.source.json`) === 'file';

/** The flags every extract takes, with what they mean for a fetch. */
export const EXTRACT_FLAGS = {
  out: { kind: path('OUT.csv'), required: 'gdpmr extract needs --out OUT.csv', help: 'the dump to write (and OUT.csv.source.json beside it), whole or not at all' },
  timeout: { ...FLAGS.timeout, help: 'per request, the body included; 3 attempts on network\nerrors, 429 and 5xx, with backoff, honouring Retry-After' },
  maxBytes: { ...FLAGS.maxBytes, help: 'the most a response may hold, decoded: past it the fetch\nfails (exit 1) naming the cap' },
  verbose: FLAGS.verbose,
  force: FLAGS.force,
};
