// The generations a warehouse keeps for `gdpmr rollback`: those its publishes replaced, newest
// first, listed in DIR/.kept.json (written whole).
//
// The list is written before the `.current` swap it describes, and an entry naming the
// generation `.current` points at is ignored: so a kill between the two loses nothing (the list
// already names the generation being replaced; until the swap that one is still current).
// A publish keeps KEEP_GENERATIONS of them and deletes older ones, but only those it can read
// and verify: a generation that is damaged or of another gdpmr's format is never deleted (it
// stays listed, and `rollback --list` shows what is wrong with it).
import { lstatSync, readFileSync } from 'node:fs';
import { writeFileWhole } from '../fs.js';
import { currentGeneration, generationName, linkTarget, type WarehousePaths } from './layout.js';

export const KEEP_GENERATIONS = 5;

export interface KeptGeneration {
  generation: string;
  /** When a publish or rollback replaced it (ISO 8601). */
  replaced_at: string;
}

/** Whether `.gen/<name>` is a generation directory of this warehouse (a real directory, not a link). */
export function isGenerationDir(paths: WarehousePaths, name: string): boolean {
  if (generationName(`.gen/${name}`) === null) return false;
  try {
    return lstatSync(paths.generation(name).root).isDirectory();
  } catch {
    return false;
  }
}

/** Every entry of the list file, as written (the current one and missing ones included). */
function readListFile(paths: WarehousePaths): KeptGeneration[] | null {
  let raw: unknown;
  try {
    if (!lstatSync(paths.keptList).isFile()) return [];
    raw = JSON.parse(readFileSync(paths.keptList, 'utf8'));
  } catch (error) {
    // No list yet (a warehouse of an earlier gdpmr keeps one generation as .previous); a torn
    // one cannot be: it is written whole. Anything else unreadable lists nothing, deletes nothing.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : [];
  }
  const entries = Array.isArray((raw as { kept?: unknown })?.kept) ? (raw as { kept: unknown[] }).kept : [];
  const out: KeptGeneration[] = [];
  for (const e of entries) {
    const g = (e as { generation?: unknown })?.generation;
    const at = (e as { replaced_at?: unknown })?.replaced_at;
    if (typeof g === 'string' && generationName(`.gen/${g}`) !== null && !out.some((k) => k.generation === g)) {
      out.push({ generation: g, replaced_at: typeof at === 'string' ? at : '' });
    }
  }
  return out;
}

/**
 * The kept generations, newest first: those of the list that exist as generation directories,
 * without the current one. A warehouse of an earlier gdpmr lists its `.previous`.
 */
export function keptGenerations(paths: WarehousePaths): KeptGeneration[] {
  const current = currentGeneration(paths);
  let list = readListFile(paths);
  if (list === null) {
    const previous = generationName(linkTarget(paths.previousLink));
    list = previous === null ? [] : [{ generation: previous, replaced_at: '' }];
  }
  return list.filter((k) => k.generation !== current && isGenerationDir(paths, k.generation));
}

export function writeKept(paths: WarehousePaths, kept: readonly KeptGeneration[]): void {
  const seen = new Set<string>();
  const unique = kept.filter((k) => !seen.has(k.generation) && seen.add(k.generation));
  writeFileWhole(paths.keptList, JSON.stringify({ kept: unique }, null, 1) + '\n');
}
