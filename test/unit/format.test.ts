// The readable table every command prints: one line per row, whatever a cell holds.
import { describe, expect, it } from 'vitest';
import { table } from '../../src/format.js';

describe('table', () => {
  it('escapes control characters in cells and headers, so a row stays one line', () => {
    const text = table(['name\n', 'gdp'], [['Nul\u0000Land\nB', 1.5], ['Tab\tby', 2]], [1]);
    expect(text.split('\n')).toEqual(['name\\n             gdp', '----------------  ----', 'Nul\\u0000Land\\nB  1.50', 'Tab\\tby           2.00']);
  });
});

describe('URLs written anywhere', () => {
  it('mask a password and the values of token-like query parameters, and nothing else', async () => {
    const { maskUrls, shownUrl } = await import('../../src/format.js');
    expect(shownUrl('https://u:pw@x.org/a?token=abc&format=json')).toBe('https://u:***@x.org/a?token=***&format=json');
    expect(shownUrl('https://api.worldbank.org/v2/country?format=json&per_page=20000')).toBe('https://api.worldbank.org/v2/country?format=json&per_page=20000');
    expect(shownUrl('http://x.org/?API_KEY=1&Signature=2&page=3')).toBe('http://x.org/?API_KEY=***&Signature=***&page=3');
    expect(maskUrls({ url: 'https://x.org/?access_token=s', requests: [{ url: 'https://x.org/?key=k' }], n: 1 })).toEqual({ url: 'https://x.org/?access_token=***', requests: [{ url: 'https://x.org/?key=***' }], n: 1 });
  });
});

describe('rounding for output', () => {
  it('rounds half away from zero on the decimal value, as DuckDB and a person do', async () => {
    const { round2, fixed2 } = await import('../../src/format.js');
    expect([1.835, 1799.185, 2793.495, 0.125, 0.005, -1.835, -0.005, 1.834999, 2.5, 1e-9, 123456789.125].map(round2)).toEqual([1.84, 1799.19, 2793.5, 0.13, 0.01, -1.84, -0.01, 1.83, 2.5, 0, 123456789.13]);
    expect(fixed2(1.835)).toBe('1.84');
    expect(fixed2(1835 / 1000)).toBe('1.84');
    expect(fixed2(Infinity)).toBe('Infinity');
    expect(round2(-0.001)).toBe(0);
  });
});
