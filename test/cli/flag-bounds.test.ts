// Every numeric flag is bounded, every path non-empty. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, IMF, tempDir, WIKIPEDIA, expectNoStack } from '../helpers.js';

afterAll(cleanTempDirs);

describe('every numeric flag is bounded, every path non-empty', () => {
  it.each([
    [['run', WIKIPEDIA, '--workers', '99999999999'], /--workers must be at most \d+ \(\d+ is 4 × the machine's \d+ cores/],
    [['run', WIKIPEDIA, '--workers', '1000'], /--workers must be at most/],
    [['run', WIKIPEDIA, '--chunk-size', '2GB'], /--chunk-size must be at most 1GB \(a map task holds its whole split in memory\), got "2GB"/],
    [['run', WIKIPEDIA, '--out', ''], /--out must be a path, got ""/],
    [['run', '', '--out', 'x'], /INPUT must be a path, got ""/],
    [['run', WIKIPEDIA, '--regions', ''], /--regions must be a path, got ""/],
    [['query', 'top5', '--warehouse', ''], /--warehouse must be a path, got ""/],
    [['query', 'top5', '--k', '1000000000'], /--k must be at most 100000/],
    [['query', 'top5', '--k', '99999999999999999999'], /--k must be at most 100000 \(more than any region has countries\), got "99999999999999999999"/],
    [['run', IMF, '--out', 'x', '--chunk-size', '1'], /--chunk-size 1 would cut \S+imf_weo_2024-10_ngdpd.csv \(\d+ bytes\) into \d+ splits; at most 16384 .*use --chunk-size \d+ or more/],
    [['bench', WIKIPEDIA, '--repeat', '100000'], /--repeat must be at most 100/],
    [['bench', WIKIPEDIA, '--workers', '1,5000'], /--workers must be a comma-separated list of worker counts from 1 to/],
    [['generate', '--size', '99999GB', '--out', 'x.csv'], /--size must be at most/],
    [['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '5000'], /--concurrency must be at most \d+ \(4 × the cores\), got "5000"/],
    [['worker', '--redis', 'http://127.0.0.1:1'], /--redis must be a Redis URL/],
    [['extract', 'wikipedia', '--url', 'file:///etc/passwd', '--out', 'x.csv'], /--url must be an http:\/\/ or https:\/\/ address/],
    // A negative number is the flag's value, refused in the flag's own words.
    [['query', 'over', '--min', '-5'], /^gdpmr: --min must be a number of billions of USD, at least 0, got "-5"\n$/],
    [['query', 'top5', '--k', '-1'], /^gdpmr: --k must be a whole number of at least 1, got "-1"\n$/],
    [['run', WIKIPEDIA, '--workers', '-2'], /^gdpmr: --workers must be a whole number of worker threads, at least 1, got "-2"\n$/],
  ])('%j: exit 2', async (args, message) => {
    const cwd = tempDir();
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoStack(r.stderr);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

