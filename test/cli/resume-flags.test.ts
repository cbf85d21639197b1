// --resume refuses flags that contradict the interrupted run. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, snapshot, tempDir, WIKIPEDIA } from '../helpers.js';
import { generateDump } from '../../src/generate/dump.js';

afterAll(cleanTempDirs);

describe('--resume refuses flags that contradict the interrupted run', () => {
  async function interrupted(): Promise<{ dir: string; out: string; input: string }> {
    const dir = tempDir();
    const input = join(dir, 'd.csv');
    writeFileSync(input, Buffer.concat([...generateDump(300 * 1024, { seed: 5, territories: 300 })].map((p) => Buffer.from(p))));
    const out = join(dir, 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
    // A plain run that fails for good in its reduce leaves a resumable run behind.
    const failed = await cli(['run', input, '--out', out, '--chunk-size', '64KB', '--workers', '1'], { GDPMR_FAULT: 'reduce:asia:throw:3' });
    expect(failed.code).toBe(1);
    return { dir, out, input };
  }

  it.each([
    [['--append'], '--append'],
    [['--chunk-size', '128KB'], '--chunk-size 131072 contradicts its plan (chunk size 65536 bytes)'],
    [['--regions', 'data/un_regions_other.csv'], '--regions data/un_regions_other.csv contradicts its plan'],
  ])('%j: exit 2 naming the flag and the plan', async (flags, message) => {
    const { out, input } = await interrupted();
    const before = snapshot(out);
    const r = await cli(['run', input, '--out', out, '--resume', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(snapshot(out)).toEqual(before);
    // Without the contradiction the run continues.
    const resumed = await cli(['run', input, '--out', out, '--resume']);
    expect(resumed.stderr).not.toContain('failed');
    expect(resumed.code).toBe(0);
  });
});

