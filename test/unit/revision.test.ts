// The later vintage tests and benchmarks load: quoted names and numbers survive, one figure in n changes.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { revisedVintage } from '../../src/generate/revision.js';

describe('revisedVintage', () => {
  it('keeps quoted fields whole, revises every n-th figure and dates every row', () => {
    const csv = 'country,year,gdp_usd_million,published\r\n"Bahamas, The",1980,"2,598",2024-10-22\r\nChad,1980,100,2024-10-22\r\nPeru,1980,50,2024-10-22\r\n';
    const rows = parse(revisedVintage(csv, '2025-04-22', 2)) as string[][];
    expect(rows).toEqual([
      ['country', 'year', 'gdp_usd_million', 'published'],
      ['Bahamas, The', '1980', '2494.08', '2025-04-22'],
      ['Chad', '1980', '100', '2025-04-22'],
      ['Peru', '1980', '48', '2025-04-22'],
    ]);
  });
});
