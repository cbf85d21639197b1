// SPEC §10: an export is read as it is by the readers people hand it to. pandas'
// read_parquet("DIR") is pyarrow's read_table, which refused a directory whose files repeated
// the partition column ("Field region has incompatible types: string vs dictionary").
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, DATA, tempDir } from '../helpers.js';

afterAll(cleanTempDirs);

const PYARROW = spawnSync('python3', ['-c', 'import pyarrow.parquet'], { encoding: 'utf8' });
const HAVE_PYARROW = PYARROW.status === 0;

async function exported(format: 'parquet' | 'csv'): Promise<{ target: string; byRegion: Record<string, number> }> {
  const dir = tempDir();
  const wh = join(dir, 'w');
  expect((await cli(['run', join(DATA, 'imf_weo_2024-10_ngdpd.csv'), '--out', wh, '--source', 'imf'])).code).toBe(0);
  const target = join(dir, 'x');
  expect((await cli(['export', '--warehouse', wh, '--out', target, '--format', format])).code).toBe(0);
  const counts = JSON.parse((await cli(['sql', 'SELECT region, count(*) FROM gdp GROUP BY region', '--warehouse', wh, '--json'])).stdout) as { rows: Array<[string, number]> };
  return { target, byRegion: Object.fromEntries(counts.rows) };
}

describe('an export, read by the readers it is handed to', () => {
  it('no file holds the partition column: region is in the directory name only', async () => {
    const { target } = await exported('csv');
    for (const dir of readdirSync(target).filter((d) => d.startsWith('region='))) {
      const header = spawnSync('head', ['-1', join(target, dir, 'part-0.csv')], { encoding: 'utf8' }).stdout.trim().split(',');
      expect(header).not.toContain('region');
      expect(header).toContain('estimates_start_after');
    }
  });

  it.skipIf(!HAVE_PYARROW)(`pyarrow (as pandas.read_parquet) reads the directory, region from the partitions${HAVE_PYARROW ? '' : ' [skipped: python3 has no pyarrow here; `pip install pyarrow` to run it]'}`, async () => {
    const { target, byRegion } = await exported('parquet');
    const script = `import json, sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
regions = t.column("region").to_pylist()
print(json.dumps({r: regions.count(r) for r in set(regions)}))`;
    const r = spawnSync('python3', ['-c', script, target], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(byRegion);
  });
});
