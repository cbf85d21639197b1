// The task bodies on their own, without threads: what they say when the input changes under them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/engine/tasks.js';
import { cleanTempDirs, tempDir } from '../helpers.js';

afterAll(cleanTempDirs);

describe('a scan of an input that shrank', () => {
  it("names the input's size when the run started and the byte where reading stopped, not the split's end", () => {
    const input = join(tempDir(), 'in.csv');
    writeFileSync(input, 'country,year\n'.repeat(10)); // 130 bytes left of a 5000-byte input
    expect(() => scan({ kind: 'scan', attempt: 1, inputPath: input, inputBytes: 5000, split: { chunk: 0, start: 0, end: 1000 } })).toThrow(
      `INPUT ${input} changed while the run read it: it had 5000 bytes when the run started, but reading stopped at byte 130; the input must not change while a run reads it`,
    );
  });
});
