// SQL for the questions asked of vintages (SPEC §9). `--release first` reads a region database
// in its key order (series, year, load, line) without sorting it: each fact's first actual
// figure is the row with the least key (published, earliest first and undated before all; then
// the latest in the input), found by a min() whose other columns SQLite takes from that row.
// `accuracy` reads the forecast pairs the reduce stored (rules/forecasts.ts picks the first
// actual figure by the same order).
import { dayText } from './region-db/days.js';
import { FIRST_LATEST, FORECASTS, ROWS, SERIES } from './region-db/schema.js';
import { begunBy } from './region-db/validity-sql.js';

/** Earliest published first (undated before every date), then the last in the input: the least wins. */
const FIRST_KEY = (t: string): string => `(coalesce(${t}published_day, -1) + 1) * 1099511627776 - (${t}load_seq * 4294967296 + ${t}line)`;

/** Each fact's first actual figure of @source (any figure with `projections`), published by @asOf, of @year. */
function firsts(o: { projections: boolean; year: boolean; asOf: boolean }): string {
  const where = [`s.source = @source`, ...(o.projections ? [] : ['r.is_projection = 0']), ...(o.year ? ['r.year = @year'] : []), ...(o.asOf ? [begunBy('@asOf', 'r.')] : [])].join(' AND ');
  return `SELECT r.series_id, r.year, min(${FIRST_KEY('r.')}) AS first_key, r.load_seq, r.line, r.gdp_usd_billion, r.published_day
    FROM ${SERIES} s JOIN ${ROWS} r ON r.series_id = s.id WHERE ${where} GROUP BY r.series_id, r.year`;
}

/**
 * `top5`/`over --release first`: each country's first actual figure of its greatest year that
 * has one (or of @year), at least @min, highest first, @limit of them.
 */
export function firstReleaseSql(o: { projections: boolean; year: boolean; asOf: boolean }): string {
  // Without --year, --as-of or --projections, the reduce stored each series' answer row.
  const stored = !o.projections && !o.year && !o.asOf;
  const chosenFrom = stored ? `SELECT f.series_id, f.year, f.load_seq, f.line FROM ${FIRST_LATEST} f JOIN ${SERIES} s ON s.id = f.series_id WHERE s.source = @source` : firsts(o);
  return `WITH firsts AS (${chosenFrom}),
    chosen AS (SELECT s.country_key, max(f.year) AS year, f.series_id, f.load_seq, f.line FROM firsts f JOIN ${SERIES} s ON s.id = f.series_id GROUP BY s.country_key)
    SELECT CAST(coalesce(s.name, r.spelling_unless_series, s.spelling) AS TEXT) AS country, s.country_code, (SELECT region FROM gdp LIMIT 1) AS region, r.year, r.gdp_usd_billion
    FROM chosen c JOIN ${ROWS} r ON r.series_id = c.series_id AND r.year = c.year AND r.load_seq = c.load_seq AND r.line = c.line
      JOIN ${SERIES} s ON s.id = r.series_id
    WHERE r.gdp_usd_billion >= @min
    ORDER BY r.gdp_usd_billion DESC, country ASC LIMIT @limit`;
}

/**
 * `accuracy`: every fact of @source whose figure current at the end of year Y - @h was a
 * projection and that has a first actual figure: the two figures and their dates, as the
 * reduce stored them (FORECASTS).
 */
export const FORECAST_PAIRS = `SELECT s.country_key, CAST(coalesce(s.name, s.spelling) AS TEXT) AS name, f.year, f.forecast,
    ${dayText('f.forecast_published_day')} AS forecast_published, f.actual, ${dayText('f.actual_published_day')} AS actual_published
  FROM ${FORECASTS} f JOIN ${SERIES} s ON s.id = f.series_id
  WHERE s.source = @source AND f.h_lo <= @h AND f.h_hi >= @h
  ORDER BY s.country_key, f.year`;
