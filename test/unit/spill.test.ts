import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeRuns, reduceFanIn, writeRun } from '../../src/store/spill.js';
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

  it('reads lines across block boundaries without splitting UTF-8 sequences', () => {
    const dir = tempDir();
    const lines = Array.from({ length: 20000 }, (_, i) => `côte d’ivoire ${String(i).padStart(6, '0')}\t€`);
    writeRun(join(dir, 'big.run'), lines);
    const back: string[] = [];
    mergeRuns([join(dir, 'big.run')], (l) => back.push(l));
    expect(back).toEqual(lines);
    expect(readFileSync(join(dir, 'big.run'), 'utf8').endsWith('€\n')).toBe(true);
  });
});
