import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeRejectRow } from '../../src/store/rejects.js';
import { LineReader, mergeRuns, mergeSorted, reduceFanIn, writeRun } from '../../src/store/spill.js';
import { cleanTempDirs, tempDir } from '../helpers.js';

afterAll(cleanTempDirs);

describe('sorted runs', () => {
  it('a k-way merge of sorted runs is the sorted union, also merged in passes of a small fan-in', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.stringMatching(/^[a-zé\t 0-9]{1,8}$/), { maxLength: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 4 }), (runs, fanIn) => {
        const dir = tempDir();
        const paths = runs.map((lines, i) => {
          const path = join(dir, `${i}.run`);
          writeRun(path, [...lines].sort());
          return path;
        });
        const direct: string[] = [];
        mergeRuns(paths, (l) => direct.push(l));
        expect(direct).toEqual(runs.flat().sort());
        const fewer = reduceFanIn(paths, dir, fanIn);
        expect(fewer.length).toBeLessThanOrEqual(fanIn);
        const passed: string[] = [];
        mergeRuns(fewer, (l) => passed.push(l));
        expect(passed).toEqual(direct);
      }),
      { numRuns: 60 },
    );
  });

  it('merges in a first pass only as many runs as it takes to reach the fan-in', () => {
    const dir = tempDir();
    const paths = Array.from({ length: 9 }, (_, i) => {
      const path = join(dir, `${i}.run`);
      writeRun(path, [`line ${i}`]);
      return path;
    });
    // 9 runs at fan-in 4: a 4-way merge leaves 6, a 3-way merge leaves 4; runs 7 and 8 are
    // never rewritten.
    const left = reduceFanIn(paths, dir, 4);
    expect(left).toEqual([paths[7], paths[8], join(dir, 'pass-0.run'), join(dir, 'pass-1.run')]);
    expect(readFileSync(join(dir, 'pass-1.run'), 'utf8')).toBe('line 4\nline 5\nline 6\n');
  });

  it('merges any strings in string order: empty ones, prefixes of each other, surrogate pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 20 }), { minLength: 1, maxLength: 8 }), (lists) => {
        const sorted = lists.map((l) => [...l].sort());
        const out: string[] = [];
        mergeSorted(
          sorted.map((l) => {
            let i = 0;
            return () => l[i++];
          }),
          (line) => out.push(line),
        );
        expect(out).toEqual(lists.flat().sort());
      }),
      { numRuns: 300 },
    );
  });

  it('merges sources that run dry at different times, one source, and none', () => {
    const lists = [['a', 'd', 'e', 'f', 'g'], [], ['b'], ['c', 'h']];
    const out: string[] = [];
    const sources = lists.map((l) => {
      let i = 0;
      return () => l[i++];
    });
    mergeSorted(sources, (l) => out.push(l));
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const single: string[] = [];
    let n = 0;
    mergeSorted([() => (n < 3 ? String(n++) : undefined)], (l) => single.push(l));
    expect(single).toEqual(['0', '1', '2']);
    mergeSorted([], () => expect.unreachable());
  });

  it('reads lines across block boundaries without splitting UTF-8 sequences', () => {
    const dir = tempDir();
    const lines = Array.from({ length: 20000 }, (_, i) => `côte d’ivoire ${String(i).padStart(6, '0')}\t€`);
    writeRun(join(dir, 'big.run'), lines);
    const back: string[] = [];
    mergeRuns([join(dir, 'big.run')], (l) => back.push(l));
    expect(back).toEqual(lines);
    expect(readFileSync(join(dir, 'big.run'), 'utf8').endsWith('€\n')).toBe(true);
  });

  it('a line longer than many blocks is joined once, at its end (linear in its length), and read whole', () => {
    const dir = tempDir();
    const long = 'é'.repeat(300_000) + 'x';
    const path = join(dir, 'long.run');
    writeFileSync(path, `a\n${long}\nb\n${long}`);
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const reader = new LineReader(path, 4096);
      const back: string[] = [];
      for (let line = reader.next(); line !== undefined; line = reader.next()) back.push(line);
      expect(back).toEqual(['a', long, 'b', long]);
      // ~150 blocks per long line: joining at every block was quadratic (issue 33 #7).
      expect(concat.mock.calls.length).toBeLessThanOrEqual(4);
    } finally {
      concat.mockRestore();
    }
  });
});

describe('rejects.csv rows', () => {
  it('a record longer than any string (an unclosed quote to the end of a file) is written as bytes', () => {
    const record = Buffer.alloc(0x1fffffe8 + 16, 0x78);
    record[record.length - 1] = 0x2c;
    const row = encodeRejectRow(3, 'malformed_row', record);
    expect(row.length).toBe('3,malformed_row,"'.length + record.length + 2);
    expect(row.subarray(0, 17).toString()).toBe('3,malformed_row,"');
  });
});
