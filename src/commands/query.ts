// `gdpmr query top5 | over | history | revisions`: read-only questions to a published
// warehouse. Each subcommand is one entry: its flags, its schema, its question, and how its
// answer reads as a table and as CSV.
import type { z } from 'zod';
import { DEFAULTS, HistoryOptions, OverOptions, parseCommandLine, RevisionsOptions, Top5Options, validate } from '../config.js';
import { usage } from '../errors.js';
import { table, TABLE_ROWS } from '../format.js';
import { history } from '../query/history.js';
import { over } from '../query/over.js';
import { largestRevisions, revisionRows, type Revision } from '../query/revisions.js';
import { top5 } from '../query/top5.js';
import { withWarehouse, type OpenWarehouse } from '../query/warehouse.js';
import { streamCsvAnswer, streamJsonAnswer, type Output } from '../output.js';

export const QUERY_HELP = `gdpmr query top5 [--k 5] | over [--min 100] | history --country NAME | revisions --from D1 --to D2 [--min-change PCT]  [options]

  top5       per region, the k countries with the highest GDP and their mean
  over       every country with GDP of at least --min billion USD
  history    every figure ever loaded for one country, in every region, year and vintage
  revisions  every fact whose current figure as of D2 differs from the one as of D1

  --warehouse DIR     (default: ${DEFAULTS.warehouse})
  --year Y            the current figures of year Y instead of each country's latest
  --as-of YYYY-MM-DD  ignore figures published after that date
  --json              machine output on stdout
  --csv               the answer's rows as CSV on stdout, for pipes`;

const COMMON = {
  warehouse: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  year: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

type Cell = string | number | null;
interface Rendered {
  title: string;
  headers: string[];
  rows: Cell[][];
  rightAligned: number[];
  /** CSV rows when they differ from the table's (the table may blank repeated cells). */
  csv?: Cell[][];
}

interface Subcommand<S extends z.ZodType, A> {
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

const view = (o: { year?: number; asOf?: string }): string => `${o.year !== undefined ? ` in ${o.year}` : ', latest figures'}${o.asOf !== undefined ? ` as of ${o.asOf}` : ''}`;

const SUBCOMMANDS: Record<string, Subcommand<z.ZodType, unknown>> = {
  top5: subcommand({
    flags: { k: { type: 'string' } },
    schema: Top5Options,
    ask: (w, o) => top5(w, o.k, { year: o.year, asOf: o.asOf }),
    render: (a, o) => {
      const flat = a.regions.flatMap((r) => r.countries.map((c, i) => ({ r, c, i })));
      return {
        title: `Top ${o.k} economies by region${view(o)}, billions of USD`,
        headers: ['region', 'mean', '#', 'country', 'year', 'gdp_usd_billion'],
        rows: flat.map(({ r, c, i }) => [i === 0 ? r.region : '', i === 0 ? r.avg_gdp_usd_billion : '', String(i + 1), c.country, String(c.year), c.gdp_usd_billion]),
        rightAligned: [1, 2, 4, 5],
        csv: flat.map(({ r, c, i }) => [r.region, r.avg_gdp_usd_billion, i + 1, c.country, c.year, c.gdp_usd_billion]),
      };
    },
  }),
  over: subcommand({
    flags: { min: { type: 'string' } },
    schema: OverOptions,
    ask: (w, o) => over(w, o.min, { year: o.year, asOf: o.asOf }),
    render: (a, o) => ({
      title: `${a.countries.length} countries with GDP of at least ${o.min} billion USD${view(o)}`,
      headers: ['#', 'country', 'region', 'year', 'gdp_usd_billion'],
      rows: a.countries.map((c, i) => [String(i + 1), c.country, c.region, String(c.year), c.gdp_usd_billion]),
      rightAligned: [0, 3, 4],
    }),
  }),
  history: subcommand({
    flags: { country: { type: 'string' } },
    schema: HistoryOptions,
    ask: (w, o) => history(w, o.country, o.asOf),
    render: (a, o) => ({
      title: `${a.figures.length} figures for ${a.country}${o.asOf ? ` as of ${o.asOf}` : ''}`,
      headers: ['region', 'year', 'gdp_usd_billion', 'published', 'run_id', 'is_current'],
      rows: a.figures.map((f) => [f.region, String(f.year), f.gdp_usd_billion, f.published ?? '', f.run_id, f.is_current ? 'current' : 'superseded']),
      rightAligned: [1, 2],
      csv: a.figures.map((f) => [f.region, f.year, f.gdp_usd_billion, f.published, f.run_id, f.is_current ? 1 : 0]),
    }),
  }),
  revisions: subcommand({
    flags: { from: { type: 'string' }, to: { type: 'string' }, 'min-change': { type: 'string' } },
    schema: RevisionsOptions,
    // A year of vintages can revise millions of facts: the answer streams in the SPEC's order.
    write: async (w, o, out) => {
      const rows = revisionRows(w, o.from, o.to, o.minChange);
      const cells = (f: Revision): Cell[] => [f.region, f.country, f.year, f.from_usd_billion, f.to_usd_billion, f.change_pct, f.published];
      const headers = ['region', 'country', 'year', 'from_usd_billion', 'to_usd_billion', 'change_pct', 'published'];
      if (o.json) {
        const head = `{"query":"revisions","from":${JSON.stringify(o.from)},"to":${JSON.stringify(o.to)},"min_change_pct":${JSON.stringify(o.minChange ?? null)},"figures":`;
        await streamJsonAnswer(head, rows, ({ pct: _, ...f }) => f, out);
      } else if (o.csv) {
        await streamCsvAnswer(headers, rows, cells, out);
      } else {
        const { largest, total } = largestRevisions(rows, TABLE_ROWS);
        const more = total > largest.length ? `\n… ${total - largest.length} more (--csv or --json gives every one)` : '';
        out.stdout(
          `${total} revisions between ${o.from} and ${o.to}${o.minChange === undefined ? '' : ` of at least ${o.minChange} %`}, largest first\n` +
            table(headers, largest.map((f) => [f.region, f.country, String(f.year), f.from_usd_billion ?? 'new', f.to_usd_billion, f.change_pct ?? '', f.published ?? '']), [2, 3, 4, 5]) +
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
  if (sub === undefined) throw usage(`gdpmr query must be followed by ${Object.keys(SUBCOMMANDS).join(', ')}, got ${JSON.stringify(which.slice(0, 60))}`);
  const values = parseCommandLine(`gdpmr query ${which}`, rest, { ...COMMON, ...sub.flags }, []);
  if (values.help === true) {
    out.stdout(QUERY_HELP);
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
  if (o.csv) out.stdout((await import('csv-stringify/sync')).stringify([r.headers, ...(r.csv ?? r.rows)]).trimEnd());
  else out.stdout(`${r.title}\n${table(r.headers, r.rows.map((row) => row.map((c) => c ?? '')), r.rightAligned)}`);
  return 0;
}
