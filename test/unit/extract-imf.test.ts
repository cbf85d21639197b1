// The IMF API's JSON as dump rows: the figures the run reads back exactly, whatever their size.
import { describe, expect, it } from 'vitest';
import { billionsToMillionsText, extractImf } from '../../src/extract/imf.js';

const countries = { countries: { USA: { label: 'United States' }, constructor: { label: 'Proto' }, toString: { label: 'Str' } } };
const values = (usa: Record<string, unknown>) => ({ values: { NGDPD: { USA: usa, constructor: { 2024: 5 } } } });

describe('extract imf', () => {
  it('writes a figure beyond 1e21 millions in digits the run reads (toFixed wrote 1e+3 for 1e297 billions)', () => {
    expect(billionsToMillionsText(1e297)).toBe('1' + '0'.repeat(300));
    expect(billionsToMillionsText(1.7976931348623157e308)).toBe('17976931348623157' + '0'.repeat(295));
    expect(billionsToMillionsText(1.2345e20)).toBe('12345' + '0'.repeat(19));
    expect(billionsToMillionsText(4000.5)).toBe('4000500');
    expect(billionsToMillionsText(0.0004)).toBe('0.4');
  });

  it('a value too large for a double (1e309) is named as such, not "got null"', () => {
    const r = extractImf(values({ 2024: Infinity }), countries, 'NGDPD');
    expect(r).toEqual({ ok: false, reason: '"values"."NGDPD"."USA"."2024" is a number too large for a double (above 1.8e308)' });
  });

  it('country codes that are names of Object.prototype are codes like any other: no code, no crash', () => {
    const r = extractImf(values({ 2024: 1 }), countries, 'NGDPD');
    expect(r.ok && r.rows).toEqual([
      { country: 'United States', country_code: 'USA', year: '2024', gdp_usd_million: '1000' },
      { country: 'Proto', country_code: '', year: '2024', gdp_usd_million: '5000' },
    ]);
  });
});
