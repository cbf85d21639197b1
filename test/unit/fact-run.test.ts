import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFact, keyHash, type FactLine } from '../../src/rules/current.js';
import { FactRunBuffer } from '../../src/map/fact-run.js';

const runOf = (entries: Array<[hash: number, line: string]>): string => {
  const run = new FactRunBuffer();
  for (const [hash, line] of entries) run.appendText(hash, line);
  return sortedRun(run).toString('utf8');
};
/** The run's blocks, copied as they come (each is only valid during its call). */
const sortedRun = (run: FactRunBuffer): Buffer => {
  const blocks: Buffer[] = [];
  run.writeSortedRun((block) => blocks.push(Buffer.from(block)));
  return Buffer.concat(blocks);
};
const plainOrder = (lines: string[]): string => [...lines].sort().map((l) => `${l}\n`).join('');

describe('a region run of one map task', () => {
  it('holds its lines in the plain string order the merge compares in', () => {
    const figure: fc.Arbitrary<FactLine> = fc.record({
      factKey: fc.constantFrom(':japan', 'imf:JPN', 'imf:chad', ':côte d’ivoire', 'un:niger', ':nigeria', ':a', ':', ':\u{10000}x', ':\ue000x'),
      year: fc.integer({ min: 1990, max: 2030 }),
      published: fc.option(fc.constantFrom('2023-04-11', '2024-10-22'), { nil: null }),
      loadSeq: fc.integer({ min: 0, max: 3 }),
      line: fc.integer({ min: 2, max: 10_000 }),
      country: fc.constantFrom('X', 'Ünïcode'),
      gdpUsdBillion: fc.constant(1),
    });
    fc.assert(
      fc.property(fc.uniqueArray(figure, { maxLength: 80, selector: (f) => f.line }), (figures) => {
        const lines = figures.map(encodeFact);
        expect(runOf(figures.map((f, i) => [keyHash(f.factKey), lines[i]]))).toBe(plainOrder(lines));
      }),
      { numRuns: 200 },
    );
  });

  it('orders lines whose hashes collide by their text, UTF-16 order included', () => {
    // Hand-made lines sharing one hash, as colliding keys would. U+10000 is written with
    // surrogates (D800…) that sort before U+E000 in a string, though its UTF-8 bytes sort after.
    const lines = ['00000007\tzeta\t2020', '00000007\t\ue000\t2020', '00000001\tbeta\t1999', '00000007\talpha\t2020', '00000007\t\u{10000}\t2020', '00000007\talpha\t2021'];
    const hashes = [7, 7, 1, 7, 7, 7];
    expect(runOf(lines.map((line, i) => [hashes[i], line]))).toBe(plainOrder(lines));
  });

  it('grows past its first buffer without losing a line', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${String(i % 97).padStart(8, '0')}\tcountry ${i % 97}\t${1900 + (i % 200)}\t${'x'.repeat(i % 50)}`);
    expect(runOf(lines.map((line, i) => [i % 97, line]))).toBe(plainOrder(lines));
  });

  it('hands out a long run in blocks, a line longer than a block included', () => {
    const lines = Array.from({ length: 12_000 }, (_, i) => `${String(i % 500).padStart(8, '0')}\tland ${i % 500}\t${1900 + (i % 200)}\t${i}`);
    lines.push(`00000007\t${'x'.repeat(300_000)}\t2000`);
    const run = new FactRunBuffer();
    let blocks = 0;
    lines.forEach((line, i) => run.appendText(i === lines.length - 1 ? 7 : i % 500, line));
    const out: Buffer[] = [];
    run.writeSortedRun((block) => {
      blocks++;
      out.push(Buffer.from(block));
    });
    expect(blocks).toBeGreaterThan(3);
    expect(Buffer.concat(out).toString('utf8')).toBe(plainOrder(lines));
  });

  it('an empty run is empty', () => {
    expect(sortedRun(new FactRunBuffer()).length).toBe(0);
  });
});
