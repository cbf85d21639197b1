// Resource limits: a process allowed few open files still merges thousands of runs, in passes.
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { cleanTempDirs, CLI, snapshot, tempDir } from '../helpers.js';

afterAll(cleanTempDirs);

describe('open-file limit', () => {
  it('merges more runs than the process may open files, with the same result', () => {
    const dir = tempDir();
    const input = join(dir, 'dump.csv');
    const fd = openSync(input, 'w');
    for (const piece of generateDump(600 * 1024, { seed: 11, territories: 300 })) writeSync(fd, piece);
    closeSync(fd);
    // 2 KB splits: about 300 runs per region, against a limit of 160 descriptors.
    const run = (out: string, limit: string) =>
      execFileSync('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, CLI, 'run', input, '--out', out, '--chunk-size', '2KB', '--workers', '1'], { encoding: 'utf8' });
    run(join(dir, 'limited'), '160');
    run(join(dir, 'free'), '4096');
    expect(snapshot(join(dir, 'limited'))).toEqual(snapshot(join(dir, 'free')));
  });
});
