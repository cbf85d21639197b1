// `gdpmr query vintages` (SPEC §9): one country's figures of one source as a year × vintage
// matrix, as ALFRED shows a series' vintages: what each release said of each year.
import { cleanText } from '../rules/normalize.js';
import { identitiesOf, warehouseMap } from './history.js';
import { round2 } from '../format.js';
import { type OpenWarehouse } from './warehouse.js';

export interface VintagesAnswer {
  query: 'vintages';
  country: string;
  country_code: string | null;
  source: string;
  vintages: string[];
  years: Array<{ year: number; figures: Array<number | null>; first: number | null; latest: number | null; change_pct: number | null }>;
  /** Which cells are projections (the table marks them); not in the JSON answer. */
  projections?: boolean[][];
  note?: string;
}

interface Row {
  name: string;
  country_code: string | null;
  year: number;
  gdp_usd_billion: number;
  published: string;
  is_projection: number;
  load_seq: number;
  line: number;
}

const ROWS = `SELECT name, country_code, year, gdp_usd_billion, published, is_projection, load_seq, line FROM gdp
  WHERE country_key = @key AND source = @source AND published IS NOT NULL AND published <> '' AND year BETWEEN @from AND @to`;

export function vintages(w: OpenWarehouse, country: string, source: string, fromYear: number | undefined, toYear: number | undefined): VintagesAnswer {
  const keys = identitiesOf(w, warehouseMap(w), country);
  const rows: Row[] = [];
  for (const { db } of w.regions) {
    const statement = db.prepare(ROWS);
    for (const key of keys) rows.push(...(statement.all({ key, source, from: fromYear ?? 0, to: toYear ?? 9999 }) as Row[]));
  }
  const dates = [...new Set(rows.map((r) => r.published))].sort();
  const column = new Map(dates.map((d, i) => [d, i]));
  // A cell is the figure published on that date for that year: the last of that date in the input.
  rows.sort((a, b) => a.load_seq - b.load_seq || a.line - b.line);
  const byYear = new Map<number, { figures: Array<number | null>; projection: boolean[] }>();
  for (const r of rows) {
    let y = byYear.get(r.year);
    if (y === undefined) {
      y = { figures: dates.map(() => null), projection: dates.map(() => false) };
      byYear.set(r.year, y);
    }
    const i = column.get(r.published) as number;
    y.figures[i] = r.gdp_usd_billion;
    y.projection[i] = r.is_projection === 1;
  }
  const years = [...byYear.entries()].sort(([a], [b]) => a - b);
  const named = rows.at(-1);
  const answer: VintagesAnswer = {
    query: 'vintages',
    country: named?.name ?? cleanText(country),
    country_code: named?.country_code ?? null,
    source,
    vintages: dates,
    years: years.map(([year, y]) => {
      const present = y.figures.filter((v): v is number => v !== null);
      const first = present[0] ?? null;
      const latest = present.at(-1) ?? null;
      return {
        year,
        figures: y.figures.map((v) => (v === null ? null : round2(v))),
        first: first === null ? null : round2(first),
        latest: latest === null ? null : round2(latest),
        change_pct: first === null || latest === null || first === 0 ? null : round2(((latest - first) / first) * 100),
      };
    }),
  };
  // For the table's marks only: not a member of the JSON answer.
  Object.defineProperty(answer, 'projections', { value: years.map(([, y]) => y.projection), enumerable: false });
  if (rows.length === 0) answer.note = `no dated ${source === '' ? 'figure that names no source' : `${source} figure`} for ${JSON.stringify(cleanText(country))}${fromYear !== undefined || toYear !== undefined ? ` in ${fromYear ?? '…'}–${toYear ?? '…'}` : ''}; \`gdpmr query history --country ${JSON.stringify(cleanText(country))}\` lists every figure it has`;
  return answer;
}
