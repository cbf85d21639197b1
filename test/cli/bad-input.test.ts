// Wrong usage gets exit 2 and says what was wrong and what was expected; a failed run gets
// exit 1; neither prints a stack trace.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, ROOT, tempDir, WIKIPEDIA, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('bad input and usage', () => {
  it('a missing input file: exit 2', async () => {
    const r = await cli(['run', '/no/such/dump.csv', '--out', join(tempDir(), 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INPUT must be an existing CSV file, got /no/such/dump.csv (no such file)');
    expectNoStack(r.stderr);
  });

  it('a directory as input: exit 2', async () => {
    const dir = tempDir();
    const r = await cli(['run', dir, '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(a directory)');
  });

  it('an empty file: exit 2, nothing written', async () => {
    const dir = tempDir();
    const r = await cli(['run', writeInput(dir, 'empty.csv', ''), '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no records');
    expect(readdirSync(dir)).toEqual(['empty.csv']);
  });

  it('a header-only file is refused as a load of nothing (exit 2, nothing written); --allow-empty publishes it with 0 records', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 'h.csv', '\ufeffcountry,year,gdp_usd_million\r\n');
    const refused = await cli(['run', input, '--out', join(dir, 'w')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('0 records, 0 loaded: nothing to load, so nothing was published; --allow-empty publishes it anyway');
    expect(existsSync(join(dir, 'w', 'manifest.json'))).toBe(false);
    const r = await cli(['run', input, '--out', join(dir, 'w'), '--allow-empty']);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'w', 'manifest.json'), 'utf8'));
    expect(manifest.counts).toMatchObject({ records: 0, loaded: 0, rejected: 0 });
    expect(readFileSync(join(dir, 'w', 'rejects.csv'), 'utf8')).toBe('line,reason,record\n');
    const top = await cli(['query', 'top5', '--warehouse', join(dir, 'w'), '--json']);
    expect(JSON.parse(top.stdout).regions).toEqual([]);
  });

  it('a missing required column: exit 2, names the column and the header found, nothing written', async () => {
    const dir = tempDir();
    const r = await cli(['run', writeInput(dir, 'bad.csv', 'Country,Year,GDP\nChina,2024,1\n'), '--out', join(dir, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing required column gdp_usd_million');
    expect(r.stderr).toContain('got "Country", "Year", "GDP"');
    expect(readdirSync(dir)).toEqual(['bad.csv']);
  });

  it.each([
    [['--chunk-size', '0'], '--chunk-size must be a positive byte size such as 65536, 256KB, 16MB or 1GB, got "0"'],
    [['--chunk-size', '12XB'], 'got "12XB"'],
    [['--workers', 'abc'], '--workers must be a whole number of worker threads, at least 1, got "abc"'],
    [['--workers', '0'], 'got "0"'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('run %j: exit 2', async (flags, message) => {
    const r = await cli(['run', WIKIPEDIA, '--out', join(tempDir(), 'w'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expectNoStack(r.stderr);
  });

  it.each([
    [['top5', '--k', '0'], '--k must be a whole number of at least 1, got "0"'],
    [['top5', '--year', '99'], '--year must be a four-digit year from 1900 to 2100, got "99"'],
    [['over', '--min', 'lots'], '--min must be a number of billions of USD, at least 0, got "lots"'],
    [['over', '--as-of', '2024-02-30'], '--as-of must be a calendar date YYYY-MM-DD, got "2024-02-30"'],
    [['history'], 'gdpmr query history needs --country NAME'],
    [['median'], 'gdpmr query must be followed by top5, over, history, revisions, vintages, accuracy, got "median"'],
  ])('query %j: exit 2', async (args, message) => {
    const r = await cli(['query', ...args, '--warehouse', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('an unknown command: exit 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('got "frobnicate"');
  });

  it('a query on a directory with no warehouse: exit 2, says to run gdpmr run first', async () => {
    const r = await cli(['query', 'top5', '--warehouse', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run `gdpmr run INPUT.csv --out');
  });

  it('an output directory that cannot be written: exit 1, the old warehouse intact', async () => {
    const dir = tempDir();
    const out = join(dir, 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const top = (await cli(['query', 'top5', '--warehouse', out, '--json'])).stdout;
    chmodSync(out, 0o555);
    try {
      const r = await cli(['run', WIKIPEDIA, '--out', out]);
      if (process.getuid?.() === 0) {
        // root writes anyway: a read-only directory cannot stop it, so test a path under a file.
        expect(r.code).toBe(0);
      } else {
        expect(r.code).toBe(1);
      }
    } finally {
      chmodSync(out, 0o755);
    }
    const blocked = await cli(['run', WIKIPEDIA, '--out', join(dir, 'w', 'manifest.json', 'sub')]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('--out must be a directory gdpmr can write');
    expectNoStack(blocked.stderr);
    expect((await cli(['query', 'top5', '--warehouse', out, '--json'])).stdout).toBe(top);
    void before;
  });

  it('an output directory holding files of its own under the warehouse names: exit 1, files untouched', async () => {
    const dir = tempDir();
    writeInput(dir, 'manifest.json', '{"mine": true}\n');
    const r = await cli(['run', WIKIPEDIA, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(manifest.json is not gdpmr\'s)');
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe('{"mine": true}\n');
  });

  it('a region map with a region outside the five: exit 2', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'x'));
    const r = await cli(['run', WIKIPEDIA, '--out', join(dir, 'w'), '--regions', writeInput(dir, 'm.csv', 'country,region\nChina,Cathay\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('region must be one of Africa, Americas, Asia, Europe, Oceania, got "Cathay"');
  });
});

describe('a WEO file given to run', () => {
  it('is named for what it is, with the command that reads it (exit 2), not quoted as mojibake', async () => {
    const r = await cli(['run', join(ROOT, 'data', 'weo', 'WEOApr2024all.xls'), '--out', join(tempDir(), 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is an IMF WEO database file, not a raw dump: `gdpmr extract weo --file');
    expect(r.stderr).not.toContain('\\uFFFD');
  });
});
