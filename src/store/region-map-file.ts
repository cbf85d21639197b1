// The region map as a file: read once, then the pure RegionMap (rules/regions.ts) decides.
import { RegionMap } from '../rules/regions.js';
import { readSmallFile } from '../fs.js';

/** A country map is a few thousand rows at most; a larger --regions is no map (/dev/zero). */
const REGION_MAP_MAX_BYTES = 16 * 1024 * 1024;

export function loadRegionMap(path: string): RegionMap {
  return RegionMap.fromCsv(readSmallFile(path, { flag: '--regions', maxBytes: REGION_MAP_MAX_BYTES, what: 'CSV file', code: 'REGION_MAP_UNREADABLE' }), path);
}
