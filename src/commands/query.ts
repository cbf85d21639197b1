// `gdpmr query top5 | over | history`: read-only questions to a published warehouse.
import { HistoryOptions, OverOptions, parseCommandLine, Top5Options, validate, DEFAULTS } from '../config.js';
import { usage } from '../errors.js';
import { table } from '../format.js';
import { history } from '../query/history.js';
import { over } from '../query/over.js';
import { top5 } from '../query/top5.js';
import { withWarehouse } from '../query/warehouse.js';
import type { Output } from '../output.js';

export const QUERY_HELP = `gdpmr query top5 [--k 5] | over [--min 100] | history --country NAME  [options]

  top5      per region, the k countries with the highest GDP and their mean
  over      every country with GDP of at least --min billion USD
  history   every figure ever loaded for one country, in every region, year and vintage

  --warehouse DIR     (default: ${DEFAULTS.warehouse})
  --year Y            the current figures of year Y instead of each country's latest
  --as-of YYYY-MM-DD  ignore figures published after that date
  --json              machine output on stdout`;

const COMMON = {
  warehouse: { type: 'string' },
  json: { type: 'boolean' },
  year: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

export async function queryCommand(argv: string[], out: Output): Promise<number> {
  const [which, ...rest] = argv;
  if (which === undefined || which === '--help' || which === '-h') {
    out.stdout(QUERY_HELP);
    return which === undefined ? 2 : 0;
  }
  if (which === 'top5') {
    const values = parseCommandLine('gdpmr query top5', rest, { ...COMMON, k: { type: 'string' } }, []);
    if (values.help === true) return help(out);
    const o = validate(Top5Options, values);
    const answer = withWarehouse(o.warehouse, (w) => top5(w, o.k, { year: o.year, asOf: o.asOf }));
    if (o.json) out.stdout(JSON.stringify(answer));
    else {
      const rows = answer.regions.flatMap((r) => r.countries.map((c, i) => [i === 0 ? r.region : '', i === 0 ? r.avg_gdp_usd_billion : '', i + 1, c.country, c.year, c.gdp_usd_billion] as Array<string | number>));
      out.stdout(`Top ${o.k} economies by region${view(o)}, billions of USD\n` + table(['region', 'mean', '#', 'country', 'year', 'gdp_usd_billion'], rows.map((r) => r.map((c, i) => (i === 2 || i === 4 ? String(c) : c))), [1, 2, 4, 5]));
    }
    return 0;
  }
  if (which === 'over') {
    const values = parseCommandLine('gdpmr query over', rest, { ...COMMON, min: { type: 'string' } }, []);
    if (values.help === true) return help(out);
    const o = validate(OverOptions, values);
    const answer = withWarehouse(o.warehouse, (w) => over(w, o.min, { year: o.year, asOf: o.asOf }));
    if (o.json) out.stdout(JSON.stringify(answer));
    else {
      const rows = answer.countries.map((c, i) => [String(i + 1), c.country, c.region, String(c.year), c.gdp_usd_billion]);
      out.stdout(`${answer.countries.length} countries with GDP of at least ${o.min} billion USD${view(o)}\n` + table(['#', 'country', 'region', 'year', 'gdp_usd_billion'], rows, [0, 3, 4]));
    }
    return 0;
  }
  if (which === 'history') {
    const values = parseCommandLine('gdpmr query history', rest, { ...COMMON, country: { type: 'string' } }, []);
    if (values.help === true) return help(out);
    const o = validate(HistoryOptions, values);
    const answer = withWarehouse(o.warehouse, (w) => history(w, o.country, o.asOf));
    if (o.json) out.stdout(JSON.stringify(answer));
    else {
      const rows = answer.figures.map((f) => [f.region, String(f.year), f.gdp_usd_billion, f.published ?? '', f.run_id, f.is_current ? 'current' : 'superseded']);
      out.stdout(`${answer.figures.length} figures for ${answer.country}${o.asOf ? ` as of ${o.asOf}` : ''}\n` + table(['region', 'year', 'gdp_usd_billion', 'published', 'run_id', 'status'], rows, [1, 2]));
    }
    return 0;
  }
  throw usage(`gdpmr query must be followed by top5, over or history, got ${JSON.stringify(which)}`);
}

function help(out: Output): number {
  out.stdout(QUERY_HELP);
  return 0;
}

function view(o: { year?: number; asOf?: string }): string {
  return `${o.year !== undefined ? ` in ${o.year}` : ', latest figures'}${o.asOf !== undefined ? ` as of ${o.asOf}` : ''}`;
}
