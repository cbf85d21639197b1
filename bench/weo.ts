// `npm run bench:weo [-- --vintages 37 --size 4MB --repeat 3]`: `gdpmr extract weo` on every
// vintage's database file at once, as a user loading all history on day one would: MB/s and
// the peak RSS of the whole process. The files are made by `gdpmr generate --weo` (UTF-16 with a
// BOM, as the IMF ships them), one per vintage from April 2007 on. Each measurement is one line
// of bench/results.ndjson, from which RESULTS.md's tables are made.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { positiveInt } from '../src/command-line.js';
import { benchOptions, CLI, commit, exec, machine, median, publishTables, record, ROOT, runsFlag, sizeText } from './common.js';

const DATA = join(ROOT, 'bench', 'data', 'weo');

/** Vintage names from April 2007, two a year: the WEO's publication rhythm. */
function vintages(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i % 2 === 0 ? 'April' : 'October'} ${2007 + Math.floor(i / 2)}`);
}

/** Runs the CLI in a process that reports its own peak RSS (worker threads included) on exit. */
function measured(args: string[]): Promise<{ ms: number; maxRssKb: number }> {
  const script = `const { main } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'cli.js'))}); const code = await main(process.argv.slice(1)); process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exit(code);`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const rss = /RSS (\d+)/.exec(stderr);
      if (code !== 0 || rss === null) reject(new Error(`gdpmr ${args.join(' ')} failed (${code}): ${stderr.slice(0, 500)}`));
      else resolve({ ms, maxRssKb: Number(rss[1]) });
    });
  });
}


async function main(): Promise<void> {
  const o = benchOptions({
    name: 'npm run bench:weo --',
    description: '`gdpmr extract weo` on generated WEO files of many vintages.',
    flags: {
      vintages: { kind: positiveInt('a whole number from 1 to 100', 100), default: 37, help: 'how many WEO files' },
      size: { kind: sizeText('4MB'), default: '4MB', help: 'the size of each file' },
      repeat: runsFlag(100, 3, 'runs (the median is kept)'),
    },
  });
  const count = o.vintages;
  const size = o.size;
  const repeat = o.repeat;
  mkdirSync(DATA, { recursive: true });
  const names = vintages(count);
  const files: string[] = [];
  const table = ['vintage,published,read_from'];
  for (const [i, vintage] of names.entries()) {
    const file = join(DATA, `WEO-${vintage.replace(' ', '')}-${size}.xls`);
    if (!existsSync(file)) await exec(process.execPath, [CLI, 'generate', '--weo', '--size', size, '--out', file, '--vintage', vintage, '--seed', String(i + 1)]);
    files.push(file);
    table.push(`${vintage},${vintage.slice(-4)}-${vintage.startsWith('April') ? '04' : '10'}-15,synthetic (bench)`);
  }
  const datesFile = join(DATA, 'vintages.csv');
  writeFileSync(datesFile, table.join('\n') + '\n');
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const out = join(DATA, 'all-vintages.csv');
  const runs: Array<{ ms: number; maxRssKb: number }> = [];
  // One file alone, for the peak RSS that memory must stay flat against.
  const one = await measured(['extract', 'weo', '--file', files[0], '--out', join(DATA, 'one.csv'), '--vintages', datesFile]);
  for (let r = 0; r < repeat; r++) {
    rmSync(out, { force: true });
    runs.push(await measured(['extract', 'weo', ...files.flatMap((f) => ['--file', f]), '--out', out, '--vintages', datesFile]));
  }
  const ms = median(runs.map((r) => r.ms));
  const rssMb = Math.max(...runs.map((r) => r.maxRssKb)) / 1024;
  const mbPerS = bytes / 1024 / 1024 / (ms / 1000);
  const date = new Date().toISOString();
  await record({ scenario: `weo-${count}x${size}`, tool: 'gdpmr extract weo', ms: Math.round(ms), peak_rss_mb: Math.round(rssMb), input_mb: Math.round(bytes / 1024 / 1024), mb_per_s: Number(mbPerS.toFixed(1)), one_file_peak_rss_mb: Math.round(one.maxRssKb / 1024), runs: runs.map((r) => Math.round(r.ms)) });
  const lines = [
    '',
    `## ${date.slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:weo -- --vintages ${count} --size ${size} --repeat ${repeat}\``,
    '',
    `Machine: ${machine()}. Commit ${await commit()}. Input: ${count} WEO files (UTF-16 with a BOM, \`gdpmr generate --weo\`), ${(bytes / 1024 / 1024).toFixed(0)} MB in all.`,
    '',
    '| files | MB | median s | MB/s | peak RSS MB |',
    '|---|---|---|---|---|',
    `| 1 | ${(statSync(files[0]).size / 1024 / 1024).toFixed(1)} | ${(one.ms / 1000).toFixed(2)} | ${(statSync(files[0]).size / 1024 / 1024 / (one.ms / 1000)).toFixed(1)} | ${(one.maxRssKb / 1024).toFixed(0)} |`,
    `| ${count} | ${(bytes / 1024 / 1024).toFixed(0)} | ${(ms / 1000).toFixed(2)} | ${mbPerS.toFixed(1)} | ${rssMb.toFixed(0)} |`,
    '',
  ];
  publishTables();
  process.stdout.write(lines.join('\n'));
}

await main();
