// `gdpmr status` (SPEC §12): what each source of the sources file holds and whether it went
// stale, read from DIR/refresh.ndjson and the manifest's loads; `--check` for cron.
import { readFileSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand, flag } from '../command-line.js';
import { FLAGS } from '../config.js';
import { table } from '../format.js';
import type { Output } from '../output.js';
import { readPublished, WarehousePaths } from '../store/layout.js';
import type { Load } from '../store/manifest.js';
import { readSources, SOURCES_FLAG, type Outcome } from './refresh.js';
import { refreshRecordOf, type RefreshRecord } from './refresh-loads.js';

export const COMMAND = defineCommand({
  name: 'gdpmr status',
  description: `Shows, for each source of the sources file: when it was last checked and with what outcome,
when it last loaded new figures, the latest published date it loaded, its last load's records,
economies and rejects, the change against the load before, whether it is stale (not loaded for
longer than its every_days, or never) and its warnings; then the warehouse's loads, rows and size.`,
  flags: {
    warehouse: { ...FLAGS.warehouse, help: 'the warehouse' },
    sources: SOURCES_FLAG,
    json: FLAGS.json,
    check: { kind: flag, help: 'exit 1 when a source is stale, failed its last refresh or has warnings' },
  },
});

interface SourceStatus {
  name: string;
  kind: string;
  last_checked: string | null;
  last_status: string | null;
  last_changed: string | null;
  published: string | null;
  rows: number | null;
  economies: number | null;
  rejected: number | null;
  rows_change_pct: number | null;
  gone: string[];
  new: string[];
  stale: boolean;
  warnings: string[];
}

function readOutcomes(path: string): Outcome[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      return line.trim() === '' ? [] : [JSON.parse(line) as Outcome];
    } catch {
      return []; // a line cut by a kill: the others still count
    }
  });
}

/** Bytes under `dir`, links not followed. */
function sizeOf(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    const s = lstatSync(p);
    total += s.isDirectory() ? sizeOf(p) : s.isFile() ? s.size : 0;
  }
  return total;
}

const DAY_MS = 86_400_000;

export async function statusCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const paths = new WarehousePaths(o.warehouse);
  const sources = readSources(o.sources, paths.root);
  let manifest = null;
  try {
    manifest = readPublished(paths);
  } catch {
    manifest = null; // a damaged warehouse: the refresh log still says what happened
  }
  const outcomes = readOutcomes(join(paths.root, 'refresh.ndjson'));
  const now = Date.now();
  // One pass over the loads: each source's refresh loads, oldest first, with when each finished.
  const bySource = new Map<string, Array<{ record: RefreshRecord; finished: string; published: string }>>();
  for (const l of manifest?.loads ?? ([] as Load[])) {
    const record = refreshRecordOf(l);
    if (record === undefined) continue;
    const published = typeof l.source?.published === 'string' ? l.source.published : '';
    const mine = bySource.get(record.name) ?? [];
    mine.push({ record, finished: l.finished_at, published });
    bySource.set(record.name, mine);
  }
  const statuses: SourceStatus[] = sources.map((s) => {
    const mine = outcomes.filter((x) => x.source === s.name);
    const lastOutcome = mine.at(-1);
    const loads = bySource.get(s.name) ?? [];
    const last = loads.at(-1)?.record;
    const changed = loads.at(-1)?.finished ?? null;
    const published = loads.map((l) => l.published).sort().at(-1) ?? null;
    return {
      name: s.name,
      kind: s.kind,
      last_checked: lastOutcome?.time ?? null,
      last_status: lastOutcome?.status ?? null,
      last_changed: changed,
      published: published === '' ? null : published,
      rows: last?.records ?? null,
      economies: last?.economies.length ?? null,
      rejected: last?.rejected ?? null,
      rows_change_pct: last?.rows_change_pct ?? null,
      gone: last?.gone ?? [],
      new: last?.new ?? [],
      stale: changed === null || now - Date.parse(changed) > s.every_days * DAY_MS,
      warnings: lastOutcome?.warnings ?? [],
    };
  });
  const warehouse = { loads: manifest?.loads.length ?? 0, rows: manifest?.counts.loaded ?? 0, bytes: sizeOf(paths.root) };
  if (o.json) out.stdout(JSON.stringify({ query: 'status', sources: statuses, warehouse }));
  else {
    const day = (t: string | null): string => (t === null ? 'never' : t.slice(0, 10));
    out.stdout(
      table(
        ['source', 'kind', 'checked', 'outcome', 'changed', 'published', 'rows', 'economies', 'rejected', 'change', 'stale', 'warnings'],
        statuses.map((s) => [s.name, s.kind, day(s.last_checked), s.last_status ?? '-', day(s.last_changed), s.published ?? '-', s.rows === null ? '-' : String(s.rows), s.economies === null ? '-' : String(s.economies), s.rejected === null ? '-' : String(s.rejected), s.rows_change_pct === null ? '-' : `${s.rows_change_pct >= 0 ? '+' : ''}${s.rows_change_pct} %`, s.stale ? 'STALE' : 'no', s.warnings.length === 0 ? '-' : s.warnings.join('; ')]),
        [],
      ) + `\nwarehouse ${o.warehouse}: ${warehouse.loads} loads, ${warehouse.rows} rows, ${(warehouse.bytes / 1024 / 1024).toFixed(1)} MB on disk`,
    );
  }
  if (o.check) {
    const bad = statuses.filter((s) => s.stale || s.last_status === 'failed' || s.warnings.length > 0);
    if (bad.length > 0) {
      out.stderr(`gdpmr: ${bad.map((s) => `${s.name} ${[s.stale ? 'is stale' : '', s.last_status === 'failed' ? 'failed its last refresh' : '', s.warnings.length > 0 ? 'has warnings' : ''].filter((x) => x !== '').join(', ')}`).join('; ')}`);
      return 1;
    }
  }
  return 0;
}
