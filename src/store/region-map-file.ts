// The region map as a file: read once, then the pure RegionMap (rules/regions.ts) decides.
import { readFileSync } from 'node:fs';
import { GdpmrError } from '../errors.js';
import { RegionMap } from '../rules/regions.js';
import { fsReason } from '../fs.js';

export function loadRegionMap(path: string): RegionMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GdpmrError('REGION_MAP_UNREADABLE', `--regions must be a readable CSV file, got ${path} (${fsReason(error)})`);
  }
  return RegionMap.fromCsv(text, path);
}
