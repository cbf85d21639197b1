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
