// The region map as a file: read once, then the pure RegionMap (rules/regions.ts) decides.
import { GdpmrError } from '../errors.js';
import { RegionMap } from '../rules/regions.js';
import { fsReason, readSmallFile } from '../fs.js';

/** A country map is a few thousand rows at most; a larger --regions is no map (/dev/zero). */
const REGION_MAP_MAX_BYTES = 16 * 1024 * 1024;

export function loadRegionMap(path: string): RegionMap {
  let text: string;
  try {
    text = readSmallFile(path, '--regions', REGION_MAP_MAX_BYTES);
  } catch (error) {
    throw new GdpmrError('REGION_MAP_UNREADABLE', error instanceof GdpmrError ? error.message.replace(/^--regions must be a (readable|regular) file/, '--regions must be a readable CSV file') : `--regions must be a readable CSV file, got ${path} (${fsReason(error)})`);
  }
  return RegionMap.fromCsv(text, path);
}
