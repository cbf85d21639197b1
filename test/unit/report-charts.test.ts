// The report's charts as SVG, read without a browser: sizes, legends and titles
// (test/cli/report-layout.test.ts lays the whole page out in Chromium).
import { describe, expect, it } from 'vitest';
import { forecastErrorChart, loadsChart, NARROW, revisionHeatmap, revisionsChart, stagesChart, titleLines, topChart, WIDE, yearsChart } from '../../src/report/charts.js';

const widthOf = (svg: string): number => Number(/<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
const legendLabels = (svg: string): string[] => [...svg.matchAll(/role-legend-label[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

const TOP = ['Americas', 'Asia', 'Europe', 'Oceania', 'Africa'].flatMap((region, r) =>
  ['United States of America', 'Papua New Guinea', 'Bosnia and Herzegovina', 'South Korea', 'Fiji'].map((country, i) => ({ region, country, gdp: (28362.35 / (i + 1)) / (r + 1), mean: 9000 / (r + 1) })),
);

describe('charts drawn for a phone', () => {
  // A 390 px window less the page's margins leaves 370 px.
  it.each([
    ['top 5', () => topChart(TOP, 'Top 5 economies by region and their mean (imf figures, latest), billions of USD', NARROW)],
    ['years', () => yearsChart(TOP.map((t, i) => ({ region: t.region, country: t.country, year: 1980 + (i % 50), gdp: t.gdp, kind: i % 2 === 0 ? 'figure' : 'projection' })), "GDP by year, each region's top 3 (current vintage), billions of USD", NARROW)],
    ['revisions', () => revisionsChart(TOP.map((t, i) => ({ label: `${t.country} 2017 (${t.region})`, change_pct: i - 12 })), 'Largest revisions, 2024-04-16 → 2024-10-22, per cent', NARROW)],
    ['loads', () => loadsChart([{ load: '2: wikipedia_imf_2025-01-07.csv', outcome: 'missing_gdp', records: 15 }], ['1: imf_weo_2024-10_ngdpd.csv', '2: wikipedia_imf_2025-01-07.csv'], 'Rejected records per load, by reason', NARROW)],
    ['stages', () => stagesChart([{ stage: 'split', seconds: 0.7 }, { stage: 'reduce', seconds: 12.5 }], 'Stage times of the last run, seconds', NARROW)],
    ['heatmap', () => revisionHeatmap(['China', 'United States', 'Japan', 'Germany'].flatMap((country) => ['2019-10-15', '2024-04-16', '2024-10-22'].map((vintage, v) => ({ country, year: 2020 + v, vintage, change_pct: v })), ), 'Change from the first release, per cent, by year and vintage', NARROW)],
    ['forecast errors', () => forecastErrorChart(['Africa', 'Americas'].flatMap((region) => (['same year', '1 year ahead', '2 years ahead'] as const).flatMap((horizon) => (['mean error (bias)', 'mean absolute error'] as const).map((measure, m) => ({ region, horizon, measure, pct: m * 3 - 1 })))), 'Forecast error by horizon and region, per cent', NARROW)],
  ])('%s: at most 370 px wide, where the desktop one is wider', async (_name, draw) => {
    const svg = await draw();
    expect(widthOf(svg)).toBeGreaterThan(200);
    expect(widthOf(svg)).toBeLessThanOrEqual(370);
  });

  it('the desktop drawing keeps its width', async () => {
    expect(widthOf(await topChart(TOP, 'Top 5', WIDE))).toBeGreaterThan(1000);
  });
});

describe('legends', () => {
  it('a load without rejects is named in its row, not given a legend colour no bar has', async () => {
    const svg = await loadsChart([{ load: '2: b.csv', outcome: 'missing_gdp', records: 15 }], ['1: a.csv', '2: b.csv'], 'Rejected records per load, by reason', WIDE);
    expect(legendLabels(svg)).toEqual(['missing_gdp']);
    expect(svg).toContain('>no rejects</text>');
    expect(svg).toContain('>1: a.csv</text>');
  });

  it('loads without any reject still draw, each saying so', async () => {
    const svg = await loadsChart([], ['1: a.csv'], 'Rejected records per load, by reason', WIDE);
    expect(legendLabels(svg)).toEqual([]);
    expect(svg).toContain('>no rejects</text>');
  });

  it('a figure and a projection are drawn in the legend as a solid and a dashed line', async () => {
    const svg = await yearsChart([{ region: 'Asia', country: 'Japan', year: 2020, gdp: 5, kind: 'figure' }, { region: 'Asia', country: 'Japan', year: 2030, gdp: 6, kind: 'projection' }], 'GDP by year', WIDE);
    const symbols = [...svg.matchAll(/role-legend-symbol[^>]*><path ([^>]*)\/>/g)].map((m) => m[1]).filter((a) => a.includes('stroke-dasharray'));
    expect(symbols).toHaveLength(2);
    for (const s of symbols) expect(s).toMatch(/ stroke="#[0-9a-f]{6}"/);
    expect(new Set(symbols.map((s) => /stroke-dasharray="([^"]*)"/.exec(s)?.[1]))).toEqual(new Set(['1,0', '5,4']));
  });
});

describe('titles', () => {
  it('wrap at words to the width vega sizes them by', () => {
    expect(titleLines('Top 5 economies by region and their mean (imf figures, latest), billions of USD', NARROW)).toEqual(['Top 5 economies by region', 'and their mean (imf', 'figures, latest), billions', 'of USD']);
    expect(titleLines('Stage times of the last run, seconds', WIDE)).toEqual(['Stage times of the last run, seconds']);
  });
});
