// rules/forecasts.ts: each fact's first actual figure and the horizons at which each of its
// projections was current at a year's end (SPEC §9, query accuracy).
import { describe, expect, it } from 'vitest';
import { FactRows, firstActual, forecastPairs, MAX_HORIZON } from '../../src/rules/forecasts.js';

/** Rows in the reduce's order (published ascending); validTo is the next row's published. */
function fact(rows: Array<[published: string | null, projection: boolean, figure: number]>): FactRows {
  const out = new FactRows();
  rows.forEach(([published, projection, figure], i) => {
    const validTo = i === rows.length - 1 ? null : (rows[i + 1][0] ?? '');
    out.push(published, validTo, projection, figure, 0, i);
  });
  return out;
}

function pairs(year: number, rows: FactRows): Array<[number, number, number, string | null, number, string | null]> {
  const out: Array<[number, number, number, string | null, number, string | null]> = [];
  forecastPairs(year, rows, (...p) => out.push(p));
  return out;
}

describe('first actual figure', () => {
  it('is the earliest published actual figure, undated before every date', () => {
    expect(firstActual(fact([[null, false, 1], ['2020-04-01', false, 2]]))).toBe(0);
    expect(firstActual(fact([['2020-04-01', true, 1], ['2021-04-01', false, 2], ['2022-04-01', false, 3]]))).toBe(1);
  });

  it('of two published the same day, is the later in the input', () => {
    expect(firstActual(fact([['2021-04-01', false, 2], ['2021-04-01', true, 9], ['2021-04-01', false, 3], ['2022-04-01', false, 4]]))).toBe(2);
  });

  it('is none when every figure is a projection', () => {
    expect(firstActual(fact([['2020-04-01', true, 1]]))).toBe(-1);
  });
});

describe('forecast pairs', () => {
  it('pairs a projection with the horizons whose year end its validity holds', () => {
    // 2021's figure: forecast in April 2019 (current at the ends of 2019, 2020 and 2021), actual in April 2022.
    const rows = fact([['2019-04-01', true, 100], ['2022-04-01', false, 110]]);
    expect(pairs(2021, rows)).toEqual([[0, 2, 100, '2019-04-01', 110, '2022-04-01']]);
    // Replaced by an actual figure in December 2021: current at the ends of 2019 and 2020 only.
    expect(pairs(2021, fact([['2019-04-01', true, 100], ['2021-12-01', false, 110]]))).toEqual([[1, 2, 100, '2019-04-01', 110, '2021-12-01']]);
  });

  it('gives each projection its own horizons and the fact one first actual figure', () => {
    const rows = fact([['2019-10-01', true, 90], ['2020-10-01', true, 95], ['2021-10-01', true, 99], ['2022-04-01', false, 100], ['2023-04-01', false, 101]]);
    expect(pairs(2021, rows)).toEqual([
      [2, 2, 90, '2019-10-01', 100, '2022-04-01'],
      [1, 1, 95, '2020-10-01', 100, '2022-04-01'],
      [0, 0, 99, '2021-10-01', 100, '2022-04-01'],
    ]);
  });

  it('leaves out a projection replaced within its own year: it was current at no year end', () => {
    const rows = fact([['2020-04-01', true, 90], ['2020-10-01', true, 95], ['2022-04-01', false, 100]]);
    expect(pairs(2021, rows)).toEqual([[0, 1, 95, '2020-10-01', 100, '2022-04-01']]);
  });

  it('gives an undated projection every horizon up to its year, at most MAX_HORIZON', () => {
    expect(pairs(2021, fact([[null, true, 90], ['2022-04-01', false, 100]]))).toEqual([[0, MAX_HORIZON, 90, null, 100, '2022-04-01']]);
    expect(pairs(3, fact([[null, true, 90], ['2022-04-01', false, 100]]))).toEqual([[0, 3, 90, null, 100, '2022-04-01']]);
  });

  it('leaves out an undated projection followed by an undated figure: its interval is empty', () => {
    expect(pairs(2021, fact([[null, true, 90], [null, false, 100]]))).toEqual([]);
  });

  it('pairs nothing without an actual figure, or when the first one is 0 (no error in per cent)', () => {
    expect(pairs(2021, fact([['2020-04-01', true, 90]]))).toEqual([]);
    expect(pairs(2021, fact([['2020-04-01', true, 90], ['2022-04-01', false, 0], ['2023-04-01', false, 5]]))).toEqual([]);
  });

  it('counts a projection published after its year at no horizon', () => {
    expect(pairs(2021, fact([['2022-02-01', true, 90], ['2022-04-01', false, 100]]))).toEqual([]);
  });
});
