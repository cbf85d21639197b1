// `gdpmr refresh` (SPEC §12): every source of the sources file, in file order: its raw bytes
// read (files) or fetched, skipped when the archive holds them already, extracted as `gdpmr
// extract` would, checked against the source's last load, archived and appended as a load.
// One source failing does not stop the others; each outcome is a line on stdout and in
// DIR/refresh.ndjson.
import { appendFileSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { decimal, defineCommand, flag, path } from '../command-line.js';
import { FLAGS } from '../config.js';
import { DEFAULTS } from '../defaults.js';
import { errorText, GdpmrError, usage } from '../errors.js';
import { acquireLock, releaseLock } from '../engine/lock.js';
import { checkOutDirectory, publishGeneration } from '../engine/publish.js';
import { runJob } from '../engine/run.js';
import { readSmallFile } from '../fs.js';
import type { Output } from '../output.js';
import { putArchive, sha256Of } from '../refresh/archive.js';
import { checkAgainstLast, summarizeDump, type DumpSummary } from '../refresh/checks.js';
import { expandPattern } from '../refresh/glob.js';
import { parseSourcesFile, type SourceEntry } from '../refresh/sources-file.js';
import { currentGeneration, readPublished, warehouseOwning, WarehousePaths } from '../store/layout.js';
import type { Manifest } from '../store/manifest.js';
import { loadRegionMap } from '../store/region-map-file.js';
import { extractFiles, extractUrl, refreshRecordOf, type ArchivedPart, type Extracted, type RefreshRecord } from './refresh-loads.js';

export const DEFAULT_SOURCES_FILE = 'gdpmr-sources.json';
const SOURCES_MAX_BYTES = 1024 * 1024;
/** A raw file of a `files` source is read whole to hash it: a WEO file is ~15 MB. */
const RAW_FILE_MAX_BYTES = 1024 ** 3;

export const SOURCES_FLAG = { kind: path('FILE'), default: DEFAULT_SOURCES_FILE as string, help: 'the sources file (SPEC §12): which sources the warehouse holds' };

export const COMMAND = defineCommand({
  name: 'gdpmr refresh',
  description: `Refreshes every source of the sources file, in order: reads its raw bytes (each file of a
\`files\` source, every response of a \`url\` source's fetch), skips what the warehouse's archive
already holds (a second refresh in a row loads nothing), extracts the rest as \`gdpmr extract\`
would, checks it against the source's last load (record count drift, reject share, economies
gone), keeps the raw bytes in DIR/archive/ and appends it as a load. One source failing does not
stop the others (exit 1 naming each). Every outcome is a line on stdout and in DIR/refresh.ndjson.`,
  flags: {
    warehouse: { ...FLAGS.warehouse, help: 'the warehouse to refresh (created when it holds none yet)' },
    sources: SOURCES_FLAG,
    dryRun: { kind: flag, help: 'fetch, extract and check; load and archive nothing' },
    maxDrift: { kind: decimal('a percentage from 0 to 1000', (n) => n >= 0 && n <= 1000, 'PCT'), default: 20, help: "a source whose record count changes by more than this fails (unless --accept-drift)" },
    acceptDrift: { kind: flag, help: 'load a source whose checks failed anyway' },
  },
});

/** Every source entry with its files expanded, read and checked before anything is fetched. */
export function readSources(file: string, root: string): Array<SourceEntry & { paths?: string[] }> {
  const entries = parseSourcesFile(readSmallFile(file, { flag: '--sources', maxBytes: SOURCES_MAX_BYTES, what: 'JSON file' }), file);
  const base = dirname(resolve(file));
  return entries.map((e) => {
    if (e.files === undefined) return e;
    const paths = [...new Set(e.files.flatMap((p) => expandPattern(p, base)))].sort();
    for (const p of paths) {
      // A pattern that reaches into the warehouse (its archive) would load the archive into itself.
      if (warehouseOwning(p) !== null || resolve(p).startsWith(resolve(root) + '/')) {
        throw usage(`--sources ${file}: source ${JSON.stringify(e.name)}: files must lie outside the warehouse ${root}, got ${p}`);
      }
    }
    return { ...e, paths };
  });
}

export interface Outcome {
  time: string;
  source: string;
  kind: string;
  status: 'loaded' | 'unchanged' | 'failed' | 'checked';
  sha256: string | null;
  bytes: number;
  rows: number | null;
  rejected: number | null;
  published: string | null;
  rows_change_pct: number | null;
  gone: string[];
  new: string[];
  warnings: string[];
  error: string | null;
}

/** The loads a refresh made of source `name`, oldest first. */
export function loadsOf(manifest: Manifest | null, name: string): RefreshRecord[] {
  return (manifest?.loads ?? []).map(refreshRecordOf).filter((r): r is RefreshRecord => r?.name === name);
}

export async function refreshCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const paths = new WarehousePaths(o.warehouse);
  const sources = readSources(o.sources, paths.root);
  checkOutDirectory(paths, '--warehouse');
  mkdirSync(paths.root, { recursive: true });
  // The warehouse's own lock for the whole refresh: no run publishes between its loads and its
  // publish (which would then drop that run's load), and a second refresh exits 1 naming this one.
  const id = `refresh-${process.pid}`;
  acquireLock(paths, { pid: process.pid, host: hostname(), run_id: id, started_at: new Date().toISOString(), input: `(refresh of ${o.sources})` }, (m) => out.stderr(`gdpmr: ${m}`));
  const failed: string[] = [];
  const outcomes: Outcome[] = [];
  try {
    const stage = RefreshStage.begin(paths);
    const regionMap = loadRegionMap(DEFAULTS.regionMap);
    const mapSha = sha256Of(readFileSync(DEFAULTS.regionMap));
    for (const entry of sources) {
      const outcome = await refreshSource(entry, paths, stage.paths, { dryRun: o.dryRun, maxDrift: o.maxDrift, acceptDrift: o.acceptDrift, regionMap, mapSha, out });
      outcomes.push(outcome);
      out.stdout(outcomeLine(outcome));
    }
    // Every new load of this refresh goes into the warehouse in one publish.
    try {
      stage.publish();
    } catch (error) {
      for (const x of outcomes) if (x.status === 'loaded') Object.assign(x, { status: 'failed', error: `its load was not published: ${errorText(error, 300)}` });
      throw error;
    } finally {
      for (const x of outcomes) appendFileSync(join(paths.root, 'refresh.ndjson'), JSON.stringify(x) + '\n');
    }
    for (const x of outcomes) if (x.status === 'failed') failed.push(`${x.source} (${x.error})`);
  } finally {
    releaseLock(paths, id);
  }
  if (failed.length > 0) {
    out.stderr(`gdpmr: ${failed.length} source${failed.length === 1 ? '' : 's'} failed: ${failed.join('; ')}; ${o.dryRun ? 'nothing was loaded (--dry-run)' : failed.length === sources.length ? 'nothing was loaded' : "the others' loads were published"}`);
    return 1;
  }
  return 0;
}

function outcomeLine(o: Outcome): string {
  const what =
    o.status === 'failed'
      ? `failed: ${o.error}`
      : o.status === 'unchanged'
        ? 'unchanged'
        : `${o.status} ${o.rows} records (${o.rejected} rejected), published ${o.published}${o.rows_change_pct === null ? ', first load' : `, ${o.rows_change_pct >= 0 ? '+' : ''}${o.rows_change_pct} % records`}${o.new.length > 0 ? `, ${o.new.length} new economies` : ''}`;
  return `${o.source.padEnd(16)} ${what}${o.warnings.length > 0 ? `\n${' '.repeat(17)}warning: ${o.warnings.join('; ')}` : ''}`;
}

interface RefreshOptions {
  dryRun: boolean;
  maxDrift: number;
  acceptDrift: boolean;
  regionMap: ReturnType<typeof loadRegionMap>;
  mapSha: string;
  out: Output;
}

async function refreshSource(entry: SourceEntry & { paths?: string[] }, paths: WarehousePaths, staged: WarehousePaths, o: RefreshOptions): Promise<Outcome> {
  const base: Outcome = { time: new Date().toISOString(), source: entry.name, kind: entry.kind, status: 'failed', sha256: null, bytes: 0, rows: null, rejected: null, published: null, rows_change_pct: null, gone: [], new: [], warnings: [], error: null };
  try {
    // The warehouse as this refresh has built it so far (its earlier sources' loads included).
    const manifest = readPublished(staged);
    const earlier = loadsOf(manifest, entry.name);
    const last = earlier.at(-1);
    const options: RefreshRecord['options'] = { ...(entry.column === undefined ? {} : { column: entry.column }), ...(entry.published === undefined ? {} : { published: entry.published }) };
    let parts: Array<ArchivedPart & { body: Buffer }>;
    let extracted: Extracted;
    if (entry.paths !== undefined) {
      if (entry.paths.length === 0) throw new GdpmrError('SOURCE_INVALID', `no file matches ${entry.files?.join(', ')}`);
      const known = new Set(earlier.flatMap((r) => r.archive.map((p) => p.sha256)));
      const all = entry.paths.map((file) => {
        const body = readSmallBytesOrFail(file);
        return { sha256: sha256Of(body), bytes: body.length, file: resolve(file), body };
      });
      parts = all.filter((p) => !known.has(p.sha256));
      if (parts.length === 0) return { ...base, status: 'unchanged', sha256: combined(all), bytes: sum(all) };
      extracted = await extractFiles(entry.kind, parts.map((p) => p.file as string), options);
    } else {
      const fetched = await extractUrl(entry.kind, entry.url as string, options);
      parts = fetched.responses;
      extracted = fetched;
      if (last !== undefined && last.mode === 'url' && combined(last.archive) === combined(parts)) return { ...base, status: 'unchanged', sha256: combined(parts), bytes: sum(parts) };
      // A live fetch's date became the figures' date: rebuild passes it again.
      if (entry.kind === 'imf' || entry.kind === 'wikipedia') options.published = extracted.published;
    }
    const summary = summarizeDump(extracted.csv, o.regionMap);
    const lastSummary: DumpSummary | null = last === undefined ? null : { records: last.records, rejected: last.rejected, economies: last.economies };
    const check = checkAgainstLast(lastSummary, summary, o.maxDrift);
    const result: Outcome = { ...base, sha256: combined(parts), bytes: sum(parts), rows: summary.records, rejected: summary.rejected, published: extracted.published, rows_change_pct: check.rows_change_pct, gone: check.gone, new: check.new, warnings: check.warnings };
    if (check.failures.length > 0 && !o.acceptDrift) return { ...result, status: 'failed', error: `${check.failures.join('; ')} (--accept-drift loads it anyway)` };
    if (summary.records - summary.rejected === 0) return { ...result, status: 'failed', error: 'no record of it would load' };
    if (o.dryRun) return { ...result, status: 'checked' };
    for (const p of parts) putArchive(paths.root, p.body);
    const record: RefreshRecord = {
      name: entry.name,
      kind: entry.kind,
      options,
      mode: entry.paths !== undefined ? 'files' : 'url',
      ...(entry.url === undefined ? {} : { url: entry.url }),
      archive: parts.map(({ body: _, ...part }) => part),
      country_map_sha256: o.mapSha,
      records: summary.records,
      rejected: summary.rejected,
      economies: summary.economies,
      rows_change_pct: check.rows_change_pct,
      gone: check.gone,
      new: check.new,
      warnings: check.warnings,
    };
    await loadDump(staged, extracted, record, manifest !== null);
    return { ...result, status: 'loaded' };
  } catch (error) {
    return { ...base, status: 'failed', error: errorText(error, 400).split('\n')[0] };
  }
}

/** Appends a refresh's dump as one load of the warehouse at `paths`, its record kept in the manifest. */
export async function loadDump(paths: WarehousePaths, extracted: Extracted, record: RefreshRecord, append: boolean): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'gdpmr-load-'));
  const input = join(scratch, `${record.name}.csv`);
  writeFileSync(input, extracted.csv);
  try {
    const info = { ...extracted.info, published: extracted.published, sha256: combined(record.archive), files: record.archive, refresh: record };
    await runJob({ inputPath: input, outDir: paths.root, workers: DEFAULTS.workers, append, allowReload: true, resume: false, runner: 'pool', sourceInfo: info });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Where a refresh builds its new loads before it publishes them together: DIR/.refresh/stage, a
 * warehouse of its own that starts as DIR's published generation (hard links: a run never
 * changes a file of a generation it builds on). A refresh killed midway leaves only this,
 * which the next one clears: DIR is as it was.
 */
class RefreshStage {
  private constructor(
    private readonly warehouse: WarehousePaths,
    readonly paths: WarehousePaths,
    private readonly startedFrom: string | null,
  ) {}

  static begin(warehouse: WarehousePaths): RefreshStage {
    const stage = new WarehousePaths(join(warehouse.root, '.refresh', 'stage'));
    rmSync(dirname(stage.root), { recursive: true, force: true });
    mkdirSync(stage.generationsDir, { recursive: true });
    const current = currentGeneration(warehouse);
    if (current !== null) {
      linkTree(warehouse.generation(current).root, stage.generation(current).root);
      symlinkSync(join('.gen', current), stage.currentLink);
    }
    return new RefreshStage(warehouse, stage, current);
  }

  /** The stage's newest generation becomes DIR's published one in one swap, if any source loaded. */
  publish(): void {
    const built = currentGeneration(this.paths);
    if (built !== null && built !== this.startedFrom) {
      publishGeneration(this.warehouse, this.paths.generation(built).root, built);
      mkdirSync(this.warehouse.logsDir, { recursive: true });
      for (const log of existsSync(this.paths.logsDir) ? readdirSync(this.paths.logsDir) : []) renameSync(join(this.paths.logsDir, log), this.warehouse.log(log.replace(/\.ndjson$/, '')));
    }
    rmSync(dirname(this.paths.root), { recursive: true, force: true });
  }
}

/** A copy of a directory tree whose files are hard links to the originals. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) {
      try {
        linkSync(join(from, entry.name), join(to, entry.name));
      } catch {
        copyFileSync(join(from, entry.name), join(to, entry.name)); // a file system without hard links
      }
    }
  }
}

/** The sha256 of a load's parts' sha256s in order (one part: its own). */
export function combined(parts: ReadonlyArray<{ sha256: string }>): string {
  return parts.length === 1 ? parts[0].sha256 : sha256Of(Buffer.from(parts.map((p) => p.sha256).join('\n')));
}

const sum = (parts: ReadonlyArray<{ bytes: number }>): number => parts.reduce((a, p) => a + p.bytes, 0);

function readSmallBytesOrFail(file: string): Buffer {
  if (statSync(file).size > RAW_FILE_MAX_BYTES) throw new GdpmrError('SOURCE_INVALID', `${file} is larger than ${RAW_FILE_MAX_BYTES} bytes: no source file is`);
  return readFileSync(file);
}
