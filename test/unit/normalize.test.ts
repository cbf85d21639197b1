import { describe, expect, it } from 'vitest';
import { cleanText, isCalendarDate, normalizeFigure, parseGdpMillions, type RawFigure, type Region } from '../../src/rules/normalize.js';
import { resolveColumns } from '../../src/rules/header.js';
import { RegionMap } from '../../src/rules/regions.js';
import { loadRegionMap } from '../../src/store/region-map-file.js';

const regions = RegionMap.fromCsv('country,region\nChina,Asia\n"Bahamas, The",Americas\n', 'test map');
const figure = (over: Partial<RawFigure>): RawFigure => ({ country: 'China', year: '2024', gdpUsdMillion: '1,000', region: undefined, published: undefined, ...over });
const reason = (over: Partial<RawFigure>) => {
  const r = normalizeFigure(figure(over), regions);
  return r.ok ? 'ok' : r.reason;
};

describe('cleaning text fields', () => {
  it('drops footnote markers, trims and collapses white space', () => {
    expect(cleanText('  China[n 1]  People\t\tRep.[3] ')).toBe('China People Rep.');
  });
});

describe('reject reasons, first failing rule wins', () => {
  it('missing_country: empty after cleaning', () => {
    expect(reason({ country: ' [a] ' })).toBe('missing_country');
    expect(reason({ country: '', gdpUsdMillion: '' })).toBe('missing_country');
  });
  it.each(['', '—', '–', '-', 'n/a', 'N/A', 'NA', '..', ' — [1]'])('missing_gdp: %j', (gdp) => {
    expect(reason({ gdpUsdMillion: gdp, year: 'bad' })).toBe('missing_gdp');
  });
  it.each(['abc', '0', '0.000', '1e6', '12.5.3', '.5', '5.', '-5', '1\t000', 'n/A'])('invalid_gdp: %j', (gdp) => {
    expect(reason({ gdpUsdMillion: gdp })).toBe('invalid_gdp');
  });
  it('accepts separators, non-breaking and thin spaces, and footnotes in numbers', () => {
    expect(parseGdpMillions('1,234,567[a]')).toBe(1234567);
    expect(parseGdpMillions('1 234\u00a0567\u2009000\u202f1.5')).toBe(12345670001.5);
    const r = normalizeFigure(figure({ gdpUsdMillion: '30,337,162' }), regions);
    expect(r.ok && r.figure.gdpUsdMillion).toBe(30337162);
  });
  it.each(['', '24', '1899', '2101', '20x4', '02024'])('invalid_year: %j', (year) => {
    expect(reason({ year })).toBe('invalid_year');
  });
  it('accepts a trimmed year from 1900 to 2100', () => {
    expect(reason({ year: ' 1900 ' })).toBe('ok');
    expect(reason({ year: '2100' })).toBe('ok');
  });
  it('unknown_region: a region field that is not a UN region, or a name not in the map', () => {
    expect(reason({ region: 'Asia-Pacific' })).toBe('unknown_region');
    expect(reason({ country: 'World' })).toBe('unknown_region');
    expect(reason({ country: 'Atlantis', region: '' })).toBe('unknown_region');
  });
  it('a region field is trimmed and case-insensitive; an empty one is looked up', () => {
    const asRegion = (over: Partial<RawFigure>): Region | string => {
      const r = normalizeFigure(figure(over), regions);
      return r.ok ? r.figure.region : r.reason;
    };
    expect(asRegion({ country: 'Atlantis', region: ' eUROPE ' })).toBe('Europe');
    expect(asRegion({ country: ' bahamas,   THE[1]', region: '  ' })).toBe('Americas');
  });
  it.each(['2024-02-30', '2023-02-29', '22/10/2024', '2024-1-01', '2024-13-01', '2024-00-10'])('invalid_published: %j', (published) => {
    expect(reason({ published })).toBe('invalid_published');
  });
  it('published: empty is allowed, leap days are dates', () => {
    expect(reason({ published: '  ' })).toBe('ok');
    expect(reason({ published: '2024-02-29' })).toBe('ok');
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('1900-02-29')).toBe(false);
  });
});

describe('header', () => {
  it('finds columns by trimmed, case-insensitive name in any order', () => {
    const r = resolveColumns([' GDP_USD_Million', 'note', 'Country ', 'YEAR']);
    expect(r).toEqual({ ok: true, columns: { width: 4, country: 2, year: 3, gdpUsdMillion: 0, region: -1, published: -1 } });
  });
  it('names every missing required column', () => {
    expect(resolveColumns(['country', 'gdp'])).toEqual({ ok: false, missing: ['year', 'gdp_usd_million'] });
  });
});

describe('region map', () => {
  it('rejects a region outside the five, naming the row', () => {
    expect(() => RegionMap.fromCsv('country,region\nChina,Asia\nMars,Space\n', 'm.csv')).toThrow('m.csv, row 3: region: region must be one of Africa, Americas, Asia, Europe, Oceania, got "Space"');
  });
  it('the bundled map keeps every listed name in one region', () => {
    expect(loadRegionMap('data/un_regions.csv').size).toBeGreaterThan(290);
  });
});
