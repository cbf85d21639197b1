// The readable table every command prints: one line per row, whatever a cell holds.
import { describe, expect, it } from 'vitest';
import { table } from '../../src/format.js';

describe('table', () => {
  it('escapes control characters in cells and headers, so a row stays one line', () => {
    const text = table(['name\n', 'gdp'], [['Nul\u0000Land\nB', 1.5], ['Tab\tby', 2]], [1]);
    expect(text.split('\n')).toEqual(['name\\n             gdp', '----------------  ----', 'Nul\\u0000Land\\nB  1.50', 'Tab\\tby           2.00']);
  });
});
