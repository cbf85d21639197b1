// The bundled country map against a well-kept ISO 3166 library: every code is a real alpha-3
// code (Kosovo's XKX aside, which ISO leaves to users), and wherever the library knows an
// English name, it gives the map's code for it.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import countries from 'i18n-iso-countries';
import { describe, expect, it } from 'vitest';
import { loadRegionMap } from '../../src/store/region-map-file.js';
import { DATA } from '../helpers.js';

const rows = parse(readFileSync(`${DATA}/un_regions.csv`), { columns: true, bom: true }) as Array<{ country: string; region: string; code: string; name: string }>;

describe('the bundled country map (data/un_regions.csv)', () => {
  it('has the columns country, region, code, name and every shared row', () => {
    const shared = parse(readFileSync(`${DATA}/../../shared/data/un_regions.csv`), { columns: true, bom: true }) as typeof rows;
    expect(Object.keys(rows[0])).toEqual(['country', 'region', 'code', 'name']);
    // The project may add aliases, never move a listed name to another region or code.
    const ours = new Map(rows.map((r) => [r.country, r]));
    for (const r of shared) expect(ours.get(r.country)).toEqual(r);
  });

  it('gives every name a real ISO 3166-1 alpha-3 code, XKX for Kosovo, none for Zanzibar', () => {
    const bad = rows.filter((r) => r.code !== '' && r.code !== 'XKX' && !countries.isValid(r.code)).map((r) => `${r.country}: ${r.code}`);
    expect(bad).toEqual([]);
    expect(rows.filter((r) => r.code === '').map((r) => r.country)).toEqual(['Zanzibar']);
    expect(rows.find((r) => r.country === 'Kosovo')?.code).toBe('XKX');
  });

  it("agrees with the library's code for every English name the library knows", () => {
    const disagree: string[] = [];
    let known = 0;
    for (const r of rows) {
      const code = countries.getAlpha3Code(r.country, 'en');
      // The library spells Kosovo's user-assigned code XKK; the SPEC, the IMF and the World Bank XKX.
      if (code === undefined || (r.code === 'XKX' && code === 'XKK')) continue;
      known++;
      if (code !== r.code) disagree.push(`${r.country}: map ${r.code}, library ${code}`);
    }
    expect(disagree).toEqual([]);
    // The check must have checked something: most names are ISO's own.
    expect(known).toBeGreaterThan(150);
  });

  it('loads: one region and one name per code', () => {
    const map = loadRegionMap(`${DATA}/un_regions.csv`);
    expect(map.nameOfCode('CHN')).toBe('China');
    expect(map.entryOf("china, people's republic of")).toEqual({ region: 'Asia', code: 'CHN' });
    expect(map.regionOfCode('XKX')).toBe('Europe');
  });
});
