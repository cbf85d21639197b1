// Secrets (tokens in URLs) stay out of messages and logs. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, tempDir, WIKIPEDIA } from '../helpers.js';

afterAll(cleanTempDirs);

describe('secrets stay out of messages and logs', () => {
  it('a Redis password is shown as *** on stderr and in the run log', async () => {
    const out = join(tempDir(), 'w');
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--redis', 'redis://user:s3cret@127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redis://user:***@127.0.0.1:9');
    expect(r.stderr).not.toContain('s3cret');
    const logs = existsSync(join(out, 'logs')) ? readdirSync(join(out, 'logs')).map((f) => readFileSync(join(out, 'logs', f), 'utf8')).join('') : '';
    expect(logs).not.toContain('s3cret');
  }, 30_000);
});

