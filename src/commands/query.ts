// `gdpmr query top5 | over | history | revisions`: read-only questions to a published
// warehouse. Each subcommand is one entry: its flags, its schema, its question, and how its
// answer reads as a table and as CSV.
import { defineCommand, decimal, flagLine, oneOf, positiveInt, text, wrapUsage, type Command, type FlagSpec, type OptionsOf } from '../command-line.js';
import { FLAGS } from '../config.js';
import { DEFAULTS, LIMITS } from '../defaults.js';
import { usage } from '../errors.js';
import { MAX_HORIZON } from '../rules/forecasts.js';
import { didYouMean } from '../suggest.js';
import { table, TABLE_ROWS } from '../format.js';
import type { Revision } from '../query/revisions.js';
import { chooseSource, sourceFigures, withWarehouse, type FigureView, type OpenWarehouse } from '../query/warehouse.js';
import { streamCsvAnswer, streamJsonAnswer, type Output } from '../output.js';

const OUTPUT_FLAGS = { warehouse: FLAGS.warehouse, json: FLAGS.json, csv: FLAGS.csv };
const FIGURE_FLAGS = {
  source: FLAGS.source,
  year: FLAGS.year,
  asOf: FLAGS.asOf,
  projections: FLAGS.projections,
  release: { kind: oneOf(['first', 'latest'] as const), default: 'latest' as 'first' | 'latest', help: "latest: each fact's current figure; first: its first actual figure (the\nearliest published that is not a projection: ALFRED's initial release)" },
  ...OUTPUT_FLAGS,
};

const TOP5 = defineCommand({
  name: 'gdpmr query top5',
  description: `For each region, the k countries with the highest GDP (ties: name ascending) and the mean of
their GDP, regions ordered by that mean. A country is its ISO code; its name is the map's.`,
  flags: { k: { kind: positiveInt('a whole number of at least 1', LIMITS.k, 'more than any region has countries', 'K'), default: DEFAULTS.k as number, help: 'how many countries per region' }, ...FIGURE_FLAGS },
});
const OVER = defineCommand({
  name: 'gdpmr query over',
  description: 'Every country with GDP of at least --min billion USD, highest first (ties: name ascending).',
  flags: { min: { kind: decimal('a number of billions of USD, at least 0', () => true, 'BILLIONS'), default: DEFAULTS.minUsdBillion as number, help: 'the floor, billions of USD' }, ...FIGURE_FLAGS },
});
const HISTORY = defineCommand({
  name: 'gdpmr query history',
  description: `Every figure ever loaded for one country, of every source, in every region, year and vintage,
ordered by source, region, year and published; the current one of each fact marked.`,
  flags: {
    country: {
      kind: text('NAME', (value) => (value.trim() === '' ? '--country must be a country name, got ""' : undefined)),
      required: 'gdpmr query history needs --country NAME',
      help: 'an ISO code (KOR), any name of the country map (Korea, Republic of), or\nany name a figure was loaded under; all stand for one country',
    },
    asOf: { ...FLAGS.asOf, help: 'later vintages unseen, and current decided among the rest' },
    ...OUTPUT_FLAGS,
  },
});
const REVISIONS = defineCommand({
  name: 'gdpmr query revisions',
  description: `Every fact (region, country, year) of one source whose current figure as of D2 differs from its
current figure as of D1, and the facts new by D2; ordered by region, country, year. The table
lists the largest changes first.`,
  flags: {
    from: { ...FLAGS.asOf, required: 'gdpmr query revisions needs --from YYYY-MM-DD', help: 'the earlier date, D1' },
    to: { ...FLAGS.asOf, required: 'gdpmr query revisions needs --to YYYY-MM-DD', help: 'the later date, D2' },
    minChange: { kind: decimal('a percentage, at least 0', () => true, 'PCT'), help: 'keep changes of at least PCT per cent (facts new at D2 are always kept)' },
    source: FLAGS.source,
    ...OUTPUT_FLAGS,
  },
});

const COUNTRY_FLAG = {
  kind: text('NAME', (value) => (value.trim() === '' ? '--country must be a country name, got ""' : undefined)),
  help: 'an ISO code (KOR), any name of the country map, or any name a figure was\nloaded under; all stand for one country',
};
const VINTAGES = defineCommand({
  name: 'gdpmr query vintages',
  description: `One country's figures of one source as a matrix: a column per vintage (each published date),
a row per year; a cell is the figure that vintage published for that year (* marks a
projection), then the first and latest published figure and the change between them.`,
  flags: {
    country: { ...COUNTRY_FLAG, required: 'gdpmr query vintages needs --country NAME' },
    fromYear: { ...FLAGS.year, help: 'the first year shown (default: every year it has)' },
    toYear: { ...FLAGS.year, help: 'the last year shown' },
    source: FLAGS.source,
    ...OUTPUT_FLAGS,
  },
});
const ACCURACY = defineCommand({
  name: 'gdpmr query accuracy',
  description: `How good the publisher's forecasts were: each fact's figure current at the end of year Y - H,
if it was a projection, against the first figure published as actual for Y. Per region: how
many, the mean error (the bias) and the mean absolute error, in per cent; with --country, also
that country's forecasts year by year.`,
  flags: {
    horizon: { kind: decimal(`a whole number of years from 0 to ${MAX_HORIZON}`, (n) => Number.isInteger(n) && n >= 0 && n <= MAX_HORIZON, 'H'), default: 1, help: 'years ahead: 1 a year-ahead forecast, 0 the same year\'s estimate' },
    source: FLAGS.source,
    country: { ...COUNTRY_FLAG, help: "also this country's forecasts, year by year" },
    ...OUTPUT_FLAGS,
  },
});

const SUBCOMMAND_DEFINITIONS = [TOP5, OVER, HISTORY, REVISIONS, VINTAGES, ACCURACY];

export const QUERY_HELP = `${SUBCOMMAND_DEFINITIONS.map((c) => wrapUsage(c.usage)).join('\n')}

  top5       per region, the k countries with the highest GDP and their mean
  over       every country with GDP of at least --min billion USD
  history    every figure ever loaded for one country (a code, or any of its names), of every
             source, in every region, year and vintage
  revisions  every fact of one source whose current figure as of D2 differs from the one as of D1
  vintages   one country's figures as a year × vintage matrix (what each release said)
  accuracy   the publisher's forecasts against what it later published as actual, per region

\`gdpmr help query SUBCOMMAND\` gives each one's page. Options of top5 and over (history takes
--as-of, revisions --source, all four the last three):
${Object.entries(FIGURE_FLAGS).map(([key, spec]) => flagLine(key, spec)).join('\n')}`;

type Cell = string | number | null;
interface Rendered {
  title: string;
  headers: string[];
  rows: Cell[][];
  rightAligned: number[];
  /** CSV rows when they differ from the table's (the table may blank repeated cells). */
  csv?: Cell[][];
  /** Why the answer is empty, when it is: said on stderr. */
  note?: string;
}

type Options<C> = C extends Command<infer F> ? OptionsOf<F> : never;

interface Subcommand<C extends Command<Record<string, FlagSpec>>, A> {
  /** The subcommand's flags, page and checks: any flag it does not take is refused, not ignored. */
  command: C;
  /** Either ask and render, for an answer that is held, or write, for one that streams. */
  /** Each question's module loads only when it is asked (history's country map needs csv-parse). */
  ask?(w: OpenWarehouse, o: Options<C>): Promise<A>;
  render?(answer: A, o: Options<C>): Rendered;
  write?(w: OpenWarehouse, o: Options<C>, out: Output): Promise<void>;
}

function subcommand<C extends Command<Record<string, FlagSpec>>, A>(s: Subcommand<C, A>): Subcommand<Command<Record<string, FlagSpec>>, unknown> {
  return s as unknown as Subcommand<Command<Record<string, FlagSpec>>, unknown>;
}

interface ViewOptions {
  year?: number;
  asOf?: string;
  source?: string;
  projections: boolean;
  release: 'first' | 'latest';
}
const figureView = (w: OpenWarehouse, o: ViewOptions): FigureView => ({ source: chooseSource(w.manifest, o.source), year: o.year, asOf: o.asOf, projections: o.projections, release: o.release });
const view = (o: ViewOptions, source: string): string =>
  `${o.year !== undefined ? ` in ${o.year}` : o.projections ? ', latest figures (projections included)' : ', latest figures'}${o.release === 'first' ? ', first releases' : ''}${o.asOf !== undefined ? ` as of ${o.asOf}` : ''}, ${sourceFigures(source)}`;

const SUBCOMMANDS: Record<string, Subcommand<Command<Record<string, FlagSpec>>, unknown>> = {
  top5: subcommand({
    command: TOP5,
    ask: async (w, o) => (await import('../query/top5.js')).top5(w, o.k, figureView(w, o)),
    render: (a, o) => {
      const flat = a.regions.flatMap((r) => r.countries.map((c, i) => ({ r, c, i })));
      return {
        title: `Top ${o.k} economies by region${view(o, a.source)}, billions of USD`,
        headers: ['region', 'mean', '#', 'country', 'code', 'year', 'gdp_usd_billion'],
        rows: flat.map(({ r, c, i }) => [i === 0 ? r.region : '', i === 0 ? r.avg_gdp_usd_billion : '', String(i + 1), c.country, c.country_code ?? '', String(c.year), c.gdp_usd_billion]),
        rightAligned: [1, 2, 5, 6],
        csv: flat.map(({ r, c, i }) => [r.region, r.avg_gdp_usd_billion, i + 1, c.country, c.country_code, c.year, c.gdp_usd_billion]),
        note: a.note,
      };
    },
  }),
  over: subcommand({
    command: OVER,
    ask: async (w, o) => (await import('../query/over.js')).over(w, o.min, figureView(w, o)),
    render: (a, o) => ({
      title: `${a.countries.length} countries with GDP of at least ${o.min} billion USD${view(o, a.source)}`,
      headers: ['#', 'country', 'code', 'region', 'year', 'gdp_usd_billion'],
      rows: a.countries.map((c, i) => [String(i + 1), c.country, c.country_code ?? '', c.region, String(c.year), c.gdp_usd_billion]),
      rightAligned: [0, 4, 5],
      csv: a.countries.map((c, i) => [i + 1, c.country, c.country_code, c.region, c.year, c.gdp_usd_billion]),
      note: a.note,
    }),
  }),
  history: subcommand({
    command: HISTORY,
    ask: async (w, o) => (await import('../query/history.js')).history(w, o.country, o.asOf),
    render: (a, o) => ({
      title: `${a.figures.length} figures for ${a.country}${o.asOf ? ` as of ${o.asOf}` : ''}`,
      headers: ['source', 'region', 'country', 'code', 'year', 'gdp_usd_billion', 'published', 'run_id', 'is_current', 'projection'],
      rows: a.figures.map((f) => [f.source, f.region, f.country, f.country_code ?? '', String(f.year), f.gdp_usd_billion, f.published ?? '', f.run_id, f.is_current ? 'current' : 'superseded', f.is_projection ? 'projection' : '']),
      rightAligned: [4, 5],
      csv: a.figures.map((f) => [f.source, f.region, f.country, f.country_code, f.year, f.gdp_usd_billion, f.published, f.run_id, f.is_current ? 1 : 0, f.is_projection ? 1 : 0]),
      note: a.note,
    }),
  }),
  revisions: subcommand({
    command: REVISIONS,
    // A year of vintages can revise millions of facts: the answer streams in the SPEC's order.
    write: async (w, o, out) => {
      const source = chooseSource(w.manifest, o.source);
      const { largestRevisions, revisionRows } = await import('../query/revisions.js');
      const rows = revisionRows(w, source, o.from, o.to, o.minChange);
      const cells = (f: Revision): Cell[] => [f.region, f.country, f.country_code, f.year, f.from_usd_billion, f.to_usd_billion, f.change_pct, f.published];
      const headers = ['region', 'country', 'country_code', 'year', 'from_usd_billion', 'to_usd_billion', 'change_pct', 'published'];
      if (o.json) {
        const head = `{"query":"revisions","from":${JSON.stringify(o.from)},"to":${JSON.stringify(o.to)},"source":${JSON.stringify(source)},"min_change_pct":${JSON.stringify(o.minChange ?? null)},"figures":`;
        await streamJsonAnswer(head, rows, ({ pct: _, ...f }) => f, out);
      } else if (o.csv) {
        await streamCsvAnswer(headers, rows, cells, out);
      } else {
        const { largest, total } = largestRevisions(rows, TABLE_ROWS);
        if (total === 0) out.stderr(`gdpmr: ${(await import('../query/revisions.js')).emptyRevisionsNote(w, source, o.from, o.to)}`);
        const more = total > largest.length ? `\n… ${total - largest.length} more (--csv or --json gives every one)` : '';
        out.stdout(
          `${total} revisions of ${sourceFigures(source)} between ${o.from} and ${o.to}${o.minChange === undefined ? '' : ` of at least ${o.minChange} %`}, largest first\n` +
            table(headers, largest.map((f) => [f.region, f.country, f.country_code ?? '', String(f.year), f.from_usd_billion ?? 'new', f.to_usd_billion, f.change_pct ?? '', f.published ?? '']), [3, 4, 5, 6]) +
            more,
        );
      }
    },
  }),
};

const fmt = (v: number | null): string => (v === null ? '' : v.toFixed(2));

SUBCOMMANDS.vintages = subcommand({
  command: VINTAGES,
  ask: async (w, o) => {
    if (o.fromYear !== undefined && o.toYear !== undefined && o.fromYear > o.toYear) throw usage(`--from-year must not be after --to-year, got ${o.fromYear} and ${o.toYear}`);
    return (await import('../query/vintages.js')).vintages(w, o.country, chooseSource(w.manifest, o.source), o.fromYear, o.toYear);
  },
  render: (a) => {
    const marks = (a as { projections?: boolean[][] }).projections ?? [];
    return {
      title: `${a.country}${a.country_code === null ? '' : ` (${a.country_code})`}, ${sourceFigures(a.source)} by vintage, billions of USD (* a projection)`,
      headers: ['year', ...a.vintages, 'first', 'latest', 'change_pct'],
      rows: a.years.map((y, i) => [String(y.year), ...y.figures.map((v, j) => (v === null ? '' : `${fmt(v)}${marks[i]?.[j] ? '*' : ' '}`)), fmt(y.first), fmt(y.latest), fmt(y.change_pct)]),
      rightAligned: a.years.length === 0 ? [] : Array.from({ length: a.vintages.length + 4 }, (_, i) => i),
      csv: a.years.map((y) => [y.year, ...y.figures, y.first, y.latest, y.change_pct]),
      note: a.note,
    };
  },
});

SUBCOMMANDS.accuracy = subcommand({
  command: ACCURACY,
  ask: async (w, o) => (await import('../query/accuracy.js')).accuracy(w, chooseSource(w.manifest, o.source), o.horizon, o.country),
  render: (a, o) => {
    const head = `Forecasts ${a.horizon} year${a.horizon === 1 ? '' : 's'} ahead against the first actual figure, ${sourceFigures(a.source)}, per cent`;
    if (o.country !== undefined) {
      const figures = a.figures ?? [];
      const regions = a.regions.map((r) => `${r.region} n=${r.n} bias ${fmt(r.mean_error_pct)} % mean abs ${fmt(r.mean_abs_error_pct)} %`).join('; ');
      return {
        title: `${head}: ${o.country}, year by year (regions: ${regions || 'none'})`,
        headers: ['year', 'forecast_usd_billion', 'forecast_published', 'actual_usd_billion', 'actual_published', 'error_pct'],
        rows: figures.map((f) => [String(f.year), f.forecast_usd_billion, f.forecast_published ?? '', f.actual_usd_billion, f.actual_published ?? '', f.error_pct]),
        rightAligned: [0, 1, 3, 5],
        csv: figures.map((f) => [f.year, f.forecast_usd_billion, f.forecast_published, f.actual_usd_billion, f.actual_published, f.error_pct]),
        note: a.note ?? (figures.length === 0 ? `no forecast of ${o.country} ${a.horizon} year${a.horizon === 1 ? '' : 's'} ahead was later published as actual` : undefined),
      };
    }
    return {
      title: head,
      headers: ['region', 'n', 'mean_error_pct', 'mean_abs_error_pct'],
      rows: a.regions.map((r) => [r.region, String(r.n), r.mean_error_pct, r.mean_abs_error_pct]),
      rightAligned: [1, 2, 3],
      csv: a.regions.map((r) => [r.region, r.n, r.mean_error_pct, r.mean_abs_error_pct]),
      note: a.note,
    };
  },
});

export async function queryCommand(argv: string[], out: Output): Promise<number> {
  const [which, ...rest] = argv;
  if (which === undefined || which === '--help' || which === '-h') {
    out.stdout(QUERY_HELP);
    return which === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[which];
  if (sub === undefined) throw usage(`gdpmr query must be followed by ${Object.keys(SUBCOMMANDS).join(', ')}, got ${JSON.stringify(which.slice(0, 60))}${didYouMean(which, Object.keys(SUBCOMMANDS))}`);
  const parsed = sub.command.parse(rest);
  if (parsed === null) {
    out.stdout(sub.command.help());
    return 0;
  }
  const o = parsed as unknown as { warehouse: string; json: boolean; csv: boolean; from?: string; to?: string };
  if (o.from !== undefined && o.to !== undefined && !(o.from < o.to)) throw usage(`--from must be a date before --to, got --from ${o.from} --to ${o.to}`);
  if (o.json && o.csv) throw usage(`gdpmr query ${which} takes --json or --csv, not both`);
  if (sub.write !== undefined) {
    const write = sub.write;
    await withWarehouse(o.warehouse, (w) => write(w, parsed, out));
    return 0;
  }
  const { ask, render } = sub as Required<typeof sub>;
  const answer = await withWarehouse(o.warehouse, (w) => ask(w, parsed));
  if (o.json) {
    out.stdout(JSON.stringify(answer));
    return 0;
  }
  const r = render(answer, parsed);
  // An empty answer stays an answer (exit 0, on stdout); why it is empty goes to stderr.
  if (r.note !== undefined) out.stderr(`gdpmr: ${r.note}`);
  if (o.csv) out.stdout((await import('csv-stringify/sync')).stringify([r.headers, ...(r.csv ?? r.rows)]).trimEnd());
  else out.stdout(`${r.title}\n${table(r.headers, r.rows.map((row) => row.map((c) => c ?? '')), r.rightAligned)}`);
  return 0;
}

/** Every subcommand's definition, for the usage overview (cli.ts). */
export const DEFINITIONS = SUBCOMMAND_DEFINITIONS;
