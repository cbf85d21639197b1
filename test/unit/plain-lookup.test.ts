// The hot path's byte-level country map must find exactly what RegionMap finds by string.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { codeNumber, PlainLookup } from '../../src/map/plain-lookup.js';
import { RegionMap } from '../../src/rules/regions.js';

const bundled = RegionMap.fromCsv(readFileSync(new URL('../../data/un_regions.csv', import.meta.url), 'utf8'), 'data/un_regions.csv');
const bundledPlain = new PlainLookup(bundled.names(), bundled.codes());

function bytesOf(text: string): Buffer {
  // Framed by other bytes, as a name is inside a record.
  return Buffer.from(`x,${text},y`, 'latin1');
}

function find(plain: PlainLookup, text: string) {
  const bytes = bytesOf(text);
  return plain.entryOf(bytes, 2, 2 + text.length);
}

/** A printable ASCII name as the hot path takes them (what its caller has checked). */
const asciiName = fc.stringMatching(/^[!-Z\\\]-~]([ !-Z\\\]-~]{0,20}[!-Z\\\]-~])?$/).filter((s) => !s.includes('  '));

describe('PlainLookup', () => {
  it('finds every ASCII name of the bundled map in any case, with the entry RegionMap gives', () => {
    let checked = 0;
    for (const [key, entry] of bundled.names()) {
      if (!/^[\x20-\x7e]*$/.test(key)) continue;
      for (const spelling of [key, key.toUpperCase(), key.replace(/\b\w/g, (c) => c.toUpperCase())]) {
        expect(find(bundledPlain, spelling)).toBe(entry);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
  });

  it('agrees with RegionMap.entryOf on random names, known and unknown', () => {
    const known = [...bundled.names().keys()].filter((k) => /^[\x20-\x7e]*$/.test(k));
    const name = fc.oneof(asciiName, fc.constantFrom(...known).map((k) => k.toUpperCase()), fc.constantFrom(...known).map((k) => `${k}x`), fc.constantFrom(...known).map((k) => k.slice(0, -1)));
    fc.assert(
      fc.property(name, (text) => {
        expect(find(bundledPlain, text)).toBe(bundled.entryOf(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps names that collide in the table apart, and leaves non-ASCII names to RegionMap', () => {
    // 600 names in a table of 2048 slots: many share a probe run.
    const rows = Array.from({ length: 600 }, (_, i) => `Land ${i},${['Asia', 'Europe', 'Africa'][i % 3]},,`);
    const map = RegionMap.fromCsv(`country,region,code,name\n${rows.join('\n')}\nCôte d'Ivoire,Africa,CIV,Ivory Coast\n`, 'test map');
    const plain = new PlainLookup(map.names(), map.codes());
    for (let i = 0; i < 600; i++) expect(find(plain, `LAND ${i}`)).toBe(map.entryOf(`Land ${i}`));
    expect(find(plain, 'Land 600')).toBeUndefined();
    expect(find(plain, "Cote d'Ivoire")).toBeUndefined();
  });

  it('gives a code region only for three capital letters the map knows', () => {
    const code = (text: string) => codeNumber(Buffer.from(text, 'latin1'), 0);
    expect(bundledPlain.regionOfCode(code('JPN'))).toBe('Asia');
    expect(bundledPlain.regionOfCode(code('XKX'))).toBe(bundled.regionOfCode('XKX'));
    expect(bundledPlain.regionOfCode(code('QQQ'))).toBeUndefined();
    expect(code('jpn')).toBe(-1);
    expect(code('J1N')).toBe(-1);
    // Distinct codes, distinct numbers.
    const numbers = new Set([...bundled.codes().keys()].map(code));
    expect(numbers.size).toBe(bundled.codes().size);
  });
});
