// `gdpmr query history`: every figure ever loaded for a country, in every region and vintage.
import { cleanText, countryKey } from '../rules/normalize.js';
import { BEGUN_BY_AS_OF, CURRENT_AS_OF } from '../store/region-db.js';
import { round2, type OpenWarehouse } from './warehouse.js';

export interface HistoryAnswer {
  query: 'history';
  country: string;
  as_of: string | null;
  figures: Array<{
    region: string;
    year: number;
    gdp_usd_billion: number;
    published: string | null;
    run_id: string;
    is_current: boolean;
  }>;
}

interface HistoryRow {
  region: string;
  year: number;
  gdp_usd_billion: number;
  published: string | null;
  run_id: string;
  is_current: number;
}

// Fact order: a NULL vintage sorts first in SQLite, as an empty one is the oldest.
const ALL = `SELECT region, year, gdp_usd_billion, published, run_id, is_current FROM gdp
  WHERE country_key = @key ORDER BY year, published, load_seq, line`;
// As of a date, later vintages are invisible, and the current figure is the one whose
// validity interval holds the date.
const AS_OF = `SELECT region, year, gdp_usd_billion, published, run_id,
    (${CURRENT_AS_OF}) AS is_current
  FROM gdp WHERE country_key = @key AND ${BEGUN_BY_AS_OF}
  ORDER BY year, published, load_seq, line`;

export function history(warehouse: OpenWarehouse, country: string, asOf: string | undefined): HistoryAnswer {
  const key = countryKey(cleanText(country));
  const figures = warehouse.regions.flatMap(({ db }) =>
    (db.prepare(asOf === undefined ? ALL : AS_OF).all(asOf === undefined ? { key } : { key, asOf }) as HistoryRow[]).map((r) => ({
      region: r.region,
      year: r.year,
      gdp_usd_billion: round2(r.gdp_usd_billion),
      published: r.published,
      run_id: r.run_id,
      is_current: r.is_current === 1,
    })),
  );
  return { query: 'history', country: cleanText(country), as_of: asOf ?? null, figures };
}
