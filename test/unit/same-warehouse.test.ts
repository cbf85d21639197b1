// bench:features' check that a build gives the baseline's data: equal where only run_id and the
// counts' key order differ, unequal where a count, a reject or a row does.
import Database from 'better-sqlite3';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameWarehouse } from '../../bench/same-warehouse.js';
import { cleanTempDirs, cli, tempDir, writeInput } from '../helpers.js';

afterAll(cleanTempDirs);

const INPUT = 'country,region,year,gdp_usd_million,published\nJapan,,2020,"4,000,000",2024-04-01\nJapan,,2020,4100000,2024-10-01\nFiji,,2021,5000,\nNowhere,,2020,1,\nChina,,abc,1,\n';

let dir: string;
let first: string;
let second: string;

beforeAll(async () => {
  dir = tempDir();
  const input = writeInput(dir, 'in.csv', INPUT);
  first = join(dir, 'first');
  second = join(dir, 'second');
  // Two runs of one input: the same data under two run_ids.
  for (const out of [first, second]) expect((await cli(['run', input, '--out', out])).code).toBe(0);
});

/** A copy of the second warehouse, changed by `change`. */
function changed(name: string, change: (copy: string) => void): string {
  const copy = join(dir, name);
  // verbatimSymlinks: else Node makes the copy's relative links absolute, into the original,
  // and a change to the copy changes the original.
  cpSync(second, copy, { recursive: true, verbatimSymlinks: true });
  change(copy);
  return copy;
}

function editManifest(copy: string, edit: (m: { format: string; counts: Record<string, unknown> }) => void): void {
  const path = join(copy, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { format: string; counts: Record<string, unknown> };
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

describe('sameWarehouse', () => {
  it('holds two runs of one input the same, whatever their run_ids', () => {
    expect(sameWarehouse(first, second)).toBe(true);
  });

  it('ignores the order of the counts’ keys', () => {
    const reordered = changed('reordered', (copy) => editManifest(copy, (m) => {
      m.counts = Object.fromEntries(Object.entries(m.counts).reverse());
    }));
    expect(Object.keys(JSON.parse(readFileSync(join(reordered, 'manifest.json'), 'utf8')).counts)[0]).not.toBe(Object.keys(JSON.parse(readFileSync(join(first, 'manifest.json'), 'utf8')).counts)[0]);
    expect(sameWarehouse(first, reordered)).toBe(true);
  });

  it('tells a different count, reject or row apart', () => {
    const count = changed('count', (copy) => editManifest(copy, (m) => {
      m.counts.rejected = (m.counts.rejected as number) + 1;
    }));
    const reject = changed('reject', (copy) => writeFileSync(join(copy, 'rejects.csv'), readFileSync(join(copy, 'rejects.csv'), 'utf8').replace('Nowhere', 'Elsewhere')));
    const row = changed('row', (copy) => {
      const db = new Database(join(copy, 'regions', 'asia.sqlite'));
      try {
        expect(db.prepare('UPDATE gdp_rows SET gdp_usd_billion = gdp_usd_billion + 1 WHERE is_current = 1').run().changes).toBe(1);
      } finally {
        db.close();
      }
    });
    for (const other of [count, reject, row]) expect(sameWarehouse(first, other), other).toBe(false);
  });

  it('against a format-3 baseline, is_latest (a new projection rule) is not compared; every other column is', () => {
    const setAsia = (copy: string, sql: string) => {
      const db = new Database(join(copy, 'regions', 'asia.sqlite'));
      try {
        expect(db.prepare(sql).run().changes).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    };
    const latest = changed('format3-latest', (copy) => {
      editManifest(copy, (m) => void (m.format = 'gdpmr-warehouse/3'));
      setAsia(copy, 'UPDATE gdp_rows SET is_latest = 1 - is_latest');
    });
    expect(sameWarehouse(first, latest)).toBe(true);
    const figure = changed('format3-figure', (copy) => {
      editManifest(copy, (m) => void (m.format = 'gdpmr-warehouse/3'));
      setAsia(copy, 'UPDATE gdp_rows SET gdp_usd_billion = gdp_usd_billion + 1');
    });
    expect(sameWarehouse(first, figure)).toBe(false);
    // Between two builds of one format, is_latest is compared as ever.
    const sameFormat = changed('format4-latest', (copy) => setAsia(copy, 'UPDATE gdp_rows SET is_latest = 1 - is_latest'));
    expect(sameWarehouse(first, sameFormat)).toBe(false);
  });
});
