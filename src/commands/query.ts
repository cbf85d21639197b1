// `gdpmr query top5 | over | history | revisions`: read-only questions to a published
// warehouse. Each subcommand is one entry: its flags, its schema, its question, and how its
// answer reads as a table and as CSV.
import type { z } from 'zod';
import { DEFAULTS, HistoryOptions, OverOptions, parseCommandLine, RevisionsOptions, Top5Options, validate } from '../config.js';
import { usage } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { table, TABLE_ROWS } from '../format.js';
import { history } from '../query/history.js';
import { over } from '../query/over.js';
import { largestRevisions, revisionRows, type Revision } from '../query/revisions.js';
import { top5 } from '../query/top5.js';
import { chooseSource, sourceFigures, withWarehouse, type FigureView, type OpenWarehouse } from '../query/warehouse.js';
import { streamCsvAnswer, streamJsonAnswer, type Output } from '../output.js';

const COMMON_HELP = `  --warehouse DIR     the warehouse to read (default: ${DEFAULTS.warehouse})
  --json              the answer as JSON on stdout
  --csv               the answer's rows as CSV on stdout, for pipes`;
const SOURCE_HELP = `  --source NAME       whose figures to read (imf, world_bank, un, ...); default: the warehouse's
                      only source, else imf; "" for figures that name no source`;
const FIGURE_HELP = `${SOURCE_HELP}
  --year Y            the current figures of year Y (projection or not) instead of each
                      country's latest
  --as-of YYYY-MM-DD  answer as the warehouse would have on that date: later vintages unseen
  --projections       a country's latest figure may be a projection (a figure for a year after
                      its vintage's year); by default it is the newest figure that is not
${COMMON_HELP}`;

export const QUERY_HELP = `gdpmr query top5 [--k 5] | over [--min 100] | history --country NAME | revisions --from D1 --to D2 [--min-change PCT]  [options]

  top5       per region, the k countries with the highest GDP and their mean
  over       every country with GDP of at least --min billion USD
  history    every figure ever loaded for one country (a code, or any of its names), of every
             source, in every region, year and vintage
  revisions  every fact of one source whose current figure as of D2 differs from the one as of D1

\`gdpmr help query SUBCOMMAND\` gives each one's page. Options of top5 and over (history takes
--as-of, revisions --source, all three the last three):
${FIGURE_HELP}`;

/** One page per subcommand: `gdpmr query top5 --help` or `gdpmr help query top5`. */
const SUBCOMMAND_HELP: Record<string, string> = {
  top5: `gdpmr query top5 [--k 5] [options]

For each region, the k countries with the highest GDP (ties: name ascending) and the mean of
their GDP, regions ordered by that mean. A country is its ISO code; its name is the map's.

  --k K               how many countries per region (default ${DEFAULTS.k})
${FIGURE_HELP}`,
  over: `gdpmr query over [--min 100] [options]

Every country with GDP of at least --min billion USD, highest first (ties: name ascending).

  --min BILLIONS      the floor, billions of USD (default ${DEFAULTS.minUsdBillion})
${FIGURE_HELP}`,
  history: `gdpmr query history --country NAME [--as-of YYYY-MM-DD] [options]

Every figure ever loaded for one country, of every source, in every region, year and vintage,
ordered by source, region, year and published; the current one of each fact marked.

  --country NAME      an ISO code (KOR), any name of the country map (Korea, Republic of), or
                      any name a figure was loaded under; all stand for one country
  --as-of YYYY-MM-DD  later vintages unseen, and current decided among the rest
${COMMON_HELP}`,
  revisions: `gdpmr query revisions --from D1 --to D2 [--min-change PCT] [options]

Every fact (region, country, year) of one source whose current figure as of D2 differs from its
current figure as of D1, and the facts new by D2; ordered by region, country, year. The table
lists the largest changes first.

  --from D1, --to D2  two dates, D1 before D2
  --min-change PCT    keep changes of at least PCT per cent (facts new at D2 are always kept)
${SOURCE_HELP}
${COMMON_HELP}`,
};

const OUTPUT_FLAGS = {
  warehouse: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
} as const;
const FIGURE_FLAGS = { ...OUTPUT_FLAGS, source: { type: 'string' }, year: { type: 'string' }, 'as-of': { type: 'string' }, projections: { type: 'boolean' } } as const;

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

interface Subcommand<S extends z.ZodType, A> {
  /** Every flag the subcommand takes: any other is refused, not ignored. */
  flags: Record<string, { type: 'string' | 'boolean' }>;
  schema: S;
  /** Either ask and render, for an answer that is held, or write, for one that streams. */
  ask?(w: OpenWarehouse, o: z.infer<S>): A;
  render?(answer: A, o: z.infer<S>): Rendered;
  write?(w: OpenWarehouse, o: z.infer<S>, out: Output): Promise<void>;
}

function subcommand<S extends z.ZodType, A>(s: Subcommand<S, A>): Subcommand<z.ZodType, unknown> {
  return s as unknown as Subcommand<z.ZodType, unknown>;
}

interface ViewOptions {
  year?: number;
  asOf?: string;
  source?: string;
  projections: boolean;
}
const figureView = (w: OpenWarehouse, o: ViewOptions): FigureView => ({ source: chooseSource(w.manifest, o.source), year: o.year, asOf: o.asOf, projections: o.projections });
const view = (o: ViewOptions, source: string): string =>
  `${o.year !== undefined ? ` in ${o.year}` : o.projections ? ', latest figures (projections included)' : ', latest figures'}${o.asOf !== undefined ? ` as of ${o.asOf}` : ''}, ${sourceFigures(source)}`;

const SUBCOMMANDS: Record<string, Subcommand<z.ZodType, unknown>> = {
  top5: subcommand({
    flags: { ...FIGURE_FLAGS, k: { type: 'string' } },
    schema: Top5Options,
    ask: (w, o) => top5(w, o.k, figureView(w, o)),
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
    flags: { ...FIGURE_FLAGS, min: { type: 'string' } },
    schema: OverOptions,
    ask: (w, o) => over(w, o.min, figureView(w, o)),
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
    flags: { ...OUTPUT_FLAGS, 'as-of': { type: 'string' }, country: { type: 'string' } },
    schema: HistoryOptions,
    ask: (w, o) => history(w, o.country, o.asOf),
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
    flags: { ...OUTPUT_FLAGS, source: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'min-change': { type: 'string' } },
    schema: RevisionsOptions,
    // A year of vintages can revise millions of facts: the answer streams in the SPEC's order.
    write: async (w, o, out) => {
      const source = chooseSource(w.manifest, o.source);
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

export async function queryCommand(argv: string[], out: Output): Promise<number> {
  const [which, ...rest] = argv;
  if (which === undefined || which === '--help' || which === '-h') {
    out.stdout(QUERY_HELP);
    return which === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[which];
  if (sub === undefined) throw usage(`gdpmr query must be followed by ${Object.keys(SUBCOMMANDS).join(', ')}, got ${JSON.stringify(which.slice(0, 60))}${didYouMean(which, Object.keys(SUBCOMMANDS))}`);
  const values = parseCommandLine(`gdpmr query ${which}`, rest, sub.flags, []);
  if (values.help === true) {
    out.stdout(SUBCOMMAND_HELP[which] ?? QUERY_HELP);
    return 0;
  }
  const o = validate(sub.schema, values) as { warehouse: string; json: boolean; csv: boolean };
  if (o.json && o.csv) throw usage(`gdpmr query ${which} takes --json or --csv, not both`);
  if (sub.write !== undefined) {
    const write = sub.write;
    await withWarehouse(o.warehouse, (w) => write(w, o, out));
    return 0;
  }
  const { ask, render } = sub as Required<typeof sub>;
  const answer = withWarehouse(o.warehouse, (w) => ask(w, o));
  if (o.json) {
    out.stdout(JSON.stringify(answer));
    return 0;
  }
  const r = render(answer, o);
  // An empty answer stays an answer (exit 0, on stdout); why it is empty goes to stderr.
  if (r.note !== undefined) out.stderr(`gdpmr: ${r.note}`);
  if (o.csv) out.stdout((await import('csv-stringify/sync')).stringify([r.headers, ...(r.csv ?? r.rows)]).trimEnd());
  else out.stdout(`${r.title}\n${table(r.headers, r.rows.map((row) => row.map((c) => c ?? '')), r.rightAligned)}`);
  return 0;
}
