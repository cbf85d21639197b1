// The run's journal: one JSON line per finished task, appended after the task's output is
// complete under its final name. --resume trusts a task exactly when its line is here; a
// line torn by a kill is ignored, and the task is simply done again.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { MapResult, ReduceResult, ScanResult } from './messages.js';

export type JournalEntry =
  | { task: 'scan'; chunk: number; result: ScanResult }
  | { task: 'map'; chunk: number; result: MapResult }
  | { task: 'reduce'; region: string; result: ReduceResult }
  | { task: 'index'; region: string }
  | { task: 'staged' };

export class Journal {
  private constructor(
    private readonly path: string,
    readonly entries: JournalEntry[],
  ) {}

  static open(path: string): Journal {
    const entries: JournalEntry[] = [];
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      // Start appending on a fresh line, after any torn one.
      if (text !== '' && !text.endsWith('\n')) appendFileSync(path, '\n');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          entries.push(JSON.parse(line) as JournalEntry);
        } catch {
          // The torn last line of a killed run.
        }
      }
    }
    return new Journal(path, entries);
  }

  record(entry: JournalEntry): void {
    this.entries.push(entry);
    appendFileSync(this.path, JSON.stringify(entry) + '\n');
  }

  scans(): Map<number, ScanResult> {
    const out = new Map<number, ScanResult>();
    for (const e of this.entries) if (e.task === 'scan') out.set(e.chunk, e.result);
    return out;
  }

  maps(): Map<number, MapResult> {
    const out = new Map<number, MapResult>();
    for (const e of this.entries) if (e.task === 'map') out.set(e.chunk, e.result);
    return out;
  }

  reduces(): Map<string, ReduceResult> {
    const out = new Map<string, ReduceResult>();
    for (const e of this.entries) if (e.task === 'reduce') out.set(e.region, e.result);
    return out;
  }

  /** Regions whose loaded database has its indexes. */
  indexed(): Set<string> {
    return new Set(this.entries.flatMap((e) => (e.task === 'index' ? [e.region] : [])));
  }

  has(task: 'staged'): boolean {
    return this.entries.some((e) => e.task === task);
  }
}
