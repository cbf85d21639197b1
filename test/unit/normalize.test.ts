import { describe, expect, it } from 'vitest';
import { cleanText, isCalendarDate, isProjectionYear, normalizeFigure, parseGdpMillions, type RawFigure, type Region } from '../../src/rules/normalize.js';
import { resolveColumns } from '../../src/rules/header.js';
import { RegionMap } from '../../src/rules/regions.js';
import { loadRegionMap } from '../../src/store/region-map-file.js';

const regions = RegionMap.fromCsv('country,region\nChina,Asia\n"Bahamas, The",Americas\n', 'test map');
const figure = (over: Partial<RawFigure>): RawFigure => ({ country: 'China', year: '2024', gdpUsdMillion: '1,000', region: undefined, published: undefined, countryCode: undefined, source: undefined, ...over });
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
    expect(r).toEqual({ ok: true, columns: { width: 4, country: 2, year: 3, gdpUsdMillion: 0, region: -1, published: -1, countryCode: -1, source: -1, estimatesStartAfter: -1 } });
  });
  it('names every missing required column', () => {
    expect(resolveColumns(['country', 'gdp'])).toEqual({ ok: false, missing: ['year', 'gdp_usd_million'] });
  });
});

describe('region map', () => {
  it('rejects a region outside the five, naming the row', () => {
    expect(() => RegionMap.fromCsv('country,region\nChina,Asia\nMars,Space\n', 'm.csv')).toThrow('m.csv, row 3: region must be one of Africa, Americas, Asia, Europe, Oceania, got "Space"');
  });
  it('refuses a code given two regions or two names, and a code that is not three letters', () => {
    expect(() => RegionMap.fromCsv('country,region,code,name\nChina,Asia,CHN,China\nCathay,Europe,CHN,China\n', 'm.csv')).toThrow('m.csv, row 3: code CHN must map to one region, got Asia (row 2) and Europe');
    expect(() => RegionMap.fromCsv('country,region,code,name\nChina,Asia,CHN,China\nPRC,Asia,CHN,Cathay\n', 'm.csv')).toThrow('m.csv, row 3: code CHN must have one name, got "China" (row 2) and "Cathay"');
    expect(() => RegionMap.fromCsv('country,region,code\nChina,Asia,CH1\n', 'm.csv')).toThrow('m.csv, row 2: code must be three letters');
  });
  it('without code and name columns a country is its name', () => {
    const plain = RegionMap.fromCsv('country,region\nChina,Asia\n', 'm.csv');
    const r = normalizeFigure(figure({}), plain);
    expect(r.ok && [r.figure.identity, r.figure.region]).toEqual(['china', 'Asia']);
  });
  it('the bundled map keeps every listed name in one region', () => {
    expect(loadRegionMap('data/un_regions.csv').size).toBeGreaterThan(290);
  });
});

describe('country identity, sources and projections (SPEC §1)', () => {
  const map = loadRegionMap('data/un_regions.csv');
  const identity = (over: Partial<RawFigure>, runSource = ''): string => {
    const r = normalizeFigure(figure(over), map, runSource);
    return r.ok ? `${r.figure.source}:${r.figure.identity}:${r.figure.region}` : r.reason;
  };
  it('two spellings of one country are one identity, its code', () => {
    expect(identity({ country: 'China' })).toBe(':CHN:Asia');
    expect(identity({ country: "China, People's Republic of" })).toBe(':CHN:Asia');
    expect(identity({ country: 'korea, republic of' })).toBe(':KOR:Asia');
    expect(identity({ country: 'South Korea' })).toBe(':KOR:Asia');
  });
  it("a record's own code wins over its name, and finds the region when the field is empty", () => {
    expect(identity({ country: 'Anything at all', countryCode: ' kor ' })).toBe(':KOR:Asia');
    expect(identity({ country: 'China', countryCode: 'JPN' })).toBe(':JPN:Asia');
    expect(identity({ country: 'Atlantis', countryCode: 'ZZZ' })).toBe('unknown_region');
    expect(identity({ country: 'Atlantis', countryCode: 'ZZZ', region: 'Europe' })).toBe(':ZZZ:Europe');
  });
  it('a name the map gives no code is its own identity, case-insensitively', () => {
    expect(identity({ country: 'Zanzibar' })).toBe(':zanzibar:Africa');
    expect(identity({ country: 'Atlantis', region: 'Asia' })).toBe(':atlantis:Asia');
  });
  it.each(['K1R', 'KO', 'KORE', 'kör', '1'])('invalid_country_code: %j', (countryCode) => {
    expect(identity({ countryCode })).toBe('invalid_country_code');
  });
  it('invalid_country_code comes after invalid_year and before unknown_region', () => {
    expect(identity({ countryCode: 'K1R', year: 'x' })).toBe('invalid_year');
    expect(identity({ countryCode: 'K1R', country: 'World' })).toBe('invalid_country_code');
  });
  it("source: the record's (trimmed, lower case), else the run's", () => {
    expect(identity({ source: ' IMF ' })).toBe('imf:CHN:Asia');
    expect(identity({ source: '' }, 'world_bank')).toBe('world_bank:CHN:Asia');
    expect(identity({}, 'un')).toBe('un:CHN:Asia');
  });
  it.each(['World Bank', 'imf-2', 'imf!', 'ü'])('invalid_source: %j', (source) => {
    expect(identity({ source })).toBe('invalid_source');
  });
  it('invalid_source comes after invalid_published', () => {
    expect(identity({ source: 'bad source', published: '2024-02-30' })).toBe('invalid_published');
  });
  it.each(['1899', '2101', '23', 'n/a', '2023.0', '2023-01-01'])('invalid_estimates_start_after: %j, the last rule', (estimatesStartAfter) => {
    expect(identity({ estimatesStartAfter })).toBe('invalid_estimates_start_after');
    expect(identity({ estimatesStartAfter, source: 'bad source' })).toBe('invalid_source');
  });
  it('estimates_start_after is read as a year, trimmed; empty is none', () => {
    const read = (text: string) => {
      const r = normalizeFigure(figure({ estimatesStartAfter: text }), regions);
      return r.ok ? r.figure.estimatesStartAfter : r.reason;
    };
    expect(read(' 2023 ')).toBe(2023);
    expect(read('')).toBe(null);
    expect(read('  ')).toBe(null);
  });
  it('a projection: after estimates_start_after when given, else a year not before its vintage year', () => {
    expect(isProjectionYear(2025, 2024, null)).toBe(true);
    // The IMF's October 2024 figure for 2024 is its estimate, not an actual figure.
    expect(isProjectionYear(2024, 2024, null)).toBe(true);
    expect(isProjectionYear(2023, 2024, null)).toBe(false);
    expect(isProjectionYear(2030, null, null)).toBe(false);
    expect(isProjectionYear(2024, 2024, 2024)).toBe(false);
    expect(isProjectionYear(2023, 2024, 2022)).toBe(true);
    expect(isProjectionYear(2023, null, 2022)).toBe(true);
    // Year 0000 is a date like any other, not "undated".
    expect(isProjectionYear(2020, 0, null)).toBe(true);
  });
});
