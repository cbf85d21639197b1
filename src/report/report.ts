// `gdpmr report`: one self-contained HTML page about a warehouse. Every chart is an SVG
// rendered here, inline; the page has no script, no stylesheet link, no image URL, so it
// opens offline and asks no network for anything.
import { REPORT_GENERATOR } from './generator.js';
import { basename } from 'node:path';
import { CONTROL_CHARACTERS } from '../format.js';
import { cleanText, countryKey } from '../rules/normalize.js';
import { largestRevisions, revisionRows } from '../query/revisions.js';
import { accuracy } from '../query/accuracy.js';
import { over } from '../query/over.js';
import { top5 } from '../query/top5.js';
import { vintages } from '../query/vintages.js';
import { chooseSource, sourceFigures, sourcesOf, type OpenWarehouse } from '../query/warehouse.js';
import { DAYS_VIEW } from '../store/region-db/schema.js';
import { currentAsOf, PUBLISHED_DATES } from '../store/region-db/validity-sql.js';
import { version } from '../version.js';
import { forecastErrorChart, loadsChart, NARROW, revisionHeatmap, revisionsChart, stagesChart, topChart, WIDE, yearsChart, type ChartFit, type ErrorBar, type LoadBar, type RevisionCell, type YearPoint } from './charts.js';

const TOP = 5;
const LEADERS = 3;
const REVISIONS_SHOWN = 15;

const bn = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = new Intl.NumberFormat('en-US');
// A no-break space: "bn" never wraps away from its number.
const fmtBn = (v: number | null): string => (v === null ? '—' : `${bn.format(v)}\u00a0bn`);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Longest a country name is shown in charts and tables, in characters. */
const NAME_SHOWN = 48;
const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/;

/**
 * A country name as the page shows it: control characters dropped, at most NAME_SHOWN
 * characters (a 10,000-character name must not push every table off the page), and a name in
 * a right-to-left script isolated (FSI … PDI) so that it cannot reorder the text around it.
 */
export function shownName(name: string): string {
  const chars = [...name.replace(CONTROL_CHARACTERS, '')];
  const text = chars.length > NAME_SHOWN ? `${chars.slice(0, NAME_SHOWN - 1).join('')}…` : chars.join('');
  return RIGHT_TO_LEFT.test(text) ? `\u2068${text}\u2069` : text;
}

function htmlTable(headers: string[], rows: string[][], numeric: number[] = []): string {
  const cell = (tag: string, text: string, i: number): string => `<${tag}${numeric.includes(i) ? ' class="n"' : ''}>${escapeHtml(text)}</${tag}>`;
  // In a box of its own that scrolls sideways on a narrow screen, instead of clipping.
  return `<div class="scroll"><table><thead><tr>${headers.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('')}</tbody></table></div>`;
}

/**
 * A chart drawn for a desktop's page and for a phone's: the page's CSS shows the one that fits
 * (charts.ts ChartFit), each at its own size so that its text stays legible.
 */
async function chartBox(draw: (fit: ChartFit) => Promise<string>): Promise<string> {
  const [wide, narrow] = await Promise.all([draw(WIDE), draw(NARROW)]);
  return `<div class="chart"><div class="wide scroll">${wide}</div><div class="narrow">${narrow}</div></div>`;
}

/**
 * The current figure of each year for one country of one source, as of a date or now.
 * Projections are drawn dashed: the last figure that is not one starts their line too, so the
 * two lines meet.
 */
function yearSeries(w: OpenWarehouse, source: string, region: string, country: string, code: string | null, asOf: string | undefined): YearPoint[] {
  const entry = w.regions.find((r) => r.region === region);
  if (entry === undefined) return [];
  const key = code ?? countryKey(cleanText(country));
  const sql =
    asOf === undefined
      ? 'SELECT year, gdp_usd_billion AS gdp, is_projection FROM gdp WHERE country_key = @key AND source = @source AND is_current = 1 ORDER BY year'
      : `SELECT year, gdp_usd_billion AS gdp, is_projection FROM ${DAYS_VIEW} WHERE country_key = @key AND source = @source AND ${currentAsOf()} ORDER BY year`;
  const rows = entry.db.prepare(sql).all(asOf === undefined ? { key, source } : { key, source, asOf }) as Array<{ year: number; gdp: number; is_projection: number }>;
  const points: YearPoint[] = [];
  let lastFigure: YearPoint | undefined;
  let joined = false;
  for (const r of rows) {
    const point: YearPoint = { region, country: shownName(country), year: r.year, gdp: r.gdp, kind: r.is_projection === 1 ? 'projection' : 'figure' };
    if (point.kind === 'projection' && !joined && lastFigure !== undefined) {
      points.push({ ...lastFigure, kind: 'projection' });
      joined = true;
    }
    if (point.kind === 'figure') lastFigure = point;
    points.push(point);
  }
  return points;
}

/** Every vintage date in the warehouse up to `asOf`, oldest first. */
function vintageDates(w: OpenWarehouse, source: string, asOf: string | undefined): string[] {
  const dates = new Set<string>();
  for (const { db } of w.regions) {
    for (const r of db.prepare(PUBLISHED_DATES).all({ source }) as Array<{ published: string }>) {
      if (asOf === undefined || r.published <= asOf) dates.add(r.published);
    }
  }
  return [...dates].sort();
}

export interface ReportOptions {
  warehouseDir: string;
  asOf?: string;
  source?: string;
}


/** A field of the provenance a load carries (its extract's .source.json), or a dash. */
const loadText = (l: { source?: Record<string, unknown> }, field: 'source' | 'published'): string => (typeof l.source?.[field] === 'string' && l.source[field] !== '' ? (l.source[field] as string) : '—');

const HEATMAP_COUNTRIES = 4;
const HEATMAP_YEARS = 10;

/** The revision heatmap of the largest economies and the forecasts' error by horizon (SPEC §9). */
async function vintageSections(w: OpenWarehouse, source: string, vintageCount: number): Promise<string[]> {
  if (vintageCount < 2) return [`<section><h2>Revisions by vintage, and the forecasts' accuracy</h2><p>The warehouse holds ${vintageCount} vintage date${vintageCount === 1 ? '' : 's'}: both need two or more.</p></section>`];
  const largest = over(w, 0, { source }).countries.slice(0, HEATMAP_COUNTRIES);
  const cells: RevisionCell[] = [];
  for (const c of largest) {
    const m = vintages(w, c.country_code ?? c.country, source, undefined, undefined);
    for (const y of m.years.slice(-HEATMAP_YEARS)) {
      y.figures.forEach((v, i) => {
        if (v !== null && y.first !== null && y.first !== 0) cells.push({ country: shownName(c.country), year: y.year, vintage: m.vintages[i], change_pct: ((v - y.first) / y.first) * 100 });
      });
    }
  }
  const errors: ErrorBar[] = [];
  const table: string[][] = [];
  for (const h of [0, 1, 2]) {
    for (const r of accuracy(w, source, h, undefined).regions) {
      const horizon = h === 0 ? 'same year' : `${h} year${h === 1 ? '' : 's'} ahead`;
      errors.push({ region: r.region, horizon, measure: 'mean error (bias)', pct: r.mean_error_pct }, { region: r.region, horizon, measure: 'mean absolute error', pct: r.mean_abs_error_pct });
      table.push([r.region, horizon, String(r.n), `${bn.format(r.mean_error_pct)} %`, `${bn.format(r.mean_abs_error_pct)} %`]);
    }
  }
  return [
    `<section><h2>Revisions by vintage of the ${largest.length} largest economies</h2><p>Each cell: what one vintage published for one year, coloured by how far it stood from the first figure published for that year (blue lower, red higher, white the same); the last ${HEATMAP_YEARS} years, projections included (<code>gdpmr query vintages</code> gives the numbers).</p>` +
      (cells.length === 0 ? '<p>No dated figures.</p>' : (await chartBox((fit) => revisionHeatmap(cells, 'Change from the first release, per cent, by year and vintage', fit)))) +
      '</section>',
    `<section><h2>How good the forecasts were</h2><p>Each year's figure as the vintage current at the end of the year before (1 year ahead), two years before, or in the year itself had it, when it was a projection, against the first figure later published as actual: the mean error is the bias (above zero: forecasts too high), the mean absolute error the size of a miss (<code>gdpmr query accuracy</code>).</p>` +
      (errors.length === 0
        ? '<p>No forecast in the warehouse was later published as actual: that takes a vintage before a year and one after it.</p>'
        : (await chartBox((fit) => forecastErrorChart(errors, 'Forecast error by horizon and region, per cent', fit))) + htmlTable(['region', 'horizon', 'n', 'mean error', 'mean absolute error'], table, [2, 3, 4])) +
      '</section>',
  ];
}

export async function buildReport(w: OpenWarehouse, o: ReportOptions): Promise<string> {
  const source = chooseSource(w.manifest, o.source);
  const others = sourcesOf(w.manifest).filter((s) => s !== source);
  const view = `${sourceFigures(source)}, latest${o.asOf === undefined ? '' : ` as of ${o.asOf}`}`;
  const m = w.manifest;
  const sections: string[] = [];
  sections.push(
    `<section><h2>Source</h2><p>Every chart and table below shows ${escapeHtml(sourceFigures(source))} only: figures of different publishers are never compared or mixed.` +
      (others.length === 0 ? ' The warehouse holds no other source.' : ` The warehouse also holds ${others.map((s) => escapeHtml(sourceFigures(s))).join(', ')}: <code>gdpmr report --source NAME</code> shows one of them.`) +
      ' A country\'s latest figure is its newest one that is not a projection (the publisher\'s estimate or forecast: a year after its estimates_start_after, or, where the publisher does not say, a year not before the year it was published in).</p></section>',
  );

  const top = top5(w, TOP, { source, asOf: o.asOf });
  const bars = top.regions.flatMap((r) => r.countries.map((c) => ({ region: r.region, country: shownName(c.country), gdp: c.gdp_usd_billion, mean: r.avg_gdp_usd_billion })));
  sections.push(
    `<section><h2>Each region's top ${TOP}</h2><p>Bars: each region's ${TOP} largest economies (${view}), GDP in billions of USD. Dashed red line: the region's mean of those ${TOP}.</p>` +
      (bars.length === 0 ? '<p>No figures.</p>' : (await chartBox((fit) => topChart(bars, `Top ${TOP} economies by region and their mean (${view}), billions of USD`, fit)))) +
      htmlTable(
        ['region', 'mean of top 5', '#', 'country', 'year', 'GDP'],
        top.regions.flatMap((r) => r.countries.map((c, i) => [i === 0 ? r.region : '', i === 0 ? fmtBn(r.avg_gdp_usd_billion) : '', String(i + 1), shownName(c.country), String(c.year), fmtBn(c.gdp_usd_billion)])),
        [1, 2, 4, 5],
      ) +
      '</section>',
  );

  const leaders = top5(w, LEADERS, { source, asOf: o.asOf });
  const points = leaders.regions.flatMap((r) => r.countries.flatMap((c) => yearSeries(w, source, r.region, c.country, c.country_code, o.asOf)));
  sections.push(
    `<section><h2>GDP over the years of each region's top ${LEADERS}</h2><p>One line per country: its current figure for each year${o.asOf === undefined ? '' : ` as of ${o.asOf}`}, billions of USD. Dashed: projections (the publisher's estimates and forecasts).</p>` +
      (points.length === 0 ? '<p>No figures.</p>' : (await chartBox((fit) => yearsChart(points, `GDP by year, each region's top ${LEADERS} (current vintage), billions of USD`, fit)))) +
      '</section>',
  );

  const dates = vintageDates(w, source, o.asOf);
  if (dates.length >= 2) {
    const [from, to] = dates.slice(-2);
    const shown = largestRevisions(revisionRows(w, source, from, to, undefined), REVISIONS_SHOWN).largest.filter((f) => f.change_pct !== null);
    sections.push(
      `<section><h2>Largest revisions between the last two vintages</h2><p>Facts whose current figure as of ${to} differs from the one as of ${from}; the ${REVISIONS_SHOWN} largest changes in per cent. Green: revised up; red: revised down.</p>` +
        (shown.length === 0
          ? '<p>No figure changed between these vintages.</p>'
          : (await chartBox((fit) => revisionsChart(shown.map((f) => ({ label: `${shownName(f.country)} ${f.year} (${f.region})`, change_pct: f.change_pct as number })), `Largest revisions, ${from} → ${to}, per cent`, fit))) +
            htmlTable(['region', 'country', 'year', 'from', 'to', 'change'], shown.map((f) => [f.region, shownName(f.country), String(f.year), fmtBn(f.from_usd_billion), fmtBn(f.to_usd_billion), `${bn.format(f.change_pct as number)} %`]), [2, 3, 4, 5])) +
        '</section>',
    );
  } else {
    sections.push(`<section><h2>Revisions</h2><p>The warehouse holds ${dates.length} vintage date${dates.length === 1 ? '' : 's'}: revisions need two.</p></section>`);
  }
  if (o.asOf === undefined) sections.push(...(await vintageSections(w, source, dates.length)));

  const loadLabels = m.loads.map((l, i) => `${i + 1}: ${basename(l.input.path).slice(0, 40)}`);
  const loadBars: LoadBar[] = m.loads.flatMap((l, i) => Object.entries(l.counts.by_reason).map(([reason, n]) => ({ load: loadLabels[i], outcome: reason, records: n ?? 0 })));
  sections.push(
    `<section><h2>Loads</h2><p>Each load's rejected records by reason, on a scale of their own (see rejects.csv); the table gives what each load read and loaded.</p>` +
      (await chartBox((fit) => loadsChart(loadBars, loadLabels, 'Rejected records per load, by reason', fit))) +
      htmlTable(
        ['#', 'input', 'source', 'published', 'run_id', 'finished', 'records', 'loaded', 'rejected', 'by reason'],
        m.loads.map((l, i) => [String(i + 1), l.input.path, loadText(l, 'source'), loadText(l, 'published'), l.run_id, l.finished_at, int.format(l.counts.records), int.format(l.counts.loaded), int.format(l.counts.rejected), Object.entries(l.counts.by_reason).map(([k, v]) => `${k} ${int.format(v ?? 0)}`).join(', ') || '—']),
        [0, 6, 7, 8],
      ) +
      '</section>',
  );

  const stages = Object.entries(m.stages).map(([stage, t]) => ({ stage, seconds: t.ms / 1000 }));
  sections.push(`<section><h2>The last run's stages</h2><p>Wall-clock seconds per stage of run ${escapeHtml(m.run_id)}; the split's scans run alongside the map.</p>${await chartBox((fit) => stagesChart(stages, `Stage times of the last run, seconds`, fit))}</section>`);

  const c = m.counts;
  const summary = htmlTable(
    ['records', 'loaded', 'rejected', 'superseded', 'loads', 'regions'],
    [[int.format(c.records), int.format(c.loaded), int.format(c.rejected), int.format(c.superseded), String(m.loads.length), Object.entries(c.by_region).map(([r, n]) => `${r} ${int.format(n ?? 0)}`).join(', ')]],
    [0, 1, 2, 3, 4],
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${REPORT_GENERATOR}
<title>gdpmr report: ${escapeHtml(o.warehouseDir)}</title>
<style>
body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p { line-height: 1.4; } .meta { color: #555; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; overflow-wrap: break-word; unicode-bidi: isolate; } th { background: #f4f4f4; } .n { text-align: right; }
td.n { white-space: nowrap; }
/* Each chart is drawn twice, for this page's width and a phone's, and shown at its own size, so
   its text stays legible; a wide table scrolls sideways inside its own box. */
code { font-family: ui-monospace, monospace; background: #f4f4f4; padding: 0 3px; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
.chart svg { display: block; margin: 8px 0; max-width: none; height: auto; }
.chart .narrow { display: none; }
@media (max-width: 600px) { .chart .wide { display: none; } .chart .narrow { display: block; } }
@media (max-width: 600px) { body { margin: 12px auto; padding: 0 10px; } h1 { font-size: 20px; } h2 { font-size: 17px; } table { font-size: 12px; } }
</style></head>
<body>
<h1>GDP warehouse report</h1>
<p class="meta">Warehouse ${escapeHtml(o.warehouseDir)}, generation ${escapeHtml(m.generation)}; ${escapeHtml(view)}; written ${new Date().toISOString()} by gdpmr ${version()}.</p>
${summary}
${sections.join('\n')}
</body></html>
`;
}
