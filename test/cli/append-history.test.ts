// SPEC §5: appended loads answer as one run over all loads' records; history and --as-of.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, snapshot, tempDir, writeInput } from '../helpers.js';

const HEADER = 'country,year,gdp_usd_million,published,region\n';
// A: the October vintage. B: revisions (newer vintage), an older vintage that must not win,
// a same-day tie that the later load wins, a new country, and a reject of its own.
// France is only in A: its region's database is carried over unchanged by the append.
// Years are those a vintage counts as actual (before its own year) unless a forecast is meant.
const A = HEADER + ['Japan,2023,"4,100,000",2024-10-22,', 'Japan,2024,"4,200,000",2024-10-22,', 'Chad,2023,"13,000",2024-10-22,', 'Fiji,2024,"5,000",,', 'World,2024,"1",2024-10-22,', 'France,2024,"3,100,000",2024-10-22,', 'France,2024,"3,000,000",2024-04-16,'].join('\n') + '\n';
const B = HEADER + ['Japan,2024,"4,300,000",2025-04-22,', 'Chad,2023,"12,000",2024-04-16,', 'Fiji,2024,"5,500",,', 'Peru,2024,"280,000",2025-04-22,', 'Atlantis,2024,"9",,Atlantic'].join('\n') + '\n';

let dir: string;
let appended: string;
let combined: string;
beforeAll(async () => {
  dir = tempDir();
  const a = writeInput(dir, 'a.csv', A);
  const b = writeInput(dir, 'b.csv', B);
  const both = writeInput(dir, 'both.csv', A + B.slice(HEADER.length));
  appended = join(dir, 'appended');
  combined = join(dir, 'combined');
  expect((await cli(['run', a, '--out', appended])).code).toBe(0);
  const r = await cli(['run', b, '--out', appended, '--append', '--chunk-size', '16']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('(load 2 of the warehouse)');
  expect((await cli(['run', both, '--out', combined])).code).toBe(0);
});
afterAll(cleanTempDirs);

const ask = async (warehouse: string, ...args: string[]) => JSON.parse((await cli(['query', ...args, '--warehouse', warehouse, '--json'])).stdout);

describe('append loads', () => {
  it('answers exactly as one run over A then B', async () => {
    for (const q of [['top5'], ['over', '--min', '0'], ['top5', '--year', '2024'], ['over', '--min', '0', '--as-of', '2024-12-31']]) {
      expect(await ask(appended, ...q)).toEqual(await ask(combined, ...q));
    }
    const flags = (w: string) =>
      Object.values(snapshot(w).rows)
        .flat()
        .map((r) => {
          const { line: _line, load_seq: _seq, ...rest } = r as Record<string, unknown>;
          return rest;
        });
    expect(flags(appended)).toEqual(flags(combined));
  });

  it('keeps every load in the manifest, counts for the whole warehouse, and a run_id per row', async () => {
    const manifest = JSON.parse(readFileSync(join(appended, 'manifest.json'), 'utf8'));
    expect(manifest.loads).toHaveLength(2);
    expect(manifest.loads.map((l: { counts: { records: number } }) => l.counts.records)).toEqual([7, 5]);
    expect(manifest.counts).toMatchObject({ records: 12, loaded: 10, rejected: 2, superseded: 4, by_reason: { unknown_region: 2 }, by_region: { Europe: 2 } });
    const rows = snapshot(appended, { withRunIds: true }).rows;
    const runIds = new Set(Object.values(rows).flat().map((r) => (r as { run_id: string }).run_id));
    expect([...runIds].sort()).toEqual(manifest.loads.map((l: { run_id: string }) => l.run_id).sort());
  });

  it('appends rejects with their line in their own input', () => {
    expect(readFileSync(join(appended, 'rejects.csv'), 'utf8')).toBe('line,reason,record\n6,unknown_region,"World,2024,""1"",2024-10-22,"\n6,unknown_region,"Atlantis,2024,""9"",,Atlantic"\n');
  });
});

describe('query history', () => {
  it('lists every figure ever loaded, ordered by region, year, then published', async () => {
    const manifest = JSON.parse(readFileSync(join(appended, 'manifest.json'), 'utf8'));
    const [runA, runB] = manifest.loads.map((l: { run_id: string }) => l.run_id);
    const answer = await ask(appended, 'history', '--country', ' JAPAN ');
    expect(answer).toEqual({
      query: 'history',
      country: 'JAPAN',
      as_of: null,
      figures: [
        { source: '', region: 'Asia', country: 'Japan', country_code: 'JPN', year: 2023, gdp_usd_billion: 4100, published: '2024-10-22', run_id: runA, is_current: true, is_projection: false },
        { source: '', region: 'Asia', country: 'Japan', country_code: 'JPN', year: 2024, gdp_usd_billion: 4200, published: '2024-10-22', run_id: runA, is_current: false, is_projection: true },
        { source: '', region: 'Asia', country: 'Japan', country_code: 'JPN', year: 2024, gdp_usd_billion: 4300, published: '2025-04-22', run_id: runB, is_current: true, is_projection: false },
      ],
    });
  });

  it('--as-of hides later vintages and decides current among the rest', async () => {
    const answer = await ask(appended, 'history', '--country', 'Japan', '--as-of', '2024-12-31');
    expect(answer.figures.map((f: { year: number; is_current: boolean }) => [f.year, f.is_current])).toEqual([
      [2023, true],
      [2024, true],
    ]);
    const asiaLeader = async (...flags: string[]) => (await ask(appended, 'top5', ...flags)).regions.find((r: { region: string }) => r.region === 'Asia').countries[0];
    // As of 2024-12-31 the 2024 figure is the October 2024 estimate: the latest figure is 2023's,
    // unless projections are asked for. The April 2025 vintage's 2024 figure is an actual one.
    expect(await asiaLeader('--as-of', '2024-12-31')).toEqual({ country: 'Japan', country_code: 'JPN', year: 2023, gdp_usd_billion: 4100 });
    expect(await asiaLeader('--as-of', '2024-12-31', '--projections')).toEqual({ country: 'Japan', country_code: 'JPN', year: 2024, gdp_usd_billion: 4200 });
    expect(await asiaLeader()).toEqual({ country: 'Japan', country_code: 'JPN', year: 2024, gdp_usd_billion: 4300 });
  });

  it('records with no published date are always visible; an older vintage never wins', async () => {
    const fiji = await ask(appended, 'history', '--country', 'fiji', '--as-of', '1990-01-01');
    expect(fiji.figures.map((f: { gdp_usd_billion: number; is_current: boolean }) => [f.gdp_usd_billion, f.is_current])).toEqual([
      [5, false],
      [5.5, true],
    ]);
    const chad = await ask(appended, 'over', '--min', '0');
    expect(chad.countries.find((c: { country: string }) => c.country === 'Chad').gdp_usd_billion).toBe(13);
  });
});
