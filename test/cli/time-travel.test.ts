// SPEC §9 through the CLI on a tiny hand-made history: ties, undated figures, dates before
// every vintage, and the revisions table.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

// estimates_start_after 2024: the figures for 2024 and before are actual ones, 2025 a forecast.
const CSV = `country,region,year,gdp_usd_million,published,estimates_start_after
Aland,Europe,2024,1000,2024-04-16,2024
Aland,Europe,2024,1100,2024-10-22,2024
Aland,Europe,2024,1200,2024-10-22,2024
Aland,Europe,2025,1500,2024-10-22,2024
Bmark,Europe,2024,900,,2024
Bmark,Europe,2024,950,,2024
Bmark,Europe,2024,990,2024-04-16,2024
Cland,Europe,2023,700,2023-10-10,2024
`;

let out: string;
beforeAll(async () => {
  const dir = tempDir();
  out = join(dir, 'w');
  const r = await cli(['run', writeInput(dir, 'd.csv', CSV), '--out', out]);
  // Said whole when it fails: once in CI this setup run exited 1, and its stderr was not kept.
  expect(r.code, `gdpmr run failed:\n${r.stderr}`).toBe(0);
});

const json = async (args: string[]) => {
  const r = await cli([...args, '--warehouse', out, '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
};

describe('validity intervals', () => {
  it('each row records when it was current; a tie in published leaves the earlier one an empty interval', () => {
    const db = new Database(join(out, 'regions', 'europe.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT country, year, gdp_usd_billion AS gdp, valid_from, valid_to FROM gdp ORDER BY line').all();
    db.close();
    expect(rows).toEqual([
      { country: 'Aland', year: 2024, gdp: 1, valid_from: '2024-04-16', valid_to: '2024-10-22' },
      { country: 'Aland', year: 2024, gdp: 1.1, valid_from: '2024-10-22', valid_to: '2024-10-22' },
      { country: 'Aland', year: 2024, gdp: 1.2, valid_from: '2024-10-22', valid_to: null },
      { country: 'Aland', year: 2025, gdp: 1.5, valid_from: '2024-10-22', valid_to: null },
      // An undated figure superseded by a later undated one was never current: '' ends it before any date.
      { country: 'Bmark', year: 2024, gdp: 0.9, valid_from: null, valid_to: '' },
      { country: 'Bmark', year: 2024, gdp: 0.95, valid_from: null, valid_to: '2024-04-16' },
      { country: 'Bmark', year: 2024, gdp: 0.99, valid_from: '2024-04-16', valid_to: null },
      { country: 'Cland', year: 2023, gdp: 0.7, valid_from: '2023-10-10', valid_to: null },
    ]);
  });

  it('as of the last calendar date, every figure is seen: the answer without --as-of', async () => {
    for (const q of [['query', 'top5'], ['query', 'over', '--min', '0'], ['query', 'top5', '--year', '2024']]) {
      const late = await json([...q, '--as-of', '9999-12-31']);
      const now = await json(q);
      expect({ ...late, as_of: null }).toEqual(now);
    }
  });

  it('as of a date before every vintage only undated figures are seen', async () => {
    const a = await json(['query', 'over', '--min', '0', '--as-of', '2000-01-01']);
    expect(a.countries).toEqual([{ country: 'Bmark', country_code: null, region: 'Europe', year: 2024, gdp_usd_billion: 0.95 }]);
  });

  it('as of the day between two vintages, the earlier vintage and the earlier year answer', async () => {
    const a = await json(['query', 'top5', '--as-of', '2024-06-01']);
    expect(a.regions[0].countries).toEqual([
      { country: 'Aland', country_code: null, year: 2024, gdp_usd_billion: 1 },
      { country: 'Bmark', country_code: null, year: 2024, gdp_usd_billion: 0.99 },
      { country: 'Cland', country_code: null, year: 2023, gdp_usd_billion: 0.7 },
    ]);
    const y = await json(['query', 'top5', '--as-of', '2024-10-22', '--year', '2024']);
    expect(y.regions[0].countries[0]).toEqual({ country: 'Aland', country_code: null, year: 2024, gdp_usd_billion: 1.2 });
    const h = await json(['query', 'history', '--country', 'aland', '--as-of', '2024-06-01']);
    expect(h.figures).toEqual([{ source: '', region: 'Europe', country: 'Aland', country_code: null, year: 2024, gdp_usd_billion: 1, published: '2024-04-16', run_id: expect.any(String), is_current: true, is_projection: false }]);
  });
});

describe('query revisions', () => {
  it('lists changed facts and facts new at D2 in region, country, year order', async () => {
    const a = await json(['query', 'revisions', '--from', '2024-06-01', '--to', '2024-12-31']);
    expect(a).toEqual({
      query: 'revisions',
      from: '2024-06-01',
      to: '2024-12-31',
      source: '',
      min_change_pct: null,
      figures: [
        { region: 'Europe', country: 'Aland', country_code: null, year: 2024, from_usd_billion: 1, to_usd_billion: 1.2, change_pct: 20, published: '2024-10-22' },
        { region: 'Europe', country: 'Aland', country_code: null, year: 2025, from_usd_billion: null, to_usd_billion: 1.5, change_pct: null, published: '2024-10-22' },
      ],
    });
    const b = await json(['query', 'revisions', '--from', '2024-01-01', '--to', '2024-06-01', '--min-change', '5']);
    // Bmark: 0.95 -> 0.99 is 4.2 %, under the floor.
    expect(b.figures).toEqual([{ region: 'Europe', country: 'Aland', country_code: null, year: 2024, from_usd_billion: null, to_usd_billion: 1, change_pct: null, published: '2024-04-16' }]);
  });

  it('the readable table lists the largest changes first; --csv keeps the JSON order', async () => {
    const t = await cli(['query', 'revisions', '--from', '2024-01-01', '--to', '2024-12-31', '--warehouse', out]);
    expect(t.code).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).toBe('3 revisions of figures that name no source between 2024-01-01 and 2024-12-31, largest first');
    // A change of any size comes before the facts new at D2, which have no change to rank.
    expect(lines[3]).toMatch(/Bmark/);
    expect(lines.slice(4).every((l) => /\bnew\b/.test(l))).toBe(true);
    const c = await cli(['query', 'revisions', '--from', '2024-01-01', '--to', '2024-12-31', '--warehouse', out, '--csv']);
    expect(c.stdout.trim().split('\n')).toEqual([
      'region,country,country_code,year,from_usd_billion,to_usd_billion,change_pct,published',
      'Europe,Aland,,2024,,1.2,,2024-10-22',
      'Europe,Aland,,2025,,1.5,,2024-10-22',
      'Europe,Bmark,,2024,0.95,0.99,4.21,2024-04-16',
    ]);
  });

  it.each([
    [['--from', '2024-12-31', '--to', '2024-01-01'], '--from must be a date before --to, got --from 2024-12-31 --to 2024-01-01'],
    [['--from', '2024-01-01', '--to', '2024-01-01'], '--from must be a date before --to'],
    [['--to', '2024-01-01'], 'needs --from'],
    [['--from', '2024-01-01', '--to', '2024-13-01'], '--to must be a calendar date YYYY-MM-DD, got "2024-13-01"'],
    [['--from', '2024-01-01', '--to', '2024-02-01', '--min-change=-3'], '--min-change must be a percentage'],
  ])('%j: exit 2', async (flags, message) => {
    const r = await cli(['query', 'revisions', ...flags, '--warehouse', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('a source whose every figure is a forecast', () => {
  it('answers no latest figure, with a note saying so and pointing at --projections and --year', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    // Wikipedia's IMF column as its January 2025 page heads it: "Forecast" for 2025.
    const csv = 'country,year,gdp_usd_million,published,source\nJapan,2025,"4,389,326",2025-01-07,imf\nChina,2025,"19,534,894",2025-01-07,imf\n';
    expect((await cli(['run', writeInput(dir, 'f.csv', csv), '--out', w])).code).toBe(0);
    for (const query of ['top5', 'over']) {
      const r = await cli(['query', query, '--warehouse', w, '--json']);
      expect(r.code).toBe(0);
      const answer = JSON.parse(r.stdout);
      expect(answer.note).toContain('every one of the 2 imf figures is a projection');
      expect(answer.note).toContain('--projections');
      expect(answer.note).toContain('--year');
      const table = await cli(['query', query, '--warehouse', w]);
      expect(table.stderr).toContain('is a projection');
    }
    const forecast = JSON.parse((await cli(['query', 'top5', '--year', '2025', '--warehouse', w, '--json'])).stdout);
    expect(forecast.regions[0].countries.map((c: { country: string }) => c.country)).toEqual(['China', 'Japan']);
  });
});
