// The same job in DuckDB, for the side-by-side benchmark, written as a DuckDB user would write
// it: read the raw CSV, clean the fields by the SPEC's rules (as far as SQL expresses them),
// mark the current vintage, persist a table, answer the region top-5. A regular expression runs
// only on a value that needs it (`contains` guards it), thousands separators go with one
// `replace`, casts are the cheapest that hold the value. Run as a process of its own: prints
// its time and peak RSS. (Until 2026-12-01 every value went through regexp_replace; that job's
// figures stay in RESULTS.md as "DuckDB (regex job)".)
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { duckdbClientEntry } from './duckdb-client.js';

const { DuckDBInstance } = await import(pathToFileURL(duckdbClientEntry()).href);
const [input, regionMap, dbPath] = process.argv.slice(2);
rmSync(dbPath, { force: true });
const t0 = performance.now();
const instance = await DuckDBInstance.create(dbPath, { threads: '2' });
const db = await instance.connect();
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
await db.run(`CREATE TABLE regions AS SELECT lower(trim(regexp_replace(country, '\\s+', ' ', 'g'))) AS key, region FROM read_csv(${q(regionMap)}, header = true, all_varchar = true)`);
await db.run(`
CREATE TABLE raw AS
SELECT * FROM read_csv(${q(input)}, header = true, all_varchar = true, quote = '"', escape = '"',
                       strict_mode = false, ignore_errors = true)`);
await db.run(`
CREATE TABLE gdp AS
WITH cleaned AS (
  SELECT CASE WHEN contains(country, '[') OR contains(country, '  ')
              THEN trim(regexp_replace(regexp_replace(country, '\\[[^\\]]*\\]', '', 'g'), '\\s+', ' ', 'g'))
              ELSE trim(country) END AS country,
         nullif(trim(region), '') AS region_field,
         TRY_CAST(year AS SMALLINT) AS year,
         TRY_CAST(CASE WHEN contains(gdp_usd_million, '[') OR contains(gdp_usd_million, ' ') OR contains(gdp_usd_million, '\u00a0') OR contains(gdp_usd_million, '\u2009') OR contains(gdp_usd_million, '\u202f')
                       THEN regexp_replace(regexp_replace(gdp_usd_million, '\\[[^\\]]*\\]', '', 'g'), '[, \\x{00A0}\\x{2009}\\x{202F}]', '', 'g')
                       ELSE replace(gdp_usd_million, ',', '') END AS DOUBLE) / 1000 AS gdp_usd_billion,
         TRY_CAST(published AS DATE) AS published
  FROM raw
), resolved AS (
  SELECT c.country, lower(c.country) AS country_key, coalesce(CASE WHEN lower(c.region_field) IN ('africa','americas','asia','europe','oceania') THEN upper(c.region_field[1]) || lower(c.region_field[2:]) END, r.region) AS region,
         c.year, c.gdp_usd_billion, c.published
  FROM cleaned c LEFT JOIN regions r ON r.key = lower(c.country)
  WHERE c.country <> '' AND c.gdp_usd_billion > 0 AND c.year BETWEEN 1900 AND 2100
)
SELECT *, row_number() OVER (PARTITION BY region, country_key, year ORDER BY published DESC NULLS LAST) = 1 AS is_current
FROM resolved WHERE region IS NOT NULL`);
const top = await db.runAndReadAll(`
WITH latest AS (
  SELECT region, country, gdp_usd_billion, row_number() OVER (PARTITION BY region, country_key ORDER BY year DESC) AS rn FROM gdp WHERE is_current
), ranked AS (
  SELECT region, country, gdp_usd_billion, row_number() OVER (PARTITION BY region ORDER BY gdp_usd_billion DESC, country) AS k FROM latest WHERE rn = 1
)
SELECT region, avg(gdp_usd_billion) AS mean FROM ranked WHERE k <= 5 GROUP BY region ORDER BY mean DESC`);
const rows = (await db.runAndReadAll('SELECT count(*) FROM gdp')).getRows()[0][0];
db.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, rows: Number(rows), top5: top.getRows().map(([r, m]: unknown[]) => [r, Number(m)]), maxRssKb: process.resourceUsage().maxRSS }) + '\n');
