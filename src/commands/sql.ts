// `gdpmr sql "STATEMENT"`: one read-only statement over every region's rows as one relation
// `gdp` (a temporary view over the region databases, attached read-only). A statement that
// would write is refused before it runs, and the connection is read-only anyway.
import Database from 'better-sqlite3';
import { decimal, defineCommand, path } from '../command-line.js';
import { FLAGS } from '../config.js';
import { errorText, GdpmrError, usage } from '../errors.js';
import { fixed2, table, TABLE_ROWS } from '../format.js';
import { openWarehouse } from '../query/warehouse.js';
import { WarehousePaths } from '../store/layout.js';
import { VIEW_COLUMNS } from '../store/region-db/schema.js';
import { holdingOutput, streamCsvAnswer, streamJsonAnswer, type Output } from '../output.js';
import { readSmallFile } from '../fs.js';

/** How much of an answer is held back until the statement has finished. */
const HELD_BYTES = 64 * 1024 * 1024;

export const COMMAND = defineCommand({
  name: 'gdpmr sql',
  description: `Runs one read-only SQL statement (SQLite's dialect) with every region's rows visible as one
relation gdp, with every column of a region's gdp:
  ${VIEW_COLUMNS.join(', ')}
country is the name as loaded, name the one answers show (the country map's for its code),
country_key the identity (the code, else the name in lower case). Each region's own rows are
<region>.gdp (main.gdp is the first). Figures of several sources sit side by side: filter on
source, e.g.
  gdpmr sql "SELECT name, country_code, gdp_usd_billion FROM gdp WHERE source = 'imf' AND is_latest ORDER BY 3 DESC LIMIT 10"`,
  positionals: [{ name: 'statement', placeholder: 'STATEMENT', help: 'the statement; or --file' }],
  flags: {
    file: { kind: path('FILE'), help: 'read the statement from FILE (- for standard input) instead of the argument' },
    warehouse: FLAGS.warehouse,
    json: { ...FLAGS.json, help: 'the answer as JSON: {"query":"sql","columns":[...],"rows":[[...],...]};\nan integer beyond 2^53 is a string of its digits, Infinity the string "Infinity",\na blob {"blob_hex":"..."}' },
    csv: { ...FLAGS.csv, help: "the answer as CSV (a blob as x'hex')" },
    timeout: { kind: decimal('a number of seconds above 0, at most 86400', (n) => n > 0 && n <= 86400, 'S'), help: 'stop a statement still running after S seconds: exit 1, nothing written' },
  },
  notes: `The answer is written once the statement has finished (up to 64 MB of it; a larger one streams):
a statement that fails leaves nothing on standard output. The table view shows control
characters escaped (\\n, \\t, \\u0000) so that a row stays one line.`,
});

/** Every column of a region's gdp (SPEC §10): the relation gdp is their union. */
export const GDP_COLUMNS = VIEW_COLUMNS;


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
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : fixed2(value);
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers arrive as BigInt (exact): a number in JSON where a double holds it exactly, else its digits as a string. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= SAFE && value >= -SAFE ? Number(value) : value.toString();
  if (Buffer.isBuffer(value)) return { blob_hex: value.toString('hex') };
  // JSON has no Infinity: its name as a string, as --csv and the table print it, never null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function csvValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return value;
}

async function writeAnswer(rows: IterableIterator<unknown[]>, columns: string[], o: { json: boolean; csv: boolean }, out: Output): Promise<void> {
  if (o.json) return streamJsonAnswer(`{"query":"sql","columns":${JSON.stringify(columns)},"rows":`, rows, (row) => row.map(jsonValue), out);
  if (o.csv) return streamCsvAnswer(columns, rows, (row) => row.map(csvValue), out);
  const shown: unknown[][] = [];
  let total = 0;
  for (const row of rows) {
    if (shown.length < TABLE_ROWS) shown.push(row);
    total++;
  }
  const numeric = shown.length > 0 ? shown[0].flatMap((v, i) => (typeof v === 'number' || typeof v === 'bigint' ? [i] : [])) : [];
  const more = total > shown.length ? `\n… ${total - shown.length} more rows (--csv or --json gives every row)` : '';
  out.stdout(`${total} row${total === 1 ? '' : 's'}\n${table(columns, shown.map((r) => r.map(cellText)), numeric)}${more}`);
}

/** A statement file is text a person wrote; /dev/zero or `yes | gdpmr sql --file -` is not one. */
const SQL_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** The statement: the argument, or --file's text (- reads standard input). */
function statementOf(o: { statement?: string; file?: string }): string {
  if (o.statement !== undefined && o.file !== undefined) throw usage('gdpmr sql takes a STATEMENT or --file FILE, not both');
  let text = o.statement;
  if (o.file !== undefined) {
    text = readSmallFile(o.file, { flag: '--file', maxBytes: SQL_FILE_MAX_BYTES });
  }
  if (text === undefined) throw usage('gdpmr sql needs a STATEMENT, e.g. gdpmr sql "SELECT count(*) FROM gdp", or --file FILE');
  if (text.trim() === '') throw usage(`gdpmr sql needs a STATEMENT, got an empty one${o.file !== undefined ? ` in ${o.file}` : ''}`);
  return text;
}

/**
 * --timeout: SQLite cannot be interrupted from JavaScript while a statement runs (better-sqlite3
 * is synchronous, and not even process.exit stops it), so the statement runs in a child process
 * that writes the answer itself and is killed at the deadline.
 */
async function runWithTimeout(o: { warehouse: string; json: boolean; csv: boolean }, seconds: number, statement: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  // The child gets the parsed options back as flags, the statement on its standard input.
  const flags = ['--warehouse', o.warehouse, ...(o.json ? ['--json'] : []), ...(o.csv ? ['--csv'] : [])];
  const child = spawn(process.execPath, [process.argv[1], 'sql', '--file', '-', ...flags], { stdio: ['pipe', 'inherit', 'inherit'] });
  child.stdin.end(statement);
  child.stdin.on('error', () => undefined);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, seconds * 1000);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearTimeout(timer);
  if (timedOut) throw new GdpmrError('RUN_FAILED', `the statement was still running after --timeout ${seconds} s and was stopped; nothing was written`);
  return code;
}

export async function sqlCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  if (o.json && o.csv) throw usage('gdpmr sql takes --json or --csv, not both');
  const text = statementOf({ statement: o.positionals.statement, file: o.file });
  if (o.timeout !== undefined) return runWithTimeout(o, o.timeout, text);
  const db = openSqlView(o.warehouse);
  try {
    let statement: Database.Statement;
    try {
      statement = db.prepare(text);
    } catch (error) {
      throw usage(`SQLite refused the statement: ${errorText(error, 500)}`);
    }
    if (!statement.readonly) throw usage('the statement would write: attempt to write a readonly database (gdpmr sql runs one read-only statement)');
    // A statement that returns no rows (ATTACH, DETACH, BEGIN, a PRAGMA that sets) is no
    // question to the warehouse: refused before it runs, whatever SQLite would have said.
    if (!statement.reader) throw usage(`gdpmr sql runs one read-only query that returns rows (SELECT, WITH, a PRAGMA that reads); got a statement that returns none: ${text.trim().slice(0, 80)}`);
    // Held until the statement has finished: a failure midway leaves no half answer.
    const held = holdingOutput(out, HELD_BYTES);
    try {
      await writeAnswer(statement.safeIntegers(true).raw(true).iterate() as IterableIterator<unknown[]>, statement.columns().map((c) => c.name), o, held);
    } catch (error) {
      if (error instanceof GdpmrError) throw error;
      const said = held.flushed() ? `; standard output holds the first ${HELD_BYTES / 1024 / 1024} MB or more of the answer, incomplete` : '; nothing was written';
      throw new GdpmrError('RUN_FAILED', `the statement failed: ${errorText(error, 500)}${said}`);
    }
    await held.finish();
    return 0;
  } finally {
    db.close();
  }
}
