// The region database writer on its own: what each row holds, whatever the number of loads.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { dayNumber } from '../../src/store/region-db/days.js';
import { indexRegionDb, sorterThreadsFor } from '../../src/store/region-db/indexes.js';
import { IDENTITIES_OF_NAME } from '../../src/store/region-db/validity-sql.js';
import { RegionDbWriter } from '../../src/store/region-db/writer.js';
import { ALL as HISTORY } from '../../src/query/history.js';
import { REVISED } from '../../src/query/revisions.js';
import { cleanTempDirs, tempDir } from '../helpers.js';

afterAll(cleanTempDirs);

/** ASCII names (whose key SQLite lower-cases) and others (whose key is bound). */
const nameOf = (i: number): string => [`Land ${i}`, `ÉIRE ${i}`, `Côte ${i}`, `ÿ ${i}`, `MIXED Case ${i}`][i % 5];

/** Every kind of interval end: current (null), superseded before any date (''), a date. */
const validToOf = (i: number): string | null => (i % 2 === 0 ? null : i % 5 === 1 ? '' : '2024-10-22');
/** A code for some rows (the identity then), and the map's name where it differs. */
const codeOf = (i: number): string | null => (i % 6 === 0 ? 'IRL' : null);
const nameShownOf = (i: number): string | null => (i % 6 === 0 ? (i % 12 === 0 ? 'Ireland' : nameOf(i)) : null);
const latestFromOf = (i: number): string => (i % 7 === 0 ? '2023-06-01' : i % 3 === 0 ? '' : '2024-04-01');
const latestToOf = (i: number): string => (i % 4 === 0 ? '9999-12-31' : i % 3 === 0 ? '2023-01-01' : (validToOf(i) ?? '9999-12-31'));

/** Writes `rows` figures spread over `loads` loads and reads them back in line order. */
function roundTrip(loads: number, rows: number) {
  const runIds = Array.from({ length: loads }, (_, seq) => `run-${seq}-o'brien`);
  const path = join(tempDir(), `loads-${loads}.sqlite`);
  const writer = new RegionDbWriter(path, 'Europe', runIds);
  for (let i = 0; i < rows; i++) {
    writer.addValues(nameOf(i), nameShownOf(i), i % 2 === 0 ? 'imf' : '', codeOf(i) ?? nameOf(i).toLowerCase(), 2000 + (i % 7), i + 0.5, i % 3 === 0 ? null : '2024-04-01', i + 2, i % 2 === 0, i % 4 === 0, i % loads, validToOf(i), latestFromOf(i), latestToOf(i), i % 5 === 0, i % 3 === 0 ? 2019 : null);
  }
  writer.finish(0);
  const db = new Database(path, { readonly: true });
  try {
    return { runIds, stored: db.prepare('SELECT * FROM gdp ORDER BY line').all() as Array<Record<string, unknown>> };
  } finally {
    db.close();
  }
}

describe('RegionDbWriter', () => {
  // Up to 256 loads the schema spells run_id; 300 store it per row. Readers of the view gdp
  // see the same either way, including the rows of the last, partial INSERT (rows is not a
  // multiple of 200).
  for (const loads of [1, 2, 300]) {
    it(`stores every value of every row, run_id by load_seq, with ${loads} load(s)`, () => {
      const rows = 451;
      const { runIds, stored } = roundTrip(loads, rows);
      expect(stored).toHaveLength(rows);
      stored.forEach((row, i) => {
        expect(row).toEqual({
          country: nameOf(i),
          country_code: codeOf(i),
          name: nameShownOf(i) ?? nameOf(i),
          source: i % 2 === 0 ? 'imf' : '',
          country_key: codeOf(i) ?? nameOf(i).toLowerCase(),
          region: 'Europe',
          is_projection: i % 5 === 0 ? 1 : 0,
          estimates_start_after: i % 3 === 0 ? 2019 : null,
          year: 2000 + (i % 7),
          gdp_usd_billion: i + 0.5,
          published: i % 3 === 0 ? null : '2024-04-01',
          line: i + 2,
          is_current: i % 2 === 0 ? 1 : 0,
          is_latest: i % 4 === 0 ? 1 : 0,
          run_id: runIds[i % loads],
          load_seq: i % loads,
          valid_to: validToOf(i),
          valid_from: i % 3 === 0 ? null : '2024-04-01',
          latest_from: latestFromOf(i) === '' && i % 3 === 0 ? null : latestFromOf(i),
          latest_to: latestToOf(i),
        });
      });
    });
  }

  it('carries every date through the view, the first and last days of years 0000-9999 included', () => {
    const path = join(tempDir(), 'extreme-dates.sqlite');
    const writer = new RegionDbWriter(path, 'Asia', ['only']);
    // published, valid_to, latest_from, latest_to: each end at its extremes and at '' / NULL.
    const cases: Array<[string | null, string | null, string, string]> = [
      ['0000-01-01', '9999-12-30', '0000-01-01', '0000-03-01'],
      ['0000-01-01', null, '9999-12-30', '9999-12-31'],
      [null, '', '', ''],
      [null, '0000-01-02', '', '0000-01-02'],
      ['9999-12-30', null, '0000-01-01', '9999-12-31'],
      ['2024-02-29', '2024-03-01', '2024-02-29', '2024-03-01'],
    ];
    cases.forEach(([published, validTo, latestFrom, latestTo], i) => writer.addValues('Land', null, '', 'land', 2000 + i, 1, published, i + 2, validTo === null, false, 0, validTo, latestFrom, latestTo, false, null));
    writer.finish(0);
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare('SELECT published, valid_to, latest_from, latest_to FROM gdp ORDER BY line').raw().all();
      // latest_from is published's own where they agree ('' for an undated figure shows NULL).
      expect(rows).toEqual(cases.map(([published, validTo, latestFrom, latestTo]) => [published, validTo, latestFrom === '' && published === null ? null : latestFrom, latestTo]));
    } finally {
      db.close();
    }
  });

  it('stores per row only what differs from row to row', () => {
    const path = join(tempDir(), 'compact.sqlite');
    const writer = new RegionDbWriter(path, 'Europe', ['a', 'b']);
    for (let i = 0; i < 10; i++) writer.addValues(i % 2 === 0 ? 'Land' : 'LAND', null, '', 'land', 2000 + i, 1, '2024-04-01', i + 2, true, true, i % 2, null, '2024-04-01', i % 3 === 0 ? '2023-01-01' : '9999-12-31', false, null);
    writer.finish(0);
    const db = new Database(path, { readonly: true });
    try {
      // PRAGMA table_info leaves generated columns out: what it lists is what is stored.
      const stored = (db.pragma('table_info(gdp_rows)') as Array<{ name: string }>).map((c) => c.name);
      for (const shown of ['region', 'run_id', 'country', 'country_key', 'country_code', 'name', 'published', 'valid_to', 'latest_to']) expect(stored).not.toContain(shown);
      // A country's key, code, name and first spelling are its series'; a row stores its own
      // spelling only where it differs (a case change here), and only a cut "latest" end.
      const rows = db.prepare('SELECT series_id, spelling_unless_series, latest_cut_day, latest_to FROM gdp_rows ORDER BY line').all() as Array<{ series_id: number; spelling_unless_series: string | null; latest_cut_day: number | null; latest_to: string }>;
      rows.forEach((r, i) => {
        expect(r.series_id).toBe(1);
        expect(r.spelling_unless_series).toBe(i % 2 === 0 ? null : 'LAND');
        expect(r.latest_cut_day).toBe(i % 3 === 0 ? dayNumber('2023-01-01') : null);
        expect(r.latest_to).toBe(i % 3 === 0 ? '2023-01-01' : '9999-12-31');
      });
      expect(db.prepare('SELECT source, country_key, country_code, name, spelling FROM gdp_series').all()).toEqual([{ source: '', country_key: 'land', country_code: null, name: null, spelling: 'Land' }]);
      // The view lists every column a reader uses, with its type.
      const view = (db.pragma('table_info(gdp)') as Array<{ name: string; type: string }>).map((c) => `${c.name} ${c.type}`);
      expect(view).toEqual(expect.arrayContaining(['country TEXT', 'region TEXT', 'year INTEGER', 'gdp_usd_billion REAL', 'published TEXT', 'line INTEGER', 'is_current INTEGER', 'run_id TEXT', 'valid_from TEXT', 'valid_to TEXT', 'country_code TEXT', 'source TEXT', 'is_projection INTEGER', 'estimates_start_after INTEGER', 'name TEXT']));
    } finally {
      db.close();
    }
  });

  it('indexes a loaded database once, however often the build is repeated, and leaves no journal', () => {
    const path = join(tempDir(), 'indexed.sqlite');
    const writer = new RegionDbWriter(path, 'Asia', ['only']);
    for (let i = 0; i < 50; i++) writer.addValues(`Land ${i}`, null, '', `land ${i}`, 2000, i + 1, null, i + 2, true, i % 2 === 0, 0, null, '', '9999-12-31', false, null);
    writer.finish(0);
    const indexNames = () => {
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
      } finally {
        db.close();
      }
    };
    expect(indexNames()).toEqual([]);
    expect(indexRegionDb(path, 1)).toBe(5);
    // A retried index task finds the indexes there and builds nothing twice.
    expect(indexRegionDb(path, 0)).toBe(5);
    expect(indexNames()).toEqual(['gdp_fact_as_of', 'gdp_latest_as_of', 'gdp_latest_by_gdp', 'gdp_other_spellings', 'gdp_series_key']);
    expect(readdirSync(dirname(path)).filter((f) => f.startsWith('indexed.sqlite'))).toEqual(['indexed.sqlite']);
    expect(existsSync(`${path}-journal`)).toBe(false);
  });

  it('index builds get a helper sorter thread only when a core has no worker', () => {
    expect(sorterThreadsFor(1, 2)).toBe(1);
    expect(sorterThreadsFor(2, 2)).toBe(0);
    expect(sorterThreadsFor(4, 2)).toBe(0);
    expect(sorterThreadsFor(2, 8)).toBe(1);
  });

  it('counts its rows per source, whether the schema spells the sources or each row stores its own', () => {
    for (const sources of [['', 'imf', 'un'], []]) {
      const writer = new RegionDbWriter(join(tempDir(), 'sources.sqlite'), 'Asia', ['only'], sources);
      for (let i = 0; i < 7; i++) writer.addValues(`Land ${i}`, null, i < 4 ? 'imf' : '', `land ${i}`, 2000, 1, null, i + 2, true, true, 0, null, '', '9999-12-31', false, null);
      writer.finish(0);
      expect(writer.rowsBySource).toEqual({ imf: 4, '': 3 });
    }
  });

  it('refuses a load_seq that has no run_id rather than storing a NULL', () => {
    const writer = new RegionDbWriter(join(tempDir(), 'bad.sqlite'), 'Asia', ['only']);
    expect(() => writer.addValues('A', null, '', 'a', 2000, 1, null, 2, true, true, 1, null, '', '9999-12-31', false, null)).toThrow('load_seq 1 has no run_id (1 loads)');
    writer.abandon();
  });

  it("finds a country's identity by any spelling its rows were loaded under, and reads its rows by the table's key", () => {
    const path = join(tempDir(), 'spellings.sqlite');
    const writer = new RegionDbWriter(path, 'Europe', ['only'], ['imf']);
    // Thousands of rows of other countries: with few, a scan costs SQLite as little as a lookup.
    for (let c = 0; c < 300; c++) for (let year = 1990; year < 2020; year++) writer.addValues(`Land ${c}`, null, 'imf', `land ${c}`, year, 1, '2024-04-01', c * 100 + year, true, year === 2019, 0, null, '2024-04-01', '9999-12-31', false, null);
    // One coded country, its first row spelled one way and a later one another.
    writer.addValues('Kosovo', null, 'imf', 'XKX', 2020, 9, '2024-04-01', 90_001, true, false, 0, null, '', '', false, null);
    writer.addValues('Kosova', null, 'imf', 'XKX', 2021, 9.5, '2024-04-01', 90_002, true, true, 0, null, '2024-04-01', '9999-12-31', false, null);
    writer.finish(0);
    indexRegionDb(path, 0);
    const db = new Database(path, { readonly: true });
    try {
      const identities = (name: string) => (db.prepare(IDENTITIES_OF_NAME).all({ name }) as Array<{ country_key: string }>).map((r) => r.country_key);
      expect(identities('kosovo')).toEqual(['XKX']);
      expect(identities('kosova')).toEqual(['XKX']);
      expect(identities('land 7')).toEqual(['land 7']);
      expect(identities('atlantis')).toEqual([]);
      expect(db.prepare(HISTORY).all({ key: 'XKX' }).map((r) => (r as { country: string }).country)).toEqual(['Kosovo', 'Kosova']);
      // A country's rows are found by its series, then a range of the table's key; not by a
      // scan of every row of a year (which took a revisions query minutes on 128 MB).
      const plan = (sql: string, params: object) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      expect(plan(HISTORY, { key: 'XKX' })).toMatch(/SEARCH s USING (COVERING )?INDEX gdp_series_key \(country_key=\?\); SEARCH r USING PRIMARY KEY \(series_id=\?\)/);
      expect(plan(REVISED, { source: 'imf', from: '2024-01-01', to: '2024-12-31' })).toMatch(/CORRELATED SCALAR SUBQUERY.*SEARCH s USING (COVERING )?INDEX gdp_series_key.*SEARCH r USING PRIMARY KEY \(series_id=\? AND year=\?\)/);
    } finally {
      db.close();
    }
  });

  it("stores a date as SQLite's day number and shows it back as the same text, for any year 0000-9999", () => {
    const db = new Database(':memory:');
    try {
      const dates = ['0000-01-01', '0001-02-28', '0099-12-31', '0100-03-01', '1582-10-10', '1900-02-28', '1970-01-01', '2000-02-29', '2024-10-22', '9999-12-31'];
      for (let i = 0; i < 500; i++) {
        const at = new Date(Date.UTC(2000, 0, 1) + Math.floor((Math.random() - 0.5) * 2 * 730_000) * 86_400_000);
        if (at.getUTCFullYear() >= 0 && at.getUTCFullYear() <= 9999) dates.push(at.toISOString().slice(at.getUTCFullYear() < 0 ? 1 : 0, 10).padStart(10, '0'));
      }
      const check = db.prepare("SELECT julianday(@date) - 0.5 AS day, date(@day + 0.5) AS text");
      for (const date of dates) {
        expect(check.get({ date, day: dayNumber(date) }), date).toEqual({ day: dayNumber(date), text: date });
      }
      expect(dayNumber('')).toBe(0);
    } finally {
      db.close();
    }
  });

  it('numbers every day from 0000-01-01 to 9999-12-31 one after the other', () => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let expected = dayNumber('0000-01-01');
    let wrong = 0;
    for (let year = 0; year <= 9999; year++) {
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      for (let month = 1; month <= 12; month++) {
        const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
        for (let day = 1; day <= days; day++) {
          if (dayNumber(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`) !== expected) wrong++;
          expected++;
        }
      }
    }
    expect(wrong).toBe(0);
    expect(expected - 1).toBe(dayNumber('9999-12-31'));
  });
});
