// `npm run bench:resume [-- --scenario 1GB]`: how much time --resume saves.
//
// Times an uninterrupted run; then starts the same run, SIGKILLs it once half of its map tasks
// are in the journal, and times `--resume` to the end. One bench/results.ndjson line; RESULTS.md's
// tables are made from them.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/defaults.js';
import { formatBytes } from '../src/format.js';
import { oneOf } from '../src/command-line.js';
import { benchOptions, CLI, exec, machine, publishTables, record, ROOT } from './common.js';

const DATA = join(ROOT, 'bench', 'data');
const SIZES: Record<string, string> = { '256MB': '256MB', '1GB': '1GB' };

function mapTasksJournaled(out: string): number {
  const runs = join(out, '.runs');
  if (!existsSync(runs)) return 0;
  let n = 0;
  for (const r of readdirSync(runs)) {
    const journal = join(runs, r, 'journal.ndjson');
    if (existsSync(journal)) n += (readFileSync(journal, 'utf8').match(/"task":"map"/g) ?? []).length;
  }
  return n;
}

async function main(): Promise<void> {
  const o = benchOptions({
    name: 'npm run bench:resume --',
    description: 'A run killed midway and resumed, against one run start to end.',
    flags: { scenario: { kind: oneOf(Object.keys(SIZES)), default: '1GB', help: 'the generated dump' } },
  });
  const scenario = o.scenario;
  const input = join(DATA, `dump-${scenario}-seed1.csv`);
  if (!existsSync(input)) await exec(process.execPath, [CLI, 'generate', '--size', SIZES[scenario], '--out', input, '--seed', '1']);
  const out = join(DATA, 'resume-warehouse');
  // Both runs use the default chunk size.
  const chunkBytes = DEFAULTS.chunkBytes;
  const splits = Math.ceil(statSync(input).size / chunkBytes);

  rmSync(out, { recursive: true, force: true });
  let t0 = performance.now();
  await exec(process.execPath, [CLI, 'run', input, '--out', out]);
  const fullMs = performance.now() - t0;

  rmSync(out, { recursive: true, force: true });
  t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', input, '--out', out], { stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  while (mapTasksJournaled(out) < splits / 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  const killedAtMs = performance.now() - t0;
  t0 = performance.now();
  const { stdout } = await exec(process.execPath, [CLI, 'run', input, '--out', out, '--resume']);
  const resumeMs = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });

  const reused = /resumed +(.*)/.exec(stdout)?.[1] ?? '';
  const text = [
    `\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:resume -- --scenario ${scenario}\``,
    '',
    `Machine: ${machine()}. Dump: ${scenario}, ${splits} splits of ${formatBytes(chunkBytes)}, 2 workers.`,
    '',
    '| uninterrupted run | killed after | --resume to the end | saved vs. starting over | resume reused |',
    '|---|---|---|---|---|',
    `| ${(fullMs / 1000).toFixed(1)} s | ${(killedAtMs / 1000).toFixed(1)} s (half the map tasks journaled) | ${(resumeMs / 1000).toFixed(1)} s | ${((fullMs - resumeMs) / 1000).toFixed(1)} s (${(100 * (1 - resumeMs / fullMs)).toFixed(0)}%) | ${reused} |`,
  ].join('\n');
  await record({ scenario: `resume-${scenario}`, tool: 'gdpmr run --resume (killed at half the maps)', ms: Math.round(resumeMs), uninterrupted_ms: Math.round(fullMs), killed_at_ms: Math.round(killedAtMs), saved_pct: Math.round(100 * (1 - resumeMs / fullMs)), splits });
  publishTables();
  process.stdout.write(text + '\n');
}

await main();
