// `gdpmr query accuracy` (SPEC §9): the publisher's forecasts against what it later published as
// actual. A fact's forecast at horizon H is its figure current at the end of year Y - H, if that
// was a projection; its actual is its first actual figure; error = (forecast - actual) / actual.
import { FORECAST_PAIRS } from '../store/vintage-sql.js';
import { identitiesOf, warehouseMap } from './history.js';
import { round2 } from '../format.js';
import { type OpenWarehouse } from './warehouse.js';

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

const errorPct = (p: Pair): number => ((p.forecast - p.actual) / p.actual) * 100;

export function accuracy(w: OpenWarehouse, source: string, horizon: number, country: string | undefined): AccuracyAnswer {
  const keys = country === undefined ? null : new Set(identitiesOf(w, warehouseMap(w), country));
  const answer: AccuracyAnswer = { query: 'accuracy', horizon, source, regions: [] };
  const mine: Pair[] = [];
  for (const { region, db } of w.regions) {
    const pairs = db.prepare(FORECAST_PAIRS).all({ source, h: horizon }) as Pair[];
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
