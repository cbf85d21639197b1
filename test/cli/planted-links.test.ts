// Links planted in a warehouse are never followed out of it. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, tempDir, WIKIPEDIA, expectNoStack, builtWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

const built = builtWarehouse;

describe('links planted in a warehouse are never followed out of it', () => {
  it.each(['.gen', '.runs', 'logs'])('%s as a link to a directory elsewhere: a plain run exits 1 naming it, and nothing there is touched', async (name) => {
    const out = await built();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'precious.txt'), 'keep me');
    // The real directory moves elsewhere too, so the link's target holds the warehouse's files.
    renameSync(join(out, name), join(elsewhere, 'moved'));
    symlinkSync(elsewhere, join(out, name));
    const before = readdirSync(elsewhere).sort();
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(out, name)} is a symbolic link`);
    expectNoStack(r.stderr);
    expect(readdirSync(elsewhere).sort()).toEqual(before);
    expect(readFileSync(join(elsewhere, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('.current pointing out of .gen/: exit 1 naming it', async () => {
    const out = await built();
    const elsewhere = tempDir();
    rmSync(join(out, '.current'));
    symlinkSync(elsewhere, join(out, '.current'));
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('which is not one generation of the warehouse');
  });
});

