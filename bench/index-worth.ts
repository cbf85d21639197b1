// Issue 35: what each index of a region database costs to build and what it is worth to the
// queries. On a copy of a built warehouse (default: bench:query's 1 GB one), each index in turn
// is dropped from every region, the queries are timed without it (CLI start included, medians
// of --rounds), and it is built again, timed: its build cost over the five regions. Recorded in
// bench/results.ndjson; an index whose absence slows no query would be one the load need not build.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CREATE_INDEXES } from '../src/store/region-db/indexes.js';
import { path } from '../src/command-line.js';
import { benchOptions, CLI, median, record, ROOT, runsFlag } from './common.js';

const o = benchOptions({
  name: 'npm run bench:indexes --',
  description: 'Each index of a built warehouse: its build time, and the queries without it (on a copy).',
  flags: {
    warehouse: { kind: path('DIR'), default: join(ROOT, 'bench', 'data', 'query-warehouse-1GB'), defaultText: "bench:query's 1 GB warehouse", help: 'the warehouse to copy and measure' },
    rounds: runsFlag(100, 3, 'how many times each query runs (the median is kept)'),
  },
});
const source = o.warehouse;
const rounds = o.rounds;
if (!existsSync(join(source, 'manifest.json'))) {
  process.stderr.write(`--warehouse must be a built warehouse, got ${source} (npm run bench:query -- --large 1GB builds bench:query's)\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'gdpmr-index-worth-'));
const warehouse = join(dir, 'w');
// The copy keeps the links as links: .current names its generation.
cpSync(source, warehouse, { recursive: true, verbatimSymlinks: true });
const regions = join(warehouse, '.current', 'regions');
const databases = readdirSync(regions).filter((f) => f.endsWith('.sqlite')).map((f) => join(regions, f));

const top = JSON.parse(spawnSync(process.execPath, [CLI, 'query', 'top5', '--k', '1', '--warehouse', warehouse, '--json'], { encoding: 'utf8' }).stdout);
const country = top.regions[0].countries[0].country_code ?? top.regions[0].countries[0].country;
const QUERIES: string[][] = [
  ['query', 'top5'],
  ['query', 'top5', '--as-of', '2024-12-31'],
  ['query', 'over', '--year', '2025'],
  ['query', 'history', '--country', country],
  ['query', 'vintages', '--country', country],
];

function timeQueries(): number[] {
  return QUERIES.map((q) => {
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [CLI, ...q, '--warehouse', warehouse, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${q.join(' ')} failed: ${r.stderr}`);
      ms.push(performance.now() - t0);
    }
    return median(ms);
  });
}

/** Runs `sql` in every region database; the milliseconds it took in all. */
function everyRegion(sql: string): number {
  const t0 = performance.now();
  for (const path of databases) {
    const db = new Database(path);
    try {
      db.pragma('threads = 0');
      db.exec(sql);
    } finally {
      db.close();
    }
  }
  return performance.now() - t0;
}

try {
  const all = timeQueries();
  const lines = [`| index | build ms (5 regions) | ${QUERIES.map((q) => q.slice(1).join(' ')).join(' | ')} |`, `|---|---|${QUERIES.map(() => '---|').join('')}`, `| (all of them) | | ${all.map((m) => m.toFixed(0)).join(' | ')} |`];
  for (const create of CREATE_INDEXES) {
    const name = /INDEX IF NOT EXISTS (\w+)/.exec(create)?.[1] as string;
    everyRegion(`DROP INDEX ${name}`);
    const without = timeQueries();
    const buildMs = everyRegion(create);
    lines.push(`| without ${name} | ${buildMs.toFixed(0)} | ${without.map((m, i) => `${m.toFixed(0)} (${(m / all[i]).toFixed(2)}x)`).join(' | ')} |`);
    await record({ scenario: 'index-worth', tool: name, ms: Math.round(buildMs), queries_without_ms: Object.fromEntries(QUERIES.map((q, i) => [q.slice(1).join(' '), Math.round(without[i])])), queries_with_ms: Object.fromEntries(QUERIES.map((q, i) => [q.slice(1).join(' '), Math.round(all[i])])) });
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
