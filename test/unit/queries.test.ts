// Query semantics on tiny fixtures, through the inline runner: ties, k, years, means.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { over } from '../../src/query/over.js';
import { top5 } from '../../src/query/top5.js';
import { meanOf, withWarehouse as openAndAsk, type OpenWarehouse } from '../../src/query/warehouse.js';
import { cleanTempDirs, runEngine, tempDir, writeInput } from '../helpers.js';

const CSV = `country,region,year,gdp_usd_million
Zeta,Asia,2024,"100,000"
Alpha,Asia,2024,"100,000"
Mid,Asia,2024,"100,000.004"
Small,Asia,2024,"1,000"
Small,Asia,2020,"900,000"
Old,Asia,2019,"500,000"
Euro,Europe,2024,"150,000"
Euro,Europe,2023,"140,000"
`;

let dir: string;
beforeAll(async () => {
  dir = join(tempDir(), 'w');
  await runEngine(writeInput(tempDir(), 'q.csv', CSV), dir);
});
afterAll(cleanTempDirs);

const withWarehouse = <T>(ask: (w: OpenWarehouse) => T): T => openAndAsk(dir, ask);

describe('top5', () => {
  it('breaks GDP ties by country name ascending, and compares unrounded values', () => {
    const answer = withWarehouse((w) => top5(w, 4, { source: '' }));
    const asia = answer.regions.find((r) => r.region === 'Asia')!;
    expect(asia.countries.map((c) => c.country)).toEqual(['Old', 'Mid', 'Alpha', 'Zeta']);
    expect(asia.countries[1].gdp_usd_billion).toBe(100);
  });
  it('reads each country its latest year: a small recent figure beats a big old one', () => {
    const answer = withWarehouse((w) => top5(w, 5, { source: '' }));
    const small = answer.regions.find((r) => r.region === 'Asia')!.countries.find((c) => c.country === 'Small');
    expect(small).toEqual({ country: 'Small', country_code: null, year: 2024, gdp_usd_billion: 1 });
  });
  it('orders regions by the mean of their top k, highest first', () => {
    const answer = withWarehouse((w) => top5(w, 1, { source: '' }));
    expect(answer.regions.map((r) => [r.region, r.avg_gdp_usd_billion])).toEqual([
      ['Asia', 500],
      ['Europe', 150],
    ]);
  });
  it('--year reads that year only, and drops regions with nothing in it', () => {
    const answer = withWarehouse((w) => top5(w, 5, { source: '', year: 2023 }));
    expect(answer).toMatchObject({ year: 2023, regions: [{ region: 'Europe', avg_gdp_usd_billion: 140 }] });
  });
});

describe('over', () => {
  it('includes the floor itself, highest first, ties by name', () => {
    const answer = withWarehouse((w) => over(w, 100, { source: '' }));
    expect(answer.countries.map((c) => c.country)).toEqual(['Old', 'Euro', 'Mid', 'Alpha', 'Zeta']);
  });
});

describe('means', () => {
  it('a mean of figures near the largest double is finite, not Infinity', async () => {
    const big = '1' + '7'.repeat(308);
    const huge = `country,region,year,gdp_usd_million\nA,Asia,2024,${big}\nB,Asia,2024,${big}\nC,Asia,2024,${big}\n`;
    const w = join(tempDir(), 'w');
    await runEngine(writeInput(tempDir(), 'huge.csv', huge), w);
    const answer = openAndAsk(w, (wh) => top5(wh, 5, { source: '' }));
    const mean = answer.regions[0].avg_gdp_usd_billion;
    expect(Number.isFinite(mean)).toBe(true);
    expect(mean).toBeCloseTo(Number(big) / 1000, -300);
    expect(JSON.parse(JSON.stringify(answer)).regions[0].avg_gdp_usd_billion).not.toBeNull();
  });
  it('meanOf sums plainly while the sum is finite', () => {
    expect(meanOf([1, 2, 3, 4])).toBe(2.5);
    expect(meanOf([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(Number.MAX_VALUE);
  });
});
