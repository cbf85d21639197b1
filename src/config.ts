// Command-line options: parsed once, checked by zod, defaults in one place. Every message has
// the form "--flag must be X, got Y" so a user sees what was wrong and what was expected.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { usage } from './errors.js';
import { didYouMean } from './suggest.js';
import { formatBytes, shownUrl } from './format.js';
import { PACKAGE_ROOT } from './package-root.js';
import { isCalendarDate, parseSource } from './rules/normalize.js';
import { kindOf } from './store/files.js';
import { warehouseOwning } from './store/layout.js';

export const DEFAULTS = {
  warehouse: 'warehouse',
  chunkBytes: 16 * 1024 * 1024,
  workers: availableParallelism(),
  regionMap: join(PACKAGE_ROOT, 'data', 'un_regions.csv'),
  k: 5,
  minUsdBillion: 100,
  benchChunkSizes: '256KB,1MB,4MB,16MB,64MB',
  benchWorkers: '1,2',
  benchRepeat: 3,
  benchReport: 'bench-report',
} as const;

/**
 * Upper bounds of the numeric flags. Workers: threads beyond a few per core only compete for
 * the cores (and each holds a split in memory). Chunk size: a map task holds its whole split in
 * memory, and a Node buffer of more than 1 GB is not worth what it costs the worker heap.
 */
export const LIMITS = {
  workers: Math.max(4, 4 * availableParallelism()),
  chunkBytes: 1024 ** 3,
  k: 100_000,
  repeat: 100,
  generateBytes: 1024 ** 4,
} as const;

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB)?$/i;

/** "16MB" → 16777216; undefined when the text is no size. */
export function parseByteSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

/** --timeout of the extract commands: seconds per request, the body included. */
export const Timeout = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return 30;
    const n = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!(n > 0 && n <= 3600)) {
      ctx.addIssue({ code: 'custom', message: `--timeout must be a number of seconds from 0 to 3600, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return n;
  });

/** --timeout of `gdpmr sql`: seconds a statement may run. */
export const SqlTimeout = z.string().transform((text, ctx) => {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n > 0 && n <= 86400)) {
    ctx.addIssue({ code: 'custom', message: `--timeout must be a number of seconds above 0, at most 86400, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return n;
});

/** --max-bytes of the extract commands: how large a fetched response may be, decoded. */
export const MaxBytes = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return 256 * 1024 * 1024;
    const bytes = parseByteSize(text);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `--max-bytes must be a positive byte size such as 64MB or 1GB, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return bytes;
  });

const got = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

const ByteSize = (flag: string, max: number, why: string) =>
  z.string().transform((text, ctx) => {
    const bytes = parseByteSize(text);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a positive byte size such as 65536, 256KB, 16MB or 1GB, got ${got(text)}` });
      return z.NEVER;
    }
    if (bytes > max) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be at most ${formatBytes(max)} (${why}), got ${got(text)}` });
      return z.NEVER;
    }
    return bytes;
  });

export const PositiveInt = (flag: string, what = 'a whole number of at least 1', max = Number.MAX_SAFE_INTEGER, why = '') =>
  z.string().transform((text, ctx) => {
    const n = /^[0-9]+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be ${what}, got ${got(text)}` });
      return z.NEVER;
    }
    if (n > max) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be at most ${max}${why === '' ? '' : ` (${why})`}, got ${got(text)}` });
      return z.NEVER;
    }
    return n;
  });

/** `text` is a URL of one of `protocols` (with the colon, as URL spells them) with a host. */
export function isUrlOf(text: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(text);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * --url of the extract commands: an http(s) address without credentials (fetch refuses them,
 * and they would land in logs and provenance). The message never repeats a password.
 */
export const HttpUrl = z.string().superRefine((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') {
    ctx.addIssue({ code: 'custom', message: `--url must be an http:// or https:// address, got ${got(shownUrl(text).slice(0, 200))}` });
  } else if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: `--url must not carry a user name or password (they would be kept in the output's provenance), got ${got(shownUrl(text).slice(0, 200))}` });
  }
});

/** --redis, for `run` and `worker` alike. */
export const RedisUrl = z.string().superRefine((u, ctx) => {
  if (!isUrlOf(u, ['redis:', 'rediss:'])) ctx.addIssue({ code: 'custom', message: '--redis must be a Redis URL such as redis://127.0.0.1:6379' });
  else if (!/^\/?([0-9]{1,5})?$/.test(new URL(u).pathname)) ctx.addIssue({ code: 'custom', message: `--redis must end in a database number if in anything (redis://127.0.0.1:6379/1), got ${got(shownUrl(u))}` });
});

/** A file or directory path: an empty one would silently mean the current directory. */
export const PathArg = (flag: string) =>
  z.string().refine((text) => text.trim() !== '', { message: `${flag} must be a path, got ""` });

const WORKERS_WHY = `${LIMITS.workers} is 4 × the machine's ${availableParallelism()} cores; more threads only compete for them`;
const CHUNK_WHY = 'a map task holds its whole split in memory';

const Year = z.string().transform((text, ctx) => {
  const n = /^[0-9]{4}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 1900 && n <= 2100)) {
    ctx.addIssue({ code: 'custom', message: `--year must be a four-digit year from 1900 to 2100, got ${got(text)}` });
    return z.NEVER;
  }
  return n;
});

export const AsOf = z.string().transform((text, ctx) => {
  if (!isCalendarDate(text.trim())) {
    ctx.addIssue({ code: 'custom', message: `--as-of must be a calendar date YYYY-MM-DD, got ${got(text)}` });
    return z.NEVER;
  }
  return text.trim();
});

const NonNegativeNumber = (flag: string) =>
  z.string().transform((text, ctx) => {
    const n = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a number of billions of USD, at least 0, got ${got(text)}` });
      return z.NEVER;
    }
    return n;
  });

const List = <T>(flag: string, item: (text: string) => T | undefined, what: string) =>
  z.string().transform((text, ctx) => {
    const parts = text.split(',').map((p) => p.trim());
    const values = parts.map(item);
    const bad = parts.find((_, i) => values[i] === undefined);
    if (parts.length === 0 || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a comma-separated list of ${what}, got ${got(text)}` });
      return z.NEVER;
    }
    return values as T[];
  });

/** --source of a query: a source name as the rules store it ("" for figures that name none). */
export const SourceFlag = (flag: string) =>
  z.string().transform((text, ctx) => {
    const source = parseSource(text);
    if (source === undefined) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a source name of lower-case letters, digits and _ (imf, world_bank, un, ...), got ${got(text)}` });
      return z.NEVER;
    }
    return source;
  });

export const RunOptions = z.object({
  input: z.string({ error: 'gdpmr run needs INPUT.csv, the dump to load' }).pipe(PathArg('INPUT')),
  out: PathArg('--out').default(DEFAULTS.warehouse),
  chunkSize: ByteSize('--chunk-size', LIMITS.chunkBytes, CHUNK_WHY).optional(),
  workers: PositiveInt('--workers', 'a whole number of worker threads, at least 1', LIMITS.workers, WORKERS_WHY).prefault(String(Math.min(DEFAULTS.workers, LIMITS.workers))),
  /** Left undefined when not given: --resume then takes the interrupted run's map. */
  regions: PathArg('--regions').optional(),
  /** Left undefined when not given: --resume then takes the interrupted run's. */
  source: SourceFlag('--source').optional(),
  append: z.boolean().default(false),
  replace: z.boolean().default(false),
  allowReload: z.boolean().default(false),
  resume: z.boolean().default(false),
  redis: RedisUrl.optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

const QueryCommon = {
  warehouse: PathArg('--warehouse').default(DEFAULTS.warehouse),
  json: z.boolean().default(false),
  csv: z.boolean().default(false),
  year: Year.optional(),
  asOf: AsOf.optional(),
  source: SourceFlag('--source').optional(),
  projections: z.boolean().default(false),
};

export const Top5Options = z.object({ ...QueryCommon, k: PositiveInt('--k', 'a whole number of at least 1', LIMITS.k, 'more than any region has countries').prefault(String(DEFAULTS.k)) });
export const OverOptions = z.object({ ...QueryCommon, min: NonNegativeNumber('--min').prefault(String(DEFAULTS.minUsdBillion)) });
export const HistoryOptions = z.object({
  ...QueryCommon,
  country: z.string({ error: 'gdpmr query history needs --country NAME' }).refine((c) => c.trim() !== '', { message: '--country must be a country name, got ""' }),
});

const DateFlag = (flag: string) =>
  z.string({ error: `gdpmr query revisions needs ${flag} YYYY-MM-DD` }).transform((text, ctx) => {
    if (!isCalendarDate(text.trim())) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a calendar date YYYY-MM-DD, got ${got(text)}` });
      return z.NEVER;
    }
    return text.trim();
  });

export const RevisionsOptions = z
  .object({
    warehouse: QueryCommon.warehouse,
    json: QueryCommon.json,
    csv: QueryCommon.csv,
    source: QueryCommon.source,
    from: DateFlag('--from'),
    to: DateFlag('--to'),
    minChange: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const n = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
        if (!Number.isFinite(n)) {
          ctx.addIssue({ code: 'custom', message: `--min-change must be a percentage, at least 0, got ${got(text)}` });
          return z.NEVER;
        }
        return n;
      }),
  })
  .superRefine((o, ctx) => {
    if (!(o.from < o.to)) ctx.addIssue({ code: 'custom', message: `--from must be a date before --to, got --from ${o.from} --to ${o.to}` });
  });

export const BenchOptions = z.object({
  input: z.string({ error: 'gdpmr bench needs INPUT.csv, the dump to benchmark on' }).pipe(PathArg('INPUT')),
  chunkSizes: List('--chunk-sizes', (t) => { const b = parseByteSize(t); return b !== undefined && b <= LIMITS.chunkBytes ? b : undefined; }, `byte sizes from 1 to ${formatBytes(LIMITS.chunkBytes)} such as 256KB,1MB`).prefault(DEFAULTS.benchChunkSizes),
  workers: List('--workers', (t) => (/^[0-9]+$/.test(t) && Number(t) >= 1 && Number(t) <= LIMITS.workers ? Number(t) : undefined), `worker counts from 1 to ${LIMITS.workers} such as 1,2`).prefault(DEFAULTS.benchWorkers),
  repeat: PositiveInt('--repeat', 'a whole number of at least 1', LIMITS.repeat).prefault(String(DEFAULTS.benchRepeat)),
  report: PathArg('--report').default(DEFAULTS.benchReport),
  regions: PathArg('--regions').default(DEFAULTS.regionMap),
  json: z.boolean().default(false),
});

export const GenerateOptions = z.object({
  size: ByteSize('--size', LIMITS.generateBytes, 'more than a disk holds'),
  out: z.string({ error: 'gdpmr generate needs --out FILE' }).pipe(PathArg('--out')),
  seed: PositiveInt('--seed', 'a whole number, at least 1').prefault('1'),
  skew: z.string().optional(),
  dirt: z.enum(['low', 'default', 'high'], { error: (issue) => `--dirt must be one of low, default, high, got ${got(issue.input)}` }).default('default'),
});

type Flags = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses argv for one command: `flags` maps each flag to its parse type, `positionals` names
 * the positional arguments in order. Returns an object keyed by camel-cased flag names.
 */
export function parseCommandLine(command: string, argv: string[], flags: Flags, positionals: string[]): Record<string, unknown> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    // An unknown flag: the nearest one the command takes ("did you mean `--warehouse`?").
    const unknown = /Unknown option '(--?[^']+)'/.exec(message);
    const hint = unknown === null ? '' : didYouMean(unknown[1], Object.keys(flags).map((f) => `--${f}`));
    throw usage(`${command}: ${message}${hint}`);
  }
  if (parsed.positionals.length > positionals.length) {
    const extra = parsed.positionals.slice(positionals.length).join(' ');
    throw usage(`${command} takes ${positionals.length === 0 ? 'no arguments' : positionals.map((p) => p.toUpperCase()).join(' ')}, got extra ${got(extra)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.values)) out[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  positionals.forEach((name, i) => {
    if (parsed.positionals[i] !== undefined) out[name] = parsed.positionals[i];
  });
  return out;
}

/** An output must not land among a warehouse's own files (its manifest, regions, generations). */
export function refuseWarehouseFiles(flag: string, path: string): void {
  const owner = warehouseOwning(path);
  if (owner !== null) throw usage(`${flag} must be outside the files gdpmr keeps in the warehouse ${owner} (manifest.json, regions/, rejects.csv, .gen/, .runs/, logs/), got ${path}`);
}

/** An output FILE: outside any warehouse's own files, and not a directory. Checked before work starts. */
export function checkOutputFile(flag: string, path: string): void {
  refuseWarehouseFiles(flag, path);
  if (kindOf(path) === 'directory') throw usage(`${flag} must be a file path, got ${path} (a directory)`);
}

/** zod's first issue as the user's message. */
export function validate<S extends z.ZodType>(schema: S, values: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(values);
  if (!result.success) throw usage(result.error.issues[0].message);
  return result.data;
}
