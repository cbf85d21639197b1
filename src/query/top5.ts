// `gdpmr query top5`: per region, the k largest economies and their mean.
import { byGdpThenName, regionFigures, round2, type FigureView, type OpenWarehouse } from './warehouse.js';

export interface Top5Answer {
  query: 'top5';
  k: number;
  year: number | null;
  as_of: string | null;
  regions: Array<{
    region: string;
    avg_gdp_usd_billion: number;
    countries: Array<{ country: string; year: number; gdp_usd_billion: number }>;
  }>;
}

export function top5(warehouse: OpenWarehouse, k: number, view: FigureView): Top5Answer {
  const regions = warehouse.regions
    .map(({ region, db }) => {
      const top = regionFigures(db, view, -Infinity, k).sort(byGdpThenName);
      const mean = top.reduce((sum, f) => sum + f.gdp_usd_billion, 0) / top.length;
      return { region, mean, top };
    })
    .filter((r) => r.top.length > 0)
    .sort((a, b) => b.mean - a.mean || (a.region < b.region ? -1 : 1));
  return {
    query: 'top5',
    k,
    year: view.year ?? null,
    as_of: view.asOf ?? null,
    regions: regions.map((r) => ({
      region: r.region,
      avg_gdp_usd_billion: round2(r.mean),
      countries: r.top.map((f) => ({ country: f.country, year: f.year, gdp_usd_billion: round2(f.gdp_usd_billion) })),
    })),
  };
}
