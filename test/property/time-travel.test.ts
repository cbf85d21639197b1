// SPEC §3 --as-of and §9 at any date: the warehouse's answers, read through validity
// intervals and their indexes, equal a plain in-memory computation of the SPEC over the
// loaded rows, whatever the split; and every row's interval is its definition.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { history } from '../../src/query/history.js';
import { over } from '../../src/query/over.js';
import { revisions } from '../../src/query/revisions.js';
import { top5 } from '../../src/query/top5.js';
import { withWarehouse } from '../../src/query/warehouse.js';
import { cleanTempDirs, runEngine, snapshot, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

interface Row {
  country: string;
  name: string;
  country_code: string | null;
  country_key: string;
  source: string;
  region: string;
  year: number;
  gdp_usd_billion: number;
  published: string | null;
  line: number;
  load_seq: number;
  is_current: number;
  is_projection: number;
  estimates_start_after: number | null;
  valid_from: string | null;
  valid_to: string | null;
}

const DATES = ['2000-01-01', '2023-04-10', '2023-04-11', '2023-07-01', '2023-10-10', '2024-01-31', '2024-04-16', '2024-10-21', '2024-10-22', '2030-01-01', '9999-12-31'];

/** SPEC §1 fact order: an empty `published` first, then by date, then load, then line. */
const factOrder = (a: Row, b: Row): number =>
  (a.published ?? '') < (b.published ?? '') ? -1 : (a.published ?? '') > (b.published ?? '') ? 1 : a.load_seq - b.load_seq || a.line - b.line;
const codePoints = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const round2 = (v: number): number => Number(v.toFixed(2));
/** SPEC §1: after the publisher's last actual year when given, else a year not before its vintage's. */
const projection = (r: Row): boolean => (r.estimates_start_after !== null ? r.year > r.estimates_start_after : r.published !== null && r.year >= Number(r.published.slice(0, 4)));

/** SPEC §1's facts: same source, region, country identity and year. */
function facts(rows: Row[]): Map<string, Row[]> {
  const byFact = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.source}\t${r.region}\t${r.country_key}\t${r.year}`;
    byFact.set(key, [...(byFact.get(key) ?? []), r]);
  }
  for (const list of byFact.values()) list.sort(factOrder);
  return byFact;
}

const visibleAt = (r: Row, date: string | undefined): boolean => date === undefined || r.published === null || r.published <= date;
const currentAt = (list: Row[], date: string | undefined): Row | undefined => list.filter((r) => visibleAt(r, date)).pop();

interface ModelView {
  source: string;
  asOf?: string;
  year?: number;
  projections?: boolean;
}

/** Each country's figure of one source as of a date: latest (greatest year, projections aside unless asked), or of one year. */
function figuresAt(rows: Row[], v: ModelView): Row[] {
  const byCountry = new Map<string, Row>();
  for (const list of facts(rows.filter((r) => r.source === v.source)).values()) {
    if (v.year !== undefined && list[0].year !== v.year) continue;
    const c = currentAt(list, v.asOf);
    if (c === undefined) continue;
    if (v.year === undefined && v.projections !== true && projection(c)) continue;
    const key = `${c.region}\t${c.country_key}`;
    const held = byCountry.get(key);
    if (held === undefined || c.year > held.year) byCountry.set(key, c);
  }
  return [...byCountry.values()].sort((a, b) => b.gdp_usd_billion - a.gdp_usd_billion || codePoints(a.name, b.name));
}

function expectedTop5(rows: Row[], v: ModelView, k: number) {
  const regions = [...new Set(rows.map((r) => r.region))].map((region) => {
    const top = figuresAt(rows.filter((r) => r.region === region), v).slice(0, k);
    return { region, mean: top.reduce((s, f) => s + f.gdp_usd_billion, 0) / top.length, top };
  });
  return regions
    .filter((r) => r.top.length > 0)
    .sort((a, b) => b.mean - a.mean || (a.region < b.region ? -1 : 1))
    .map((r) => ({ region: r.region, avg_gdp_usd_billion: round2(r.mean), countries: r.top.map((f) => ({ country: f.name, country_code: f.country_code, year: f.year, gdp_usd_billion: round2(f.gdp_usd_billion) })) }));
}

function expectedRevisions(rows: Row[], source: string, from: string, to: string, minChange?: number) {
  const out = [];
  for (const list of facts(rows.filter((r) => r.source === source)).values()) {
    const a = currentAt(list, from);
    const b = currentAt(list, to);
    if (b === undefined || (a !== undefined && a.gdp_usd_billion === b.gdp_usd_billion)) continue;
    const pct = a === undefined ? null : ((b.gdp_usd_billion - a.gdp_usd_billion) / a.gdp_usd_billion) * 100;
    if (pct !== null && minChange !== undefined && Math.abs(pct) < minChange) continue;
    out.push({ key: b.country_key, region: b.region, country: b.name, country_code: b.country_code, year: b.year, from_usd_billion: a === undefined ? null : round2(a.gdp_usd_billion), to_usd_billion: round2(b.gdp_usd_billion), change_pct: pct === null ? null : round2(pct), published: b.published });
  }
  const regions = ['Africa', 'Americas', 'Asia', 'Europe', 'Oceania'];
  return out
    .sort((x, y) => regions.indexOf(x.region) - regions.indexOf(y.region) || codePoints(x.country, y.country) || codePoints(x.key, y.key) || x.year - y.year)
    .map(({ key: _, ...r }) => r);
}

/** valid_to is the next vintage's published in fact order: null for the last, '' for an undated one. */
function expectIntervalsAreTheirDefinition(rows: Row[]): void {
  for (const list of facts(rows).values()) {
    list.forEach((r, i) => {
      expect(r.valid_from).toBe(r.published);
      const next = list[i + 1];
      expect(r.valid_to).toBe(next === undefined ? null : (next.published ?? ''));
      expect(r.is_current).toBe(next === undefined ? 1 : 0);
    });
  }
}

const dump = fc.record({ seed: fc.integer({ min: 1, max: 1_000_000 }), bytes: fc.integer({ min: 200, max: 4000 }), territories: fc.integer({ min: 1, max: 6 }), identity: fc.boolean(), estimates: fc.boolean() })
  .map(({ seed, bytes, territories, identity, estimates }) => [...generateDump(bytes, { seed, territories, identity, estimates })].join(''));

async function checkWarehouse(out: string, d1: string, d2: string, k: number, minChange: number | undefined): Promise<void> {
  const rows = Object.values(snapshot(out).rows).flat() as Row[];
  expectIntervalsAreTheirDefinition(rows);
  for (const r of rows) expect(r.is_projection).toBe(projection(r) ? 1 : 0);
  const year = rows.length > 0 ? rows[0].year : 2000;
  withWarehouse(out, (w) => {
    for (const source of [...new Set(rows.map((r) => r.source))]) {
      for (const asOf of [undefined, d1, d2]) {
        for (const projections of [false, true]) {
          const v = { source, asOf, projections };
          expect(top5(w, k, v).regions).toEqual(expectedTop5(rows, v, k));
          const overAll = over(w, 0, v).countries;
          expect(overAll.map((c) => [c.country, c.country_code, c.region, c.year, c.gdp_usd_billion])).toEqual(figuresAt(rows, v).map((f) => [f.name, f.country_code, f.region, f.year, round2(f.gdp_usd_billion)]));
        }
        expect(top5(w, k, { source, asOf, year }).regions).toEqual(expectedTop5(rows, { source, asOf, year }, k));
      }
      if (d1 < d2) expect(revisions(w, source, d1, d2, minChange).figures).toEqual(expectedRevisions(rows, source, d1, d2, minChange));
    }
    if (rows.length > 0) {
      // By code, or by the name it was loaded under: every source and spelling of the country.
      const r0 = rows[0];
      const asked = r0.country_code ?? r0.country;
      const lower = r0.country.toLowerCase();
      const keys = new Set(r0.country_code !== null ? [r0.country_code] : [lower, ...rows.filter((r) => r.country.toLowerCase() === lower || r.name.toLowerCase() === lower).map((r) => r.country_key)]);
      for (const date of [d1, d2]) {
        const h = history(w, asked, date).figures;
        const mine = rows.filter((r) => keys.has(r.country_key) && visibleAt(r, date));
        expect(h.length).toBe(mine.length);
        expect(h.filter((f) => f.is_current).length).toBe(facts(mine).size);
      }
    }
  });
}

describe('as-of answers and revisions equal the SPEC computed in memory', () => {
  it('one load, random splits and dates', async () => {
    await fc.assert(
      fc.asyncProperty(dump, fc.integer({ min: 1, max: 500 }), fc.constantFrom(...DATES), fc.constantFrom(...DATES), fc.integer({ min: 1, max: 6 }), fc.option(fc.constantFrom(0, 1, 5, 50), { nil: undefined }), async (csv, chunkBytes, a, b, k, minChange) => {
        const dir = tempDir();
        const out = `${dir}/w`;
        await runEngine(writeInput(dir, 'd.csv', csv), out, { chunkBytes });
        await checkWarehouse(out, a < b ? a : b, a < b ? b : a, k, minChange);
      }),
      { numRuns: 30 },
    );
  });

  it('after --append of a second dump', async () => {
    await fc.assert(
      fc.asyncProperty(dump, dump, fc.constantFrom(...DATES), fc.constantFrom(...DATES), async (first, second, a, b) => {
        const dir = tempDir();
        const out = `${dir}/w`;
        await runEngine(writeInput(dir, 'a.csv', first), out, { chunkBytes: 211 });
        await runEngine(writeInput(dir, 'b.csv', second), out, { chunkBytes: 157, append: true, allowReload: true });
        await checkWarehouse(out, a < b ? a : b, a < b ? b : a, 5, undefined);
      }),
      { numRuns: 15 },
    );
  });

  it('a year a later vintage calls an estimate again: as of any date the latest figure is the model\'s', async () => {
    // Japan's 2024: actual in April 2025, an estimate again in October 2025, actual in April
    // 2026; Fiji has an actual 2024 by its vintage year. Between, Japan's latest actual figure is 2023's.
    const csv = [
      'country,country_code,year,gdp_usd_million,published,source,estimates_start_after',
      'Japan,JPN,2023,4000,2024-10-01,imf,2023',
      'Japan,JPN,2024,4100,2025-04-01,imf,2024',
      'Japan,JPN,2024,4150,2025-10-01,imf,2023',
      'Japan,JPN,2024,4200,2026-04-01,imf,2024',
      'Japan,JPN,2025,4300,2026-04-01,imf,2024',
      'Fiji,FJI,2023,5,2024-10-01,imf,2023',
      'Fiji,FJI,2024,6,2025-04-01,imf,',
      '',
    ].join('\n');
    for (const chunkBytes of [64, 1 << 20]) {
      const dir = tempDir();
      const out = `${dir}/w`;
      await runEngine(writeInput(dir, 'd.csv', csv), out, { chunkBytes });
      const rows = Object.values(snapshot(out).rows).flat() as Row[];
      withWarehouse(out, (w) => {
        for (const asOf of ['2024-12-01', '2025-06-01', '2025-12-01', '2026-06-01', undefined]) {
          const v = { source: 'imf', asOf };
          expect(over(w, 0, v).countries.map((c) => [c.country, c.year])).toEqual(figuresAt(rows, v).map((f) => [f.name, f.year]));
        }
        expect(over(w, 0, { source: 'imf', asOf: '2025-12-01' }).countries.map((c) => [c.country, c.year])).toEqual([['Japan', 2023], ['Fiji', 2024]]);
      });
    }
  });
});
