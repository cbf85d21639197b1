// Runs that cannot progress fail instead of spinning. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { spawn } from 'node:child_process';
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, CLI, tempDir, until, WIKIPEDIA, expectNoStack } from '../helpers.js';
import { generateDump } from '../../src/generate/dump.js';

afterAll(cleanTempDirs);

describe('runs that cannot progress fail instead of spinning', () => {
  it('an input that shrinks while it is read: exit 1 naming the input, the lock released', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.csv');
    writeFileSync(input, Buffer.concat([...generateDump(24 * 1024 * 1024, { seed: 3, territories: 300 })].map((p) => Buffer.from(p))));
    const out = join(dir, 'w');
    const child = spawn(process.execPath, [CLI, 'run', input, '--out', out, '--chunk-size', '1MB', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Truncate as soon as the run holds the lock: its map tasks then read past the end.
    await until(() => existsSync(join(out, '.lock')) || child.exitCode !== null, 60_000, 'the run to take the lock', 5);
    expect(child.exitCode, 'the run ended before it could be cut short').toBe(null);
    truncateSync(input, 2 * 1024 * 1024);
    const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
    expect(code).toBe(1);
    expect(stderr).toContain(input);
    expect(stderr).toMatch(/changed while the run read it|changed since|no such|must/);
    expectNoStack(stderr);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('--out under /proc fails at once with the reason', async () => {
    const r = await cli(['run', WIKIPEDIA, '--out', '/proc/gdpmr-x/y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--out must be a directory gdpmr can write, got /proc/gdpmr-x/y');
  });
});

