// `gdpmr query over`: every country at or above a GDP floor, across all regions.
import { byGdpThenName, regionFigures, round2, type FigureView, type OpenWarehouse } from './warehouse.js';

export interface OverAnswer {
  query: 'over';
  min_usd_billion: number;
  year: number | null;
  as_of: string | null;
  countries: Array<{ country: string; region: string; year: number; gdp_usd_billion: number }>;
}

export function over(warehouse: OpenWarehouse, min: number, view: FigureView): OverAnswer {
  const figures = warehouse.regions.flatMap(({ db }) => regionFigures(db, view, min, -1)).sort(byGdpThenName);
  return {
    query: 'over',
    min_usd_billion: min,
    year: view.year ?? null,
    as_of: view.asOf ?? null,
    countries: figures.map((f) => ({ country: f.country, region: f.region, year: f.year, gdp_usd_billion: round2(f.gdp_usd_billion) })),
  };
}
