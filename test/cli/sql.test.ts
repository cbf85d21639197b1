// SPEC §10: `gdpmr sql` over every region. The warehouse: the IMF's figures, a revision, the Wikipedia page.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round2 } from '../../src/format.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { VIEW_COLUMNS } from '../../src/store/region-db/schema.js';
import { cleanTempDirs, cli, CLI, tempDir, jsonAnswer, threeLoadWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

let out: string;
beforeAll(async () => {
  out = await threeLoadWarehouse();
});

const json = jsonAnswer;

const fileBytes = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(join(dir, '.current', 'regions')).map((f) => [f, readFileSync(join(dir, '.current', 'regions', f)).toString('base64')]));

describe('gdpmr sql', () => {
  it('counts by region equal the manifest, and a global top-N equals query over', async () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const counts = await json(['sql', 'SELECT region, count(*) AS n FROM gdp GROUP BY region ORDER BY region', '--warehouse', out, '--json']);
    expect(counts.columns).toEqual(['region', 'n']);
    expect(Object.fromEntries(counts.rows)).toEqual(manifest.counts.by_region);
    const top = await json(['sql', 'SELECT name, region, year, gdp_usd_billion FROM gdp WHERE is_latest ORDER BY gdp_usd_billion DESC, name LIMIT 100', '--warehouse', out, '--json']);
    const overAll = await json(['query', 'over', '--min', '0', '--warehouse', out, '--json']);
    // Answers round half away from zero on the decimal value (SQLite's round() rounds the binary one).
    expect(top.rows.map(([n, r, y, v]: [string, string, number, number]) => [n, r, y, round2(v)])).toEqual(overAll.countries.slice(0, 100).map((c: { country: string; region: string; year: number; gdp_usd_billion: number }) => [c.country, c.region, c.year, c.gdp_usd_billion]));
  });

  it('sees the time-travel columns: a top 5 as of a date equals query top5 --as-of', async () => {
    const asOf = '2025-01-01';
    const sql = `SELECT region, name FROM gdp WHERE (valid_from IS NULL OR valid_from <= '${asOf}') AND (valid_to IS NULL OR valid_to > '${asOf}') AND region = 'Europe' AND year = 2024 ORDER BY gdp_usd_billion DESC, name LIMIT 5`;
    const a = await json(['sql', sql, '--warehouse', out, '--json']);
    const b = await json(['query', 'top5', '--year', '2024', '--as-of', asOf, '--warehouse', out, '--json']);
    expect(a.rows.map((r: string[]) => r[1])).toEqual(b.regions.find((r: { region: string }) => r.region === 'Europe').countries.map((c: { country: string }) => c.country));
  });

  it('--csv and the readable table', async () => {
    const csv = await cli(['sql', "SELECT country, year FROM gdp WHERE country = 'Japan' AND year IN (1980, 1981) AND is_current ORDER BY year", '--warehouse', out, '--csv']);
    expect(csv.stdout).toBe('country,year\nJapan,1980\nJapan,1981\n');
    const t = await cli(['sql', 'SELECT count(*) AS n FROM gdp', '--warehouse', out]);
    expect(t.stdout).toMatch(/^1 row\n\s*n\n-+\n\s*\d+\n$/);
  });

  // Refused before it runs (2), or failing as it runs (1): never an internal error, never a write.
  it.each([
    ["DELETE FROM gdp WHERE region = 'Asia'", 2, 'cannot modify gdp because it is a view'],
    ['DELETE FROM asia.gdp_rows', 2, 'the statement would write: attempt to write a readonly database'],
    ['DROP TABLE main.gdp_rows', 2, 'the statement would write'],
    ['DROP VIEW asia.gdp', 2, 'the statement would write'],
    ['CREATE TEMP TABLE x AS SELECT 1', 2, 'the statement would write'],
    ['SELEC country FROM gdp', 2, 'SQLite refused the statement: near "SELEC": syntax error'],
    ['SELECT nope FROM gdp', 2, 'no such column: nope'],
    ['SELECT 1; SELECT 2', 2, 'more than one statement'],
    ['  ', 2, 'gdpmr sql needs a STATEMENT'],
    ["ATTACH '/nonexistent/evil.db' AS e", 2, 'a statement that returns none'],
    ["ATTACH ':memory:' AS e", 2, 'a statement that returns none'],
    ['BEGIN', 2, 'a statement that returns none'],
    ["SELECT load_extension('/nonexistent/x')", 1, 'the statement failed: not authorized'],
  ])('%j: exit %i, the databases byte-identical', async (statement, code, message) => {
    const before = fileBytes(out);
    const r = await cli(['sql', statement, '--warehouse', out]);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('internal error');
    expect(fileBytes(out)).toEqual(before);
  });

  it('streams an answer of any size; the table stops at 10,000 rows and says how many more', async () => {
    const many = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 25000) SELECT x, x * 0.5 AS half FROM c';
    const j = await json(['sql', many, '--warehouse', out, '--json']);
    expect(j.rows).toHaveLength(25000);
    expect(j.rows[24999]).toEqual([25000, 12500]);
    const t = await cli(['sql', many, '--warehouse', out]);
    expect(t.stdout.split('\n')[0]).toBe('25000 rows');
    expect(t.stdout.trim().split('\n').pop()).toBe('… 15000 more rows (--csv or --json gives every row)');
  });

  it('a reader that closes the pipe early: exit 0, no stack trace', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" sql "SELECT * FROM gdp" --warehouse "${out}" --csv | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${VIEW_COLUMNS.join(',')}\n`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    [['sql', 'SELECT * FROM gdp', '--csv']],
    [['query', 'over', '--json']],
    [['query', 'top5']],
  ])('%j onto a full disk (/dev/full): exit 1 in one line, no stack trace', (args) => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(' ')} --warehouse "${out}" > /dev/full`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('gdpmr: could not write the answer to standard output (ENOSPC); what was written is incomplete');
  });

  it('exact values: integers beyond 2^53 as digits, a blob unlike a text, a newline that keeps the table one row per line', async () => {
    const statement = "SELECT 9007199254740993 AS big, 5 AS small, x'00ff' AS b, '00ff' AS t, 'a' || char(10) || 'b' AS nl";
    expect((await json(['sql', statement, '--warehouse', out, '--json'])).rows).toEqual([['9007199254740993', 5, { blob_hex: '00ff' }, '00ff', 'a\nb']]);
    expect((await cli(['sql', statement, '--warehouse', out, '--csv'])).stdout).toBe('big,small,b,t,nl\n9007199254740993,5,x\'00ff\',00ff,"a\nb"\n');
    const t = await cli(['sql', statement, '--warehouse', out]);
    expect(t.stdout.trim().split('\n')).toHaveLength(4);
    expect(t.stdout).toContain('9007199254740993');
    expect(t.stdout).toContain('a\\nb');
    // Infinity the same way in JSON and CSV, not null in one and a number in the other.
    const inf = 'SELECT 1e999 AS up, -1e999 AS down';
    expect((await json(['sql', inf, '--warehouse', out, '--json'])).rows).toEqual([['Infinity', '-Infinity']]);
    expect((await cli(['sql', inf, '--warehouse', out, '--csv'])).stdout).toBe('up,down\nInfinity,-Infinity\n');
  });

  it('a statement that fails after thousands of rows leaves nothing on stdout, exit 1', async () => {
    const r = await cli(['sql', 'SELECT CASE WHEN line > 8000 THEN abs(-9223372036854775807 - 1) ELSE line END AS x FROM gdp', '--warehouse', out, '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('gdpmr: the statement failed: integer overflow; nothing was written');
  });

  it('--file FILE or --file - (stdin) holds a long statement; --timeout stops one that runs on (exit 1, nothing written)', async () => {
    const file = join(tempDir(), 'q.sql');
    writeFileSync(file, `-- a statement kept in a file\nSELECT count(*) AS n\n  FROM gdp\n WHERE year NOT IN (${Array.from({ length: 1900 }, (_, i) => i).join(', ')})`);
    expect((await json(['sql', '--file', file, '--warehouse', out, '--json'])).rows[0][0]).toBeGreaterThan(0);
    const stdin = spawnSync(process.execPath, [CLI, 'sql', '--file', '-', '--warehouse', out, '--csv'], { input: 'SELECT 41 + 1 AS n', encoding: 'utf8' });
    expect(stdin.stdout).toBe('n\n42\n');
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM (SELECT x FROM c LIMIT 1000000000000)';
    const t0 = Date.now();
    const r = await cli(['sql', endless, '--warehouse', out, '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('gdpmr: the statement was still running after --timeout 1 s and was stopped; nothing was written');
    expect((await json(['sql', 'SELECT 1 AS one', '--warehouse', out, '--json', '--timeout', '30'])).rows).toEqual([[1]]);
    expect((await cli(['sql', 'SELECT 1', '--file', file, '--warehouse', out])).code).toBe(2);
    expect((await cli(['sql', '--timeout', '-1', 'SELECT 1', '--warehouse', out])).code).toBe(2);
  });

  it('no statement, or a directory that is no warehouse: exit 2', async () => {
    expect((await cli(['sql', '--warehouse', out])).code).toBe(2);
    const r = await cli(['sql', 'SELECT 1', '--warehouse', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no published warehouse');
  });
});

