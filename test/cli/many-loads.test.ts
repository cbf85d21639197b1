// A warehouse of many loads that no typo can lose (issue 19): a plain run onto several loads is
// refused, a replacing run keeps what it replaced for `gdpmr rollback`, the same input is not
// appended twice, an old warehouse is refused in one line, and empty answers say why.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, IMF, ROOT, tempDir, WIKIPEDIA, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const manifestOf = (w: string): string => readFileSync(join(w, 'manifest.json'), 'utf8');

async function twoLoads(): Promise<{ dir: string; w: string }> {
  const dir = tempDir();
  const w = join(dir, 'w');
  expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
  expect((await cli(['run', WIKIPEDIA, '--out', w, '--append'])).code).toBe(0);
  return { dir, w };
}

describe('a warehouse of several loads', () => {
  it('a plain run onto it is refused (exit 2) naming the loads and the two ways on; nothing changes', async () => {
    const { dir, w } = await twoLoads();
    const before = manifestOf(w);
    const other = writeInput(dir, 'other.csv', 'country,year,gdp_usd_million\nJapan,2024,1\n');
    const r = await cli(['run', other, '--out', w]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('drop its 2 loads');
    expect(r.stderr).toContain('imf_weo_2024-10_ngdpd.csv');
    expect(r.stderr).toContain('wikipedia_imf_2025-01-07.csv');
    expect(r.stderr).toContain('--append');
    expect(r.stderr).toContain('--replace');
    expect(manifestOf(w)).toBe(before);
  });

  it('--replace replaces it and keeps it; rollback brings it back in one swap, and a second rollback undoes the first', async () => {
    const { dir, w } = await twoLoads();
    const before = manifestOf(w);
    const other = writeInput(dir, 'other.csv', 'country,year,gdp_usd_million\nJapan,2024,1\n');
    const replacing = await cli(['run', other, '--out', w, '--replace']);
    expect(replacing.code, replacing.stderr).toBe(0);
    const replaced = manifestOf(w);
    expect(JSON.parse(replaced).loads).toHaveLength(1);
    expect((await cli(['verify', '--warehouse', w])).code).toBe(0);
    const back = await cli(['rollback', '--warehouse', w]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('2 loads');
    expect(manifestOf(w)).toBe(before);
    expect((await cli(['query', 'top5', '--warehouse', w])).code).toBe(0);
    expect((await cli(['rollback', '--warehouse', w])).code).toBe(0);
    expect(manifestOf(w)).toBe(replaced);
  });

  it('verify checks the generation kept for rollback too', async () => {
    const { w } = await twoLoads();
    const keptDir = join(w, '.gen', JSON.parse(readFileSync(join(w, '.kept.json'), 'utf8')).kept[0].generation);
    const kept = JSON.parse(readFileSync(join(keptDir, 'manifest.json'), 'utf8'));
    writeFileSync(join(keptDir, 'manifest.json'), '{"cut');
    const v = await cli(['verify', '--warehouse', w]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('kept for rollback');
    // What queries read is unharmed.
    expect((await cli(['query', 'top5', '--warehouse', w])).code).toBe(0);
    expect(kept.loads).toHaveLength(1);
  });

  it('rollback with nothing kept: exit 1 saying so', async () => {
    const w = join(tempDir(), 'w');
    expect((await cli(['run', WIKIPEDIA, '--out', w])).code).toBe(0);
    const r = await cli(['rollback', '--warehouse', w]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('keeps no earlier generation');
    expect((await cli(['rollback', '--warehouse', tempDir()])).code).toBe(2);
  });

  it('--append of an input a load already holds is refused naming the load; --allow-reload loads it', async () => {
    const { w } = await twoLoads();
    const before = manifestOf(w);
    const again = await cli(['run', WIKIPEDIA, '--out', w, '--append']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already loaded');
    expect(again.stderr).toContain('load 2');
    expect(again.stderr).toContain('--allow-reload');
    expect(manifestOf(w)).toBe(before);
    expect((await cli(['run', WIKIPEDIA, '--out', w, '--append', '--allow-reload'])).code).toBe(0);
    expect(JSON.parse(manifestOf(w)).loads).toHaveLength(3);
  });

  it.each([
    [['--append', '--replace'], 'not both'],
    [['--allow-reload'], '--allow-reload goes with --append'],
  ])('%j: exit 2', async (flags, message) => {
    const r = await cli(['run', WIKIPEDIA, '--out', join(tempDir(), 'w'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('a warehouse built by an earlier gdpmr', () => {
  it.each([
    ['gdpmr-warehouse/1', 'built by an earlier gdpmr (format gdpmr-warehouse/1, facts keyed by country name alone)'],
    ['gdpmr-warehouse/2', 'built by an earlier gdpmr (format gdpmr-warehouse/2, the storage layout before'],
    ['gdpmr-warehouse/3', 'built by an earlier gdpmr (format gdpmr-warehouse/3, estimates_start_after, and the projection rule'],
    ['gdpmr-warehouse/9', 'built by another gdpmr (format gdpmr-warehouse/9)'],
  ])('%s: queries, --append and verify refuse it in one line that says why and how to rebuild it from its loads', async (format, why) => {
    const { w } = await twoLoads();
    const m = JSON.parse(manifestOf(w));
    writeFileSync(join(w, '.current', 'manifest.json'), JSON.stringify({ ...m, format }));
    for (const args of [['query', 'top5', '--warehouse', w], ['run', WIKIPEDIA, '--out', w, '--append', '--allow-reload'], ['verify', '--warehouse', w]]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain(`gdpmr run ${IMF} --out ${w} --replace && gdpmr run ${WIKIPEDIA} --out ${w} --append`);
    }
    expect((await cli(['query', 'top5', '--warehouse', w])).stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('answers that say why they are empty (exit 0, the hint on stderr and in --json)', () => {
  it('a country name with no figure: the nearest names', async () => {
    const { w } = await twoLoads();
    const r = await cli(['query', 'history', '--country', 'Japn', '--warehouse', w]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 figures');
    expect(r.stderr).toContain('did you mean "Japan"');
    const j = JSON.parse((await cli(['query', 'history', '--country', 'Japn', '--warehouse', w, '--json'])).stdout);
    expect(j.figures).toEqual([]);
    expect(j.note).toContain('"Japan"');
    // A word of the name finds it; one spelling per name whatever its case.
    expect((await cli(['query', 'history', '--country', 'korea', '--warehouse', w])).stderr).toContain('"South Korea"');
    const typo = (await cli(['query', 'history', '--country', 'Sout Korea', '--warehouse', w])).stderr;
    expect(typo).toContain('did you mean "South Korea"?');
    expect(typo.toLowerCase().split('south korea')).toHaveLength(2);
  });

  it('--as-of before every vintage: the earliest one; a --year without figures: the years there are', async () => {
    const w = join(tempDir(), 'w');
    expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
    const early = await cli(['query', 'top5', '--as-of', '2020-01-01', '--warehouse', w]);
    expect(early.code).toBe(0);
    expect(early.stderr).toContain('the earliest vintage is 2024-10-22');
    const year = JSON.parse((await cli(['query', 'over', '--year', '1950', '--warehouse', w, '--json'])).stdout);
    expect(year.countries).toEqual([]);
    expect(year.note).toContain('years 1980–2029');
  });
});

describe('--append with a country map that moves a loaded country', () => {
  it('is refused (exit 2) naming the code and both regions; the same map, or one that only adds, appends', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    expect((await cli(['run', IMF, '--out', w])).code).toBe(0);
    const before = manifestOf(w);
    const map = readFileSync(join(ROOT, 'data', 'un_regions.csv'), 'utf8');
    const moved = writeInput(dir, 'moved.csv', map.replace('Japan,Asia,JPN,Japan', 'Japan,Europe,JPN,Japan'));
    const next = writeInput(dir, 'next.csv', 'country,year,gdp_usd_million,published\nJapan,2024,4100000,2025-04-22\n');
    const r = await cli(['run', next, '--out', w, '--append', '--regions', moved]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('JPN (loaded in Asia, the map says Europe)');
    expect(manifestOf(w)).toBe(before);
    const added = writeInput(dir, 'added.csv', map + 'Atlantis,Europe,ATL,Atlantis\n');
    expect((await cli(['run', next, '--out', w, '--append', '--regions', added])).code).toBe(0);
    const over = await cli(['query', 'over', '--min', '1000', '--year', '2024', '--warehouse', w, '--csv']);
    expect(over.stdout.split('\n').filter((l) => l.includes('JPN'))).toHaveLength(1);
  });
});

describe('an empty revisions answer says why', () => {
  it('a window without a vintage names the vintages there are', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    expect((await cli(['run', IMF, '--out', w, '--source', 'imf'])).code).toBe(0);
    const r = await cli(['query', 'revisions', '--from', '2025-01-01', '--to', '2025-06-30', '--warehouse', w]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 revisions');
    expect(r.stderr).toContain('no vintage of imf figures was published after 2025-01-01 and by 2025-06-30, so nothing was revised; its vintages: 2024-10-22');
  });
});
