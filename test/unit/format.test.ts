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
