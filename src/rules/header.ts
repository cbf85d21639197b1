// SPEC §1: columns are found by name (trimmed, case-insensitive, any order); unknown columns
// are ignored, and a missing required one stops the run before anything is written. A known
// column named twice is as bad: which of the two holds the figures would be a guess.
import { z } from 'zod';

export const REQUIRED_COLUMNS = ['country', 'year', 'gdp_usd_million'] as const;
export const OPTIONAL_COLUMNS = ['region', 'published', 'country_code', 'source', 'estimates_start_after'] as const;

/** Where each known column sits in a record; -1 for an absent optional column. */
export interface ColumnIndex {
  /** Fields in the header: every data record must have exactly this many. */
  width: number;
  country: number;
  year: number;
  gdpUsdMillion: number;
  region: number;
  published: number;
  countryCode: number;
  source: number;
  estimatesStartAfter: number;
}

export const ColumnIndexSchema = z.object({
  width: z.number(),
  country: z.number(),
  year: z.number(),
  gdpUsdMillion: z.number(),
  region: z.number(),
  published: z.number(),
  countryCode: z.number(),
  source: z.number(),
  estimatesStartAfter: z.number(),
});

export type HeaderResult =
  | { ok: true; columns: ColumnIndex }
  | { ok: false; missing: string[]; duplicate?: undefined }
  | { ok: false; missing: []; duplicate: { name: string; positions: number[] } };

const KNOWN = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

export function resolveColumns(header: readonly string[]): HeaderResult {
  const position = new Map<string, number>();
  for (const [index, name] of header.entries()) {
    const key = name.trim().toLowerCase();
    const earlier = position.get(key);
    if (earlier !== undefined && KNOWN.has(key)) return { ok: false, missing: [], duplicate: { name: key, positions: [earlier + 1, index + 1] } };
    if (earlier === undefined) position.set(key, index);
  }
  const missing = REQUIRED_COLUMNS.filter((name) => !position.has(name));
  if (missing.length > 0) return { ok: false, missing };
  const at = (name: string): number => position.get(name) ?? -1;
  return {
    ok: true,
    columns: {
      width: header.length,
      country: at('country'),
      year: at('year'),
      gdpUsdMillion: at('gdp_usd_million'),
      region: at('region'),
      published: at('published'),
      countryCode: at('country_code'),
      source: at('source'),
      estimatesStartAfter: at('estimates_start_after'),
    },
  };
}
