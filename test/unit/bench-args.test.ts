// The bench scripts' options: made from a definition by the machinery of every gdpmr command. A
// benchmark started by mistake runs for minutes, so a wrong or asked-for-help command line must
// stop before any work.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flag, text } from '../../src/command-line.js';
import { benchOptions, runsFlag } from '../../bench/common.js';

const DEFINITION = {
  name: 'npm run bench --',
  description: 'A benchmark.',
  positionals: [{ name: 'rows', placeholder: 'ROWS', help: 'rows', kind: text('ROWS', (v: string) => (/^[0-9]+$/.test(v) ? undefined : `ROWS must be a whole number, got "${v}"`)) }],
  flags: { repeat: runsFlag(100, 1, 'runs of each setting'), noDuckdb: { kind: flag, help: 'leave DuckDB out' } },
};

/** benchOptions on `args`: what it returned, or the exit code it stopped with and what it wrote. */
function check(args: string[]): { options?: unknown; code?: number; out: string; err: string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => ((out += String(text)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => ((err += String(text)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw Object.assign(new Error('exit'), { exitCode: code });
  });
  try {
    return { options: benchOptions(DEFINITION, args), out, err };
  } catch (error) {
    return { code: (error as { exitCode: number }).exitCode, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('benchOptions', () => {
  it('gives the flags, values and positional arguments a script takes, defaults filled in', () => {
    expect(check(['--repeat', '3', '--no-duckdb', '1000']).options).toEqual({ positionals: { rows: '1000' }, repeat: 3, noDuckdb: true });
    expect(check([]).options).toEqual({ positionals: { rows: undefined }, repeat: 1, noDuckdb: false });
  });

  it('prints the page for --help and -h and exits 0', () => {
    for (const help of ['--help', '-h']) {
      const r = check(['--repeat', '3', help]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^npm run bench -- \[ROWS\] \[--repeat N\] \[--no-duckdb\]\n\nA benchmark\./);
    }
  });

  it('exits 2 naming an unknown flag (with the nearest), a flag without its value, or a count out of range', () => {
    const unknown = check(['--repet', '2']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Unknown option '--repet'");
    expect(unknown.err).toContain('--repeat');
    expect(unknown.err).toContain('usage: npm run bench -- [ROWS] [--repeat N] [--no-duckdb]');
    expect(check(['--repeat']).code).toBe(2);
    for (const bad of ['abc', '0', '-3', '2.5', '101']) {
      const r = check(['--repeat', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err).toMatch(/^--repeat must be (a whole number from 1 to 100|at most 100)/);
    }
    expect(check(['abc']).err).toContain('ROWS must be a whole number, got "abc"');
  });
});

describe("bench's recommendation", () => {
  const result = (chunk: number, workers: number, median: number, rss: number) => ({ chunk_bytes: chunk, workers, median_ms: median, mb_per_s: 1000 / median, peak_rss_mb: rss, stages: {} });
  it('calls a setting best only when it beats every other beyond their spread; else names those equal within noise', async () => {
    const { recommendation } = await import('../../src/commands/bench.js');
    const apart = recommendation([result(1 << 20, 2, 100, 50), result(8 << 20, 2, 150, 60)], [{ min: 95, max: 105 }, { min: 140, max: 160 }], 3);
    expect(apart).toMatch(/^best: --chunk-size 1MB --workers 2 .* faster in every run than any other setting$/);
    const noisy = recommendation([result(1 << 20, 2, 100, 50), result(8 << 20, 2, 104, 60)], [{ min: 90, max: 115 }, { min: 98, max: 120 }], 3);
    expect(noisy).toContain('equal within noise (their runs overlap) to --chunk-size 8MB --workers 2');
  });
  it('suggests the setting within 5 % of the fastest that uses least memory', async () => {
    const { recommendation } = await import('../../src/commands/bench.js');
    const r = recommendation([result(64 << 20, 2, 100, 400), result(4 << 20, 2, 104, 150), result(1 << 20, 1, 200, 90)], [{ min: 99, max: 101 }, { min: 103, max: 105 }, { min: 190, max: 210 }], 3);
    expect(r).toContain('within 5 % of it, --chunk-size 4MB --workers 2 uses least memory (150 MB against 400 MB)');
  });
});
