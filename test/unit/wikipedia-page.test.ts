// Finding the figure table on a page: what a reader sees in a cell, and a page with more than one.
import { describe, expect, it } from 'vitest';
import { extractWikipedia } from '../../src/extract/wikipedia.js';

const table = (caption: string, rows: string) => `<table><caption>${caption}</caption>
  <tr><th rowspan="2">Country/Territory</th><th colspan="2">IMF</th></tr>
  <tr><th>Forecast</th><th>Year</th></tr>${rows}</table>`;
const page = (...tables: string[]) => `<!doctype html><html><body>${tables.join('\n')}</body></html>`;

describe('the Wikipedia table', () => {
  it('a table nested in a cell is not part of the cell\'s text', () => {
    const r = extractWikipedia(page(table('GDP', '<tr><td>Japan<table><tr><td>legend 99</td></tr></table></td><td>4,070,094</td><td>2025</td></tr>')), 'imf');
    expect(r.ok && r.rows).toEqual([{ country: 'Japan', country_code: '', gdp_usd_million: '4,070,094', year: '2025' }]);
  });

  it('of two tables with the columns, the first is used and the other named', () => {
    const r = extractWikipedia(page(table('GDP 2025', '<tr><td>Japan</td><td>4,070,094</td><td>2025</td></tr>'), table('GDP per capita', '<tr><td>Japan</td><td>32,859</td><td>2025</td></tr><tr><td>Chad</td><td>1</td><td>2025</td></tr>')), 'imf');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rows.map((x) => x.gdp_usd_million)).toEqual(['4,070,094']);
    expect(r.alsoMatched).toEqual(['"GDP per capita" of 2 rows']);
  });
});
