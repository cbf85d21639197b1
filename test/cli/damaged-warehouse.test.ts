// A damaged warehouse is refused, not built on. (Damage and abuse, issue 9: each case a run could lose data, hang or crash on, with
// the answer it must get instead.)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, WIKIPEDIA, expectNoStack, builtWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

const built = builtWarehouse;

describe('a damaged warehouse is refused, not built on', () => {
  it('--append onto a warehouse whose region database is missing: exit 1 naming it, nothing lost', async () => {
    const out = await built();
    rmSync(join(out, '.current', 'regions', 'asia.sqlite'));
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--append']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asia.sqlite');
    expect(r.stderr).toContain('gdpmr verify');
    expectNoStack(r.stderr);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('verify: exit 0 on a sound warehouse, exit 1 with one line per problem and how to recover', async () => {
    const out = await built();
    const ok = await cli(['verify', '--warehouse', out, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ query: 'verify', ok: true, problems: [] });
    writeFileSync(join(out, '.current', 'regions', 'europe.sqlite'), 'not a database at all');
    writeFileSync(join(out, '.current', 'rejects.csv'), 'line,reason,record\n');
    rmSync(join(out, 'regions'));
    const bad = await cli(['verify', '--warehouse', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/database: .*europe\.sqlite: does not open/);
    expect(bad.stderr).toMatch(/rejects: .*rejects\.csv: holds 0 reject rows, but the manifest counts 16/);
    expect(bad.stderr).toMatch(/links: .*regions: regions must be a link to \.current\/regions; to recover: /);
    const json = JSON.parse((await cli(['verify', '--warehouse', out, '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.problems.map((p: { check: string }) => p.check).sort()).toEqual(['database', 'links', 'rejects']);
  });

  it('verify finds a row count that differs from the manifest', async () => {
    const out = await built();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.counts.by_region.Asia += 1;
    m.counts.by_region.Europe -= 1;
    writeFileSync(join(out, '.current', 'manifest.json'), JSON.stringify(m));
    const r = await cli(['verify', '--warehouse', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asia\.sqlite: holds \d+ rows, but the manifest counts \d+/);
  });

  it('verify finds a region database without a table a query reads (the forecast pairs)', async () => {
    const out = await built();
    const db = new Database(join(out, '.current', 'regions', 'asia.sqlite'));
    db.exec('DROP TABLE gdp_forecasts');
    db.close();
    const r = await cli(['verify', '--warehouse', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/asia\.sqlite: does not open as a region database \(no gdp_forecasts\)/);
    const q = await cli(['query', 'accuracy', '--warehouse', out]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('no such table: gdp_forecasts');
    expectNoStack(q.stderr);
  });

  it('a query on a damaged region database: exit 1 naming the file', async () => {
    const out = await built();
    writeFileSync(join(out, '.current', 'regions', 'asia.sqlite'), Buffer.alloc(8192, 7));
    const r = await cli(['query', 'top5', '--warehouse', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('asia.sqlite');
    expectNoStack(r.stderr);
  });

  it('a corrupt manifest: queries exit 1 naming it, and a plain run rebuilds the warehouse', async () => {
    const out = await built();
    writeFileSync(join(out, '.current', 'manifest.json'), '{"format": "gdpmr-warehouse/1", "cut');
    const q = await cli(['query', 'over', '--warehouse', out]);
    expect(q.code).toBe(1);
    expect(q.stderr).toContain('manifest.json');
    expect((await cli(['run', WIKIPEDIA, '--out', out, '--append'])).code).toBe(1);
    const r = await cli(['run', WIKIPEDIA, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('replacing the damaged warehouse');
    // The damaged generation is kept (never deleted), and verify says so; queries answer.
    const v = await cli(['verify', '--warehouse', out]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('has 1 problem');
    expect(v.stderr).toContain('kept for rollback');
    expect((await cli(['query', 'over', '--warehouse', out])).code).toBe(0);
  });
});

