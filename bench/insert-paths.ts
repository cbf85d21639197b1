// Issue 35's first candidate for the load path: rows into SQLite without a statement per row.
// The reduce's way (a VALUES list of 200 rows per INSERT, 11 values bound a row, flags packed)
// against an INSERT ... SELECT from a better-sqlite3 virtual table whose generator yields the
// same rows (in batches of 10,000, and all at once), on a table of gdp_rows' shape, rows in key
// order. Alternating, medians of --rounds; recorded in bench/results.ndjson.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { positiveInt } from '../src/command-line.js';
import { benchOptions, median, record, runsFlag } from './common.js';

const o = benchOptions({
  name: 'npm run bench:insert --',
  description: "The reduce's insert against INSERT ... SELECT from a virtual table, on rows of gdp_rows' shape.",
  flags: {
    rows: { kind: positiveInt('a whole number from 1 to 50000000', 50_000_000), default: 1_000_000, help: 'rows per measurement' },
    rounds: runsFlag(100, 5, 'measurements of each (alternating; the median is kept)'),
  },
});
const ROWS = o.rows;
const ROUNDS = o.rounds;

const TABLE = `CREATE TABLE gdp_rows (series_id INTEGER NOT NULL, year INTEGER NOT NULL, load_seq INTEGER NOT NULL, line INTEGER NOT NULL,
  source_id INTEGER NOT NULL, gdp_usd_billion REAL NOT NULL, published_day INTEGER, is_current INTEGER NOT NULL, is_latest INTEGER NOT NULL,
  is_projection INTEGER NOT NULL, estimates_start_after INTEGER, valid_to_day INTEGER, latest_cut_day INTEGER, latest_start_day INTEGER,
  spelling_unless_series TEXT, PRIMARY KEY (series_id, year, load_seq, line)) WITHOUT ROWID`;
const NAMES = ['series_id', 'year', 'gdp_usd_billion', 'published_day', 'line', 'is_current', 'is_latest', 'is_projection', 'load_seq', 'source_id', 'valid_to_day', 'latest_cut_day', 'latest_start_day', 'spelling_unless_series', 'estimates_start_after'];
/** The writer's SELECT list over 11 bound values a row (store/region-db/writer.ts insertSqlFor). */
const select = (c: (n: number) => string): string =>
  [c(1), c(2), c(3), c(4), c(5), `(${c(6)} >> 1) & 1`, `${c(6)} & 1`, `(${c(6)} >> 2) & 1`, `(${c(6)} & 4294967295) >> 3`, `${c(6)} >> 32`, c(7), c(8), c(9), c(10), c(11)].join(', ');

const rows: unknown[][] = [];
for (let i = 0; i < ROWS; i++) rows.push([1 + Math.floor(i / 50), 1980 + (i % 50), 1234.5 + i, 2460000 + (i % 300), i, (i % 2) * 2 + 8, null, null, null, null, null]);

const dir = mkdtempSync(join(tmpdir(), 'gdpmr-insert-'));
function fresh(): Database.Database {
  const path = join(dir, 'r.sqlite');
  rmSync(path, { force: true });
  const db = new Database(path);
  for (const p of ['page_size = 16384', 'journal_mode = OFF', 'synchronous = OFF', 'locking_mode = EXCLUSIVE', 'cache_size = -16384']) db.pragma(p);
  db.exec(TABLE);
  db.exec('BEGIN');
  return db;
}

function valuesList(): number {
  const db = fresh();
  const per = 200;
  const statement = db.prepare(`INSERT INTO gdp_rows (${NAMES.join(', ')}) SELECT ${select((n) => `column${n}`)} FROM (VALUES ${new Array(per).fill(`(${new Array(11).fill('?').join(',')})`).join(',')})`);
  const tail = db.prepare(`INSERT INTO gdp_rows (${NAMES.join(', ')}) SELECT ${select((n) => `column${n}`)} FROM (VALUES ${new Array(ROWS % per || per).fill(`(${new Array(11).fill('?').join(',')})`).join(',')})`);
  const t = performance.now();
  const pending: unknown[] = [];
  for (let i = 0; i < ROWS; i++) {
    pending.push(...rows[i]);
    if ((i + 1) % per === 0) {
      statement.run(pending);
      pending.length = 0;
    }
  }
  if (pending.length > 0) tail.run(pending);
  db.exec('COMMIT');
  const ms = performance.now() - t;
  db.close();
  return ms;
}

function virtualTable(batch: number): number {
  const db = fresh();
  let from = 0;
  let to = 0;
  db.table('feed', {
    columns: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11'],
    *rows() {
      for (let i = from; i < to; i++) yield rows[i] as never;
    },
  });
  const statement = db.prepare(`INSERT INTO gdp_rows (${NAMES.join(', ')}) SELECT ${select((n) => `c${n}`)} FROM feed`);
  const t = performance.now();
  for (from = 0; from < ROWS; from = to) {
    to = Math.min(ROWS, from + batch);
    statement.run();
  }
  db.exec('COMMIT');
  const ms = performance.now() - t;
  db.close();
  return ms;
}

const candidates: Array<[string, () => number]> = [
  ['values list, 200 rows a statement (the reduce)', valuesList],
  ['virtual table, 10,000 rows a statement', () => virtualTable(10_000)],
  ['virtual table, every row in one statement', () => virtualTable(ROWS)],
];
const times = candidates.map(() => [] as number[]);
try {
  for (let r = 0; r < ROUNDS; r++) candidates.forEach(([, run], i) => times[i].push(run()));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const base = median(times[0]);
for (const [i, [name]] of candidates.entries()) {
  const ms = median(times[i]);
  await record({ scenario: 'insert-paths', tool: name, ms: Math.round(ms), rows: ROWS, us_per_row: Number(((ms * 1000) / ROWS).toFixed(3)), vs_values: Number((ms / base).toFixed(2)) });
  process.stdout.write(`${name}: ${((ms * 1000) / ROWS).toFixed(3)} us a row (${(ms / base).toFixed(2)}x)\n`);
}
