// What every benchmark script shares: its options, the machine and commit it ran on, the
// median, and one bench/results.ndjson line per measurement (RESULTS.md keeps the prose).
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'bin', 'gdpmr.js');
export const exec = promisify(execFile);

/** `--name VALUE` from argv, or the fallback. */
export function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

export const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const machine = (): string => `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;

export const commit = (): Promise<string> => exec('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).then((r) => r.stdout.trim(), () => 'unknown');

/** One measurement as one line of bench/results.ndjson, with the date, commit and machine. */
export async function record(line: { scenario: string; tool: string; ms: number } & Record<string, unknown>): Promise<void> {
  appendFileSync(join(ROOT, 'bench', 'results.ndjson'), JSON.stringify({ date: new Date().toISOString(), commit: await commit(), machine: machine(), ...line }) + '\n');
}
