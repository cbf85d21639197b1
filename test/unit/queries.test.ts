// Query semantics on tiny fixtures, through the inline runner: ties, k, years, means.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { over } from '../../src/query/over.js';
import { top5 } from '../../src/query/top5.js';
import { withWarehouse as openAndAsk, type OpenWarehouse } from '../../src/query/warehouse.js';
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
    const answer = withWarehouse((w) => top5(w, 4, {}));
    const asia = answer.regions.find((r) => r.region === 'Asia')!;
    expect(asia.countries.map((c) => c.country)).toEqual(['Old', 'Mid', 'Alpha', 'Zeta']);
    expect(asia.countries[1].gdp_usd_billion).toBe(100);
  });
  it('reads each country its latest year: a small recent figure beats a big old one', () => {
    const answer = withWarehouse((w) => top5(w, 5, {}));
    const small = answer.regions.find((r) => r.region === 'Asia')!.countries.find((c) => c.country === 'Small');
    expect(small).toEqual({ country: 'Small', year: 2024, gdp_usd_billion: 1 });
  });
  it('orders regions by the mean of their top k, highest first', () => {
    const answer = withWarehouse((w) => top5(w, 1, {}));
    expect(answer.regions.map((r) => [r.region, r.avg_gdp_usd_billion])).toEqual([
      ['Asia', 500],
      ['Europe', 150],
    ]);
  });
  it('--year reads that year only, and drops regions with nothing in it', () => {
    const answer = withWarehouse((w) => top5(w, 5, { year: 2023 }));
    expect(answer).toMatchObject({ year: 2023, regions: [{ region: 'Europe', avg_gdp_usd_billion: 140 }] });
  });
});

describe('over', () => {
  it('includes the floor itself, highest first, ties by name', () => {
    const answer = withWarehouse((w) => over(w, 100, {}));
    expect(answer.countries.map((c) => c.country)).toEqual(['Old', 'Euro', 'Mid', 'Alpha', 'Zeta']);
  });
});
