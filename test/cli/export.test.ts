// SPEC §10: exports that other tools read. The warehouse: the IMF's figures, a revision, the Wikipedia page.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_COLUMNS } from '../../src/store/region-db/schema.js';
import { cleanTempDirs, cli, tempDir, jsonAnswer, threeLoadWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

let out: string;
beforeAll(async () => {
  out = await threeLoadWarehouse();
});

const json = jsonAnswer;

interface ParquetRow {
  country: string;
  region: string;
  year: number;
  gdp_usd_billion: number;
  published: Date | null;
  line: bigint;
  is_current: boolean;
  run_id: string;
  valid_from: Date | null;
  valid_to: Date | null;
}

describe('gdpmr export', () => {
  it('parquet: Hive-style partitions that an independent reader reads back row for row, with their types', async () => {
    const target = join(tempDir(), 'x');
    expect((await cli(['export', '--warehouse', out, '--out', target])).code).toBe(0);
    const dirs = readdirSync(target).sort();
    expect(dirs).toEqual(['_gdpmr_export.json', 'region=Africa', 'region=Americas', 'region=Asia', 'region=Europe', 'region=Oceania']);
    const sums = await json(['sql', 'SELECT region, count(*), sum(gdp_usd_billion), sum(is_current) FROM gdp GROUP BY region ORDER BY region', '--warehouse', out, '--json']);
    for (const [region, count, sum, current] of sums.rows as Array<[string, number, number, number]>) {
      const path = join(target, `region=${region}`, 'part-0.parquet');
      const buffer = readFileSync(path);
      const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
      const meta = parquetMetadata(file);
      const types = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, `${e.type}${e.converted_type ? `/${e.converted_type}` : ''}`]));
      expect(types).toEqual({
        country: 'BYTE_ARRAY/UTF8',
        country_code: 'BYTE_ARRAY/UTF8',
        name: 'BYTE_ARRAY/UTF8',
        source: 'BYTE_ARRAY/UTF8',
        country_key: 'BYTE_ARRAY/UTF8',
        year: 'INT32',
        gdp_usd_billion: 'DOUBLE',
        published: 'INT32/DATE',
        line: 'INT64',
        is_current: 'BOOLEAN',
        estimates_start_after: 'INT32',
        is_projection: 'BOOLEAN',
        is_latest: 'BOOLEAN',
        run_id: 'BYTE_ARRAY/UTF8',
        load_seq: 'INT64',
        valid_from: 'INT32/DATE',
        valid_to: 'INT32/DATE',
        latest_from: 'INT32/DATE',
        latest_to: 'INT32/DATE',
      });
      const rows = (await parquetReadObjects({ file })) as unknown as ParquetRow[];
      expect(rows).toHaveLength(count);
      expect(rows.reduce((s, r) => s + r.gdp_usd_billion, 0)).toBeCloseTo(sum, 6);
      expect(rows.filter((r) => r.is_current).length).toBe(current);
      // region lives in the directory name only (SPEC §10): pyarrow, so pandas, refuses files
      // that repeat the partition column with another type.
      expect(rows.every((r) => !('region' in r) && typeof r.year === 'number' && typeof r.line === 'bigint')).toBe(true);
    }
    const germany = await json(['sql', "SELECT published, valid_from, valid_to, line FROM gdp WHERE country = 'Germany' AND year = 2024 ORDER BY line", '--warehouse', out, '--json']);
    const europe = readFileSync(join(target, 'region=Europe', 'part-0.parquet'));
    const rows = ((await parquetReadObjects({ file: europe.buffer.slice(europe.byteOffset, europe.byteOffset + europe.byteLength) })) as unknown as ParquetRow[])
      .filter((r) => r.country === 'Germany' && r.year === 2024)
      .sort((a, b) => Number(a.line - b.line));
    const day = (d: Date | null) => (d === null ? null : d.toISOString().slice(0, 10));
    expect(rows.map((r) => [day(r.published), day(r.valid_from), day(r.valid_to), Number(r.line)])).toEqual(germany.rows);
  });

  it('csv and --current-only; an earlier export is replaced whole', async () => {
    const target = join(tempDir(), 'c');
    expect((await cli(['export', '--warehouse', out, '--out', target, '--format', 'csv'])).code).toBe(0);
    const all = (parse(readFileSync(join(target, 'region=Asia', 'part-0.csv'))) as string[][]).length - 1;
    expect((await cli(['export', '--warehouse', out, '--out', target, '--format', 'csv', '--current-only'])).code).toBe(0);
    const rows = parse(readFileSync(join(target, 'region=Asia', 'part-0.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBeLessThan(all);
    expect(rows.every((r) => r.is_current === '1' && r.valid_to === '')).toBe(true);
    expect(Object.keys(rows[0])).toEqual(VIEW_COLUMNS.filter((c) => c !== 'region'));
    expect(readdirSync(join(target, '..')).filter((f) => f.includes('tmp'))).toEqual([]);
  });

  it.each([
    [['--format', 'orc'], '--format must be one of parquet, csv', true],
    [[], '--out must be a new directory or an earlier gdpmr export', false],
  ])('%j: exit 2, nothing written', async (flags, message, fresh) => {
    const dir = tempDir();
    const target = join(dir, 'x');
    if (!fresh) {
      mkdirSync(target);
      writeFileSync(join(target, 'mine.txt'), 'keep');
    }
    const r = await cli(['export', '--warehouse', out, '--out', target, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(readdirSync(dir)).toEqual(fresh ? [] : ['x']);
    if (!fresh) expect(readdirSync(target)).toEqual(['mine.txt']);
  });
});
