// SPEC §4: the region map, country or territory name → one of the five UN regions. Names are
// compared as the SPEC compares countries: cleaned, then case-insensitively.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { cleanText, countryKey, parseRegionName, REGIONS, type Region, type RegionLookup } from './normalize.js';
import { GdpmrError } from '../errors.js';

const RegionMapRow = z.object({
  country: z.string().refine((name) => cleanText(name) !== '', 'country must be a non-empty name'),
  region: z.string().superRefine((name, ctx) => {
    if (parseRegionName(name) === undefined) ctx.addIssue({ code: 'custom', message: `region must be one of ${REGIONS.join(', ')}, got ${JSON.stringify(name)}` });
  }),
});

export class RegionMap implements RegionLookup {
  private constructor(private readonly byKey: ReadonlyMap<string, Region>) {}

  get size(): number {
    return this.byKey.size;
  }

  regionOf(cleanCountry: string): Region | undefined {
    return this.byKey.get(countryKey(cleanCountry));
  }

  /** Builds a map from the text of a `country,region` CSV; `source` names it in messages. */
  static fromCsv(text: string, source: string): RegionMap {
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), bom: true, skip_empty_lines: true, trim: false });
    } catch (error) {
      throw new GdpmrError('REGION_MAP_INVALID', `region map ${source} must be a CSV with columns country,region: ${(error as Error).message}`);
    }
    const byKey = new Map<string, Region>();
    rows.forEach((row, index) => {
      const parsed = RegionMapRow.safeParse(row);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue.path.length > 0 ? `${String(issue.path[0])}: ` : '';
        throw new GdpmrError('REGION_MAP_INVALID', `region map ${source}, row ${index + 2}: ${where}${issue.message}`);
      }
      const key = countryKey(cleanText(parsed.data.country));
      const region = parseRegionName(parsed.data.region) as Region;
      const earlier = byKey.get(key);
      if (earlier !== undefined && earlier !== region) {
        throw new GdpmrError('REGION_MAP_INVALID', `region map ${source}, row ${index + 2}: ${parsed.data.country} must map to one region, got ${earlier} and ${region}`);
      }
      byKey.set(key, region);
    });
    // An empty map would reject every record without a region column as unknown_region and
    // publish that: almost certainly the wrong file.
    if (byKey.size === 0) throw new GdpmrError('REGION_MAP_INVALID', `region map ${source} must list at least one country,region row, got none`);
    return new RegionMap(byKey);
  }
}
