// Every message that crosses the thread boundary, in one place. Tasks are plain data (paths,
// offsets, counts), so the same task runs unchanged in this thread or on the pool; results
// are checked with zod when they come back from a worker.
import { z } from 'zod';
import { ColumnIndexSchema, type ColumnIndex } from '../rules/header.js';
import type { RangeScan, TokenizerState } from '../rules/tokenizer.js';
import { REGIONS, REJECT_REASONS, type Region } from '../rules/normalize.js';

const Count = z.number().int().nonnegative();
const ByReason = z.partialRecord(z.enum(REJECT_REASONS), Count);
const ByRegion = z.partialRecord(z.enum(REGIONS), Count);

/** A byte range of the input, cut without regard to records. */
export interface InputSplit {
  chunk: number;
  start: number;
  end: number;
}

interface TaskBase {
  /** 1 on the first try; workers read it only to decide whether an injected fault fires. */
  attempt: number;
}

/**
 * What a task that reads the input checks it reads the coordinator's file: on a worker of the
 * queue the path may show another file (a mount of its own), and a run must fail, not publish it.
 */
export interface InputCheck {
  /** The identity the coordinator recorded (engine/splits.ts identifyInput): checked by queue workers. */
  inputMtimeMs: number;
  inputFingerprint: string;
  /** Return the sha256 of the split's bytes, for the coordinator to compare scan, map and its own view. */
  hashSplit: boolean;
}

/** Learn what a split does to the tokenizer from every start state. */
export interface ScanTask extends TaskBase, InputCheck {
  kind: 'scan';
  inputPath: string;
  /** The input's size when the run started: what a short read is measured against. */
  inputBytes: number;
  split: InputSplit;
}

/** Tokenize, normalise and partition one split's records into sorted per-region runs. */
export interface MapTask extends TaskBase, InputCheck {
  kind: 'map';
  inputPath: string;
  inputBytes: number;
  split: InputSplit;
  /** Tokenizer state at `split.start`, from chaining the scans. */
  startState: TokenizerState;
  /** Physical input line on which `split.start` lies. */
  startLine: number;
  columns: ColumnIndex;
  regionMapPath: string;
  /** The run's --source, for records that name none ('' when none). */
  source: string;
  loadSeq: number;
  /** Directory that holds this task's output once it is complete. */
  outDir: string;
}

/** Merge a region's runs (and, on append, its earlier rows), mark current, load SQLite. */
export interface ReduceTask extends TaskBase {
  kind: 'reduce';
  region: Region;
  runPaths: string[];
  /** The published database of this region, when this load is appended to it. */
  previousDbPath: string | null;
  /** Scratch directory: earlier rows re-sorted, intermediate merge passes. */
  scratchDir: string;
  dbPath: string;
  /** The country map, for the names answers show. */
  regionMapPath: string;
  /** run_id of each load, by load_seq. */
  runIds: string[];
  /** Every source the region's rows can name (this load's and the earlier loads'). */
  sources: string[];
}

/**
 * Index a region's freshly loaded database. A task of its own so that the pool can fit index
 * builds between other regions' loads: five loads on two workers leave one worker idle for
 * the whole last load otherwise.
 */
export interface IndexTask extends TaskBase {
  kind: 'index';
  region: Region;
  dbPath: string;
  /** SQLite helper threads for the index sorts. */
  sorterThreads: number;
}

export type Task = ScanTask | MapTask | ReduceTask | IndexTask;
export type TaskKind = Task['kind'];

const StateSchema = z.number().int().min(0).max(4);
const Path = z.string().min(1);
const Attempt = z.number().int().min(1);
const Split = z.object({ chunk: Count, start: Count, end: Count });
const RegionName = z.enum(REGIONS);
const InputCheckShape = { inputMtimeMs: z.number(), inputFingerprint: z.string(), hashSplit: z.boolean() };

/**
 * Every task as it may arrive from outside this process (a Redis job): checked on arrival, so
 * that a damaged or foreign message fails its task naming the key, not somewhere inside it.
 */
export const TaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('scan'), attempt: Attempt, inputPath: Path, inputBytes: Count, split: Split, ...InputCheckShape }),
  z.object({
    kind: z.literal('map'),
    attempt: Attempt,
    inputPath: Path,
    inputBytes: Count,
    split: Split,
    startState: StateSchema,
    startLine: Count,
    columns: ColumnIndexSchema,
    regionMapPath: Path,
    source: z.string(),
    loadSeq: Count,
    outDir: Path,
    ...InputCheckShape,
  }),
  z.object({
    kind: z.literal('reduce'),
    attempt: Attempt,
    region: RegionName,
    runPaths: z.array(Path),
    previousDbPath: Path.nullable(),
    scratchDir: Path,
    dbPath: Path,
    regionMapPath: Path,
    runIds: z.array(z.string()),
    sources: z.array(z.string()),
  }),
  z.object({ kind: z.literal('index'), attempt: Attempt, region: RegionName, dbPath: Path, sorterThreads: Count }),
]);

const SplitSha256 = z.string().regex(/^[0-9a-f]{64}$/).optional();

export const ScanResultSchema = z.object({
  exitStates: z.array(StateSchema).length(5),
  newlines: Count,
  /** With hashSplit: the sha256 of the split's bytes as this worker read them. */
  splitSha256: SplitSha256,
});
export type ScanResult = RangeScan & { splitSha256?: string };

export const MapResultSchema = z.object({
  records: Count,
  rejected: Count,
  byReason: ByReason,
  byRegion: ByRegion,
  /** Bytes read past the split's end to finish its last record. */
  overreadBytes: Count,
  /** Sources its loaded figures name other than the run's --source: the reduce spells them in the schema. */
  sources: z.array(z.string()),
  /** With hashSplit: the sha256 of the split's bytes (to its end, not the overread) as read. */
  splitSha256: SplitSha256,
});
export type MapResult = z.infer<typeof MapResultSchema>;

export const ReduceResultSchema = z.object({
  rows: Count,
  current: Count,
  superseded: Count,
  runsMerged: Count,
  /** Rows of each source ('' for none). */
  bySource: z.record(z.string(), Count),
});
export type ReduceResult = z.infer<typeof ReduceResultSchema>;

export const IndexResultSchema = z.object({
  indexes: Count,
});
export type IndexResult = z.infer<typeof IndexResultSchema>;

export interface ResultOf {
  scan: ScanResult;
  map: MapResult;
  reduce: ReduceResult;
  index: IndexResult;
}

export const RESULT_SCHEMAS = {
  scan: ScanResultSchema,
  map: MapResultSchema,
  reduce: ReduceResultSchema,
  index: IndexResultSchema,
} as const;

/** What a task works on: its split's chunk number, or its region's name. */
export function taskTarget(task: Task): string {
  return task.kind === 'reduce' || task.kind === 'index' ? task.region.toLowerCase() : String(task.split.chunk);
}

/** Where a task is in the run, for logs and journal lines: `map:3`, `reduce:asia`, `index:asia`. */
export function taskName(task: Task): string {
  return `${task.kind}:${taskTarget(task)}`;
}
