// SPEC §3 --as-of and §9 at any date: the warehouse's answers, read through validity
// intervals and their indexes, equal a plain in-memory computation of the SPEC over the
// loaded rows, whatever the split; and every row's interval is its definition.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { round2 as outputRound2 } from '../../src/format.js';
import { accuracy } from '../../src/query/accuracy.js';
import { history } from '../../src/query/history.js';
import { vintages } from '../../src/query/vintages.js';
import { over } from '../../src/query/over.js';
import { revisions } from '../../src/query/revisions.js';
import { top5 } from '../../src/query/top5.js';
import { withWarehouse } from '../../src/query/warehouse.js';
import { cleanTempDirs, runEngine, snapshot, tempDir, writeInput } from '../helpers.js';
import { HAVE_REDIS, startRedis, startWorker, stopProcess } from '../queue/redis.js';

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
// Output rounding is format.ts's (half away from zero on the decimal value), tested on its own.
const round2 = (v: number): number => outputRound2(v);
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

/** SPEC §9: a fact's first actual figure: of its rows visible at `asOf` that are not projections (any row with `projections`), the earliest published, of several the last in the input. */
function firstActual(list: Row[], asOf: string | undefined, projections: boolean): Row | undefined {
  const eligible = list.filter((r) => visibleAt(r, asOf) && (projections || !projection(r)));
  if (eligible.length === 0) return undefined;
  const earliest = eligible[0].published;
  return eligible.filter((r) => r.published === earliest).pop();
}

/** --release first: each country's first actual figure of its greatest year that has one, or of --year. */
function firstReleasesAt(rows: Row[], v: ModelView): Row[] {
  const byCountry = new Map<string, Row>();
  for (const list of facts(rows.filter((r) => r.source === v.source)).values()) {
    if (v.year !== undefined && list[0].year !== v.year) continue;
    const f = firstActual(list, v.asOf, v.projections === true);
    if (f === undefined) continue;
    const key = `${f.region}\t${f.country_key}`;
    const held = byCountry.get(key);
    if (held === undefined || f.year > held.year) byCountry.set(key, f);
  }
  return [...byCountry.values()].sort((a, b) => b.gdp_usd_billion - a.gdp_usd_billion || codePoints(a.name, b.name));
}

/** SPEC §9 accuracy per region: the figure current at the end of Y - H, if a projection, against the first actual. */
function expectedAccuracy(rows: Row[], source: string, h: number) {
  const byRegion = new Map<string, number[]>();
  for (const list of facts(rows.filter((r) => r.source === source)).values()) {
    const forecast = currentAt(list, `${String(list[0].year - h).padStart(4, '0')}-12-31`);
    const actual = firstActual(list, undefined, false);
    if (forecast === undefined || actual === undefined || !projection(forecast)) continue;
    byRegion.set(actual.region, [...(byRegion.get(actual.region) ?? []), ((forecast.gdp_usd_billion - actual.gdp_usd_billion) / actual.gdp_usd_billion) * 100]);
  }
  return [...byRegion.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([region, e]) => ({ region, n: e.length, mean_error_pct: round2(e.reduce((a, x) => a + x, 0) / e.length), mean_abs_error_pct: round2(e.reduce((a, x) => a + Math.abs(x), 0) / e.length) }));
}

/** SPEC §9 vintages of one country's identities: a column per published date, the last figure of that date per year. */
function expectedVintages(rows: Row[], keys: Set<string>, source: string) {
  const mine = rows.filter((r) => keys.has(r.country_key) && r.source === source && r.published !== null).sort((a, b) => a.load_seq - b.load_seq || a.line - b.line);
  const dates = [...new Set(mine.map((r) => r.published as string))].sort();
  const years = [...new Set(mine.map((r) => r.year))].sort((a, b) => a - b);
  return {
    vintages: dates,
    years: years.map((year) => {
      const figures = dates.map((d) => mine.filter((r) => r.year === year && r.published === d).pop()?.gdp_usd_billion ?? null);
      const present = figures.filter((v): v is number => v !== null);
      const first = present[0];
      const latest = present[present.length - 1];
      return { year, figures: figures.map((v) => (v === null ? null : round2(v))), first: round2(first), latest: round2(latest), change_pct: round2(((latest - first) / first) * 100) };
    }),
  };
}

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
      // SPEC §9: first releases, and the forecasts' accuracy.
      for (const asOf of [undefined, d1]) {
        for (const projections of [false, true]) {
          const v = { source, asOf, projections, release: 'first' as const };
          expect(over(w, 0, v).countries.map((c) => [c.country, c.country_code, c.region, c.year, c.gdp_usd_billion])).toEqual(firstReleasesAt(rows, v).map((f) => [f.name, f.country_code, f.region, f.year, round2(f.gdp_usd_billion)]));
        }
        const vy = { source, asOf, year, release: 'first' as const };
        expect(over(w, 0, vy).countries.map((c) => [c.country_code, c.year, c.gdp_usd_billion])).toEqual(firstReleasesAt(rows, vy).map((f) => [f.country_code, f.year, round2(f.gdp_usd_billion)]));
      }
      for (const h of [0, 1, 2]) expect(accuracy(w, source, h, undefined).regions).toEqual(expectedAccuracy(rows, source, h));
    }
    if (rows.length > 0) {
      // By code, or by the name it was loaded under: every source and spelling of the country.
      const r0 = rows[0];
      const asked = r0.country_code ?? r0.country;
      const lower = r0.country.toLowerCase();
      const keys = new Set(r0.country_code !== null ? [r0.country_code] : [lower, ...rows.filter((r) => r.country.toLowerCase() === lower || r.name.toLowerCase() === lower).map((r) => r.country_key)]);
      for (const source of [...new Set(rows.map((r) => r.source))]) {
        const v = vintages(w, asked, source, undefined, undefined);
        expect({ vintages: v.vintages, years: v.years }).toEqual(expectedVintages(rows, keys, source));
      }
      for (const date of [d1, d2]) {
        const h = history(w, asked, date).figures;
        const mine = rows.filter((r) => keys.has(r.country_key) && visibleAt(r, date));
        expect(h.length).toBe(mine.length);
        expect(h.filter((f) => f.is_current).length).toBe(facts(mine).size);
      }
    }
  });
}

/**
 * Dumps of several vintages of the same facts (what the generator's dumps rarely hold): each
 * vintage publishes a few countries' figures for years up to two after its own, so that
 * forecasts are later published as actuals; with or without estimates_start_after, undated
 * figures, two figures of one date for a fact, two sources, lines in any order.
 */
const VINTAGE_DATES = ['2019-10-15', '2020-04-14', '2020-10-13', '2021-04-06', '2021-10-12', '2022-10-11', '2023-10-10'];
const COUNTRIES = [['Japan', 'JPN'], ['Germany', 'DEU'], ['Brazil', 'BRA'], ['Nigeria', 'NGA'], ['Australia', 'AUS']];
const vintageDump = fc
  .record({
    figures: fc.array(
      fc.record({
        country: fc.integer({ min: 0, max: 2 }),
        vintage: fc.integer({ min: -1, max: VINTAGE_DATES.length - 1 }),
        ahead: fc.integer({ min: -2, max: 2 }),
        value: fc.integer({ min: 1000, max: 5_000_000 }),
        source: fc.constantFrom('imf', 'imf', 'world_bank'),
        esa: fc.boolean(),
      }),
      { minLength: 20, maxLength: 120 },
    ),
    estimates: fc.boolean(),
    order: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ figures, estimates, order }) => {
    const lines = figures.map((f) => {
      const [name, code] = COUNTRIES[f.country];
      const published = f.vintage < 0 ? '' : VINTAGE_DATES[f.vintage];
      const vintageYear = f.vintage < 0 ? 2020 : Number(published.slice(0, 4));
      const esa = estimates && f.esa ? String(vintageYear - 1) : '';
      return `${name},${code},${vintageYear + f.ahead},${f.value},${published},${f.source},${esa}`;
    });
    // Any order of lines: the input order decides only between figures of one date.
    const shuffled = lines.map((l, i) => ({ l, k: (i * 7919 + order) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.l);
    return ['country,country_code,year,gdp_usd_million,published,source,estimates_start_after', ...shuffled].join('\n') + '\n';
  });

/** The vintage property on `runners`; `redisUrl` for the queue's. */
async function vintageProperty(runners: Array<'inline' | 'pool' | 'queue'>, numRuns: number, redisUrl?: string): Promise<number> {
  let informative = 0;
  await fc.assert(
    fc.asyncProperty(vintageDump, fc.integer({ min: 40, max: 400 }), fc.constantFrom(...runners), fc.constantFrom(...DATES), async (csv, chunkBytes, runner, d) => {
      const dir = tempDir();
      const out = `${dir}/w`;
      await runEngine(writeInput(dir, 'd.csv', csv), out, { chunkBytes, runner, workers: 2, redisUrl });
      const rows = Object.values(snapshot(out).rows).flat() as Row[];
      await checkWarehouse(out, d, d, 3, undefined);
      withWarehouse(out, (w) => {
        if (accuracy(w, 'imf', 1, undefined).regions.length > 0) informative++;
        for (const [, code] of COUNTRIES) {
          const v = vintages(w, code, 'imf', 2018, 2023);
          const e = expectedVintages(rows.filter((r) => r.year >= 2018 && r.year <= 2023), new Set([code]), 'imf');
          expect({ vintages: v.vintages, years: v.years }).toEqual(e);
        }
      });
    }),
    { numRuns },
  );
  return informative;
}

describe('vintage analysis equals the SPEC computed in memory (§9)', () => {
  it('first releases, accuracy at every horizon and the vintage matrix, on dumps of many vintages, inline and on the pool', async () => {
    // The property saw forecasts later published as actuals, not only empty answers.
    expect(await vintageProperty(['inline', 'pool'], 25)).toBeGreaterThan(5);
  });

  it.skipIf(!HAVE_REDIS)('the same on the queue runner, with two worker processes', async () => {
    const redis = await startRedis();
    const workers = [startWorker(redis.url, 1), startWorker(redis.url, 1)];
    try {
      await vintageProperty(['queue'], 4, redis.url);
    } finally {
      await Promise.all(workers.map((w) => stopProcess(w.child)));
      await redis.stop();
    }
  }, 240_000);
});

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
