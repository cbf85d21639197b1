// `gdpmr query revisions`: every fact whose current figure as of D2 differs from its current
// figure as of D1 (SPEC §9). A fact can only have changed if its figure as of D2 is a vintage
// published after D1; its figure as of D1 is then the one row whose interval holds D1.
import { REGIONS } from '../rules/normalize.js';
import { dayOfParam } from '../store/region-db/days.js';
import { DAYS_VIEW } from '../store/region-db/schema.js';
import { begunBy, currentAsOf, everCurrent, PUBLISHED_DATES, publishedAfter, validToKey } from '../store/region-db/validity-sql.js';
import { round2 } from '../format.js';
import { sourceFigures, type OpenWarehouse } from './warehouse.js';

export interface Revision {
  region: string;
  country: string;
  country_code: string | null;
  year: number;
  from_usd_billion: number | null;
  to_usd_billion: number;
  change_pct: number | null;
  published: string | null;
}

export interface RevisionsAnswer {
  query: 'revisions';
  from: string;
  to: string;
  source: string;
  min_change_pct: number | null;
  figures: Revision[];
}

// SQLite's BINARY order of UTF-8 text is code-point order: the SPEC's country order. Intervals
// are tested on day numbers (store/region-db/days.ts), read through DAYS_VIEW.
export const REVISED = `
SELECT t.region, t.name AS country, t.country_code, t.year, t.gdp_usd_billion AS to_value, t.published,
  (SELECT f.gdp_usd_billion FROM ${DAYS_VIEW} f
     WHERE f.country_key = t.country_key AND f.source = t.source AND f.year = t.year
       AND ${everCurrent('f.')} AND ${validToKey('f.')} > ${dayOfParam('@from')}
       AND ${begunBy('@from', 'f.')}) AS from_value
FROM ${DAYS_VIEW} t
WHERE t.source = @source AND ${publishedAfter('@from', 't.')} AND ${currentAsOf('@to', 't.')}
ORDER BY t.name, t.country_key, t.year`;

interface Row {
  region: string;
  country: string;
  country_code: string | null;
  year: number;
  to_value: number;
  from_value: number | null;
  published: string | null;
}

/**
 * The revisions one at a time in the SPEC's order (region, country, year): an answer of
 * millions of facts streams instead of being held.
 */
export function* revisionRows(warehouse: OpenWarehouse, source: string, from: string, to: string, minChangePct: number | undefined): Generator<Revision & { pct: number | null }> {
  const byRegion = [...warehouse.regions].sort((a, b) => REGIONS.indexOf(a.region) - REGIONS.indexOf(b.region));
  for (const { db } of byRegion) {
    for (const r of db.prepare(REVISED).iterate({ source, from, to }) as IterableIterator<Row>) {
      if (r.from_value !== null && r.from_value === r.to_value) continue;
      const pct = r.from_value === null ? null : ((r.to_value - r.from_value) / r.from_value) * 100;
      if (pct !== null && minChangePct !== undefined && Math.abs(pct) < minChangePct) continue;
      yield {
        region: r.region,
        country: r.country,
        country_code: r.country_code,
        year: r.year,
        from_usd_billion: r.from_value === null ? null : round2(r.from_value),
        to_usd_billion: round2(r.to_value),
        change_pct: pct === null ? null : round2(pct),
        published: r.published,
        pct,
      };
    }
  }
}

const strip = ({ pct: _, ...f }: Revision & { pct: number | null }): Revision => f;

export function revisions(warehouse: OpenWarehouse, source: string, from: string, to: string, minChangePct: number | undefined): RevisionsAnswer {
  return { query: 'revisions', from, to, source, min_change_pct: minChangePct ?? null, figures: [...revisionRows(warehouse, source, from, to, minChangePct)].map(strip) };
}

/**
 * The `n` largest changes (facts new at D2 left out), largest first, and how many revisions
 * there are in all, holding a few times `n` at once however many facts changed.
 */
export function largestRevisions(rows: Iterable<Revision & { pct: number | null }>, n: number): { largest: Revision[]; total: number } {
  // A new fact (no earlier figure) sorts after every change, however small.
  const size = (r: { pct: number | null }): number => (r.pct === null ? -1 : Math.abs(r.pct));
  const byChange = (a: { pct: number | null }, b: { pct: number | null }): number => size(b) - size(a);
  let kept: Array<Revision & { pct: number | null }> = [];
  let total = 0;
  for (const r of rows) {
    total++;
    kept.push(r);
    if (kept.length >= 4 * n) kept = kept.sort(byChange).slice(0, n);
  }
  return { largest: kept.sort(byChange).slice(0, n).map(strip), total };
}

/**
 * Why a revisions answer is empty: no vintage of the source was published in the window (the
 * vintages it has are named), or none of those changed a figure.
 */
export function emptyRevisionsNote(w: OpenWarehouse, source: string, from: string, to: string): string {
  const dates = new Set<string>();
  for (const { db } of w.regions) for (const r of db.prepare(PUBLISHED_DATES).all({ source }) as Array<{ published: string }>) dates.add(r.published);
  const all = [...dates].sort();
  const inside = all.filter((d) => d > from && d <= to);
  const label = sourceFigures(source);
  if (inside.length === 0) {
    return `no vintage of ${label} was published after ${from} and by ${to}, so nothing was revised; its vintages: ${all.length === 0 ? 'none dated' : all.join(', ')}`;
  }
  return `the ${inside.length} vintage${inside.length === 1 ? '' : 's'} of ${label} published after ${from} and by ${to} (${inside.join(', ')}) changed no figure`;
}
