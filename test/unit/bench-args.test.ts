// The bench scripts' argument check: a benchmark started by mistake runs for minutes, so a
// wrong or asked-for-help command line must stop before any work.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchArgs } from '../../bench/common.js';

const USAGE = 'npm run bench -- [--repeat N] [--no-duckdb] [ROWS]';
const FLAGS = { values: ['--repeat'], switches: ['--no-duckdb'], positional: /^[0-9]+$/ };

/** benchArgs on `args`: what it returned, or the exit code it stopped with and what it wrote. */
function check(args: string[]): { args?: string[]; code?: number; out: string; err: string } {
  const argv = process.argv;
  process.argv = ['node', 'script.js', ...args];
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => ((out += String(text)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((text) => ((err += String(text)), true));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw Object.assign(new Error('exit'), { exitCode: code });
  });
  try {
    return { args: benchArgs(USAGE, FLAGS), out, err };
  } catch (error) {
    return { code: (error as { exitCode: number }).exitCode, out, err };
  } finally {
    process.argv = argv;
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('benchArgs', () => {
  it('passes the flags, values and positional arguments a script takes', () => {
    expect(check(['--repeat', '3', '--no-duckdb', '1000'])).toEqual({ args: ['--repeat', '3', '--no-duckdb', '1000'], out: '', err: '' });
    expect(check([]).args).toEqual([]);
  });

  it('prints the usage for --help and -h and exits 0', () => {
    for (const help of ['--help', '-h']) expect(check(['--repeat', '3', help])).toEqual({ code: 0, out: `usage: ${USAGE}\n`, err: '' });
  });

  it('exits 2 naming an unknown argument, or a flag without its value', () => {
    const unknown = check(['--scenario', '1GB']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(`unknown argument "--scenario"\nusage: ${USAGE}\n`);
    expect(check(['abc']).code).toBe(2);
    for (const args of [['--repeat'], ['--repeat', '--no-duckdb']]) {
      const r = check(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^--repeat must be followed by a value, got (nothing|--no-duckdb)\n/);
    }
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

describe("the bench scripts' counts", () => {
  it('a count that is not a whole number in range stops the script (exit 2) before any work', async () => {
    const { countOption } = await import('../../bench/common.js');
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(countOption(['--rounds', '7'], '--rounds', 31, 1000)).toBe(7);
      expect(countOption([], '--rounds', 31, 1000)).toBe(31);
      for (const bad of ['abc', '0', '-3', '2.5', '99999']) expect(() => countOption(['--rounds', bad], '--rounds', 31, 1000)).toThrow('exit 2');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
