// SPEC §6 and the generator: bench's JSON and chart, generate's determinism and dirt.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, CLI, tempDir, until } from '../helpers.js';

afterAll(cleanTempDirs);

const DEFAULT_DUMP_SHA256 = '83587f77fd1f515f36a9ec4885d1791bcf864d75b57715252e0d134c605d2111';

describe('gdpmr generate', () => {
  it('writes about SIZE bytes, the same bytes for the same seed', async () => {
    const dir = tempDir();
    for (const name of ['a.csv', 'b.csv']) expect((await cli(['generate', '--size', '200KB', '--out', join(dir, name), '--seed', '5'])).code).toBe(0);
    const a = readFileSync(join(dir, 'a.csv'));
    expect(a.equals(readFileSync(join(dir, 'b.csv')))).toBe(true);
    expect(Math.abs(a.length - 200 * 1024)).toBeLessThan(2048);
    const text = a.toString('utf8');
    expect(text.startsWith('country,region,year,gdp_usd_million,published,note\n')).toBe(true);
    for (const dirt of ['\r\n', '""', '[n ', '"Old"', '—', '"Bahamas, The"']) expect(text).toContain(dirt);
  });

  it('skews territories toward a region on request', async () => {
    const dir = tempDir();
    const out = join(dir, 's.csv');
    expect((await cli(['generate', '--size', '300KB', '--out', out, '--skew', 'Asia=0.8'])).code).toBe(0);
    const run = await cli(['run', out, '--out', join(dir, 'w')]);
    expect(run.code).toBe(0);
    const counts = JSON.parse(readFileSync(join(dir, 'w', 'manifest.json'), 'utf8')).counts;
    expect(counts.by_region.Asia / counts.loaded).toBeGreaterThan(0.6);
  });

  it('--dirt high: at least 10 % quoted notes with line breaks and doubled quotes, 2 % stray quotes, 5 % footnotes; low is tidier; default is unchanged', async () => {
    const dir = tempDir();
    const rates = async (dirt: string) => {
      const out = join(dir, `${dirt}.csv`);
      expect((await cli(['generate', '--size', '600KB', '--out', out, '--seed', '7', '--dirt', dirt])).code).toBe(0);
      const records = parse(readFileSync(out), { relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
      const data = records.slice(1);
      const share = (test: (r: string[]) => boolean) => data.filter(test).length / data.length;
      // A CRLF record's last field keeps its \r here (the parser splits on \n): not a note.
      const note = (r: string[]) => (r[5] ?? '').replace(/\r$/, '');
      return {
        hardNotes: share((r) => /[\r\n]/.test(note(r)) && note(r).includes('"')),
        notes: share((r) => note(r) !== ''),
        stray: share((r) => r[0].includes('"Old"')),
        footnotes: share((r) => /\[n \d\]/.test(r[0])),
      };
    };
    const high = await rates('high');
    expect(high.hardNotes).toBeGreaterThanOrEqual(0.09);
    expect(high.stray).toBeGreaterThan(0.015);
    expect(high.footnotes).toBeGreaterThan(0.04);
    const low = await rates('low');
    expect(low.notes).toBeLessThan(0.02);
    // The default is the dumps of earlier versions, byte for byte (the hash of the build before
    // --dirt existed, same size and seed), so benchmark figures stay comparable.
    const a = join(dir, 'plain.csv');
    expect((await cli(['generate', '--size', '600KB', '--out', a, '--seed', '7', '--dirt', 'default'])).code).toBe(0);
    expect(createHash('sha256').update(readFileSync(a)).digest('hex')).toBe(DEFAULT_DUMP_SHA256);
    const bad = await cli(['generate', '--size', '1KB', '--out', join(dir, 'x.csv'), '--dirt', 'filthy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--dirt must be one of low, default, high, got "filthy"');
  });

  it('refuses a bad skew with exit 2', async () => {
    const r = await cli(['generate', '--size', '1KB', '--out', join(tempDir(), 'x.csv'), '--skew', 'Mars=0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--skew must be a list of REGION=SHARE');
  });
});

describe('gdpmr bench', () => {
  it('runs every combination and writes bench.json and an SVG chart', async () => {
    const dir = tempDir();
    const input = join(dir, 'd.csv');
    await cli(['generate', '--size', '300KB', '--out', input]);
    const report = join(dir, 'report');
    const r = await cli(['bench', input, '--chunk-sizes', '64KB,256KB', '--workers', '1,2', '--repeat', '1', '--report', report, '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer).toMatchObject({ query: 'bench', input: { path: input, bytes: readFileSync(input).length } });
    expect(answer.results.map((x: { chunk_bytes: number; workers: number }) => [x.chunk_bytes, x.workers])).toEqual([
      [65536, 1],
      [65536, 2],
      [262144, 1],
      [262144, 2],
    ]);
    for (const x of answer.results) {
      expect(x.median_ms).toBeGreaterThan(0);
      expect(x.mb_per_s).toBeCloseTo(answer.input.bytes / 1024 / 1024 / (x.median_ms / 1000), 1);
      expect(x.peak_rss_mb).toBeGreaterThan(10);
      expect(Object.keys(x.stages)).toEqual(['split', 'map', 'reduce', 'publish']);
    }
    const fastest = answer.results.reduce((a: { median_ms: number }, b: { median_ms: number }) => (b.median_ms < a.median_ms ? b : a));
    expect(answer.best).toEqual({ chunk_bytes: fastest.chunk_bytes, workers: fastest.workers });
    expect(JSON.parse(readFileSync(join(report, 'bench.json'), 'utf8'))).toEqual(answer);
    const svg = readFileSync(join(report, 'bench.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('throughput (MB/s)');
    expect(svg).toContain('2 workers');
    expect((svg.match(/class="mark-line/g) ?? []).length).toBeGreaterThan(0);
  });

  it('refuses a bad list with exit 2', async () => {
    const r = await cli(['bench', 'x.csv', '--chunk-sizes', '1MB,huge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--chunk-sizes must be a comma-separated list of byte sizes from 1 to 1GB such as 256KB,1MB, got "1MB,huge"');
  });
});

describe('generate stopped by Ctrl-C', () => {
  it('exit 130, one line, and neither FILE nor its partial copy left behind', async () => {
    const { spawn } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const dir = tempDir();
    const child = spawn(process.execPath, [CLI, 'generate', '--size', '4GB', '--out', join(dir, 'big.csv')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await until(() => readdirSync(dir).some((f) => f.includes('.partial-')) || child.exitCode !== null, 20_000, 'the partial file');
    expect(child.exitCode, stderr).toBe(null);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr.trim()).toBe('gdpmr: generate stopped by SIGINT; nothing was written');
    expect(readdirSync(dir)).toEqual([]);
  });
});
