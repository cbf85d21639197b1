// What every benchmark script shares: its options, the machine and commit it ran on, the
// median, and one bench/results.ndjson line per measurement (RESULTS.md keeps the prose).
import { defineCommand, parseByteSize, positiveInt, text, type CommandDefinition, type FlagSpec, type Kind, type OptionsOf } from '../src/command-line.js';
import { GdpmrError } from '../src/errors.js';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'bin', 'gdpmr.js');
export const exec = promisify(execFile);

/**
 * A benchmark script's options, made from its definition by the machinery every gdpmr command
 * uses (src/command-line.ts): checked before any work, as a bench started by mistake runs for
 * minutes and writes to results.ndjson. `--help` prints the page and exits 0; a flag the script
 * does not take, a value of the wrong kind or a missing one exits 2 saying so.
 */
export function benchOptions<F extends Record<string, FlagSpec>>(definition: CommandDefinition<F>, argv = process.argv.slice(2)): OptionsOf<F> {
  const command = defineCommand(definition);
  let options: OptionsOf<F> | null;
  try {
    options = command.parse(argv);
  } catch (error) {
    if (!(error instanceof GdpmrError)) throw error;
    process.stderr.write(`${error.message}\nusage: ${command.usage}\n`);
    return process.exit(2);
  }
  if (options === null) {
    process.stdout.write(`${command.help()}\n`);
    return process.exit(0);
  }
  return options;
}

/** A byte size kept as written (`4MB`, `1GB`: dump names are made of it), checked as a size. */
export const sizeText = (example: string): Kind<string> => text('SIZE', (v, name) => (parseByteSize(v) === undefined ? `${name} must be a byte size such as ${example}, got ${JSON.stringify(v)}` : undefined));

/** `--rounds N`, `--repeat N`: a whole number of runs from 1 to `max`. */
export const runsFlag = (max: number, fallback: number, help: string): FlagSpec<number> & { default: number } => ({ kind: positiveInt(`a whole number from 1 to ${max}`, max), default: fallback, help });

export { median } from '../src/bench/stats.js';

export const machine = (): string => `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;

export const commit = (): Promise<string> => exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).then((r) => r.stdout.trim(), () => 'unknown');

/** One measurement as one line of bench/results.ndjson, with the date, commit and machine. */
export async function record(line: { scenario: string; tool: string; ms: number } & Record<string, unknown>): Promise<void> {
  appendFileSync(RESULTS_NDJSON, JSON.stringify({ date: new Date().toISOString(), commit: await commit(), machine: machine(), ...line }) + '\n');
}

export const RESULTS_MD = join(ROOT, 'bench', 'RESULTS.md');
export const RESULTS_NDJSON = join(ROOT, 'bench', 'results.ndjson');
const BEGIN = '<!-- measurements:begin (generated from bench/results.ndjson by bench/common.ts; edit the prose outside) -->';
const END = '<!-- measurements:end -->';

interface Measurement {
  date: string;
  commit: string;
  machine: string;
  scenario: string;
  tool: string;
  ms: number;
  [key: string]: unknown;
}

const cell = (value: unknown): string => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * RESULTS.md's measurement tables, made again from bench/results.ndjson: one table per
 * scenario, newest first, each line a measurement with every field it recorded. The prose
 * around the marked section is kept as it is.
 */
export function publishTables(): void {
  const lines = existsSync(RESULTS_NDJSON) ? readFileSync(RESULTS_NDJSON, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  const measurements = lines.map((l) => JSON.parse(l) as Measurement);
  const byScenario = new Map<string, Measurement[]>();
  for (const m of measurements) byScenario.set(m.scenario, [...(byScenario.get(m.scenario) ?? []), m]);
  const out = [BEGIN, '', '## Measurements (bench/results.ndjson)', ''];
  for (const [scenario, ms] of [...byScenario].sort(([a], [b]) => a.localeCompare(b))) {
    const extra = [...new Set(ms.flatMap((m) => Object.keys(m)))].filter((k) => !['date', 'commit', 'machine', 'scenario', 'tool', 'ms', 'runs', 'stages'].includes(k));
    out.push(`### ${scenario}`, '', `| date (UTC) | commit | tool | ms | ${extra.join(' | ')} |`, `|---|---|---|---|${extra.map(() => '---|').join('')}`);
    for (const m of [...ms].sort((a, b) => b.date.localeCompare(a.date))) out.push(`| ${m.date.slice(0, 16).replace('T', ' ')} | ${m.commit} | ${m.tool} | ${m.ms} | ${extra.map((k) => (m[k] === undefined ? '' : cell(m[k]))).join(' | ')} |`);
    out.push('', `Machine${new Set(ms.map((m) => m.machine)).size > 1 ? 's' : ''}: ${[...new Set(ms.map((m) => m.machine))].join('; ')}.`, '');
  }
  out.push(END);
  const text = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '# Benchmark results\n';
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  const next = from >= 0 && to > from ? text.slice(0, from) + out.join('\n') + text.slice(to + END.length) : text.trimEnd() + '\n\n' + out.join('\n') + '\n';
  writeFileSync(RESULTS_MD, next);
}
