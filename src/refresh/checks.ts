// What a refresh checks of a source's new dump against its last load (SPEC §12), as pure
// functions: the dump's records, rejects and economies (its records normalised as the map would),
// and the comparison that fails a source or warns.
import { parse } from 'csv-parse/sync';
import { normalizeFigure, type RegionLookup } from '../rules/normalize.js';

export interface DumpSummary {
  records: number;
  rejected: number;
  /** Country identities of the loadable records (SPEC §1: the code, else the map's, else the name). */
  economies: string[];
}

/** Normalises a dump's records as `gdpmr run` would, counting what it would load and reject. */
export function summarizeDump(csv: string, regions: RegionLookup): DumpSummary {
  const rows = parse(csv, { relax_column_count: true, bom: true }) as string[][];
  const header = rows[0] ?? [];
  const col = (name: string): number => header.indexOf(name);
  const at = (row: string[], i: number): string | undefined => (i < 0 ? undefined : row[i]);
  const c = { country: col('country'), code: col('country_code'), year: col('year'), gdp: col('gdp_usd_million'), published: col('published'), source: col('source'), esa: col('estimates_start_after'), region: col('region') };
  let rejected = 0;
  const economies = new Set<string>();
  for (const row of rows.slice(1)) {
    if (row.length !== header.length) {
      rejected++;
      continue;
    }
    const n = normalizeFigure(
      { country: at(row, c.country) ?? '', year: at(row, c.year) ?? '', gdpUsdMillion: at(row, c.gdp) ?? '', region: at(row, c.region), published: at(row, c.published), countryCode: at(row, c.code), source: at(row, c.source), estimatesStartAfter: at(row, c.esa) },
      regions,
    );
    if (!n.ok) rejected++;
    else economies.add(n.figure.identity);
  }
  return { records: Math.max(0, rows.length - 1), rejected, economies: [...economies].sort() };
}

export interface LoadCheck {
  rows_change_pct: number | null;
  gone: string[];
  new: string[];
  /** Why the source fails (nothing of it is loaded unless --accept-drift). */
  failures: string[];
  warnings: string[];
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** The new dump against the source's last load (null for a first load). */
export function checkAgainstLast(last: DumpSummary | null, now: DumpSummary, maxDriftPct: number): LoadCheck {
  if (last === null) return { rows_change_pct: null, gone: [], new: [], failures: [], warnings: [] };
  const pct = last.records === 0 ? (now.records === 0 ? 0 : 100) : ((now.records - last.records) / last.records) * 100;
  const failures: string[] = [];
  if (Math.abs(pct) > maxDriftPct) failures.push(`its record count changed by ${round1(pct)} % (${last.records} -> ${now.records}), more than --max-drift ${maxDriftPct} %`);
  const share = (s: DumpSummary): number => (s.records === 0 ? 0 : (s.rejected / s.records) * 100);
  if (share(now) - share(last) > 5) failures.push(`${round1(share(now))} % of its records would be rejected, against ${round1(share(last))} % in its last load (more than 5 points more)`);
  const before = new Set(last.economies);
  const after = new Set(now.economies);
  const gone = last.economies.filter((e) => !after.has(e));
  const added = now.economies.filter((e) => !before.has(e));
  const warnings = gone.length === 0 ? [] : [`${gone.length} ${gone.length === 1 ? 'economy' : 'economies'} of its last load ${gone.length === 1 ? 'is' : 'are'} gone: ${gone.slice(0, 12).join(', ')}${gone.length > 12 ? ', …' : ''}`];
  return { rows_change_pct: round1(pct), gone, new: added, failures, warnings };
}
