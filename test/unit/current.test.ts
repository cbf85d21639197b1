import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CurrentMarker, decodeFact, encodeFact, encodeFactLine, keyHash, markAll, readFact, type FactLine } from '../../src/rules/current.js';

const fact = (over: Partial<FactLine>): FactLine => ({ factKey: ':japan', year: 2024, published: null, loadSeq: 0, line: 2, estimatesStartAfter: null, country: 'Japan', gdpUsdBillion: 1, ...over });
const currentLines = (facts: FactLine[]) =>
  markAll(facts.map(encodeFact))
    .filter((m) => m.isCurrent)
    .map((m) => decodeFact(m.text).line);

describe('the duplicate rule', () => {
  it('the latest published vintage is current', () => {
    expect(currentLines([fact({ line: 2, published: '2024-10-22' }), fact({ line: 3, published: '2024-04-16' })])).toEqual([2]);
  });
  it('an empty published is older than any date', () => {
    expect(currentLines([fact({ line: 5, published: '1999-01-01' }), fact({ line: 9, published: null })])).toEqual([5]);
  });
  it('on a tie the later record in the file wins, and a later load beats any line', () => {
    expect(currentLines([fact({ line: 10 }), fact({ line: 9 })])).toEqual([10]);
    expect(currentLines([fact({ line: 100, loadSeq: 0 }), fact({ line: 2, loadSeq: 1 })])).toEqual([2]);
    expect(currentLines([fact({ line: 100 }), fact({ line: 20 })])).toEqual([100]);
  });
  it('country names compare case-insensitively; years are separate facts', () => {
    const marked = markAll([fact({ line: 2, year: 2023 }), fact({ line: 3, year: 2024 }), fact({ line: 4, year: 2024, country: 'JAPAN' })].map(encodeFact));
    const byLine = new Map(marked.map((m) => [decodeFact(m.text).line, m]));
    expect(byLine.get(2)).toMatchObject({ isCurrent: true, isLatest: false });
    expect(byLine.get(3)).toMatchObject({ isCurrent: false, isLatest: false });
    expect(byLine.get(4)).toMatchObject({ isCurrent: true, isLatest: true });
  });
  it('a figure is its country\'s latest from its vintage until the first vintage of a greater year, or its successor\'s; \'\' when never', () => {
    // estimates_start_after 2030: every figure here is an actual one.
    const marked = markAll(
      [
        fact({ line: 2, year: 2023, published: '2023-04-01' }),
        fact({ line: 3, year: 2023, published: '2023-10-01' }),
        fact({ line: 4, year: 2023, published: '2024-10-01' }),
        fact({ line: 5, year: 2024, published: '2024-04-01' }),
        fact({ line: 6, year: 2022, published: null }),
        fact({ line: 7, year: 2022, published: '2024-01-01' }),
      ].map((f) => encodeFact({ ...f, estimatesStartAfter: 2030 })),
    );
    const latestTo = Object.fromEntries(marked.map((m) => [decodeFact(m.text).line, m.latestTo]));
    // 2023's figures: latest until the next 2023 vintage, cut at 2024's first (2024-04-01); the
    // 2024-10 one came after that cut and never was. 2022's undated figure, older than any
    // date, was latest until 2023's first vintage; its 2024-01 successor never was.
    expect(latestTo).toEqual({ 2: '2023-10-01', 3: '2024-04-01', 4: '', 5: '9999-12-31', 6: '2023-04-01', 7: '' });
  });
  it('a name that extends another is another country', () => {
    const marked = markAll([fact({ factKey: ':niger', line: 2 }), fact({ factKey: ':nigeria', line: 3 })].map(encodeFact));
    expect(marked.every((m) => m.isCurrent && m.isLatest)).toBe(true);
  });
  it('round-trips a figure through its line exactly', () => {
    const f = fact({ gdpUsdBillion: 30337.162, published: '2024-10-22', line: 123456789, loadSeq: 7, country: 'Côte d’Ivoire' });
    expect(decodeFact(encodeFact(f))).toEqual(f);
    expect(decodeFact(encodeFact({ ...f, estimatesStartAfter: 2023 }))).toEqual({ ...f, estimatesStartAfter: 2023 });
  });
  it('reads a line in place exactly as the reference decoder does', () => {
    const name = fc.stringMatching(/^[A-Za-zÀ-ÿ’'.,() -]{1,30}$/);
    const figure = fc.record({
      factKey: name.map((n) => `imf:${n}`),
      year: fc.integer({ min: 1900, max: 2100 }),
      published: fc.option(fc.constantFrom('2023-04-11', '2024-10-22', '1999-12-31'), { nil: null }),
      loadSeq: fc.integer({ min: 0, max: 999_999 }),
      line: fc.integer({ min: 1, max: 999_999_999_999_999 }),
      estimatesStartAfter: fc.option(fc.integer({ min: 1900, max: 2100 }), { nil: null }),
      country: name,
      gdpUsdBillion: fc.double({ min: 1e-9, max: 1e12, noNaN: true }),
    });
    const into = fact({});
    fc.assert(
      fc.property(figure, (f) => {
        const text = encodeFact(f);
        expect(readFact(text, into)).toEqual(decodeFact(text));
        expect(into).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });
  it('a figure in millions reads back in billions, divided as the SPEC divides', () => {
    const text = encodeFactLine(keyHash(':japan'), ':japan', 2024, null, '000000', 2, null, 'Japan', '4212945.3');
    expect(decodeFact(text).gdpUsdBillion).toBe(4212945.3 / 1000);
    expect(readFact(text, fact({})).gdpUsdBillion).toBe(4212945.3 / 1000);
  });
  it('the hash prefix of a line is its key hash in 8 hex digits', () => {
    expect(encodeFact(fact({ factKey: 'imf:JPN' })).slice(0, 9)).toBe(`${keyHash('imf:JPN').toString(16).padStart(8, '0')}\t`);
  });
  it('figures of different sources are never vintages of each other', () => {
    const marked = markAll([fact({ factKey: 'imf:JPN', line: 2, year: 2023, published: '2024-10-22' }), fact({ factKey: 'world_bank:JPN', line: 3, year: 2023, published: '2025-01-07' })].map(encodeFact));
    expect(marked.every((m) => m.isCurrent && m.isLatest)).toBe(true);
  });
  it('a projection is never the latest figure; the newest figure that is not one is', () => {
    const marked = markAll(
      [
        fact({ line: 2, year: 2023, published: '2024-10-22' }),
        fact({ line: 3, year: 2024, published: '2024-10-22' }),
        fact({ line: 4, year: 2029, published: '2024-10-22' }),
      ].map(encodeFact),
    );
    const byLine = new Map(marked.map((m) => [decodeFact(m.text).line, m]));
    expect(byLine.get(2)).toMatchObject({ isCurrent: true, isProjection: false, isLatest: true, latestFrom: '2024-10-22', latestTo: '9999-12-31' });
    expect(byLine.get(3)).toMatchObject({ isCurrent: true, isProjection: true, isLatest: false, latestTo: '' });
    expect(byLine.get(4)).toMatchObject({ isCurrent: true, isProjection: true, isLatest: false, latestTo: '' });
  });
  it('an undated figure superseded by a projection is latest until the projection, and the year below takes over from then', () => {
    // Wikipedia's undated 2025 figure, then the IMF's October 2024 forecast for 2025: from the
    // forecast's date the country's latest figure is the IMF's 2024 one, not the forecast.
    const marked = markAll(
      [fact({ line: 2, year: 2025, published: null }), fact({ line: 3, year: 2025, published: '2024-10-22' }), fact({ line: 4, year: 2023, published: '2024-10-22' }), fact({ line: 5, year: 2022, published: '2023-10-10' })].map(encodeFact),
    );
    const at = Object.fromEntries(marked.map((m) => [decodeFact(m.text).line, [m.latestFrom, m.latestTo]]));
    expect(at).toEqual({ 2: ['', '2024-10-22'], 3: ['', ''], 4: ['2024-10-22', '9999-12-31'], 5: ['', ''] });
  });
  it('a vintage that turns a forecast into a figure moves the latest year up from its date', () => {
    const marked = markAll([fact({ line: 2, year: 2023, published: '2024-10-22' }), fact({ line: 3, year: 2024, published: '2024-10-22' }), fact({ line: 4, year: 2024, published: '2025-04-22' })].map(encodeFact));
    const at = Object.fromEntries(marked.map((m) => [decodeFact(m.text).line, [m.latestFrom, m.latestTo, m.isLatest]]));
    expect(at).toEqual({ 2: ['2024-10-22', '2025-04-22', false], 3: ['', '', false], 4: ['2025-04-22', '9999-12-31', true] });
  });
  it('estimates_start_after decides a projection where a record gives it; a year 0000 vintage is dated', () => {
    const marked = markAll(
      [
        fact({ line: 2, year: 2024, published: '2024-10-22', estimatesStartAfter: 2024 }),
        fact({ line: 3, year: 2023, published: '2024-10-22', estimatesStartAfter: 2022 }),
        fact({ factKey: ':fiji', line: 4, year: 2020, published: '0000-02-29' }),
        fact({ factKey: ':fiji', line: 5, year: 2019, published: null }),
      ].map(encodeFact),
    );
    const at = Object.fromEntries(marked.map((m) => [decodeFact(m.text).line, [m.isProjection, m.isLatest]]));
    // 2024 is an actual figure by its publisher's word; 2023 an estimate though its year is over.
    // Published in year 0000, 2020 is a forecast, so Fiji's latest figure is the 2019 one.
    expect(at).toEqual({ 2: [false, true], 3: [true, false], 4: [true, false], 5: [false, true] });
  });
  it('a year that a later vintage calls an estimate again leaves the lower year latest in between, stored as a hull', () => {
    // 2024: actual in April 2025, an estimate again in October 2025, actual in April 2026.
    const marked = markAll(
      [
        fact({ line: 2, year: 2023, published: '2024-10-01', estimatesStartAfter: 2023 }),
        fact({ line: 3, year: 2024, published: '2025-04-01', estimatesStartAfter: 2024 }),
        fact({ line: 4, year: 2024, published: '2025-10-01', estimatesStartAfter: 2023 }),
        fact({ line: 5, year: 2024, published: '2026-04-01', estimatesStartAfter: 2024 }),
      ].map(encodeFact),
    );
    const at = Object.fromEntries(marked.map((m) => [decodeFact(m.text).line, [m.latestFrom, m.latestTo]]));
    // 2023's figure: latest from 2024-10-01 to 2025-04-01 and again from 2025-10-01 to
    // 2026-04-01; its row keeps the hull, and figuresSql picks the greatest year holding a date.
    expect(at).toEqual({ 2: ['2024-10-01', '2026-04-01'], 3: ['2025-04-01', '2025-10-01'], 4: ['', ''], 5: ['2026-04-01', '9999-12-31'] });
  });
  it('counts the rows stored as a hull with gaps, which tell the queries to pick the greatest year', () => {
    const counted = (facts: FactLine[]): number => {
      const marker = new CurrentMarker(() => undefined);
      for (const text of facts.map(encodeFact).sort()) marker.push(text);
      marker.finish();
      return marker.hullsWithGaps;
    };
    const gappy = [
      fact({ line: 2, year: 2023, published: '2024-10-01', estimatesStartAfter: 2023 }),
      fact({ line: 3, year: 2024, published: '2025-04-01', estimatesStartAfter: 2024 }),
      fact({ line: 4, year: 2024, published: '2025-10-01', estimatesStartAfter: 2023 }),
      fact({ line: 5, year: 2024, published: '2026-04-01', estimatesStartAfter: 2024 }),
    ];
    expect(counted(gappy)).toBe(1);
    // The same vintages without the year called an estimate again: no gap.
    expect(counted(gappy.filter((f) => f.line !== 4))).toBe(0);
  });
});
