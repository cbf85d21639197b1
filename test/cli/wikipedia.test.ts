// End to end through the CLI on the bundled Wikipedia snapshot: the original exercise's
// expected answers (shared/data/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, IMF, tempDir, WIKIPEDIA } from '../helpers.js';

let warehouse: string;
beforeAll(async () => {
  warehouse = join(tempDir(), 'warehouse');
  const run = await cli(['run', WIKIPEDIA, '--out', warehouse, '--chunk-size', '1KB', '--workers', '2']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
});
afterAll(cleanTempDirs);

describe('gdpmr on the Wikipedia IMF snapshot', () => {
  it('loads 194 rows and rejects 16: 15 missing_gdp and World as unknown_region', () => {
    const manifest = JSON.parse(readFileSync(join(warehouse, 'manifest.json'), 'utf8'));
    expect(manifest.counts).toMatchObject({ records: 210, loaded: 194, rejected: 16, superseded: 0, by_reason: { missing_gdp: 15, unknown_region: 1 } });
    expect(manifest.config).toMatchObject({ chunk_bytes: 1024, workers: 2 });
    expect(Object.keys(manifest.stages)).toEqual(['split', 'map', 'reduce', 'publish']);
    const rejects = readFileSync(join(warehouse, 'rejects.csv'), 'utf8').split('\n');
    expect(rejects[0]).toBe('line,reason,record');
    expect(rejects[1]).toBe('2,unknown_region,"World,2025,""115,494,312"""');
    expect(rejects.filter((l) => l.includes(',missing_gdp,'))).toHaveLength(15);
  });

  it('answers the region top-5 means', async () => {
    const { stdout, code } = await cli(['query', 'top5', '--warehouse', warehouse, '--json']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ query: 'top5', k: 5, year: null, as_of: null });
    expect(answer.regions.map((r: { region: string; avg_gdp_usd_billion: number }) => [r.region, r.avg_gdp_usd_billion])).toEqual([
      ['Americas', 7473.33],
      ['Asia', 6327.18],
      ['Europe', 3318.11],
      ['Oceania', 436.66],
      ['Africa', 285.18],
    ]);
    expect(answer.regions[1].countries[0]).toEqual({ country: 'China', country_code: 'CHN', year: 2025, gdp_usd_billion: 19534.89 });
  });

  it('with the IMF CSV loaded first and this file appended, --year 2025 answers Asia 6327.18 with China once', async () => {
    const both = join(tempDir(), 'both');
    expect((await cli(['run', IMF, '--out', both])).code).toBe(0);
    expect((await cli(['run', WIKIPEDIA, '--out', both, '--append'])).code).toBe(0);
    const answer = JSON.parse((await cli(['query', 'top5', '--year', '2025', '--warehouse', both, '--json'])).stdout);
    const asia = answer.regions.find((r: { region: string }) => r.region === 'Asia');
    expect(asia.avg_gdp_usd_billion).toBe(6327.18);
    expect(asia.countries.map((c: { country: string }) => c.country)).toEqual(['China', 'Japan', 'India', 'South Korea', 'Indonesia']);
    // Without --year: the latest figure that is not a projection, the IMF's 2023: the October
    // 2024 vintage's 2024 is its estimate, and 2025-2029 its forecasts.
    const latest = JSON.parse((await cli(['query', 'top5', '--warehouse', both, '--json'])).stdout);
    expect(new Set(latest.regions.flatMap((r: { countries: Array<{ year: number }> }) => r.countries.map((c) => c.year)))).toEqual(new Set([2023]));
    const history = JSON.parse((await cli(['query', 'history', '--country', 'South Korea', '--warehouse', both, '--json'])).stdout);
    expect(new Set(history.figures.map((f: { country: string }) => f.country))).toEqual(new Set(['South Korea']));
    expect(history.figures.length).toBe(51);
    expect(JSON.parse((await cli(['query', 'history', '--country', 'Korea, Republic of', '--warehouse', both, '--json'])).stdout).figures).toEqual(history.figures);
    expect(JSON.parse((await cli(['query', 'history', '--country', 'kor', '--warehouse', both, '--json'])).stdout).figures).toEqual(history.figures);
  });

  it('finds 72 countries at or above 100 billion USD, highest first', async () => {
    const { stdout } = await cli(['query', 'over', '--warehouse', warehouse, '--json']);
    const answer = JSON.parse(stdout);
    expect(answer.min_usd_billion).toBe(100);
    expect(answer.countries).toHaveLength(72);
    expect(answer.countries[0]).toEqual({ country: 'United States', country_code: 'USA', region: 'Americas', year: 2025, gdp_usd_billion: 30337.16 });
    const gdps = answer.countries.map((c: { gdp_usd_billion: number }) => c.gdp_usd_billion);
    expect([...gdps].sort((a, b) => b - a)).toEqual(gdps);
  });

  it('prints readable aligned tables by default', async () => {
    const { stdout } = await cli(['query', 'top5', '--warehouse', warehouse, '--k', '2']);
    expect(stdout).toContain('Americas  7473.33'.replace('7473.33', '16333.74'));
    const over = await cli(['query', 'over', '--warehouse', warehouse, '--min', '4000']);
    expect(over.stdout.split('\n').slice(3, 6).map((l) => l.trim().split(/\s{2,}/).slice(1, 2)[0])).toEqual(['United States', 'China', 'Germany']);
  });
});
