// `gdpmr verify`: checks a published warehouse as `git fsck` would a repository. The cheap
// checks (links, manifest, counts adding up, every counted database present) run before
// every query, append and resume; the full ones also open each database and count its rows
// and the rejects file's.
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { kindOf } from '../fs.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { errorText, GdpmrError } from '../errors.js';
import { REGIONS, regionFileName, type Region } from '../rules/normalize.js';
import { keptGenerations, isGenerationDir } from './kept.js';
import { currentGeneration, FIXED_LINKS, linkTarget, WarehousePaths } from './layout.js';
import { EARLIER_FORMATS, parseManifest, WAREHOUSE_FORMAT, type Manifest } from './manifest.js';
import { DAYS_VIEW, FIRST_LATEST, FORECASTS, META, ROWS, SERIES } from './region-db/schema.js';

export interface Problem {
  /** Which check failed: links, manifest, counts, database, rows, rejects. */
  check: string;
  file: string;
  message: string;
  recover: string;
}

export interface Verification {
  warehouse: string;
  generation: string | null;
  manifest: Manifest | null;
  problems: Problem[];
}

const REBUILD = 'rebuild the warehouse from its inputs: `gdpmr run` the first load, then `gdpmr run --append` each later one (manifest.json lists the loads)';

/** The cheap checks: nothing is opened but the manifest. */
export function verifyCheap(dir: string): Verification {
  const paths = new WarehousePaths(dir);
  const problems: Problem[] = [];
  const generation = currentGeneration(paths);
  const result: Verification = { warehouse: paths.root, generation, manifest: null, problems };
  if (generation === null) {
    const target = linkTarget(paths.currentLink);
    problems.push(
      target === null
        ? { check: 'links', file: paths.currentLink, message: 'no published generation (.current is missing or not a link)', recover: `run \`gdpmr run INPUT.csv --out ${dir}\`` }
        : { check: 'links', file: paths.currentLink, message: `.current points at ${target}, which is not a generation of this warehouse (.gen/<run_id>)`, recover: `point it at a generation that \`gdpmr rollback --list --warehouse ${dir}\` shows, or ${REBUILD}` },
    );
    return result;
  }
  if (!isGenerationDir(paths, generation)) {
    problems.push({ check: 'links', file: paths.currentLink, message: `.current points at ${generation}, which is not a generation directory (missing, or a link)`, recover: REBUILD });
    return result;
  }
  for (const name of FIXED_LINKS) {
    const link = join(paths.root, name);
    if (linkTarget(link) !== join('.current', name)) {
      problems.push({ check: 'links', file: link, message: `${name} must be a link to .current/${name}`, recover: `\`ln -sfn .current/${name} ${link}\` (the next \`gdpmr run\` on this warehouse restores it too)` });
    }
  }
  const checked = checkGeneration(paths, generation, dir);
  result.manifest = checked.manifest;
  problems.push(...checked.problems);
  if (checked.manifest !== null) checkKept(paths, dir, problems);
  return result;
}

/**
 * One generation's cheap checks: its manifest (of this gdpmr's format, naming it), counts
 * adding up, every counted database and rejects.csv present.
 */
export function checkGeneration(paths: WarehousePaths, generation: string, dir: string): { manifest: Manifest | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const gen = paths.generation(generation);
  if (!isGenerationDir(paths, generation)) {
    problems.push({ check: 'links', file: gen.root, message: 'is not a generation directory (missing, or a link)', recover: REBUILD });
    return { manifest: null, problems };
  }
  // The manifest is read once: its format told apart first, then the whole of it checked.
  let raw: unknown;
  let m: Manifest;
  try {
    raw = JSON.parse(readFileSync(gen.manifest, 'utf8'));
  } catch (error) {
    problems.push({ check: 'manifest', file: gen.manifest, message: `not a gdpmr manifest (${firstLine(error)})`, recover: REBUILD });
    return { manifest: null, problems };
  }
  const outdated = outdatedFormat(raw, dir);
  if (outdated !== null) {
    problems.push({ check: 'format', file: gen.manifest, message: outdated.message, recover: outdated.recover });
    return { manifest: null, problems };
  }
  try {
    m = parseManifest(raw);
  } catch (error) {
    problems.push({ check: 'manifest', file: gen.manifest, message: `not a gdpmr manifest (${firstLine(error)})`, recover: REBUILD });
    return { manifest: null, problems };
  }
  const c = m.counts;
  const sum = (values: Record<string, number | undefined>): number => Object.values(values).reduce<number>((a, b) => a + (b ?? 0), 0);
  const countProblem = (message: string): void => {
    problems.push({ check: 'counts', file: gen.manifest, message, recover: REBUILD });
  };
  if (m.generation !== generation) countProblem(`the manifest names generation ${m.generation}, but it lies in .gen/${generation}`);
  if (c.records !== c.loaded + c.rejected) countProblem(`records (${c.records}) must equal loaded (${c.loaded}) + rejected (${c.rejected})`);
  if (sum(c.by_reason) !== c.rejected) countProblem(`by_reason adds up to ${sum(c.by_reason)}, but rejected is ${c.rejected}`);
  if (sum(c.by_region) !== c.loaded) countProblem(`by_region adds up to ${sum(c.by_region)}, but loaded is ${c.loaded}`);
  const loads = m.loads.reduce((a, l) => ({ records: a.records + l.counts.records, loaded: a.loaded + l.counts.loaded, rejected: a.rejected + l.counts.rejected }), { records: 0, loaded: 0, rejected: 0 });
  if (loads.records !== c.records || loads.loaded !== c.loaded || loads.rejected !== c.rejected) {
    countProblem(`the loads add up to ${loads.records} records, ${loads.loaded} loaded, ${loads.rejected} rejected, but the warehouse counts ${c.records}, ${c.loaded}, ${c.rejected}`);
  }
  for (const region of REGIONS) {
    const path = gen.regionDb(region);
    const counted = c.by_region[region] ?? 0;
    if (counted > 0 && !isFile(path)) {
      problems.push({ check: 'database', file: path, message: `the manifest counts ${counted} ${region} rows, but the database is missing`, recover: REBUILD });
    }
  }
  if (!isFile(gen.rejects)) problems.push({ check: 'rejects', file: gen.rejects, message: 'rejects.csv is missing', recover: REBUILD });
  return { manifest: m, problems };
}

/**
 * The generations kept for `gdpmr rollback`: a problem with one does not touch what queries
 * read, but a rollback refuses it. One of another gdpmr's format is not a problem here.
 */
function checkKept(paths: WarehousePaths, dir: string, problems: Problem[]): void {
  for (const { generation } of keptGenerations(paths)) {
    const recover = `\`gdpmr rollback\` refuses it; the warehouse keeps it (never deleting what it cannot verify): remove ${paths.generation(generation).root} to give it up`;
    for (const p of checkGeneration(paths, generation, dir).problems) {
      if (p.check !== 'format') problems.push({ check: 'kept', file: p.file, message: `the generation ${generation} kept for rollback: ${p.message}`, recover });
    }
  }
}

/** The tables and views of a region database that the queries read (store/region-db/schema.ts). */
const REGION_DB_OBJECTS = [SERIES, ROWS, FORECASTS, FIRST_LATEST, META, 'gdp', DAYS_VIEW];

/** Every check: the cheap ones, then each database opened and counted, and rejects.csv counted. */
export async function verifyFull(dir: string): Promise<Verification> {
  const result = verifyCheap(dir);
  if (result.manifest === null || result.generation === null) return result;
  const paths = new WarehousePaths(dir);
  const gen = paths.generation(result.generation);
  const counts = result.manifest.counts;
  let superseded = 0;
  for (const region of REGIONS) {
    const path = gen.regionDb(region);
    const counted = counts.by_region[region] ?? 0;
    if (!isFile(path)) continue;
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const check = (db.pragma('quick_check', { simple: true }) as string) ?? 'ok';
        if (check !== 'ok') throw new Error(`integrity check: ${check}`);
        // Every table and view a query reads: a database without one opens, and fails a query.
        const present = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')").pluck().all() as string[]);
        const missing = REGION_DB_OBJECTS.filter((name) => !present.has(name));
        if (missing.length > 0) throw new Error(`no ${missing.join(', ')}`);
        const row = db.prepare('SELECT count(*) AS n, coalesce(sum(is_current), 0) AS current FROM gdp').get() as { n: number; current: number };
        superseded += row.n - row.current;
        if (row.n !== counted) {
          result.problems.push({ check: 'rows', file: path, message: `holds ${row.n} rows, but the manifest counts ${counted}`, recover: REBUILD });
        }
      } finally {
        db.close();
      }
    } catch (error) {
      result.problems.push({ check: 'database', file: path, message: `does not open as a region database (${firstLine(error)})`, recover: REBUILD });
    }
  }
  if (result.problems.every((p) => p.check !== 'database' && p.check !== 'rows') && superseded !== counts.superseded) {
    result.problems.push({ check: 'rows', file: gen.manifest, message: `the databases hold ${superseded} superseded rows, but the manifest counts ${counts.superseded}`, recover: REBUILD });
  }
  const extra = existsSync(gen.regionsDir) ? readdirSync(gen.regionsDir).filter((f) => !REGIONS.some((r: Region) => f === `${regionFileName(r)}.sqlite` && (counts.by_region[r] ?? 0) > 0)) : [];
  for (const f of extra) {
    result.problems.push({ check: 'database', file: join(gen.regionsDir, f), message: 'is not counted by the manifest', recover: 'remove it, or rebuild the warehouse' });
  }
  if (isFile(gen.rejects)) {
    try {
      const rows = await countCsvRows(gen.rejects);
      if (rows !== counts.rejected) {
        result.problems.push({ check: 'rejects', file: gen.rejects, message: `holds ${rows} reject rows, but the manifest counts ${counts.rejected}`, recover: REBUILD });
      }
    } catch (error) {
      result.problems.push({ check: 'rejects', file: gen.rejects, message: `is not a readable CSV (${firstLine(error)})`, recover: REBUILD });
    }
  }
  return result;
}

/**
 * The cheap checks as a gate: queries, --append and --resume refuse a damaged warehouse
 * (exit 1, naming the file) instead of answering from it or building on it.
 */
export function requireSound(dir: string): { manifest: Manifest; generation: string } {
  const v = verifyCheap(dir);
  if (v.generation === null) {
    throw new GdpmrError('NO_WAREHOUSE', `--warehouse must be a directory built by gdpmr run, got ${v.warehouse} (no published warehouse); run \`gdpmr run INPUT.csv --out ${dir}\` first`);
  }
  // Readers go through .current, so a missing fixed link alone does not stop them.
  const first = v.problems.find((p) => (p.check !== 'links' && p.check !== 'kept') || p.file === join(v.warehouse, '.current'));
  if (first?.check === 'format') throw new GdpmrError('WAREHOUSE_OUTDATED', `warehouse ${v.warehouse} ${first.message}; ${first.recover}`);
  if (first !== undefined) {
    throw new GdpmrError('WAREHOUSE_DAMAGED', `warehouse ${v.warehouse} is damaged: ${first.file}: ${first.message}; \`gdpmr verify --warehouse ${dir}\` lists every problem and how to recover`);
  }
  return { manifest: v.manifest as Manifest, generation: v.generation };
}

/**
 * A manifest written by an earlier gdpmr: its facts keyed by country name alone (no source, no
 * code), whose answers would carry the old meaning, or its rows in an earlier layout; nothing
 * reads or extends it.
 * Says how to rebuild it from its loads, in order; null for a current (or unreadable) one.
 */
function outdatedFormat(raw: unknown, dir: string): { message: string; recover: string } | null {
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format !== 'string' || format === WAREHOUSE_FORMAT || !format.startsWith('gdpmr-warehouse/')) return null;
  const loads = Array.isArray((raw as { loads?: unknown }).loads) ? ((raw as { loads: Array<{ input?: { path?: unknown } }> }).loads) : [];
  const inputs = loads.map((l) => (typeof l?.input?.path === 'string' ? l.input.path : '?'));
  const steps = inputs.map((input, i) => `gdpmr run ${shellWord(input)} --out ${shellWord(dir)}${i === 0 ? ' --replace' : ' --append'}`);
  return {
    message: `was built by ${Object.hasOwn(EARLIER_FORMATS, format) ? `an earlier gdpmr (format ${format}, ${EARLIER_FORMATS[format]})` : `another gdpmr (format ${format})`} and is not read by this version (${WAREHOUSE_FORMAT})`,
    recover: steps.length === 0 ? 'rebuild it with `gdpmr run` from its inputs' : `rebuild it from its ${steps.length} load${steps.length === 1 ? '' : 's'}, in order: ${steps.join(' && ')}`,
  };
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

const isFile = (path: string): boolean => kindOf(path) === 'file';

const firstLine = (error: unknown): string => errorText(error, 300).split('\n')[0];

async function countCsvRows(path: string): Promise<number> {
  let rows = -1; // the header
  const { parse } = await import('csv-parse');
  const parser = parse({ relax_column_count: false });
  // A file that vanishes while it is read (a publish swapping generations) is an error of
  // this count, reported as a problem, never an unhandled 'error' event that ends the process.
  const input = createReadStream(path);
  input.on('error', (error) => parser.destroy(error));
  for await (const _ of input.pipe(parser)) rows++;
  return Math.max(0, rows);
}
