// `gdpmr query accuracy` (SPEC §9): the publisher's forecasts against what it later published as
// actual. A fact's forecast at horizon H is its figure current at the end of year Y - H, if that
// was a projection; its actual is its first actual figure; error = (forecast - actual) / actual.
import { DAYS_VIEW } from '../store/region-db.js';
import { identitiesOf, warehouseMap } from './history.js';
import { round2, type OpenWarehouse } from './warehouse.js';

export interface AccuracyAnswer {
  query: 'accuracy';
  horizon: number;
  source: string;
  regions: Array<{ region: string; n: number; mean_error_pct: number; mean_abs_error_pct: number }>;
  figures?: Array<{ year: number; forecast_usd_billion: number; forecast_published: string | null; actual_usd_billion: number; actual_published: string | null; error_pct: number }>;
  note?: string;
}

interface Pair {
  country_key: string;
  name: string;
  year: number;
  forecast: number;
  forecast_published: string | null;
  actual: number;
  actual_published: string | null;
}

// The end of year Y - H as a day number, as --as-of (Y-H)-12-31 reads it.
const END = `(julianday(printf('%04d-12-31', year - @h)) - 0.5)`;

const PAIRS = `WITH facts AS (
    SELECT country_key, name, year, gdp_usd_billion, published, published_day, valid_to_day, is_projection, load_seq, line
    FROM ${DAYS_VIEW} WHERE source = @source
  ), firsts AS (
    SELECT country_key, name, year, gdp_usd_billion AS actual, published AS actual_published,
      row_number() OVER (PARTITION BY country_key, year ORDER BY published_day IS NOT NULL, published_day, load_seq DESC, line DESC) AS rn
    FROM facts WHERE is_projection = 0
  ), forecasts AS (
    SELECT country_key, year, gdp_usd_billion AS forecast, published AS forecast_published, is_projection,
      row_number() OVER (PARTITION BY country_key, year ORDER BY published_day DESC, load_seq DESC, line DESC) AS rn
    FROM facts
    WHERE (published_day IS NULL OR published_day <= ${END}) AND (valid_to_day IS NULL OR valid_to_day > ${END})
  )
  SELECT f.country_key, f.name, f.year, c.forecast, c.forecast_published, f.actual, f.actual_published
  FROM firsts f JOIN forecasts c ON c.country_key = f.country_key AND c.year = f.year AND c.rn = 1
  WHERE f.rn = 1 AND c.is_projection = 1 AND f.actual <> 0
  ORDER BY f.country_key, f.year`;

const errorPct = (p: Pair): number => ((p.forecast - p.actual) / p.actual) * 100;

export function accuracy(w: OpenWarehouse, source: string, horizon: number, country: string | undefined): AccuracyAnswer {
  const keys = country === undefined ? null : new Set(identitiesOf(w, warehouseMap(w), country));
  const answer: AccuracyAnswer = { query: 'accuracy', horizon, source, regions: [] };
  const mine: Pair[] = [];
  for (const { region, db } of w.regions) {
    const pairs = db.prepare(PAIRS).all({ source, h: horizon }) as Pair[];
    if (keys !== null) mine.push(...pairs.filter((p) => keys.has(p.country_key)));
    if (pairs.length === 0) continue;
    const errors = pairs.map(errorPct);
    answer.regions.push({
      region,
      n: pairs.length,
      mean_error_pct: round2(errors.reduce((a, e) => a + e, 0) / errors.length),
      mean_abs_error_pct: round2(errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length),
    });
  }
  answer.regions.sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
  if (country !== undefined) {
    answer.figures = mine
      .sort((a, b) => a.year - b.year)
      .map((p) => ({ year: p.year, forecast_usd_billion: round2(p.forecast), forecast_published: p.forecast_published, actual_usd_billion: round2(p.actual), actual_published: p.actual_published, error_pct: round2(errorPct(p)) }));
  }
  if (answer.regions.length === 0) answer.note = `no ${source === '' ? 'figure that names no source' : `${source} figure`} was forecast ${horizon} year${horizon === 1 ? '' : 's'} ahead and later published as actual: that takes vintages published before and after each year (with --horizon ${horizon}, one by the end of year Y - ${horizon})`;
  return answer;
}
