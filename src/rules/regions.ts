// SPEC §4: the country map, country or territory name → one of the five UN regions, an ISO
// 3166-1 alpha-3 code and the name answers show for that code. Names are compared as the SPEC
// compares countries: cleaned, then case-insensitively. `code` and `name` are optional columns.
import { parse } from 'csv-parse/sync';
import { cleanText, countryKey, parseCountryCode, parseRegionName, REGIONS, type MapEntry, type Region, type RegionLookup } from './normalize.js';
import { GdpmrError } from '../errors.js';

const got = (value: string): string => JSON.stringify(value);

export class RegionMap implements RegionLookup {
  private constructor(
    private readonly byKey: ReadonlyMap<string, MapEntry>,
    private readonly byCode: ReadonlyMap<string, { region: Region; name: string | undefined }>,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  entryOf(cleanCountry: string): MapEntry | undefined {
    return this.byKey.get(countryKey(cleanCountry));
  }

  /** Kept for readers that only need the region of a name. */
  regionOf(cleanCountry: string): Region | undefined {
    return this.byKey.get(countryKey(cleanCountry))?.region;
  }

  regionOfCode(code: string): Region | undefined {
    return this.byCode.get(code)?.region;
  }

  nameOfCode(code: string): string | undefined {
    return this.byCode.get(code)?.name;
  }

  /** Every code the map knows, with its name: for looking a country up by any of its names. */
  codes(): ReadonlyMap<string, { region: Region; name: string | undefined }> {
    return this.byCode;
  }

  /** Every name the map knows (cleaned, lower case) with its entry. */
  names(): ReadonlyMap<string, MapEntry> {
    return this.byKey;
  }

  /** Builds a map from the text of a `country,region[,code,name]` CSV; `source` names it in messages. */
  static fromCsv(text: string, source: string): RegionMap {
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: false });
    } catch (error) {
      throw new GdpmrError('REGION_MAP_INVALID', `region map ${source} must be a CSV with columns country,region (and optionally code,name): ${(error as Error).message}`);
    }
    const byKey = new Map<string, MapEntry>();
    const byCode = new Map<string, { region: Region; name: string | undefined; row: number }>();
    rows.forEach((row, index) => {
      const at = `region map ${source}, row ${index + 2}`;
      const country = cleanText(typeof row.country === 'string' ? row.country : '');
      if (country === '') throw new GdpmrError('REGION_MAP_INVALID', `${at}: country must be a non-empty name, got ${got(row.country ?? '')}`);
      const region = parseRegionName(typeof row.region === 'string' ? row.region : '');
      if (region === undefined) throw new GdpmrError('REGION_MAP_INVALID', `${at}: region must be one of ${REGIONS.join(', ')}, got ${got(row.region ?? '')}`);
      const code = parseCountryCode(typeof row.code === 'string' ? row.code : '');
      if (code === undefined) throw new GdpmrError('REGION_MAP_INVALID', `${at}: code must be three letters (ISO 3166-1 alpha-3) or empty, got ${got(row.code)}`);
      const name = typeof row.name === 'string' && cleanText(row.name) !== '' ? cleanText(row.name) : undefined;
      const key = countryKey(country);
      const earlier = byKey.get(key);
      if (earlier !== undefined && earlier.region !== region) {
        throw new GdpmrError('REGION_MAP_INVALID', `${at}: ${country} must map to one region, got ${earlier.region} and ${region}`);
      }
      if (earlier !== undefined && earlier.code !== (code === '' ? null : code)) {
        throw new GdpmrError('REGION_MAP_INVALID', `${at}: ${country} must map to one code, got ${earlier.code ?? '(none)'} and ${code === '' ? '(none)' : code}`);
      }
      byKey.set(key, { region, code: code === '' ? null : code });
      if (code === '') return;
      const known = byCode.get(code);
      if (known === undefined) {
        byCode.set(code, { region, name, row: index + 2 });
        return;
      }
      if (known.region !== region) {
        throw new GdpmrError('REGION_MAP_INVALID', `${at}: code ${code} must map to one region, got ${known.region} (row ${known.row}) and ${region}`);
      }
      if (name !== undefined && known.name !== undefined && known.name !== name) {
        throw new GdpmrError('REGION_MAP_INVALID', `${at}: code ${code} must have one name, got ${got(known.name)} (row ${known.row}) and ${got(name)}`);
      }
      if (known.name === undefined) known.name = name;
    });
    // An empty map would reject every record without a region column as unknown_region and
    // publish that: almost certainly the wrong file.
    if (byKey.size === 0) throw new GdpmrError('REGION_MAP_INVALID', `region map ${source} must list at least one country,region row, got none`);
    return new RegionMap(byKey, byCode);
  }
}
