// Whether two warehouses of the same input hold the same data: bench:features' check that a
// faster build still gives the baseline's rows, rejects and counts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// run_id differs from run to run by design; everything else must not. A baseline from before
// the validity columns has fewer: the columns both have are compared.
// latest_to is compared as the interval it ends: every empty one is the same "never".
// Against a baseline of warehouse format 1 (before country identity), country_key (now a code
// where the map gives one), is_latest and latest_to (which now skip projections) changed
// meaning by design and are left out; so is counts.by_source, which format 1 lacks. Against a
// baseline of format 3 (before SPEC §1 counted a vintage's own year as an estimate), is_latest
// and latest_to changed meaning by design likewise.
const COMPARED_COLUMNS: Array<[column: string, expression: string]> = [
  ...['country', 'country_key', 'region', 'year', 'gdp_usd_billion', 'published', 'line', 'is_current', 'is_latest', 'load_seq', 'valid_from', 'valid_to'].map((c): [string, string] => [c, c]),
  ['latest_to', "CASE WHEN latest_to > coalesce(valid_from, '') THEN latest_to ELSE '' END"],
];
const CHANGED_IN_FORMAT_2 = new Set(['country_key', 'is_latest', 'latest_to']);
const CHANGED_IN_FORMAT_4 = new Set(['is_latest', 'latest_to']);

export function sameWarehouse(a: string, b: string): boolean {
  const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { format: string; counts: Record<string, unknown> };
  const [manifestA, manifestB] = [manifestOf(a), manifestOf(b)];
  const older = manifestB.format === 'gdpmr-warehouse/1';
  const changed = older ? CHANGED_IN_FORMAT_2 : manifestB.format === 'gdpmr-warehouse/3' && manifestA.format !== manifestB.format ? CHANGED_IN_FORMAT_4 : new Set<string>();
  const counts = (c: Record<string, unknown>): string => {
    if (older) delete c.by_source;
    // Key order is not content: the manifest's counts gained `superseded` before `by_reason`
    // after format 1, which made equal counts compare unequal.
    return JSON.stringify(c, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v));
  };
  if (counts(manifestA.counts) !== counts(manifestB.counts)) return false;
  if (!readFileSync(join(a, 'rejects.csv')).equals(readFileSync(join(b, 'rejects.csv')))) return false;
  for (const file of readdirSync(join(a, 'regions'))) {
    const [dbA, dbB] = [a, b].map((dir) => new Database(join(dir, 'regions', file), { readonly: true }));
    try {
      const both = new Set(dbB.prepare('SELECT * FROM gdp LIMIT 0').columns().map((c) => c.name));
      const columns = COMPARED_COLUMNS.filter(([c]) => both.has(c) && !changed.has(c))
        .map(([, e]) => e)
        .join(', ');
      const hash = (db: Database.Database): string => {
        const h = createHash('sha256');
        for (const row of db.prepare(`SELECT ${columns} FROM gdp ORDER BY load_seq, line`).raw(true).iterate()) h.update(JSON.stringify(row));
        return h.digest('hex');
      };
      if (hash(dbA) !== hash(dbB)) return false;
    } finally {
      dbA.close();
      dbB.close();
    }
  }
  return true;
}
