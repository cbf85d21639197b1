// `gdpmr query over`: every country at or above a GDP floor, across all regions.
import { round2 } from '../format.js';
import { byGdpThenName, emptyAnswerNote, regionFigures, type FigureView, type OpenWarehouse } from './warehouse.js';

export interface OverAnswer {
  query: 'over';
  min_usd_billion: number;
  year: number | null;
  as_of: string | null;
  source: string;
  projections: boolean;
  release: 'first' | 'latest';
  countries: Array<{ country: string; country_code: string | null; region: string; year: number; gdp_usd_billion: number }>;
  /** Why the answer is empty, when the warehouse can say. */
  note?: string;
}

export function over(warehouse: OpenWarehouse, min: number, view: FigureView): OverAnswer {
  const figures = warehouse.regions.flatMap(({ db }) => regionFigures(db, view, min, -1)).sort(byGdpThenName);
  const answer: OverAnswer = {
    query: 'over',
    min_usd_billion: min,
    year: view.year ?? null,
    as_of: view.asOf ?? null,
    source: view.source,
    projections: view.projections === true,
    release: view.release ?? 'latest',
    countries: figures.map((f) => ({ country: f.country, country_code: f.country_code, region: f.region, year: f.year, gdp_usd_billion: round2(f.gdp_usd_billion) })),
  };
  if (figures.length === 0) {
    const note = emptyAnswerNote(warehouse, view);
    if (note !== null) answer.note = note;
  }
  return answer;
}
