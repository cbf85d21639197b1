// The SQL of validity and "latest" intervals (SPEC §9) that the queries put into their
// statements, and the lookups by name: one definition of each test, read by every query.
import { dayOfParam, dayText, FOREVER_DAY } from './days.js';
import { META, ROWS, SERIES } from './schema.js';

/** How many rows store a "latest" interval with gaps (0 or NULL: none). */
export const LATEST_GAPS = `SELECT value FROM ${META} WHERE key = 'latest_hulls_with_gaps'`;

// Queries without --year read the latest figures in GDP order, from a partial index that holds
// only the rows they can return, a fraction of the table, so it builds fast; with --year, one
// year's figures in GDP order (gdp_fact_as_of below).
//
// --as-of reads validity intervals (SPEC §9). A fact's non-empty intervals [valid_from,
// valid_to) do not overlap, so at most one of its rows holds a date D; a country's non-empty
// "latest" intervals [valid_from, latest_to) do not overlap either. So both indexes below,
// in GDP order and holding only rows whose interval is not empty, give the as-of answer in
// GDP order: a scan that stops after k rows that hold D, as the plain top 5 does.
// gdp_latest_as_of holds the few rows of a country that ever were its latest. validToKey
// puts a current figure (valid_to NULL) after every date. History and revisions read a
// country's rows by gdp_series_key and the table's own key.
/** valid_to of a row (of table alias `t`) with a current figure's NULL after every date. */
export const validToKey = (t = ''): string => `coalesce(${t}valid_to_day, ${FOREVER_DAY})`;
/** A row (of alias `t`) whose "latest" interval is not empty: it was its country's latest on some day. */
const everLatest = (t = ''): string => `${t}latest_to_day > coalesce(${t}latest_from_day, 0)`;
export const EVER_LATEST = everLatest();
const AS_OF = dayOfParam('@asOf');
/** A row that was its country's latest figure on @asOf. */
// A figure latest for good (latest_to LATEST_FOREVER) is latest on that day too: --as-of 9999-12-31.
export const latestAsOf = (t = ''): string =>
  `${everLatest(t)} AND (${t}latest_to_day > ${AS_OF} OR ${t}latest_to_day = ${FOREVER_DAY}) AND (${t}latest_from_day IS NULL OR ${t}latest_from_day <= ${AS_OF})`;
/** A row (of alias `t`) whose validity interval is not empty: it was current on some day. */
export const everCurrent = (t = ''): string => `${validToKey(t)} > coalesce(${t}published_day, 0)`;
export const EVER_CURRENT = everCurrent();
/** A row (of table alias `t`) visible as of @param: published by then, or undated. */
export const begunBy = (param = '@asOf', t = ''): string => `(${t}published_day IS NULL OR ${t}published_day <= ${dayOfParam(param)})`;
/** A row (of table alias `t`) that was its fact's current figure on @param: its interval holds the date. */
export const currentAsOf = (param = '@asOf', t = ''): string => `${begunBy(param, t)} AND (${t}valid_to_day IS NULL OR ${t}valid_to_day > ${dayOfParam(param)})`;
/** A row (of alias `t`) published after @param. */
export const publishedAfter = (param: string, t = ''): string => `${t}published_day > ${dayOfParam(param)}`;
/** The earliest published date of the rows of @source, as text (NULL when none is dated). */
export const EARLIEST_PUBLISHED = `SELECT ${dayText('min(published_day)')} AS first, max(published_day IS NULL) AS undated FROM ${ROWS} WHERE source = @source`;
/** Every published date of @source, as text, oldest first. */
export const PUBLISHED_DATES = `SELECT ${dayText('published_day')} AS published FROM (SELECT DISTINCT published_day FROM ${ROWS} WHERE published_day IS NOT NULL AND source = @source) ORDER BY published_day`;

/**
 * The identities (country_key) of the figures loaded under a name, or shown under it
 * (`@name`, in lower case as SQLite's lower() gives it): the series' names and first
 * spellings, then the rows spelled otherwise, through their index. A scan of the view would
 * read every row (~0.3 s a region on 128 MB).
 */
export const IDENTITIES_OF_NAME = `
SELECT country_key FROM ${SERIES} WHERE lower(spelling) = @name OR lower(name) = @name
UNION
SELECT s.country_key FROM ${ROWS} r JOIN ${SERIES} s ON s.id = r.series_id
  WHERE lower(r.spelling_unless_series) = @name AND r.spelling_unless_series IS NOT NULL`;
