// Random byte damage through the CLI: dumps, region maps, manifests and region databases.
// Whatever the damage, gdpmr exits 0, 1 or 2, never prints a stack trace, never hangs, and
// whenever it exits 0 after a run, every record is loaded or rejected.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, DATA, tempDir, WIKIPEDIA } from '../helpers.js';

afterAll(cleanTempDirs);

const RUNS = 12;
const mutation = fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constantFrom('flip', 'zero', 'cut', 'insert'), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 });

function mutate(bytes: Buffer, steps: Array<{ at: number; kind: string; byte: number }>): Buffer {
  let b = Buffer.from(bytes);
  for (const s of steps) {
    if (b.length === 0) break;
    const i = Math.min(b.length - 1, Math.floor(s.at * b.length));
    if (s.kind === 'flip') b[i] ^= s.byte || 1;
    else if (s.kind === 'zero') b.fill(0, i, Math.min(b.length, i + 64));
    else if (s.kind === 'cut') b = b.subarray(0, i);
    else b = Buffer.concat([b.subarray(0, i), Buffer.from([s.byte, 0x22, 0x0a, 0x2c]), b.subarray(i)]);
  }
  return b;
}

function expectSane(r: { code: number; stderr: string }): void {
  expect([0, 1, 2]).toContain(r.code);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|\[object Object\]|FATAL/);
}

function expectCountsAddUp(out: string): void {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  expect(m.counts.records).toBe(m.counts.loaded + m.counts.rejected);
}

let base: string;
beforeAll(async () => {
  base = join(tempDir(), 'base');
  expect((await cli(['run', WIKIPEDIA, '--out', base])).code).toBe(0);
});

describe('random damage never gives a stack trace, a hang or a lost record', () => {
  it('damaged dumps', async () => {
    const original = readFileSync(WIKIPEDIA);
    await fc.assert(
      fc.asyncProperty(mutation, async (steps) => {
        const dir = tempDir();
        const input = join(dir, 'd.csv');
        writeFileSync(input, mutate(original, steps));
        const r = await cli(['run', input, '--out', join(dir, 'w'), '--chunk-size', '1KB', '--workers', '2']);
        expectSane(r);
        if (r.code === 0) expectCountsAddUp(join(dir, 'w'));
      }),
      { numRuns: RUNS, seed: 9 },
    );
  });

  it('damaged region maps', async () => {
    const original = readFileSync(join(DATA, 'un_regions.csv'));
    await fc.assert(
      fc.asyncProperty(mutation, async (steps) => {
        const dir = tempDir();
        const map = join(dir, 'm.csv');
        writeFileSync(map, mutate(original, steps));
        const r = await cli(['run', WIKIPEDIA, '--out', join(dir, 'w'), '--regions', map]);
        expectSane(r);
        if (r.code === 0) expectCountsAddUp(join(dir, 'w'));
      }),
      { numRuns: RUNS, seed: 10 },
    );
  });

  it('damaged manifests and region databases: queries, verify and append', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom('manifest.json', 'regions/asia.sqlite', 'regions/europe.sqlite', 'rejects.csv'), fc.constantFrom('query', 'verify', 'append'), async (steps, file, action) => {
        const out = join(tempDir(), 'w');
        cpSync(base, out, { recursive: true, verbatimSymlinks: true });
        const path = join(out, '.current', file);
        writeFileSync(path, mutate(readFileSync(path), steps));
        const args =
          action === 'query' ? ['query', 'top5', '--warehouse', out, '--json'] : action === 'verify' ? ['verify', '--warehouse', out] : ['run', WIKIPEDIA, '--out', out, '--append'];
        const r = await cli(args);
        expectSane(r);
        if (action === 'append' && r.code === 0) {
          expectCountsAddUp(out);
          expect((await cli(['verify', '--warehouse', out])).code).toBe(0);
        }
      }),
      { numRuns: RUNS * 2, seed: 11 },
    );
  });
});
