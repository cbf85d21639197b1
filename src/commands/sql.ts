// `gdpmr sql "STATEMENT"`: one read-only statement over every region's rows as one relation
// `gdp` (a temporary view over the region databases, attached read-only). A statement that
// would write is refused before it runs, and the connection is read-only anyway.
import Database from 'better-sqlite3';
import { z } from 'zod';
import { DEFAULTS, parseCommandLine, PathArg, validate } from '../config.js';
import { errorText, GdpmrError, usage } from '../errors.js';
import { table, TABLE_ROWS } from '../format.js';
import { openWarehouse } from '../query/warehouse.js';
import { WarehousePaths } from '../store/layout.js';
import { VIEW_COLUMNS } from '../store/region-db.js';
import { streamCsvAnswer, streamJsonAnswer, type Output } from '../output.js';

export const SQL_HELP = `gdpmr sql "STATEMENT" [--warehouse DIR] [--json | --csv]

Runs one read-only SQL statement (SQLite's dialect) with every region's rows visible as one
relation gdp, with every column of a region's gdp:
  ${VIEW_COLUMNS.join(', ')}
country is the name as loaded, name the one answers show (the country map's for its code),
country_key the identity (the code, else the name in lower case). Each region's own rows are
<region>.gdp (main.gdp is the first). Figures of several sources sit side by side: filter on
source, e.g.
  gdpmr sql "SELECT name, country_code, gdp_usd_billion FROM gdp WHERE source = 'imf' AND is_latest ORDER BY 3 DESC LIMIT 10"`;

/** Every column of a region's gdp (SPEC §10): the relation gdp is their union. */
export const GDP_COLUMNS = VIEW_COLUMNS;

const SqlOptions = z.object({
  statement: z.string({ error: 'gdpmr sql needs a STATEMENT, e.g. gdpmr sql "SELECT count(*) FROM gdp"' }).refine((s) => s.trim() !== '', { message: 'gdpmr sql needs a STATEMENT, got an empty one' }),
  warehouse: PathArg('--warehouse').default(DEFAULTS.warehouse),
  json: z.boolean().default(false),
  csv: z.boolean().default(false),
});

/** A connection that sees every region of the published warehouse as `gdp`, read-only. */
export function openSqlView(dir: string): Database.Database {
  const w = openWarehouse(dir);
  const generation = new WarehousePaths(dir).generation(w.manifest.generation);
  const paths = w.regions.map((r) => ({ name: r.region.toLowerCase(), path: generation.regionDb(r.region) }));
  w.close();
  const db = paths.length === 0 ? new Database(':memory:') : new Database(paths[0].path, { readonly: true, fileMustExist: true });
  paths.slice(1).forEach((p) => db.prepare('ATTACH ? AS ' + p.name).run(p.path));
  const select = paths.map((p, i) => `SELECT ${GDP_COLUMNS.join(', ')} FROM ${i === 0 ? 'main' : p.name}.gdp`);
  const empty = `SELECT ${GDP_COLUMNS.map((c) => `NULL AS ${c}`).join(', ')} WHERE 0`;
  db.exec(`CREATE TEMP VIEW gdp AS ${select.length === 0 ? empty : select.join(' UNION ALL ')}`);
  return db;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return value;
}

async function writeAnswer(rows: IterableIterator<unknown[]>, columns: string[], o: { json: boolean; csv: boolean }, out: Output): Promise<void> {
  if (o.json) return streamJsonAnswer(`{"query":"sql","columns":${JSON.stringify(columns)},"rows":`, rows, (row) => row.map(jsonValue), out);
  if (o.csv) return streamCsvAnswer(columns, rows, (row) => row.map(jsonValue), out);
  const shown: unknown[][] = [];
  let total = 0;
  for (const row of rows) {
    if (shown.length < TABLE_ROWS) shown.push(row);
    total++;
  }
  const numeric = shown.length > 0 ? shown[0].flatMap((v, i) => (typeof v === 'number' ? [i] : [])) : [];
  const more = total > shown.length ? `\n… ${total - shown.length} more rows (--csv or --json gives every row)` : '';
  out.stdout(`${total} row${total === 1 ? '' : 's'}\n${table(columns, shown.map((r) => r.map(cellText)), numeric)}${more}`);
}

export async function sqlCommand(argv: string[], out: Output): Promise<number> {
  const values = parseCommandLine('gdpmr sql', argv, { warehouse: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' } }, ['statement']);
  if (values.help === true) {
    out.stdout(SQL_HELP);
    return 0;
  }
  const o = validate(SqlOptions, values);
  if (o.json && o.csv) throw usage('gdpmr sql takes --json or --csv, not both');
  const db = openSqlView(o.warehouse);
  try {
    let statement: Database.Statement;
    try {
      statement = db.prepare(o.statement);
    } catch (error) {
      throw usage(`SQLite refused the statement: ${errorText(error, 500)}`);
    }
    if (!statement.readonly) throw usage('the statement would write: attempt to write a readonly database (gdpmr sql runs one read-only statement)');
    // A statement that returns no rows (ATTACH, DETACH, BEGIN, a PRAGMA that sets) is no
    // question to the warehouse: refused before it runs, whatever SQLite would have said.
    if (!statement.reader) throw usage(`gdpmr sql runs one read-only query that returns rows (SELECT, WITH, a PRAGMA that reads); got a statement that returns none: ${o.statement.trim().slice(0, 80)}`);
    try {
      await writeAnswer(statement.raw(true).iterate() as IterableIterator<unknown[]>, statement.columns().map((c) => c.name), o, out);
    } catch (error) {
      if (error instanceof GdpmrError) throw error;
      throw new GdpmrError('RUN_FAILED', `the statement failed: ${errorText(error, 500)}`);
    }
    return 0;
  } finally {
    db.close();
  }
}
