// `gdpmr query top5`: per region, the k largest economies and their mean.
import { round2 } from '../format.js';
import { byGdpThenName, emptyAnswerNote, meanOf, regionFigures, type FigureView, type OpenWarehouse } from './warehouse.js';

export interface Top5Answer {
  query: 'top5';
  k: number;
  year: number | null;
  as_of: string | null;
  source: string;
  projections: boolean;
  release: 'first' | 'latest';
  regions: Array<{
    region: string;
    avg_gdp_usd_billion: number;
    countries: Array<{ country: string; country_code: string | null; year: number; gdp_usd_billion: number }>;
  }>;
  /** Why the answer is empty, when the warehouse can say. */
  note?: string;
}

export function top5(warehouse: OpenWarehouse, k: number, view: FigureView): Top5Answer {
  const regions = warehouse.regions
    .map(({ region, db }) => {
      const top = regionFigures(db, view, -Infinity, k).sort(byGdpThenName);
      return { region, mean: meanOf(top.map((f) => f.gdp_usd_billion)), top };
    })
    .filter((r) => r.top.length > 0)
    .sort((a, b) => b.mean - a.mean || (a.region < b.region ? -1 : 1));
  const answer: Top5Answer = {
    query: 'top5',
    k,
    year: view.year ?? null,
    as_of: view.asOf ?? null,
    source: view.source,
    projections: view.projections === true,
    release: view.release ?? 'latest',
    regions: regions.map((r) => ({
      region: r.region,
      avg_gdp_usd_billion: round2(r.mean),
      countries: r.top.map((f) => ({ country: f.country, country_code: f.country_code, year: f.year, gdp_usd_billion: round2(f.gdp_usd_billion) })),
    })),
  };
  if (regions.length === 0) {
    const note = emptyAnswerNote(warehouse, view);
    if (note !== null) answer.note = note;
  }
  return answer;
}
