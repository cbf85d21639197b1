// SQL for the questions asked of vintages (SPEC §9) that read a region database in its key
// order (series, year, load, line) without sorting it: each fact's first actual figure is the
// row with the least key (published, earliest first and undated before all; then the latest in
// the input), found by a min() whose other columns SQLite takes from that row.
import { begunBy, dayText, ROWS, SERIES } from './region-db.js';

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
  return `WITH firsts AS (${firsts(o)}),
    chosen AS (SELECT s.country_key, max(f.year) AS year, f.series_id, f.load_seq, f.line FROM firsts f JOIN ${SERIES} s ON s.id = f.series_id GROUP BY s.country_key)
    SELECT CAST(coalesce(s.name, r.spelling_unless_series, s.spelling) AS TEXT) AS country, s.country_code, (SELECT region FROM gdp LIMIT 1) AS region, r.year, r.gdp_usd_billion
    FROM chosen c JOIN ${ROWS} r ON r.series_id = c.series_id AND r.year = c.year AND r.load_seq = c.load_seq AND r.line = c.line
      JOIN ${SERIES} s ON s.id = r.series_id
    WHERE r.gdp_usd_billion >= @min
    ORDER BY r.gdp_usd_billion DESC, country ASC LIMIT @limit`;
}

/** The end of year Y - @h as a day number, as --as-of (Y-@h)-12-31 reads it. */
const END_OF_FORECAST_YEAR = `(julianday(printf('%04d-12-31', r.year - @h)) - 0.5)`;

/**
 * `accuracy`: every fact of @source whose figure current at the end of year Y - @h was a
 * projection and that has a first actual figure: the two figures and their dates.
 */
export const FORECAST_PAIRS = `WITH firsts AS (${firsts({ projections: false, year: false, asOf: false })}),
  forecasts AS (
    SELECT r.series_id, r.year, r.gdp_usd_billion AS forecast, r.published_day, r.is_projection FROM ${SERIES} s JOIN ${ROWS} r ON r.series_id = s.id
    WHERE s.source = @source AND (r.published_day IS NULL OR r.published_day <= ${END_OF_FORECAST_YEAR}) AND (r.valid_to_day IS NULL OR r.valid_to_day > ${END_OF_FORECAST_YEAR})
  )
  SELECT s.country_key, CAST(coalesce(s.name, s.spelling) AS TEXT) AS name, f.year, c.forecast, ${dayText('c.published_day')} AS forecast_published, f.gdp_usd_billion AS actual, ${dayText('f.published_day')} AS actual_published
  FROM firsts f JOIN forecasts c ON c.series_id = f.series_id AND c.year = f.year JOIN ${SERIES} s ON s.id = f.series_id
  WHERE c.is_projection = 1 AND f.gdp_usd_billion <> 0
  ORDER BY s.country_key, f.year`;
