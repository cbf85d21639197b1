// The engine's central promise: the same warehouse whatever the split and the worker count.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { cleanTempDirs, runEngine, snapshot, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

/** A small dirty dump, sometimes with a BOM and sometimes ending inside an open quote. */
const dirtyCsv = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  bytes: fc.integer({ min: 60, max: 3000 }),
  territories: fc.integer({ min: 1, max: 12 }),
  bom: fc.boolean(),
  tail: fc.constantFrom('', '', '', 'Japan,Asia,2024,"5,000', 'Chad,,2020,12\r', '\r\n\n'),
  dirt: fc.constantFrom('low', 'default', 'high' as const),
  // Codes, several spellings per country and sources (SPEC §1's identity), most of the time.
  identity: fc.constantFrom(true, true, true, false),
}).map(({ seed, bytes, territories, bom, tail, dirt, identity }) => {
  const body = [...generateDump(bytes, { seed, territories, dirt, identity })].join('');
  return (bom ? '\ufeff' : '') + body + tail;
});

async function compareWithOneChunk(csv: string, chunkBytes: number, runner: 'inline' | 'pool', workers: number): Promise<void> {
  const dir = tempDir();
  const input = writeInput(dir, 'dump.csv', csv);
  await runEngine(input, `${dir}/whole`, { chunkBytes: 1 << 30 });
  await runEngine(input, `${dir}/split`, { chunkBytes, runner, workers });
  expect(snapshot(`${dir}/split`)).toEqual(snapshot(`${dir}/whole`));
}

describe('same answer whatever the split', () => {
  it('inline: random chunk sizes, 1 byte included', async () => {
    await fc.assert(
      fc.asyncProperty(dirtyCsv, fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 400 })), async (csv, chunkBytes) => {
        await compareWithOneChunk(csv, chunkBytes, 'inline', 1);
      }),
      { numRuns: 40 },
    );
  });

  it('pool: random chunk sizes with 1 and 2 workers', async () => {
    await fc.assert(
      fc.asyncProperty(dirtyCsv, fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 2), async (csv, chunkBytes, workers) => {
        await compareWithOneChunk(csv, chunkBytes, 'pool', workers);
      }),
      { numRuns: 8 },
    );
  });

  it('the counts add up and every record lands in exactly one place', async () => {
    await fc.assert(
      fc.asyncProperty(dirtyCsv, async (csv) => {
        const dir = tempDir();
        const input = writeInput(dir, 'dump.csv', csv);
        const { manifest } = await runEngine(input, `${dir}/w`, { chunkBytes: 97 });
        const s = snapshot(`${dir}/w`);
        const c = manifest.counts;
        const rows = Object.values(s.rows).flat() as Array<{ line: number }>;
        expect(c.records).toBe(c.loaded + c.rejected);
        expect(rows.length).toBe(c.loaded);
        expect(Object.values(c.by_reason).reduce((a, b) => a + (b ?? 0), 0)).toBe(c.rejected);
        expect(Object.values(c.by_region).reduce((a, b) => a + (b ?? 0), 0)).toBe(c.loaded);
        const rejectLines = s.rejects.split('\n').filter((l) => /^\d+,/.test(l)).map((l) => Number(l.split(',')[0]));
        const lines = new Set([...rows.map((r) => r.line), ...rejectLines]);
        expect(lines.size).toBe(c.records);
      }),
      { numRuns: 25 },
    );
  });
});
