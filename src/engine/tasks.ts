// The three task handlers. They do the I/O around the pure SPEC functions and nothing else:
// read a byte range, write runs and reject rows, load a database. Both runners call these
// same functions, the inline runner in this thread and the pool through workers/tasks.ts.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorText } from '../errors.js';
import { replaceWhole, writeFully } from '../fs.js';
import { mapOutputFiles } from '../store/layout.js';
import { CurrentMarker, encodeFact, encodeFactLine, keyHash, loadSeqText, readFact, type FactLine } from '../rules/current.js';
import { mapBuffers } from '../map/buffers.js';
import { factKey, normalizeFigure, splitFactKey, type Region, type RejectReason } from '../rules/normalize.js';
import { appendPlainFigure, SeenSources } from '../map/plain-record.js';
import { PlainLookup } from '../map/plain-lookup.js';
import { loadRegionMap } from '../store/region-map-file.js';
import type { RegionMap } from '../rules/regions.js';
import { fieldText, readRecord, RecordLayout, scanRange, skipToRecordStart } from '../rules/tokenizer.js';
import { indexRegionDb } from '../store/region-db/indexes.js';
import { readAllFigures } from '../store/region-db/read.js';
import { RegionDbWriter } from '../store/region-db/writer.js';
import { encodeRejectRow } from '../store/rejects.js';
import { mergeRuns, writeRun } from '../store/spill.js';
import type { IndexResult, IndexTask, MapResult, MapTask, ReduceResult, ReduceTask, ScanResult, ScanTask } from './messages.js';

const SCAN_BLOCK_BYTES = 1024 * 1024;
/** How much more to read at a time when a split's last record runs past its end. */
const OVERREAD_STEP_BYTES = 64 * 1024;
/** Earlier rows re-sorted per run on append: bounds a reduce task's memory. */
const PREVIOUS_ROWS_PER_RUN = 50_000;

export function scan(task: ScanTask): ScanResult {
  const { start, end } = task.split;
  const fd = openSync(task.inputPath, 'r');
  try {
    const block = Buffer.allocUnsafe(Math.min(SCAN_BLOCK_BYTES, Math.max(1, end - start)));
    let exitStates = [0, 1, 2, 3, 4] as ScanResult['exitStates'];
    let newlines = 0;
    const hash = task.hashSplit ? createHash('sha256') : null;
    for (let at = start; at < end; ) {
      const n = readSync(fd, block, 0, Math.min(block.length, end - at), at);
      if (n === 0) throw inputShrank(task.inputPath, task.inputBytes, at);
      hash?.update(block.subarray(0, n));
      const part = scanRange(block, 0, n);
      // Compose: entering this block in state s leaves it in part.exitStates[s].
      exitStates = exitStates.map((s) => part.exitStates[s]) as ScanResult['exitStates'];
      newlines += part.newlines;
      at += n;
    }
    return hash === null ? { exitStates, newlines } : { exitStates, newlines, splitSha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

const regionMaps = new Map<string, { map: RegionMap; plain: PlainLookup }>();
function loadedMap(path: string): { map: RegionMap; plain: PlainLookup } {
  let loaded = regionMaps.get(path);
  if (loaded === undefined) {
    const map = loadRegionMap(path);
    loaded = { map, plain: new PlainLookup(map.names(), map.codes()) };
    regionMaps.set(path, loaded);
  }
  return loaded;
}
const regionMap = (path: string): RegionMap => loadedMap(path).map;

export function map(task: MapTask): MapResult {
  const { split, columns } = task;
  const { map: regions, plain: plainRegions } = loadedMap(task.regionMapPath);
  const fd = openSync(task.inputPath, 'r');
  let bytes = mapBuffers.splitBuffer(split.end - split.start);
  let loaded: number;
  try {
    loaded = readFully(fd, bytes, 0, split.end - split.start, split.start);
    if (loaded < split.end - split.start) throw inputShrank(task.inputPath, task.inputBytes, split.start + loaded);
    const splitLength = loaded;
    const splitSha256 = task.hashSplit ? createHash('sha256').update(bytes.subarray(0, splitLength)).digest('hex') : undefined;
    const first = skipToRecordStart(bytes, 0, splitLength, task.startState);
    const runs = mapBuffers.runs();
    const loadSeq = loadSeqText(task.loadSeq);
    const loadSeqBytes = Buffer.from(loadSeq, 'latin1');
    const runSourceBytes = Buffer.from(task.source, 'latin1');
    const seen = new SeenSources();
    const rejectRows: Buffer[] = [];
    const byReason: Partial<Record<RejectReason, number>> = {};
    let records = 0;
    let rejected = 0;
    const layout = new RecordLayout();
    let line = task.startLine + first.newlines;
    let pos = first.offset;
    const reject = (reason: RejectReason): void => {
      rejected++;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      rejectRows.push(encodeRejectRow(line, reason, bytes.subarray(layout.start, layout.textEnd)));
    };
    // A record belongs to the split it starts in, however far it runs past the split's end.
    while (pos >= 0 && pos < splitLength) {
      const atEof = split.start + loaded >= task.inputBytes;
      if (!readRecord(bytes, pos, loaded, atEof, layout)) {
        // Read past the split's end in steps that double, so a huge quoted field costs
        // few re-tokenizations of its record.
        const more = Math.max(OVERREAD_STEP_BYTES, loaded - splitLength);
        if (loaded + more > bytes.length) {
          const grown = Buffer.allocUnsafe(loaded + more);
          bytes.copy(grown, 0, 0, loaded);
          bytes = mapBuffers.keep(grown);
        }
        const want = Math.min(more, task.inputBytes - split.start - loaded);
        const got = readFully(fd, bytes, loaded, want, split.start + loaded);
        // A read that cannot progress would retry for ever: the input shrank under the run.
        if (got < want || want <= 0) throw inputShrank(task.inputPath, task.inputBytes, split.start + loaded + got);
        loaded += got;
        continue;
      }
      if (!layout.blank) {
        records++;
        if (layout.malformed || layout.fieldCount !== columns.width) {
          reject('malformed_row');
        } else if (!appendPlainFigure(bytes, layout, columns, plainRegions, runSourceBytes, loadSeqBytes, line, runs, seen)) {
          // Anything to clean, missing or wrong: the SPEC's rules on strings decide.
          const result = normalizeFigure(
            {
              country: fieldText(bytes, layout, columns.country),
              year: fieldText(bytes, layout, columns.year),
              gdpUsdMillion: fieldText(bytes, layout, columns.gdpUsdMillion),
              region: columns.region < 0 ? undefined : fieldText(bytes, layout, columns.region),
              published: columns.published < 0 ? undefined : fieldText(bytes, layout, columns.published),
              countryCode: columns.countryCode < 0 ? undefined : fieldText(bytes, layout, columns.countryCode),
              source: columns.source < 0 ? undefined : fieldText(bytes, layout, columns.source),
              estimatesStartAfter: columns.estimatesStartAfter < 0 ? undefined : fieldText(bytes, layout, columns.estimatesStartAfter),
            },
            regions,
            task.source,
          );
          if (!result.ok) {
            reject(result.reason);
          } else {
            const f = result.figure;
            if (f.source !== task.source) seen.note(f.source);
            const key = factKey(f.source, f.identity);
            const hash = keyHash(key);
            runs.of(f.region).appendText(hash, encodeFactLine(hash, key, f.year, f.published, loadSeq, line, f.estimatesStartAfter, f.country, String(f.gdpUsdMillion)));
          }
        }
      }
      line += layout.newlines;
      pos = layout.next;
    }
    // Write everything under a temporary name and rename it whole: a map output either
    // exists complete or not at all, which is what --resume relies on.
    const byRegion: Partial<Record<Region, number>> = {};
    replaceWhole(task.outDir, (tmpDir) => {
      mkdirSync(tmpDir, { recursive: true });
      const files = mapOutputFiles(tmpDir);
      for (const [region, run] of runs.byRegion) {
        if (run.count === 0) continue;
        const fd = openSync(files.run(region), 'w');
        try {
          run.writeSortedRun((block) => writeFully(fd, block, files.run(region)));
        } finally {
          closeSync(fd);
        }
        byRegion[region] = run.count;
      }
      writeFileSync(files.rejects, Buffer.concat(rejectRows));
    });
    seen.names.delete(task.source);
    return { records, rejected, byReason, byRegion, overreadBytes: Math.max(0, loaded - splitLength), sources: [...seen.names].sort(), ...(splitSha256 === undefined ? {} : { splitSha256 }) };
  } finally {
    closeSync(fd);
  }
}

function inputShrank(path: string, expected: number, at: number): Error {
  return new Error(`INPUT ${path} changed while the run read it: it had ${expected} bytes when the run started, but reading stopped at byte ${at}; the input must not change while a run reads it`);
}

function readFully(fd: number, into: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function reduce(task: ReduceTask): ReduceResult {
  mapBuffers.release();
  rmSync(task.scratchDir, { recursive: true, force: true });
  mkdirSync(task.scratchDir, { recursive: true });
  const inputRuns = [...task.runPaths];
  if (task.previousDbPath !== null && existsSync(task.previousDbPath)) {
    try {
      inputRuns.push(...respillPrevious(task.previousDbPath, task.scratchDir, task.runIds));
    } catch (error) {
      // Name the earlier database: SQLite's own message ("file is not a database") does not.
      throw new Error(`the warehouse's ${task.previousDbPath} cannot be read (${errorText(error, 300)}); \`gdpmr verify\` tells more`);
    }
  }
  rmSync(task.dbPath, { force: true });
  const countries = regionMap(task.regionMapPath);
  const writer = new RegionDbWriter(task.dbPath, task.region, task.runIds, task.sources);
  let current = 0;
  try {
    const f: FactLine = { factKey: '', year: 0, published: null, loadSeq: 0, line: 0, estimatesStartAfter: null, country: '', gdpUsdBillion: 0 };
    // A country's lines arrive together: its key's parts and name are worked out once.
    let heldKey = '';
    let key = splitFactKey(':');
    let name: string | null = null;
    const marker = new CurrentMarker((fact) => {
      if (fact.isCurrent) current++;
      readFact(fact.text, f);
      if (f.factKey !== heldKey) {
        heldKey = f.factKey;
        key = splitFactKey(heldKey);
        name = key.code === null ? null : (countries.nameOfCode(key.code) ?? null);
      }
      writer.addValues(f.country, name, key.source, key.identity, f.year, f.gdpUsdBillion, f.published, f.line, fact.isCurrent, fact.isLatest, f.loadSeq, fact.validTo, fact.latestFrom, fact.latestTo, fact.isProjection, f.estimatesStartAfter);
    });
    mergeRuns(inputRuns, (text) => marker.push(text), task.scratchDir);
    marker.finish();
    writer.finish(marker.hullsWithGaps);
  } catch (error) {
    writer.abandon();
    rmSync(task.dbPath, { force: true });
    throw error;
  }
  rmSync(task.scratchDir, { recursive: true, force: true });
  return { rows: writer.rows, current, superseded: writer.rows - current, runsMerged: inputRuns.length, bySource: writer.rowsBySource };
}

export function index(task: IndexTask): IndexResult {
  mapBuffers.release();
  return { indexes: indexRegionDb(task.dbPath, task.sorterThreads) };
}

/**
 * An appended load recomputes current figures across loads, so the earlier rows join the
 * merge: they are read back in batches, each sorted into a run like a map task's.
 */
function respillPrevious(dbPath: string, scratchDir: string, runIds: readonly string[]): string[] {
  const paths: string[] = [];
  for (const batch of readAllFigures(dbPath, PREVIOUS_ROWS_PER_RUN)) {
    const lines = batch.map((row) => {
      if (runIds[row.load_seq] !== row.run_id) {
        throw new Error(`${dbPath}: row of load ${row.load_seq} has run_id ${row.run_id}, but the manifest lists ${runIds[row.load_seq]}`);
      }
      return encodeFact({
        factKey: factKey(row.source, row.country_key),
        year: row.year,
        published: row.published,
        loadSeq: row.load_seq,
        line: row.line,
        estimatesStartAfter: row.estimates_start_after,
        country: row.country,
        gdpUsdBillion: row.gdp_usd_billion,
      });
    });
    lines.sort();
    const path = join(scratchDir, `previous-${paths.length}.run`);
    writeRun(path, lines);
    paths.push(path);
  }
  return paths;
}

export const HANDLERS = { scan, map, reduce, index } as const;
