// Shared test plumbing: temporary directories, running the engine or the CLI, and reading a
// warehouse back as plain data so two warehouses can be compared row for row.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { DEFAULTS } from '../src/defaults.js';
import type { RunRequest } from '../src/engine/request.js';
import { runJob } from '../src/engine/run.js';
import { readManifest } from '../src/store/manifest.js';
import { REGIONS, regionFileName } from '../src/rules/normalize.js';
import { existsSync } from 'node:fs';
import { VIEW_COLUMNS } from '../src/store/region-db/schema.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const DATA = join(ROOT, 'data');
export const WIKIPEDIA = join(DATA, 'wikipedia_imf_2025-01-07.csv');
export const IMF = join(DATA, 'imf_weo_2024-10_ngdpd.csv');
export const CLI = join(ROOT, 'bin', 'gdpmr.js');

const made: string[] = [];
export function tempDir(prefix = 'gdpmr-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function cleanTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeInput(dir: string, name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export async function runEngine(inputPath: string, outDir: string, overrides: Partial<RunRequest> = {}) {
  return runJob({
    inputPath,
    outDir,
    chunkBytes: DEFAULTS.chunkBytes,
    workers: 1,
    regionMapPath: DEFAULTS.regionMap,
    append: false,
    resume: false,
    runner: 'inline',
    // The engine's answer for any dump, an empty load too (the CLI's refusal is tested as such).
    allowEmpty: true,
    ...overrides,
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    // As typed in a shell (not through npx, which the suite itself may run under): the
    // commands gdpmr suggests are spelled `gdpmr ...` unless a test asks otherwise.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, npm_command: '', ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A warehouse as plain data: every row (run ids aside), the rejects bytes and the counts. */
export function snapshot(dir: string, { withRunIds = false } = {}) {
  const manifest = readManifest(join(dir, 'manifest.json'));
  const rows: Record<string, unknown[]> = {};
  const indexes: Record<string, string[]> = {};
  for (const region of REGIONS) {
    const path = join(dir, 'regions', `${regionFileName(region)}.sqlite`);
    if (!existsSync(path)) continue;
    const db = new Database(path, { readonly: true });
    const columns = VIEW_COLUMNS.filter((c) => withRunIds || c !== 'run_id').join(', ');
    rows[region] = db.prepare(`SELECT ${columns} FROM gdp ORDER BY load_seq, line`).all();
    indexes[region] = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    db.close();
  }
  return { rows, indexes, rejects: readFileSync(join(dir, 'rejects.csv'), 'utf8'), counts: manifest.counts };
}

/** Waits until `check` holds, polling every `everyMs`; fails naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 60_000, what = 'the condition', everyMs = 20): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The journal lines of every unfinished run in the warehouse at `out`, parsed. */
export function journalEntries(out: string): Array<Record<string, unknown>> {
  const runs = join(out, '.runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs).flatMap((run) => {
    const journal = join(runs, run, 'journal.ndjson');
    if (!existsSync(journal)) return [];
    return readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return []; // a line cut by a kill
        }
      });
  });
}

/** A message meant for a person: no stack trace, no "[object Object]". */
export function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('[object Object]');
}

/** A warehouse of the Wikipedia snapshot alone, in a directory of its own. */
export async function builtWarehouse(): Promise<string> {
  const out = join(tempDir(), 'w');
  expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
  return out;
}

/**
 * The warehouse the sql, report and export tests read: the IMF's figures, a second vintage of
 * a few of them (revisions and superseded rows), and the Wikipedia page.
 */
export async function threeLoadWarehouse(): Promise<string> {
  const out = join(tempDir(), 'w');
  expect((await cli(['run', IMF, '--out', out])).code).toBe(0);
  const revised = 'country,year,gdp_usd_million,published\nGermany,2024,"4,800,000",2025-04-22\nJapan,2024,"4,000,000",2025-04-22\nNigeria,2030,"300,000",2025-04-22\n';
  expect((await cli(['run', writeInput(tempDir(), 'apr.csv', revised), '--out', out, '--append'])).code).toBe(0);
  expect((await cli(['run', WIKIPEDIA, '--out', out, '--append'])).code).toBe(0);
  return out;
}

/** A command's JSON answer, after checking it succeeded and said nothing on stderr. */
export async function jsonAnswer(args: string[]): Promise<any> {
  const r = await cli(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

