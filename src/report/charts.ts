// The report's charts as vega-lite specs, rendered headlessly to SVG by vega when the report
// is written: no JavaScript and no request in the page that shows them.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const WIDTH = 1080;
const BN = ',.2f';
const BY_GDP = { field: 'gdp', op: 'max', order: 'descending' } as const;

async function svg(spec: vegaLite.TopLevelSpec): Promise<string> {
  // Warnings about how layered scales are unioned go nowhere: a report is no place for them.
  const logger = vega.logger(vega.Error);
  const compiled = vegaLite.compile({ config: { font: 'sans-serif', title: { fontSize: 16, anchor: 'start' }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, header: { labelFontSize: 13, titleFontSize: 13 } }, ...spec } as vegaLite.TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  const out = await view.toSVG();
  view.finalize();
  return out;
}

export interface TopBar {
  region: string;
  country: string;
  gdp: number;
  mean: number;
}

/** Each region's top countries as bars, the region's mean as a red rule. */
export function topChart(rows: readonly TopBar[], title: string): Promise<string> {
  return svg({
    title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { row: { field: 'region', type: 'nominal', title: null, sort: { field: 'mean', order: 'descending' }, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 13 } } },
    spec: {
      width: WIDTH - 200,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            y: { field: 'country', type: 'nominal', sort: BY_GDP, title: null, axis: { labelLimit: 260 } },
            x: { field: 'gdp', type: 'quantitative', title: 'GDP, billions of USD', axis: { format: ',.0f', tickCount: 6, labelOverlap: true } },
            tooltip: [{ field: 'country' }, { field: 'gdp', format: BN }],
          },
        },
        // The mean's rule first, then each value over it on a white halo: a dash through a
        // digit turned 3,725.94 into 8,725.94.
        { mark: { type: 'rule', color: '#d62728', strokeWidth: 2, strokeDash: [4, 3] }, encoding: { x: { aggregate: 'mean', field: 'mean', type: 'quantitative' } } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, stroke: '#ffffff', strokeWidth: 4, strokeJoin: 'round', fill: '#ffffff' }, encoding: { y: { field: 'country', type: 'nominal', sort: BY_GDP }, x: { field: 'gdp', type: 'quantitative' }, text: { field: 'gdp', type: 'quantitative', format: BN } } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, fill: '#222222' }, encoding: { y: { field: 'country', type: 'nominal', sort: BY_GDP }, x: { field: 'gdp', type: 'quantitative' }, text: { field: 'gdp', type: 'quantitative', format: BN } } },
      ],
    },
    // Each region on its own scale: Oceania's bars would vanish beside the Americas'.
    resolve: { scale: { y: 'independent', x: 'independent' } },
  } as unknown as vegaLite.TopLevelSpec);
}

export interface YearPoint {
  region: string;
  country: string;
  year: number;
  gdp: number;
  /** 'figure', or 'projection' (drawn dashed): a figure for a year after its vintage's. */
  kind: 'figure' | 'projection';
}

/** GDP over the years, one line per leading country, one panel per region. */
export function yearsChart(points: readonly YearPoint[], title: string): Promise<string> {
  return svg({
    title,
    data: { values: points.map((p) => ({ ...p })) },
    facet: { row: { field: 'region', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 13 } } },
    spec: {
      width: WIDTH - 260,
      height: 140,
      mark: { type: 'line', point: { size: 18 } },
      encoding: {
        x: { field: 'year', type: 'quantitative', title: 'year', axis: { format: 'd' }, scale: { zero: false } },
        y: { field: 'gdp', type: 'quantitative', title: 'GDP, billions of USD', axis: { format: ',.0f', tickCount: 5, labelOverlap: true } },
        color: { field: 'country', type: 'nominal', title: 'country', legend: { orient: 'right', labelLimit: 220 } },
        strokeDash: { field: 'kind', type: 'nominal', title: 'line', scale: { domain: ['figure', 'projection'], range: [[1, 0], [5, 4]] }, legend: { orient: 'top', direction: 'horizontal' } },
        detail: { field: 'country', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent', color: 'independent' } },
  } as unknown as vegaLite.TopLevelSpec);
}

export interface RevisionBar {
  label: string;
  change_pct: number;
}

/** The largest revisions, as signed percentage bars. */
export function revisionsChart(rows: readonly RevisionBar[], title: string): Promise<string> {
  return svg({
    title,
    width: WIDTH - 300,
    height: { step: 18 },
    data: { values: rows.map((r) => ({ ...r, direction: r.change_pct >= 0 ? 'up' : 'down' })) },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'change_pct', order: 'descending' }, title: null, axis: { labelLimit: 280 } },
      // Zero on the axis, and round ticks: a bar's sign must read at a glance.
      x: { field: 'change_pct', type: 'quantitative', title: 'change between the two vintages, %', scale: { zero: true, nice: true }, axis: { format: ',.0f', tickCount: 8, labelOverlap: true } },
      color: { field: 'direction', type: 'nominal', scale: { domain: ['up', 'down'], range: ['#54a24b', '#e45756'] }, legend: null },
    },
  } as unknown as vegaLite.TopLevelSpec);
}

export interface LoadBar {
  load: string;
  outcome: string;
  records: number;
}

/**
 * Each load's rejected records by reason, on a scale of their own: stacked beside the loaded
 * ones, a 1 % share of rejects was a sliver no one could see. The loaded counts are the table's.
 */
export function loadsChart(rows: readonly LoadBar[], title: string): Promise<string> {
  return svg({
    title,
    width: WIDTH - 420,
    height: { step: 26 },
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    encoding: {
      y: { field: 'load', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
      x: { field: 'records', type: 'quantitative', title: 'rejected records', stack: 'zero', axis: { format: ',d', tickCount: 6, labelOverlap: true } },
      color: { field: 'outcome', type: 'nominal', title: 'reason', legend: { orient: 'right', labelLimit: 200 } },
    },
  } as unknown as vegaLite.TopLevelSpec);
}

export interface StageBar {
  stage: string;
  seconds: number;
}

/** The last run's stage times. */
export function stagesChart(rows: readonly StageBar[], title: string): Promise<string> {
  return svg({
    title,
    width: WIDTH - 300,
    height: { step: 26 },
    data: { values: rows.map((r) => ({ ...r })) },
    layer: [
      { mark: { type: 'bar', color: '#72b7b2' }, encoding: { y: { field: 'stage', type: 'nominal', sort: null, title: null }, x: { field: 'seconds', type: 'quantitative', title: 'seconds (split overlaps map)', axis: { format: ',.2f' } } } },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y: { field: 'stage', type: 'nominal', sort: null }, x: { field: 'seconds', type: 'quantitative' }, text: { field: 'seconds', type: 'quantitative', format: ',.2f' } } },
    ],
  } as unknown as vegaLite.TopLevelSpec);
}

export interface RevisionCell {
  country: string;
  year: number;
  vintage: string;
  /** The cell's figure against the row's first published figure, per cent. */
  change_pct: number;
}

/**
 * A revision heatmap per country (the Philadelphia Fed's triangles): years down, vintages
 * across, each cell coloured by how far that vintage's figure stood from the first published
 * one (blue below, red above, white unchanged), on one symmetric scale.
 */
export function revisionHeatmap(cells: readonly RevisionCell[], title: string): Promise<string> {
  const extreme = Math.max(1, ...cells.map((c) => Math.abs(c.change_pct)));
  return svg({
    title,
    data: { values: cells.map((c) => ({ ...c })) },
    facet: { column: { field: 'country', type: 'nominal', title: null, header: { labelFontSize: 13 } } },
    spec: {
      width: { step: 34 },
      height: { step: 16 },
      mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
      encoding: {
        x: { field: 'vintage', type: 'ordinal', title: 'vintage (published)', axis: { labelAngle: -90, labelFontSize: 11 } },
        y: { field: 'year', type: 'ordinal', title: null, sort: 'descending' },
        color: { field: 'change_pct', type: 'quantitative', title: '% from first release', scale: { scheme: 'redblue', reverse: true, domain: [-extreme, extreme] }, legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 240, titleLimit: 300 } },
        tooltip: [{ field: 'country' }, { field: 'year' }, { field: 'vintage' }, { field: 'change_pct', format: ',.2f' }],
      },
    },
    resolve: { scale: { x: 'independent' } },
  } as unknown as vegaLite.TopLevelSpec);
}

export interface ErrorBar {
  region: string;
  horizon: string;
  measure: 'mean error (bias)' | 'mean absolute error';
  pct: number;
}

/** The forecasts' mean error and mean absolute error by horizon, one panel per region. */
export function forecastErrorChart(rows: readonly ErrorBar[], title: string): Promise<string> {
  return svg({
    title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { row: { field: 'region', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 13 } } },
    spec: {
      width: WIDTH - 420,
      height: { step: 14 },
      mark: 'bar',
      encoding: {
        y: { field: 'horizon', type: 'nominal', title: null, sort: ['same year', '1 year ahead', '2 years ahead'], axis: { labelLimit: 160 } },
        yOffset: { field: 'measure' },
        x: { field: 'pct', type: 'quantitative', title: 'per cent of the first actual figure', scale: { zero: true, nice: true }, axis: { format: ',.1f', tickCount: 6, labelOverlap: true } },
        color: { field: 'measure', type: 'nominal', title: null, scale: { domain: ['mean error (bias)', 'mean absolute error'], range: ['#e45756', '#4c78a8'] }, legend: { orient: 'bottom', labelLimit: 300 } },
        tooltip: [{ field: 'region' }, { field: 'horizon' }, { field: 'measure' }, { field: 'pct', format: ',.2f' }],
      },
    },
  } as unknown as vegaLite.TopLevelSpec);
}
