// Every command is one definition: its positionals and flags, each flag's kind, default and help
// line. From it come the parseArgs table, the checks with their "--flag must be X, got Y"
// messages, the defaults, the option types and the `--help` page (vitest's cli-config is the
// model). Flag kinds are plain functions: no schema library on the path of a 100 ms query.
import { parseArgs } from 'node:util';
import { usage } from './errors.js';
import { formatBytes, shownUrl } from './format.js';
import { isCalendarDate, parseSource } from './rules/normalize.js';
import { didYouMean } from './suggest.js';

/** How a flag's text becomes a value; `parse` throws a usage error saying what was expected. */
export interface Kind<T> {
  type: 'string' | 'boolean';
  /** The value's name in help pages: DIR, SIZE, N. */
  placeholder: string;
  parse(text: string, flag: string): T;
}

export interface FlagSpec<T = unknown> {
  kind: Kind<T>;
  help: string;
  /** The value when the flag is not given (booleans: false). */
  default?: T;
  /** How the default reads in help, when not as the value prints. */
  defaultText?: string;
  /** When the flag is required: the message if it is missing. */
  required?: string;
  /** The flag may be given several times: the values in order. */
  multiple?: boolean;
  /** Not listed in help pages (kept for scripts). */
  hidden?: boolean;
}

export interface PositionalSpec {
  name: string;
  placeholder: string;
  help: string;
  /** The message when it is missing; left out, the positional is optional. */
  required?: string;
  /** How its text is checked (a path must not be empty); left out, any text. */
  kind?: Kind<string>;
}

export interface CommandDefinition<F extends Record<string, FlagSpec>> {
  /** `gdpmr query top5` */
  name: string;
  description: string;
  positionals?: PositionalSpec[];
  flags: F;
  /** Text after the flag list. */
  notes?: string;
}

type ValueOf<S> = S extends FlagSpec<infer T>
  ? S extends { multiple: true }
    ? T[]
    : [T] extends [boolean]
      ? boolean
      : S extends { default: unknown } | { required: string }
      ? T
      : T | undefined
  : never;

export type OptionsOf<F extends Record<string, FlagSpec>> = { -readonly [K in keyof F]: ValueOf<F[K]> } & { positionals: Record<string, string | undefined> };

export interface Command<F extends Record<string, FlagSpec>> {
  definition: CommandDefinition<F>;
  /** The usage line: the name, the positionals and every listed flag, made from the definition. */
  usage: string;
  /** The options, or null when --help was asked for. */
  parse(argv: string[]): OptionsOf<F> | null;
  help(): string;
}

/** `asOf` → `--as-of`. */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const got = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

const HELP_COLUMN = 22;

/** `  --flag VALUE        help`, the help starting in one column (below, when the flag is long). */
function helpLine(head: string, text: string): string {
  const pad = head.length + 2 <= HELP_COLUMN ? ' '.repeat(HELP_COLUMN - head.length) : `\n${' '.repeat(HELP_COLUMN)}`;
  return head + pad + text.split('\n').join(`\n${' '.repeat(HELP_COLUMN)}`);
}

export function flagLine(key: string, spec: FlagSpec): string {
  const shown = spec.defaultText ?? (spec.default === undefined || spec.kind.type === 'boolean' ? undefined : String(spec.default));
  const text = `${spec.help}${shown === undefined ? '' : ` (default: ${shown})`}${spec.multiple ? '; may be repeated' : ''}`;
  return helpLine(`  ${flagName(key)}${spec.kind.type === 'boolean' ? '' : ` ${spec.kind.placeholder}`}`, text);
}

/** What follows a command's name on its usage line: its positionals, then each listed flag. */
export function synopsisOf(definition: CommandDefinition<Record<string, FlagSpec>>): string {
  const parts = (definition.positionals ?? []).map((p) => (p.required === undefined ? `[${p.placeholder}]` : p.placeholder));
  for (const [key, spec] of Object.entries(definition.flags)) {
    if (spec.hidden) continue;
    const word = `${flagName(key)}${spec.kind.type === 'boolean' ? '' : ` ${spec.kind.placeholder}`}${spec.multiple ? ' ...' : ''}`;
    parts.push(spec.required === undefined ? `[${word}]` : word);
  }
  return parts.join(' ');
}

/** A usage line wrapped at `width` columns, later lines indented under the first word's end. */
export function wrapUsage(line: string, width = 100, indent = '      '): string {
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  const words = line.match(/\[[^\]]*\]|\S+/g) ?? [];
  const out: string[] = [];
  let current = lead;
  for (const word of words) {
    if (current.trim() !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = `${lead}${indent}${word}`;
    } else current = current.trim() === '' ? `${current}${word}` : `${current} ${word}`;
  }
  if (current.trim() !== '') out.push(current);
  return out.join('\n');
}

export function defineCommand<F extends Record<string, FlagSpec>>(definition: CommandDefinition<F>): Command<F> {
  const positionals = definition.positionals ?? [];
  const usageLine = `${definition.name} ${synopsisOf(definition)}`.trimEnd();
  const options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [key, spec] of Object.entries(definition.flags)) options[flagName(key).slice(2)] = { type: spec.kind.type, multiple: spec.multiple === true };
  const help = (): string => {
    const lines = [wrapUsage(usageLine), '', definition.description];
    const listed = Object.entries(definition.flags).filter(([, s]) => !s.hidden);
    if (positionals.length + listed.length > 0) lines.push('');
    for (const p of positionals) lines.push(helpLine(`  ${p.placeholder}`, p.help));
    for (const [key, spec] of listed) lines.push(flagLine(key, spec));
    if (definition.notes !== undefined) lines.push('', definition.notes);
    return lines.join('\n');
  };
  const parse = (argv: string[]): OptionsOf<F> | null => {
    // `--min -5`: parseArgs takes a value that starts with '-' for a flag; a negative number is a
    // value, which the flag's kind then refuses in its own words.
    const args = [...argv];
    for (let i = 0; i + 1 < args.length; i++) {
      const spec = args[i].startsWith('--') && !args[i].includes('=') ? options[args[i].slice(2)] : undefined;
      if (spec?.type === 'string' && /^-[0-9.]/.test(args[i + 1])) args.splice(i, 2, `${args[i]}=${args[i + 1]}`);
    }
    let parsed;
    try {
      parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (error) {
      const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
      // An unknown flag: the nearest one the command takes ("did you mean `--warehouse`?").
      const unknown = /Unknown option '(--?[^']+)'/.exec(message);
      const hint = unknown === null ? '' : didYouMean(unknown[1], Object.keys(definition.flags).map(flagName));
      throw usage(`${definition.name}: ${message}${hint}`);
    }
    if (parsed.values.help === true) return null;
    if (parsed.positionals.length > positionals.length) {
      const extra = parsed.positionals.slice(positionals.length).join(' ');
      throw usage(`${definition.name} takes ${positionals.length === 0 ? 'no arguments' : positionals.map((p) => p.placeholder).join(' ')}, got extra ${got(extra)}`);
    }
    const out: Record<string, unknown> = { positionals: {} };
    positionals.forEach((p, i) => {
      const text = parsed.positionals[i];
      if (text === undefined && p.required !== undefined) throw usage(p.required);
      (out.positionals as Record<string, string | undefined>)[p.name] = text === undefined || p.kind === undefined ? text : p.kind.parse(text, p.name.toUpperCase());
    });
    for (const [key, spec] of Object.entries(definition.flags)) {
      const name = flagName(key);
      const raw = (parsed.values as Record<string, unknown>)[name.slice(2)];
      if (spec.kind.type === 'boolean') {
        out[key] = raw === true;
      } else if (raw === undefined) {
        if (spec.required !== undefined) throw usage(spec.required);
        out[key] = spec.multiple ? [] : spec.default;
      } else {
        out[key] = spec.multiple ? (raw as string[]).map((t) => spec.kind.parse(t, name)) : spec.kind.parse(raw as string, name);
      }
    }
    return out as OptionsOf<F>;
  };
  return { definition, usage: usageLine, parse, help };
}

// ---- flag kinds -------------------------------------------------------------------------

export const flag: Kind<boolean> = { type: 'boolean', placeholder: '', parse: () => true };

/** Any text; `check` may refuse it with the message it returns. */
export function text(placeholder: string, check?: (text: string, flag: string) => string | undefined): Kind<string> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      const problem = check?.(value, name);
      if (problem !== undefined) throw usage(problem);
      return value;
    },
  };
}

/** A file or directory path: an empty one would silently mean the current directory. */
export const path = (placeholder: string): Kind<string> => text(placeholder, (value, name) => (value.trim() === '' ? `${name} must be a path, got ""` : undefined));

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB)?$/i;

/** "16MB" → 16777216; undefined when the text is no size. */
export function parseByteSize(value: string): number | undefined {
  const m = SIZE.exec(value.trim());
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]);
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : undefined;
}

export function byteSize(max: number, why: string, examples = '65536, 256KB, 16MB or 1GB'): Kind<number> {
  return {
    type: 'string',
    placeholder: 'SIZE',
    parse: (value, name) => {
      const bytes = parseByteSize(value);
      if (bytes === undefined) throw usage(`${name} must be a positive byte size such as ${examples}, got ${got(value)}`);
      if (bytes > max) throw usage(`${name} must be at most ${formatBytes(max)} (${why}), got ${got(value)}`);
      return bytes;
    },
  };
}

export function positiveInt(what = 'a whole number of at least 1', max = Number.MAX_SAFE_INTEGER, why = '', placeholder = 'N'): Kind<number> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      const digits = /^[0-9]+$/.test(value.trim());
      const n = digits ? Number(value) : NaN;
      // 99999999999999999999 is a whole number: too large, not "less than 1".
      if (digits && (n > max || !Number.isSafeInteger(n))) throw usage(`${name} must be at most ${max}${why === '' ? '' : ` (${why})`}, got ${got(value)}`);
      if (!Number.isSafeInteger(n) || n < 1) throw usage(`${name} must be ${what}, got ${got(value)}`);
      if (n > max) throw usage(`${name} must be at most ${max}${why === '' ? '' : ` (${why})`}, got ${got(value)}`);
      return n;
    },
  };
}

/** A decimal number in a range, e.g. seconds; `what` says it in the message. */
export function decimal(what: string, ok: (n: number) => boolean, placeholder = 'N'): Kind<number> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      const n = /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) ? Number(value) : NaN;
      if (!(Number.isFinite(n) && ok(n))) throw usage(`${name} must be ${what}, got ${got(value)}`);
      return n;
    },
  };
}

export const calendarDate: Kind<string> = {
  type: 'string',
  placeholder: 'YYYY-MM-DD',
  parse: (value, name) => {
    if (!isCalendarDate(value.trim())) throw usage(`${name} must be a calendar date YYYY-MM-DD, got ${got(value)}`);
    return value.trim();
  },
};

export const year: Kind<number> = {
  type: 'string',
  placeholder: 'Y',
  parse: (value, name) => {
    const n = /^[0-9]{4}$/.test(value.trim()) ? Number(value) : NaN;
    if (!(n >= 1900 && n <= 2100)) throw usage(`${name} must be a four-digit year from 1900 to 2100, got ${got(value)}`);
    return n;
  },
};

export function oneOf<const T extends string>(values: readonly T[], placeholder = values.join('|')): Kind<T> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      if (!(values as readonly string[]).includes(value)) throw usage(`${name} must be one of ${values.join(', ')}, got ${got(value)}`);
      return value as T;
    },
  };
}

/** A comma-separated list, each item read by `item` (undefined: not one). */
export function list<T>(item: (value: string) => T | undefined, what: string, placeholder = 'LIST'): Kind<T[]> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      const parts = value.split(',').map((p) => p.trim());
      const values = parts.map(item);
      if (parts.length === 0 || values.some((v) => v === undefined)) throw usage(`${name} must be a comma-separated list of ${what}, got ${got(value)}`);
      return values as T[];
    },
  };
}

/** `text` is a URL of one of `protocols` (with the colon, as URL spells them) with a host. */
function isUrlOf(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** --redis, for `run` and `worker` alike: a Redis URL, a database number at most as its path. */
export const redisUrl: Kind<string> = {
  type: 'string',
  placeholder: 'URL',
  parse: (value) => {
    if (!isUrlOf(value, ['redis:', 'rediss:'])) throw usage('--redis must be a Redis URL such as redis://127.0.0.1:6379');
    if (!/^\/?([0-9]{1,5})?$/.test(new URL(value).pathname)) throw usage(`--redis must end in a database number if in anything (redis://127.0.0.1:6379/1), got ${got(shownUrl(value))}`);
    return value;
  },
};

/**
 * --url of the extract commands: an http(s) address without credentials (fetch refuses them,
 * and they would land in logs and provenance). The message never repeats a password.
 */
export function httpUrl(placeholder = 'URL'): Kind<string> {
  return {
    type: 'string',
    placeholder,
    parse: (value, name) => {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.hostname === '') throw usage(`${name} must be an http:// or https:// address, got ${got(shownUrl(value).slice(0, 200))}`);
      if (url.username !== '' || url.password !== '') throw usage(`${name} must not carry a user name or password (they would be kept in the output's provenance), got ${got(shownUrl(value).slice(0, 200))}`);
      return value;
    },
  };
}

/** A source name as the rules store it ("" for figures that name none). */
export const sourceName: Kind<string> = {
  type: 'string',
  placeholder: 'NAME',
  parse: (value, name) => {
    const source = parseSource(value);
    if (source === undefined) throw usage(`${name} must be a source name of lower-case letters, digits and _ (imf, world_bank, un, ...), got ${got(value)}`);
    return source;
  },
};
