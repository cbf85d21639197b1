// The report's charts as vega-lite specs, rendered headlessly to SVG by vega when the report
// is written: no JavaScript and no request in the page that shows them.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/**
 * The room a chart is drawn for. Each chart is drawn twice, for a desktop's page (1080 px) and
 * a phone's (360 px), and the page shows the one that fits (report.ts): an SVG scaled down to a
 * phone would shrink its text below legibility, and one drawn wide only scrolled sideways.
 * `width` is the whole chart's; each chart takes its labels' room from it.
 */
export interface ChartFit {
  width: number;
  narrow: boolean;
}
export const WIDE: ChartFit = { width: 1080, narrow: false };
export const NARROW: ChartFit = { width: 350, narrow: true };

const BN = ',.2f';
const TITLE_FONT_SIZE = 16;
/** Room past a bar's end for its value label ("28,362.35" at 11 px, and its offset), in px. */
const VALUE_LABEL_ROOM = 70;

/**
 * A facet's row headers: beside each panel on a wide page, above it on a narrow one, where a
 * column of region names would take a third of the width.
 */
const rowHeader = (fit: ChartFit): Record<string, unknown> =>
  fit.narrow ? { labelAngle: 0, labelOrient: 'top', labelAlign: 'left', labelAnchor: 'start', labelFontSize: 13, labelFontWeight: 'bold' } : { labelAngle: 0, labelAlign: 'left', labelFontSize: 13 };

/**
 * Each row's `room`: its group's greatest value stretched so that a value label after the bar
 * ends inside the plot (plotWidth px wide). A hidden layer draws it, which stretches the scale.
 */
function withLabelRoom<T extends object>(rows: readonly T[], value: (r: T) => number, group: (r: T) => string, plotWidth: number): Array<T & { room: number }> {
  const greatest = new Map<string, number>();
  for (const r of rows) greatest.set(group(r), Math.max(greatest.get(group(r)) ?? 0, value(r)));
  const stretch = plotWidth / Math.max(1, plotWidth - VALUE_LABEL_ROOM);
  return rows.map((r) => ({ ...r, room: (greatest.get(group(r)) ?? 0) * stretch }));
}
/** A colour legend: right of the plot on a wide page, below it in one column on a narrow one. */
const sideLegend = (fit: ChartFit, labelLimit: number): Record<string, unknown> => (fit.narrow ? { orient: 'bottom', direction: 'horizontal', columns: 1, labelLimit: 260 } : { orient: 'right', labelLimit });
const HIDDEN_ROOM_LAYER = { mark: { type: 'rule', opacity: 0 }, encoding: { x: { field: 'room', type: 'quantitative', aggregate: 'max' } } };
const BY_GDP = { field: 'gdp', op: 'max', order: 'descending' } as const;

/**
 * A title in lines that fit the chart's width. Rendered without a canvas, vega sizes text at
 * 0.8 of its font size a character (about 13 px at 16 px, wider than it draws): a longer line
 * widens the SVG past the page.
 */
export function titleLines(title: string, fit: ChartFit): string[] {
  const most = Math.max(20, Math.floor(fit.width / (0.8 * TITLE_FONT_SIZE)));
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > most) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

async function svg(fit: ChartFit, { title, ...rest }: { title: string } & Record<string, unknown>): Promise<string> {
  const spec = { title: { text: titleLines(title, fit) }, ...rest } as unknown as vegaLite.TopLevelSpec;
  // Warnings about how layered scales are unioned go nowhere: a report is no place for them.
  const logger = vega.logger(vega.Error);
  const compiled = vegaLite.compile({ config: { font: 'sans-serif', title: { fontSize: TITLE_FONT_SIZE, anchor: 'start' }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, header: { labelFontSize: 13, titleFontSize: 13 } }, ...spec } as vegaLite.TopLevelSpec, { logger }).spec;
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
export function topChart(rows: readonly TopBar[], title: string, fit: ChartFit): Promise<string> {
  const labels = fit.narrow ? 130 : 260;
  const plot = fit.narrow ? fit.width - labels - 20 : fit.width - 200;
  const valueLabel = { y: { field: 'country', type: 'nominal', sort: BY_GDP }, x: { field: 'gdp', type: 'quantitative' }, text: { field: 'gdp', type: 'quantitative', format: BN } };
  return svg(fit, {
    title,
    data: { values: withLabelRoom(rows, (r) => r.gdp, (r) => r.region, plot) },
    facet: { row: { field: 'region', type: 'nominal', title: null, sort: { field: 'mean', order: 'descending' }, header: rowHeader(fit) } },
    spec: {
      width: plot,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            y: { field: 'country', type: 'nominal', sort: BY_GDP, title: null, axis: { labelLimit: labels } },
            x: { field: 'gdp', type: 'quantitative', title: 'GDP, billions of USD', axis: { format: ',.0f', tickCount: fit.narrow ? 3 : 6, labelOverlap: true } },
            tooltip: [{ field: 'country' }, { field: 'gdp', format: BN }],
          },
        },
        HIDDEN_ROOM_LAYER,
        // The mean's rule first, then each value over it on a white halo: a dash through a
        // digit turned 3,725.94 into 8,725.94.
        { mark: { type: 'rule', color: '#d62728', strokeWidth: 2, strokeDash: [4, 3] }, encoding: { x: { aggregate: 'mean', field: 'mean', type: 'quantitative' } } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, stroke: '#ffffff', strokeWidth: 4, strokeJoin: 'round', fill: '#ffffff' }, encoding: valueLabel },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, fill: '#222222' }, encoding: valueLabel },
      ],
    },
    // Each region on its own scale: Oceania's bars would vanish beside the Americas'.
    resolve: { scale: { y: 'independent', x: 'independent' } },
  });
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
export function yearsChart(points: readonly YearPoint[], title: string, fit: ChartFit): Promise<string> {
  return svg(fit, {
    title,
    data: { values: points.map((p) => ({ ...p })) },
    facet: { row: { field: 'region', type: 'nominal', title: null, header: rowHeader(fit) } },
    spec: {
      width: fit.narrow ? fit.width - 80 : fit.width - 260,
      height: fit.narrow ? 120 : 140,
      mark: { type: 'line', point: { size: 18 } },
      encoding: {
        x: { field: 'year', type: 'quantitative', title: 'year', axis: { format: 'd', tickCount: fit.narrow ? 4 : 10, labelOverlap: true }, scale: { zero: false } },
        y: { field: 'gdp', type: 'quantitative', title: 'GDP, billions of USD', axis: { format: ',.0f', tickCount: 5, labelOverlap: true } },
        color: { field: 'country', type: 'nominal', title: 'country', legend: sideLegend(fit, 220) },
        // The legend draws each kind as a short line in its own dash: as dots (the line's
        // points) a figure and a projection looked alike.
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: 'line',
          scale: { domain: ['figure', 'projection'], range: [[1, 0], [5, 4]] },
          legend: { orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2, encode: { symbols: { update: { stroke: { value: '#555555' } } } } },
        },
        detail: { field: 'country', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent', color: 'independent' } },
  });
}

export interface RevisionBar {
  label: string;
  change_pct: number;
}

/** The largest revisions, as signed percentage bars. */
export function revisionsChart(rows: readonly RevisionBar[], title: string, fit: ChartFit): Promise<string> {
  const labels = fit.narrow ? 170 : 280;
  return svg(fit, {
    title,
    width: fit.width - labels - 20,
    height: { step: 18 },
    data: { values: rows.map((r) => ({ ...r, direction: r.change_pct >= 0 ? 'up' : 'down' })) },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'change_pct', order: 'descending' }, title: null, axis: { labelLimit: labels } },
      // Zero on the axis, and round ticks: a bar's sign must read at a glance.
      x: { field: 'change_pct', type: 'quantitative', title: fit.narrow ? 'change, %' : 'change between the two vintages, %', scale: { zero: true, nice: true }, axis: { format: ',.0f', tickCount: fit.narrow ? 4 : 8, labelOverlap: true } },
      color: { field: 'direction', type: 'nominal', scale: { domain: ['up', 'down'], range: ['#54a24b', '#e45756'] }, legend: null },
    },
  });
}

export interface LoadBar {
  load: string;
  outcome: string;
  records: number;
}

/**
 * Each load's rejected records by reason, on a scale of their own: stacked beside the loaded
 * ones, a 1 % share of rejects was a sliver no one could see. The loaded counts are the table's.
 * Every load of `loads` has a row; one without rejects says so in its row, not in the legend
 * (where "no rejects" was a colour no bar had).
 */
export function loadsChart(rows: readonly LoadBar[], loads: readonly string[], title: string, fit: ChartFit): Promise<string> {
  const labels = fit.narrow ? 150 : 360;
  const clean = loads.filter((l) => !rows.some((r) => r.load === l && r.records > 0));
  const y = { field: 'load', type: 'nominal', title: null, sort: null, scale: { domain: [...loads] }, axis: { labelLimit: labels } };
  return svg(fit, {
    title,
    width: fit.width - labels - (fit.narrow ? 20 : 60),
    height: { step: 26 },
    layer: [
      {
        data: { values: rows.filter((r) => r.records > 0).map((r) => ({ ...r })) },
        mark: 'bar',
        encoding: {
          y,
          x: { field: 'records', type: 'quantitative', title: 'rejected records', stack: 'zero', axis: { format: ',d', tickCount: fit.narrow ? 3 : 6, labelOverlap: true, tickMinStep: 1 } },
          color: { field: 'outcome', type: 'nominal', title: 'reason', legend: sideLegend(fit, 200) },
        },
      },
      { data: { values: clean.map((load) => ({ load, text: 'no rejects', records: 0 })) }, mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, fill: '#555555' }, encoding: { y, x: { field: 'records', type: 'quantitative' }, text: { field: 'text' } } },
    ],
  });
}

export interface StageBar {
  stage: string;
  seconds: number;
}

/** The last run's stage times. */
export function stagesChart(rows: readonly StageBar[], title: string, fit: ChartFit): Promise<string> {
  const plot = fit.narrow ? fit.width - 80 : fit.width - 300;
  const y = { field: 'stage', type: 'nominal', sort: null, title: null };
  return svg(fit, {
    title,
    width: plot,
    height: { step: 26 },
    data: { values: withLabelRoom(rows, (r) => r.seconds, () => '', plot) },
    layer: [
      { mark: { type: 'bar', color: '#72b7b2' }, encoding: { y, x: { field: 'seconds', type: 'quantitative', title: 'seconds (split overlaps map)', axis: { format: ',.2f', tickCount: fit.narrow ? 3 : 6, labelOverlap: true } } } },
      HIDDEN_ROOM_LAYER,
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y, x: { field: 'seconds', type: 'quantitative' }, text: { field: 'seconds', type: 'quantitative', format: ',.2f' } } },
    ],
  });
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
export function revisionHeatmap(cells: readonly RevisionCell[], title: string, fit: ChartFit): Promise<string> {
  const extreme = Math.max(1, ...cells.map((c) => Math.abs(c.change_pct)));
  const step = fit.narrow ? 22 : 34;
  const vintages = new Set(cells.map((c) => c.vintage)).size;
  // As many countries side by side as fit: a panel is its vintages' columns and the years' labels.
  const columns = Math.max(1, Math.floor(fit.width / (vintages * step + 60)));
  return svg(fit, {
    title,
    data: { values: cells.map((c) => ({ ...c })) },
    facet: { field: 'country', type: 'nominal', title: null, header: { labelFontSize: 13 } },
    columns,
    spec: {
      width: { step },
      height: { step: 16 },
      mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
      encoding: {
        // On a phone each panel's axis title would set its width, not its few columns: the chart's title names the axis.
        x: { field: 'vintage', type: 'ordinal', title: fit.narrow ? null : 'vintage (published)', axis: { labelAngle: -90, labelFontSize: 11 } },
        y: { field: 'year', type: 'ordinal', title: null, sort: 'descending' },
        color: { field: 'change_pct', type: 'quantitative', title: '% from first release', scale: { scheme: 'redblue', reverse: true, domain: [-extreme, extreme] }, legend: { orient: 'bottom', direction: 'horizontal', gradientLength: fit.narrow ? 200 : 240, titleLimit: 300 } },
        tooltip: [{ field: 'country' }, { field: 'year' }, { field: 'vintage' }, { field: 'change_pct', format: ',.2f' }],
      },
    },
    resolve: { scale: { x: 'independent' } },
  });
}

export interface ErrorBar {
  region: string;
  horizon: string;
  measure: 'mean error (bias)' | 'mean absolute error';
  pct: number;
}

/** The forecasts' mean error and mean absolute error by horizon, one panel per region. */
export function forecastErrorChart(rows: readonly ErrorBar[], title: string, fit: ChartFit): Promise<string> {
  const labels = fit.narrow ? 120 : 160;
  return svg(fit, {
    title,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { row: { field: 'region', type: 'nominal', title: null, header: rowHeader(fit) } },
    spec: {
      width: fit.narrow ? fit.width - labels - 20 : fit.width - 420,
      height: { step: 14 },
      mark: 'bar',
      encoding: {
        y: { field: 'horizon', type: 'nominal', title: null, sort: ['same year', '1 year ahead', '2 years ahead'], axis: { labelLimit: labels } },
        yOffset: { field: 'measure' },
        x: { field: 'pct', type: 'quantitative', title: fit.narrow ? '% of the first actual' : 'per cent of the first actual figure', scale: { zero: true, nice: true }, axis: { format: ',.1f', tickCount: fit.narrow ? 4 : 6, labelOverlap: true } },
        color: { field: 'measure', type: 'nominal', title: null, scale: { domain: ['mean error (bias)', 'mean absolute error'], range: ['#e45756', '#4c78a8'] }, legend: fit.narrow ? { orient: 'bottom', columns: 1, labelLimit: 300 } : { orient: 'bottom', labelLimit: 300 } },
        tooltip: [{ field: 'region' }, { field: 'horizon' }, { field: 'measure' }, { field: 'pct', format: ',.2f' }],
      },
    },
  });
}
